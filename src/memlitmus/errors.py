"""One error tree for every rejected input, each error pinned to a source position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """A position in an input file (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


_POSITION = re.compile(r"[^\s:]+:\d+:\d+: ")


def has_position(message: str) -> bool:
    """Does the (rendered) message start with its `file:line:col: `?"""
    return _POSITION.match(message) is not None


def error_line(message: str) -> str:
    """An error as every command prints it on stderr. A message with a position starts
    with it, as a compiler's does, so editors and scripts find `file:line:col: ` at the
    start of the line (then the source line and a caret); any other starts with
    `memlitmus: ` (`memlitmus: unknown model ...`, `memlitmus: x.litmus: cannot read`)."""
    return message if has_position(message) else f"memlitmus: {message}"


class MemlitmusError(Exception):
    """Base of every error memlitmus reports to a user (never a traceback)."""

    show_source = True  # render() quotes the span's line of the input

    def __init__(self, message: str, span: Span | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source

    def render(self) -> str:
        """`file:line:col: message`, then the offending line and a caret under the column.

        Control characters are never echoed to the terminal: in the message they read as
        `\\xNN`, in the source line as `?` (one column each, so the caret stays right).
        """
        message = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", self.message)
        if self.span is None:
            return message
        head = f"{self.span}: {message}"
        line = _source_line(self.span, self.source) if self.show_source else None
        if line is None:
            return head
        caret = " " * (self.span.col - 1) + "^"
        return f"{head}\n  {_CONTROL.sub('?', line)}\n  {caret}"


class LitmusSyntaxError(MemlitmusError):
    """The litmus file does not follow herd's format."""


class UnsupportedError(MemlitmusError):
    """The input is well formed but uses a construct memlitmus does not implement."""


class CatError(MemlitmusError):
    """A cat model is malformed or uses an unsupported construct."""


class ModelError(MemlitmusError):
    """A model name is unknown or a model cannot be applied to a test."""


class BinaryFileError(MemlitmusError):
    """The input holds control bytes (NUL, ESC...): binary data, not a text file. Its
    lines are not echoed."""

    show_source = False


# Control characters other than the layout ones (tab, newline, vertical tab, form feed,
# carriage return): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def reject_binary(text: str, file: str, what: str) -> None:
    """Raise BinaryFileError at the first control character of `text`, if any; `what`
    names the expected kind of file (`a litmus file`, `a cat file`)."""
    found = _CONTROL.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    col = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    byte = ord(found.group())
    raise BinaryFileError(
        f"binary data (character 0x{byte:02x}): not {what}", Span(file, line, col)
    )


def _source_line(span: Span, source: str | None) -> str | None:
    """The text of the span's line, read from `source` or else from the file itself."""
    if source is None:
        try:
            source = Path(span.file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    lines = source.splitlines()
    if 1 <= span.line <= len(lines):
        return lines[span.line - 1].expandtabs(1)
    return None
