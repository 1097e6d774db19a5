"""Parse herd litmus files into the AST of `memlitmus.litmus.ast`.

A litmus file has three sections with different lexical conventions, so, like herd's own
`splitter.mll`, we first find the section boundaries and then give each section to a Lark
LALR start rule:

* prelude (header, doc, metadata, init)  -> `litmus.lark`, rule `prelude`
* program (the threads)                   -> the architecture's grammar (`x86.lark`, ...)
* constraints (locations, filter, final)  -> `litmus.lark`, rule `constraints`

OCaml comments `(* ... *)` (nested) are blanked out before parsing, keeping newlines,
so every Lark position maps straight back to the file. Lark objects are built once per
process, with their inline transformer, which builds the AST during the parse.

A new architecture plugs in by adding its grammar file and one `PROGRAM_SYNTAXES` entry
whose start rule's transformer callback returns the tuple of `AsmThread`s; assembly
grammars reuse the `_table{cell}` template of `litmus.lark` and `assemble_table` below.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken
from lark.lexer import PatternStr

from memlitmus.errors import LitmusSyntaxError, Span, UnsupportedError
from memlitmus.grammar_files import grammar_path
from memlitmus.litmus.ast import (
    And,
    AsmThread,
    Atom,
    Condition,
    Const,
    Imm,
    Implies,
    InitEntry,
    Instr,
    Label,
    LabelRef,
    LitmusTest,
    Loc,
    LocEq,
    Mem,
    MemLoc,
    Not,
    Operand,
    Or,
    Prop,
    Reg,
    RegLoc,
    Stmt,
    Value,
)

__all__ = [
    "PROGRAM_SYNTAXES",
    "ProgramSyntax",
    "SectionTransformer",
    "assemble_table",
    "load_litmus",
    "parse_litmus",
    "span_of",
    "syntax_error",
    "syntax_error_at",
    "unsupported",
]


# ======================================================================================
# Public API
# ======================================================================================


def load_litmus(path: str | Path) -> LitmusTest:
    """Read and parse the litmus file at `path` (errors name the path as given)."""
    # utf-8-sig drops a byte-order mark; undecodable bytes become U+FFFD, which the
    # parser then reports at their position.
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    return parse_litmus(text, str(path))


def parse_litmus(text: str, file: str) -> LitmusTest:
    """Parse the text of a litmus file; `file` is the name used in spans and errors.

    Raises LitmusSyntaxError for malformed text and UnsupportedError for well-formed
    constructs memlitmus does not handle (an unknown architecture, say); never a Lark
    exception.
    """
    arch, arch_span = _sniff_arch(text, file)
    syntax = PROGRAM_SYNTAXES[arch]
    split = _split(text, file, syntax.skip_comments)
    clean = split.clean

    prelude: _Prelude = _parse_section(
        _common_parser(), "prelude", _Section(file, text, clean, 0, split.prelude_end, "header")
    )
    prog_section = _Section(file, text, clean, split.prelude_end, split.program_end, "program")
    threads = _parse_section(_program_parser(syntax), syntax.start, prog_section)
    if split.program_end == len(text):
        constraints = _Constraints((), None, None)
    else:
        cons_section = _Section(file, text, clean, split.program_end, len(text), "constraints")
        constraints = _parse_section(_common_parser(), "constraints", cons_section)
    return LitmusTest(
        arch=arch,
        name=prelude.name,
        file=file,
        doc=prelude.doc,
        metadata=prelude.metadata,
        init=prelude.init,
        threads=threads,
        locations=constraints.locations,
        filter=constraints.filter,
        # no final condition: herd's parser reads `forall (true)`
        condition=constraints.condition
        or Condition("forall", Const(True), _end_of_content(text, file)),
        source=text,
        span=arch_span,
    )


# ======================================================================================
# Architecture registry
# ======================================================================================


@dataclass(frozen=True)
class ProgramSyntax:
    """How to parse one architecture's program section.

    `grammar` is a file under `grammars/`; the callback of its `start` rule in the
    transformer made by `transformer` returns `tuple[AsmThread, ...]`. `skip_comments`
    is herd's choice: `(* *)` comments are blanked in assembly code but not in C (where
    `(*p)` is code).
    """

    grammar: str
    start: str
    transformer: Callable[[], Transformer[Token, Any]]
    skip_comments: bool = True


# Filled in at the bottom of this module, once the transformers are defined.
PROGRAM_SYNTAXES: dict[str, ProgramSyntax] = {}


@cache
def _common_parser() -> Lark:
    """The Lark parser of `litmus.lark` (prelude and constraints), built once."""
    return _build(grammar_path("litmus.lark"), ["prelude", "constraints"], _CommonTransformer())


@cache
def _program_parser(syntax: ProgramSyntax) -> Lark:
    """The Lark parser of one architecture's program section, built once."""
    return _build(grammar_path(syntax.grammar), [syntax.start], syntax.transformer())


