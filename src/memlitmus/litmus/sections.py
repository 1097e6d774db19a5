"""Split a litmus file into its sections, as herd's `splitter.mll` does.

`split_sections` finds where the prelude (header, doc, metadata, init block), the program
(the threads) and the constraints (locations, filter, final condition) begin and end, and
blanks the OCaml comments `(* ... *)` (nested) out, keeping newlines, so every position in
the cleaned text is the same as in the file. `sniff_arch` reads the architecture named on
the header line before anything else is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from memlitmus.errors import Span, UnsupportedError
from memlitmus.litmus.syntax_errors import describe_at, error, span_at

__all__ = ["Split", "sniff_arch", "split_sections"]


# Before the init block: comments, doc strings and metadata lines are skipped whole, so a
# `{` inside them does not open the init block.
_PRELUDE_SCAN = re.compile(r'\(\*|"[^"]*"|^[ \t]*[A-Za-z][\w/.-]*[ \t]*=[^\n]*|\{', re.M)
_LINE = re.compile(r"[^\n]+")
_META_LINE = re.compile(r"[A-Za-z][\w/.-]*[ \t]*=")
_INIT_SCAN = re.compile(r"\(\*|[{}]")
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
class Split:
    """Section boundaries (offsets) and the text with comments blanked."""

    clean: str
    prelude_end: int  # just after the init block's `}` (or the end of the text)
    program_end: int  # start of the first constraint keyword (or the end of the text)


def sniff_arch(text: str, file: str, supported: Collection[str]) -> tuple[str, Span]:
    """The architecture named on the header line, checked against the registry's names
    (`supported`)."""
    start = _skip_blank_and_comments(text, file)
    if start >= len(text):
        raise error("empty file (expected `ARCH name`)", Span(file, 1, 1), text)
    m = _ARCH_SNIFF.match(text, start)
    if m is None:
        found = describe_at(text, start)
        raise error(f"unexpected {found}, expected `ARCH name`", span_at(text, file, start), text)
    arch = m.group(1)
    span = span_at(text, file, m.start(1))
    if arch not in supported:
        known = ", ".join(sorted(supported))
        raise UnsupportedError(
            f"unsupported architecture `{arch}` (supported: {known})", span, text
        )
    if m.group(2) is None:
        raise error(f"expected a test name after `{arch}`", span_at(text, file, m.end(1)), text)
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
            raise error("unterminated comment", span_at(text, file, start), text)
        depth += 1 if m.group() == "(*" else -1
        pos = m.end()
        if depth == 0:
            return pos


def split_sections(text: str, file: str, program_comments: bool) -> Split:
    """Find the sections as herd does and blank the comments out."""
    comments: list[tuple[int, int]] = []
    pos = _scan(_PRELUDE_SCAN, text, file, 0, comments, stop="{")
    prelude_end = len(text)
    if pos < len(text):
        comments += _free_prelude_text(text, file, pos, comments)
        comments.sort()
        pos = _init_end(text, file, pos + 1, comments)
        if pos < len(text):
            prelude_end = pos + 1
    program_end = len(text)
    if prelude_end < len(text):
        scan = _ASM_PROGRAM_SCAN if program_comments else _C_PROGRAM_SCAN
        program_end = _scan(scan, text, file, prelude_end, comments, stop="keyword")
        _scan(_COMMENT_OPEN, text, file, program_end, comments, stop="")
    return Split(_blank(text, comments), prelude_end, program_end)


def _init_end(text: str, file: str, pos: int, comments: list[tuple[int, int]]) -> int:
    """Offset of the `}` closing the init block opened just before `pos` (len(text) if
    none); braces nest, for array values such as `int64_t t[2]={1,-1};`."""
    depth = 1
    while True:
        pos = _scan(_INIT_SCAN, text, file, pos, comments, stop="keyword")  # { or }
        if pos >= len(text):
            return pos
        depth += 1 if text[pos] == "{" else -1
        if depth == 0:
            return pos
        pos += 1


def _free_prelude_text(
    text: str, file: str, brace: int, comments: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Lines between the header line and the init block that are neither metadata, a doc
    string nor a comment: herd's splitter skips such text (e.g. a second `C rwsem` line),
    so they are blanked out like comments."""
    header = _skip_blank_and_comments(text, file)
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
