"""File positions and syntax errors while Lark parses one section of a litmus file.

`parse_section` runs a start rule on one `Section` (a slice of the file, comments blanked)
and turns every Lark exception into a `LitmusSyntaxError` that names what was found and,
briefly, what was expected, at its true position in the file. While it runs, the inline
transformer callbacks map their tokens back to the file with `span_of` and report errors
with `syntax_error`, `syntax_error_at` and `unsupported`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken
from lark.lexer import PatternStr

from memlitmus.errors import LitmusSyntaxError, Span, UnsupportedError

__all__ = [
    "Section",
    "describe_at",
    "end_of_content",
    "error",
    "parse_section",
    "span_at",
    "span_of",
    "syntax_error",
    "syntax_error_at",
    "unsupported",
]


# ======================================================================================
# Running a start rule on one section, with true file positions
# ======================================================================================


@dataclass(frozen=True)
class Section:
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


_CURRENT: ContextVar[tuple[Section, int, int]] = ContextVar("memlitmus_litmus_section")


def parse_section(parser: Lark, start: str, section: Section) -> Any:
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
        raise error(
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


def span_at(text: str, file: str, offset: int) -> Span:
    """The file position (1-based line and column) of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file, line, col)


def _pos_at(section: Section, rel: int) -> Span:
    return span_at(section.source, section.file, section.start + rel)


def end_of_content(text: str, file: str) -> Span:
    """Just after the last non-blank character (where something is missing)."""
    return span_at(text, file, len(text.rstrip()))


def error(message: str, span: Span, source: str) -> LitmusSyntaxError:
    """A LitmusSyntaxError at `span` of `source`."""
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
    ({"ATOMIC_INIT"}, {"ATOMIC_INIT", "AMPERSAND", "NAME", "NUM", "THREAD"}, "a value"),
    ({"INTEL_MEM_NAME"}, {"INTEL_MEM_NAME", "LSQB"}, "a memory operand (`[x]`)"),
    ({"ATT_MEM_NAME"}, {"ATT_MEM_NAME", "LPAREN"}, "a memory operand (`(x)`)"),
)
_MAX_EXPECTED = 5
# Rare values, recognised to be accepted or refused by name, not worth listing.
_UNLISTED = frozenset({"CODE_LABEL", "LABEL_VALUE", "INSTR_VALUE", "SYMBOLIC_REG", "FAULT_ATOM"})


def _unexpected_token(exc: UnexpectedToken, parser: Lark, section: Section) -> LitmusSyntaxError:
    tok = exc.token
    expected = set(exc.accepts or exc.expected)
    if tok.type == "$END":
        found = describe_at(section.clean, section.end)
        if found == "end of file":
            span = end_of_content(section.source, section.file)
        else:
            span = span_at(section.source, section.file, section.end)
    else:
        # Described from the text: in an unexpected place the contextual lexer falls back
        # to a lexer of all terminals, whose token may not be what the user meant.
        offset = section.start + (tok.start_pos or 0)
        span = span_at(section.source, section.file, offset)
        found = describe_at(section.clean, offset)
    quantifiers = {"EXISTS", "FORALL", "FINAL", "NOT"}
    if section.what == "constraints" and "$END" in expected and not expected & quantifiers:
        message = f"unexpected {found} after the final condition"
    else:
        # a missing condition is allowed (herd reads `forall true`) but not worth naming
        named = expected - {"$END"} if section.what == "constraints" else expected
        message = f"unexpected {found}, expected {_expected(named or expected, parser)}"
    return LitmusSyntaxError(message, span, section.source)


def _unexpected_chars(
    exc: UnexpectedCharacters, parser: Lark, section: Section
) -> LitmusSyntaxError:
    offset = section.start + (exc.pos_in_stream or 0)
    found = describe_at(section.clean, offset)
    message = f"unexpected {found}, expected {_expected(exc.allowed, parser)}"
    return LitmusSyntaxError(message, span_at(section.source, section.file, offset), section.source)


_WORD = re.compile(r"/\\|\\/|=>|!=|<>|==|[A-Za-z0-9_$%.]+|\S")


def describe_at(text: str, offset: int) -> str:
    """What the text holds at `offset`, for messages: a quoted word or `end of file`."""
    m = _WORD.match(text, offset)
    if offset >= len(text.rstrip()) or m is None:
        return "end of file"
    return f"`{m.group()}`"


def _expected(names: Iterable[str], parser: Lark) -> str:
    """A short readable list of what could come instead."""
    names = {n for n in names if not n.startswith("__IGNORE") and n not in _UNLISTED}
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