def _build(path: Path, start: list[str], transformer: Transformer[Token, Any]) -> Lark:
    return Lark(
        path.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=start,
        transformer=transformer,
        source_path=str(path),
        cache=_cache_file(f"{path.stem}-{'-'.join(start)}"),
        maybe_placeholders=True,
    )


def _cache_file(key: str) -> str | bool:
    """Where Lark keeps the analysed grammar between processes (saves ~100 ms each).

    Lark checks the cached tables against the grammar text, the options and the hashes
    of imported grammar files, and rebuilds when they differ or the file is damaged. We
    use the user's cache folder rather than Lark's default in the shared temp folder,
    since the tables are pickles. No cache if the folder cannot be made.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "memlitmus"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    version = f"lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return str(folder / f"{key}-{version}.lark-cache")


# ======================================================================================
# Splitting the file into sections (herd's splitter.mll)
# ======================================================================================

# Before the init block: comments, doc strings and metadata lines are skipped whole, so a
# `{` inside them does not open the init block.
_PRELUDE_SCAN = re.compile(r'\(\*|"[^"]*"|^[ \t]*[A-Za-z][\w/.-]*[ \t]*=[^\n]*|\{', re.M)
_LINE = re.compile(r"[^\n]+")
_META_LINE = re.compile(r"[A-Za-z][\w/.-]*[ \t]*=")
_INIT_SCAN = re.compile(r"\(\*|\}")
_COMMENT_DELIM = re.compile(r"\(\*|\*\)")
# The program ends at the first constraint keyword (herd's list), taken as a whole word.
_KEYWORDS = (
    r"(?<![\w.])(?:~\s*exists|not\s+exists|exists|forall|final"
    r"|locations|filter|cases|observed|Observed)(?![\w.])"
)
_ASM_PROGRAM_SCAN = re.compile(r"\(\*|" + _KEYWORDS)
_C_PROGRAM_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"|' + _KEYWORDS)
_COMMENT_OPEN = re.compile(r"\(\*")
_ARCH_SNIFF = re.compile(r"[ \t\r\n\f]*([A-Za-z0-9_]+)([ \t]+\S)?")


@dataclass(frozen=True)
class _Split:
    """Section boundaries (offsets) and the text with comments blanked."""

    clean: str
    prelude_end: int  # just after the init block's `}` (or the end of the text)
    program_end: int  # start of the first constraint keyword (or the end of the text)


def _sniff_arch(text: str, file: str) -> tuple[str, Span]:
    """The architecture named on the header line, checked against the registry."""
    start = _skip_blank_and_comments(text, file)
    if start >= len(text):
        raise _error("empty file (expected `ARCH name`)", Span(file, 1, 1), text)
    m = _ARCH_SNIFF.match(text, start)
    if m is None:
        found = _describe_at(text, start)
        raise _error(f"unexpected {found}, expected `ARCH name`", _pos(text, file, start), text)
    arch = m.group(1)
    span = _pos(text, file, m.start(1))
    if arch not in PROGRAM_SYNTAXES:
        known = ", ".join(sorted(PROGRAM_SYNTAXES))
        raise UnsupportedError(
            f"unsupported architecture `{arch}` (supported: {known})", span, text
        )
    if m.group(2) is None:
        raise _error(f"expected a test name after `{arch}`", _pos(text, file, m.end(1)), text)
    return arch, span


def _skip_blank_and_comments(text: str, file: str) -> int:
    """Offset of the first character that is neither blank nor inside a comment."""
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n\f":
            pos += 1
        if not text.startswith("(*", pos):
            return pos
        pos = _comment_end(text, pos, file)


def _comment_end(text: str, start: int, file: str) -> int:
    """Offset just past the (possibly nested) comment opening at `start`."""
    depth = 0
    pos = start
    while True:
        m = _COMMENT_DELIM.search(text, pos)
        if m is None:
            raise _error("unterminated comment", _pos(text, file, start), text)
        depth += 1 if m.group() == "(*" else -1
        pos = m.end()
        if depth == 0:
            return pos


def _split(text: str, file: str, program_comments: bool) -> _Split:
    """Find the sections as herd does and blank the comments out."""
    comments: list[tuple[int, int]] = []
    pos = _scan(_PRELUDE_SCAN, text, file, 0, comments, stop="{")
    prelude_end = len(text)
    if pos < len(text):
        comments += _free_prelude_text(text, pos, comments)
        comments.sort()
        pos = _scan(_INIT_SCAN, text, file, pos + 1, comments, stop="}")
        if pos < len(text):
            prelude_end = pos + 1
    program_end = len(text)
    if prelude_end < len(text):
        scan = _ASM_PROGRAM_SCAN if program_comments else _C_PROGRAM_SCAN
        program_end = _scan(scan, text, file, prelude_end, comments, stop="keyword")
        _scan(_COMMENT_OPEN, text, file, program_end, comments, stop="")
    return _Split(_blank(text, comments), prelude_end, program_end)


def _free_prelude_text(text: str, brace: int, comments: list[tuple[int, int]]) -> list[
    tuple[int, int]
]:
    """Lines between the header line and the init block that are neither metadata, a doc
    string nor a comment: herd's splitter skips such text (e.g. a second `C rwsem` line),
    so they are blanked out like comments."""
    header = _skip_blank_and_comments_in(text, comments)
    line_end = text.find("\n", header, brace)
    if line_end < 0:
        return []
    free = []
    for m in _LINE.finditer(text, line_end + 1, brace):
        segments = _outside(m.span(), comments)
        body = "".join(text[a:b] for a, b in segments).strip()
        if body and not (_META_LINE.match(body) or body.startswith('"') or body == ";"):
            free += segments
    return free


def _outside(span: tuple[int, int], comments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `span` that no comment covers."""
    parts = []
    pos, end = span
    for a, b in sorted(comments):
        if b <= pos or a >= end:
            continue
        if a > pos:
            parts.append((pos, a))
        pos = max(pos, b)
    if pos < end:
        parts.append((pos, end))
    return parts


