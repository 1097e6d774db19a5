"""One error tree for every rejected input, each error pinned to a source position."""

from __future__ import annotations

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


class MemlitmusError(Exception):
    """Base of every error memlitmus reports to a user (never a traceback)."""

    def __init__(self, message: str, span: Span | None = None, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source

    def render(self) -> str:
        """`file:line:col: message`, then the offending line and a caret under the column."""
        if self.span is None:
            return self.message
        head = f"{self.span}: {self.message}"
        line = _source_line(self.span, self.source)
        if line is None:
            return head
        caret = " " * (self.span.col - 1) + "^"
        return f"{head}\n  {line}\n  {caret}"


class LitmusSyntaxError(MemlitmusError):
    """The litmus file does not follow herd's format."""


class UnsupportedError(MemlitmusError):
    """The input is well formed but uses a construct memlitmus does not implement."""


class CatError(MemlitmusError):
    """A cat model is malformed or uses an unsupported construct."""


class ModelError(MemlitmusError):
    """A model name is unknown or a model cannot be applied to a test."""


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