def _skip_blank_and_comments_in(text: str, comments: list[tuple[int, int]]) -> int:
    """Offset of the first character that is neither blank nor in a known comment."""
    pos = 0
    for start, end in sorted(comments):
        if text[pos:start].strip():
            break
        pos = max(pos, end)
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _scan(
    pattern: re.Pattern[str],
    text: str,
    file: str,
    pos: int,
    comments: list[tuple[int, int]],
    stop: str,
) -> int:
    """Offset of the first `stop` match from `pos` (len(text) if none).

    Comments found on the way are recorded in `comments`; other matches (strings,
    metadata lines) are skipped. `stop="keyword"` stops at any keyword match.
    """
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return len(text)
        found = m.group()
        if found == "(*":
            pos = _comment_end(text, m.start(), file)
            comments.append((m.start(), pos))
        elif found == stop or (stop == "keyword" and found[0] not in '"'):
            return m.start()
        else:
            pos = m.end()


def _blank(text: str, comments: list[tuple[int, int]]) -> str:
    """`text` with every comment character but newlines turned into a space."""
    if not comments:
        return text
    parts: list[str] = []
    last = 0
    for start, end in comments:
        parts.append(text[last:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


# ======================================================================================
# Running a start rule on one section, with true file positions
# ======================================================================================


@dataclass(frozen=True)
class _Section:
    """One slice of the file handed to Lark; maps Lark positions back to the file."""

    file: str
    source: str  # the original text, for error rendering
    clean: str  # the text with comments blanked
    start: int
    end: int
    what: str  # "header", "program" or "constraints", for messages

    @property
    def origin(self) -> tuple[int, int]:
        """1-based (line, column) of the section's first character."""
        line = self.source.count("\n", 0, self.start) + 1
        col = self.start - (self.source.rfind("\n", 0, self.start) + 1) + 1
        return line, col


_CURRENT: ContextVar[tuple[_Section, int, int]] = ContextVar("memlitmus_litmus_section")


def _parse_section(parser: Lark, start: str, section: _Section) -> Any:
    """Parse `section` with rule `start`; convert every Lark error to ours."""
    line, col = section.origin
    token = _CURRENT.set((section, line, col))
    try:
        return parser.parse(section.clean[section.start : section.end], start=start)
    except UnexpectedToken as exc:
        raise _unexpected_token(exc, parser, section) from None
    except UnexpectedCharacters as exc:
        raise _unexpected_chars(exc, parser, section) from None
    except LarkError as exc:  # any other Lark failure: report at the section start
        raise _error(
            f"cannot parse the {section.what}: {exc}", _pos_at(section, 0), section.source
        ) from None
    finally:
        _CURRENT.reset(token)


def span_of(tok: Token) -> Span:
    """The file position of a token of the section being parsed."""
    section, line0, col0 = _CURRENT.get()
    line = tok.line or 1
    col = tok.column or 1
    if line == 1:
        col += col0 - 1
    return Span(section.file, line0 + line - 1, col)


def syntax_error(message: str, tok: Token) -> LitmusSyntaxError:
    """A LitmusSyntaxError at `tok` (for transformer callbacks)."""
    return LitmusSyntaxError(message, span_of(tok), _CURRENT.get()[0].source)


def syntax_error_at(message: str, span: Span) -> LitmusSyntaxError:
    """A LitmusSyntaxError at a span already computed (for transformer callbacks)."""
    return LitmusSyntaxError(message, span, _CURRENT.get()[0].source)


def unsupported(message: str, tok: Token) -> UnsupportedError:
    """An UnsupportedError at `tok` (for transformer callbacks)."""
    return UnsupportedError(message, span_of(tok), _CURRENT.get()[0].source)


def _pos(text: str, file: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file, line, col)


def _pos_at(section: _Section, rel: int) -> Span:
    return _pos(section.source, section.file, section.start + rel)


def _end_of_content(text: str, file: str) -> Span:
    """Just after the last non-blank character (where something is missing)."""
    return _pos(text, file, len(text.rstrip()))


def _error(message: str, span: Span, source: str) -> LitmusSyntaxError:
    return LitmusSyntaxError(message, span, source)


# ---- Lark errors -> LitmusSyntaxError --------------------------------------------------

# How to name terminals whose pattern is a regexp; literal ones are shown as written.
_TERMINAL_NAMES = {
    "ARCH": "`ARCH name`",
    "TESTNAME": "a test name",
    "DOC": "a doc string",
    "META": "a `key=value` line",
    "NAME": "a name",
    "REG": "a register name",
    "NUM": "a number",
    "PROC": "a thread name (`P0`, `P1`, ...)",
    "IMM": "an immediate (`$1`)",
    "ATT_REG": "a register (`%rax`)",
    "LOCK": "`lock`",
    "NOT": "`~`",
    "EQ": "`=`",
    "NEQ": "`!=`",
    "MEM_SIGN": "`+`/`-`",
    "THREAD": "a register (`0:EAX`)",
    "ATOM": "an atom (`x=1`)",
    "INTEL_MEM_NAME": "a memory operand (`[x]`)",
    "ATT_MEM_NAME": "a memory operand (`(x)`)",
    "$END": "end of input",
}
# When the terminals `trigger` are all expected, name the group `word` instead of
# listing every terminal in `members`.
_GROUPS = (
    (
        {"NOT", "TRUE"},
        {"NOT", "TRUE", "FALSE", "LPAR", "ATOM", "THREAD", "NAME", "LBRACKET"},
        "a proposition",
    ),
    ({"THREAD", "NAME", "LBRACKET"}, {"THREAD", "NAME", "LBRACKET"}, "a location"),
    ({"ATOMIC_INIT"}, {"ATOMIC_INIT", "AMPERSAND", "NAME", "NUM"}, "a value"),
    ({"INTEL_MEM_NAME"}, {"INTEL_MEM_NAME", "LSQB"}, "a memory operand (`[x]`)"),
    ({"ATT_MEM_NAME"}, {"ATT_MEM_NAME", "LPAREN"}, "a memory operand (`(x)`)"),
)
_MAX_EXPECTED = 5


def _unexpected_token(exc: UnexpectedToken, parser: Lark, section: _Section) -> LitmusSyntaxError:
    tok = exc.token
    expected = set(exc.accepts or exc.expected)
    if tok.type == "$END":
        found = _describe_at(section.clean, section.end)
        if found == "end of file":
            span = _end_of_content(section.source, section.file)
        else:
            span = _pos(section.source, section.file, section.end)
    else:
        # Described from the text: in an unexpected place the contextual lexer falls back
        # to a lexer of all terminals, whose token may not be what the user meant.
        offset = section.start + (tok.start_pos or 0)
        span = _pos(section.source, section.file, offset)
        found = _describe_at(section.clean, offset)
    quantifiers = {"EXISTS", "FORALL", "FINAL", "NOT"}
    if section.what == "constraints" and "$END" in expected and not expected & quantifiers:
        message = f"unexpected {found} after the final condition"
    else:
        # a missing condition is allowed (herd reads `forall true`) but not worth naming
        named = expected - {"$END"} if section.what == "constraints" else expected
        message = f"unexpected {found}, expected {_expected(named or expected, parser)}"
    return LitmusSyntaxError(message, span, section.source)


def _unexpected_chars(
    exc: UnexpectedCharacters, parser: Lark, section: _Section
) -> LitmusSyntaxError:
    offset = section.start + (exc.pos_in_stream or 0)
    found = _describe_at(section.clean, offset)
    message = f"unexpected {found}, expected {_expected(exc.allowed, parser)}"
    return LitmusSyntaxError(message, _pos(section.source, section.file, offset), section.source)


_WORD = re.compile(r"/\\|\\/|=>|!=|<>|==|[A-Za-z0-9_$%.]+|\S")


def _describe_at(text: str, offset: int) -> str:
    m = _WORD.match(text, offset)
    if offset >= len(text.rstrip()) or m is None:
        return "end of file"
    return f"`{m.group()}`"


def _expected(names: Iterable[str], parser: Lark) -> str:
    """A short readable list of what could come instead."""
    names = {n for n in names if not n.startswith("__IGNORE")}
    words: set[str] = set()
    for trigger, members, word in _GROUPS:
        if trigger <= names:
            names -= members
            words.add(word)
    words |= {_terminal_name(n, parser) for n in names}
    ordered = sorted(words, key=lambda w: (not w.startswith("`"), w))
    if not ordered:
        return "nothing more"
    if len(ordered) == 1:
        return ordered[0]
    if len(ordered) > _MAX_EXPECTED:
        ordered = ordered[:_MAX_EXPECTED] + ["..."]
        return "one of " + ", ".join(ordered)
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def _terminal_name(name: str, parser: Lark) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if isinstance(pattern, PatternStr):  # a literal: show it as written
        return f"`{pattern.value}`"
    return name.lower()


# ======================================================================================
# Transformers: Lark parse events -> AST
# ======================================================================================


class SectionTransformer(Transformer[Token, Any]):
    """Base of the inline transformers: each callback gets its rule's children list.

    Lark calls them during the LALR parse (no tree is built), so a callback may use
    `span_of`, `syntax_error` and `unsupported` on the tokens it receives.
    """


def _int(text: str) -> int:
    """A herd number: decimal (maybe negative) or hexadecimal."""
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    return int(text, 10)


@dataclass(frozen=True)
class _Prelude:
    name: str
    doc: str | None
    metadata: dict[str, str]
    init: tuple[InitEntry, ...]


@dataclass(frozen=True)
class _Constraints:
    locations: tuple[Loc, ...]
    filter: Prop | None
    condition: Condition | None


@dataclass(frozen=True)
class _Located:
    """A location with its first token (for spans)."""

    loc: Loc
    tok: Token


@dataclass(frozen=True)
class _CType:
    name: str
    tok: Token


class _CommonTransformer(SectionTransformer):
    """Callbacks of `litmus.lark` (rule names as in the grammar)."""

    # ---- prelude ----

    def prelude(self, children: list[Any]) -> _Prelude:
        name = str(children[1])
        doc: str | None = None
        metadata: dict[str, str] = {}
        init: tuple[InitEntry, ...] = ()
        for item in children[2:]:
            if isinstance(item, tuple):
                init = item
            elif item is None or not isinstance(item, Token):
                continue
            elif item.type == "DOC":
                doc = item[1:-1]
            elif item.type == "META":
                for line in item.split("\n"):
                    key, _, value = line.partition("=")
                    metadata[key.strip()] = value.strip()
        return _Prelude(name, doc, metadata, init)

    def texname(self, children: list[Any]) -> None:
        return None

    def init(self, children: list[Any]) -> tuple[InitEntry, ...]:
        return tuple(c for c in children if c is not None)

    def init_entry(self, children: list[Any]) -> InitEntry:
        ctype: _CType | None = None
        if isinstance(children[0], _CType):
            ctype = children[0]
            children = children[1:]
        located: _Located = children[0]
        value = children[2] if len(children) > 2 else None  # [loc, EQ, value]
        first = ctype.tok if ctype is not None else located.tok
        return InitEntry(located.loc, value, ctype.name if ctype else None, span_of(first))

    def ctype(self, children: list[Any]) -> _CType:
        name = str(children[0]) + ("*" if len(children) > 1 and children[1] else "")
        return _CType(name, children[0])

    def init_value(self, children: list[Any]) -> Value:
        return _value(children[-1])  # `&x` is x; `ATOMIC_INIT(v)` (C) is v

    def reg_loc(self, children: list[Any]) -> _Located:
        thread, reg = children  # THREAD is `0:` (maybe with blanks before the colon)
        return _Located(RegLoc(int(thread[:-1]), str(reg)), thread)

    def mem_loc(self, children: list[Any]) -> _Located:
        return _Located(MemLoc(str(children[-1])), children[0])

    # ---- constraints ----

    def constraints(self, children: list[Any]) -> _Constraints:
        locations: tuple[Loc, ...] = ()
        prop: Prop | None = None
        condition: Condition | None = None
        for item in children:
            if isinstance(item, tuple):
                locations = item
            elif isinstance(item, Condition):
                condition = item
            elif item is not None:
                prop = item
        return _Constraints(locations, prop, condition)

    def locations(self, children: list[Any]) -> tuple[Loc, ...]:
        return tuple(c.loc for c in children[1:] if c is not None)

    def filter(self, children: list[Any]) -> Prop:
        return children[1]  # type: ignore[no-any-return]

    def condition(self, children: list[Any]) -> Condition:
        (quantifier, tok), prop = children[0], children[1]
        return Condition(quantifier, prop, span_of(tok))

    def quantifier(self, children: list[Any]) -> tuple[str, Token]:
        first = children[0]
        if first.type == "NOT":
            return "~exists", first
        return ("forall" if first.type == "FORALL" else "exists"), first

    def or_(self, children: list[Any]) -> Prop:
        return Or(children[0], children[2])

    def and_(self, children: list[Any]) -> Prop:
        return And(children[0], children[2])

    def implies(self, children: list[Any]) -> Prop:
        return Implies(children[0], children[2])

    def not_(self, children: list[Any]) -> Prop:
        return Not(children[1])

    def true_(self, children: list[Any]) -> Prop:
        return Const(True)

    def false_(self, children: list[Any]) -> Prop:
        return Const(False)

    def atom(self, children: list[Any]) -> Prop:
        if len(children) == 1:
            return _fused_atom(children[0])
        located, op, value = children
        negated = op.type == "NEQ"
        if isinstance(value, _Located):  # `0:r1=1:r1`, `x=[y]`: herd's location comparison
            return LocEq(located.loc, value.loc, span_of(located.tok), negated=negated)
        return Atom(located.loc, value, span_of(located.tok), negated=negated)

    def atom_value(self, children: list[Any]) -> Value | _Located:
        first = children[0]
        if isinstance(first, _Located):
            return first
        if first.type == "LBRACKET":
            return _Located(MemLoc(str(children[1])), first)
        return _value(first)


_ATOM_PARTS = re.compile(
    r"(?:(?P<thread>[0-9]+)\s*:\s*(?P<reg>[\w.]+)|\[?\s*(?P<mem>[\w.]+)\s*\]?)"
    r"\s*(?P<op>==?|!=|<>)\s*(?P<value>\S+)"
)


def _fused_atom(tok: Token) -> Atom:
    """An Atom from an ATOM token (`1:rax=0`, `[x]=1`, `y!=z`), already well formed."""
    m = _ATOM_PARTS.fullmatch(tok)
    assert m is not None, tok
    thread, reg, mem, op, value = m.group("thread", "reg", "mem", "op", "value")
    loc: Loc = RegLoc(int(thread), reg) if thread is not None else MemLoc(mem)
    val: Value = _int(value) if value[0] in "-0123456789" else value
    return Atom(loc, val, span_of(tok), negated=op in ("!=", "<>"))


def _value(tok: Token) -> Value:
    """A NUM token as an int, a NAME token (a location's address) as a str."""
    return _int(tok) if tok.type == "NUM" else str(tok)


# ---- assembly thread tables -------------------------------------------------------------


def assemble_table(items: Iterable[Any]) -> tuple[AsmThread, ...]:
    """Columns of a thread table from the flat list the `_table{cell}` template gives.

    `items`: PROC/PIPE tokens and a ROW_END, then for each row the cells (a tuple of
    statements, or None when empty) separated by PIPE tokens and closed by ROW_END.
    """
    it = iter(items)
    procs: list[tuple[int, Token]] = []
    for tok in it:
        if tok.type == "PROC":
            number = int(tok[1:])
            if any(number == p for p, _ in procs):
                raise syntax_error(f"thread `{tok}` declared twice", tok)
            procs.append((number, tok))
        elif tok.type == "ROW_END" and procs:
            break
    columns: list[list[Stmt]] = [[] for _ in procs]
    col = 0
    for item in it:
        if isinstance(item, tuple):
            columns[col].extend(item)
        elif item is None:
            continue
        elif item.type == "PIPE":
            col += 1
            if col == len(procs):
                raise syntax_error(
                    f"this row has more cells than the {len(procs)} threads of the header row",
                    item,
                )
        else:  # ROW_END
            col = 0
    return tuple(
        AsmThread(number, tuple(code), span_of(tok))
        for (number, tok), code in zip(procs, columns, strict=True)
    )


# Register names of Intel syntax; a bare name that is not one is a branch target.
_X86_REGS = frozenset(
    [f"{p}{r}X" for p in ("", "E", "R") for r in "ABCD"]
    + [f"{p}{r}" for p in ("", "E", "R") for r in ("SI", "DI", "BP", "SP", "IP")]
    + [f"{r}{h}" for r in "ABCD" for h in "LH"]
    + ["SIL", "DIL", "BPL", "SPL"]
    + [f"R{n}{s}" for n in range(8, 16) for s in ("", "D", "W", "B")]
)


class _X86Transformer(SectionTransformer):
    """Callbacks of `x86.lark`: X86 (Intel) and X86_64 (AT&T) thread tables."""

    def x86(self, children: list[Any]) -> tuple[AsmThread, ...]:
        return assemble_table(children)

    def x86_64(self, children: list[Any]) -> tuple[AsmThread, ...]:
        return assemble_table(children)

    def intel_cell(self, children: list[Any]) -> tuple[Stmt, ...]:
        return tuple(children)

    def att_cell(self, children: list[Any]) -> tuple[Stmt, ...]:
        return tuple(children)

    def label(self, children: list[Any]) -> Label:
        return Label(str(children[0]), span_of(children[0]))

    def intel_instr(self, children: list[Any]) -> Instr:
        return _instr(children, reverse=False)

    def att_instr(self, children: list[Any]) -> Instr:
        # AT&T writes the destination last; the AST keeps Intel order (destination first).
        return _instr(children, reverse=True)

    def imm(self, children: list[Any]) -> Imm:
        text = str(children[0]).removeprefix("$")
        if text[:1].isalpha() or text[:1] == "_":
            return Imm(text)
        return Imm(_int(text))

    def bare(self, children: list[Any]) -> Operand:
        name = str(children[0])
        return Reg(name) if name.upper() in _X86_REGS else LabelRef(name)

    def label_ref(self, children: list[Any]) -> Operand:
        return LabelRef(str(children[0]))

    def att_reg(self, children: list[Any]) -> Operand:
        return Reg(str(children[0])[1:])

    def intel_mem(self, children: list[Any]) -> Mem:
        """`[x]`, `[EAX]`, `[x+EAX]`, `[EAX+4]`, `[EAX+EBX-8]`."""
        if children[0].type == "INTEL_MEM_NAME":
            name = children[0][1:-1].strip()
            return Mem(base=name) if name.upper() in _X86_REGS else Mem(symbol=name)
        symbol: str | None = None
        regs: list[str] = []
        offset = 0
        sign = 1
        for tok in children:
            if tok.type == "MEM_SIGN":
                sign = -1 if tok == "-" else 1
                continue
            if tok.type == "NUM":
                offset += sign * _int(tok)
            elif sign < 0:
                raise syntax_error(f"cannot subtract `{tok}` in a memory operand", tok)
            elif tok.upper() in _X86_REGS:
                regs.append(str(tok))
            elif symbol is None:
                symbol = str(tok)
            else:
                raise syntax_error("a memory operand names at most one location", tok)
            sign = 1
        if len(regs) > 2:
            raise syntax_error("a memory operand has at most two registers", children[0])
        base = regs[0] if regs else None
        index = regs[1] if len(regs) > 1 else None
        return Mem(symbol=symbol, base=base, index=index, offset=offset)

    def att_mem(self, children: list[Any]) -> Mem:
        """`(x)`, `(%rax)`, `8(%rax)`, `x(%rip)`, `(%rax,%rbx)`, `(%rax,%rbx,1)`."""
        if children[0].type == "ATT_MEM_NAME":
            name = children[0][1:-1].strip()
            return Mem(base=name[1:]) if name[0] == "%" else Mem(symbol=name)
        symbol: str | None = None
        offset = 0
        at = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "LPAREN")
        if at == 1:
            disp = children[0]
            if disp.type == "NUM":
                offset = _int(disp)
            else:
                symbol = str(disp)
        base: str | None = None
        index: str | None = None
        for item in children[at + 1 :]:
            if isinstance(item, tuple):
                index = item[0]
            elif item.type == "ATT_REG":
                base = str(item)[1:]
            elif symbol is None:
                symbol = str(item)
            else:
                raise syntax_error("a memory operand names at most one location", item)
        if base is not None and base.lower() == "rip" and symbol is not None:
            base = None  # `x(%rip)` is the address of x
        return Mem(symbol=symbol, base=base, index=index, offset=offset)

    def att_index(self, children: list[Any]) -> tuple[str, int]:
        reg = str(children[0])[1:]
        if len(children) > 1 and _int(children[1]) != 1:
            raise unsupported("scaled index registers are not supported", children[1])
        return reg, 1


def _instr(children: list[Any], reverse: bool) -> Instr:
    """An instruction from [LOCK?, mnemonic, operands...]."""
    first: Token = children[0]
    if first.type == "LOCK":
        mnemonic = f"LOCK {str(children[1]).upper()}"
        operands = children[2:]
    else:
        mnemonic = first.upper()
        operands = children[1:]
    if reverse:
        operands = operands[::-1]
    return Instr(mnemonic, tuple(operands), span_of(first))


def _aarch64_transformer() -> Transformer[Token, Any]:
    """The AArch64 callbacks, imported on first use (their module imports this one)."""
    from memlitmus.arch.aarch64_syntax import AArch64Transformer

    return AArch64Transformer()


def _c_transformer() -> Transformer[Token, Any]:
    """The C callbacks, imported on first use (their module imports this one)."""
    from memlitmus.litmus.c_parse import CTransformer

    return CTransformer()


PROGRAM_SYNTAXES.update(
    {
        "X86": ProgramSyntax("x86.lark", "x86", _X86Transformer),
        "X86_64": ProgramSyntax("x86.lark", "x86_64", _X86Transformer),
        "AArch64": ProgramSyntax("aarch64.lark", "aarch64", _aarch64_transformer),
        "C": ProgramSyntax("c.lark", "c", _c_transformer, skip_comments=False),
    }
)
