"""Parse herd litmus files into the AST of `memlitmus.litmus.ast`: the public API.

Which grammar, start rule and transformer read an architecture's program section is said
by its descriptor (`memlitmus.arch.registry`); the parsing itself is `litmus.read`'s.
"""

from __future__ import annotations

from pathlib import Path

from memlitmus.arch.registry import BY_NAME
from memlitmus.litmus.ast import LitmusTest
from memlitmus.litmus.read import read_litmus

__all__ = ["load_litmus", "parse_litmus"]


def load_litmus(path: str | Path) -> LitmusTest:
    """Read and parse the litmus file at `path` (errors name the path as given)."""
    # utf-8-sig drops a byte-order mark; undecodable bytes become U+FFFD, which the
    # parser then reports at their position.
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    return parse_litmus(text, str(path))


def parse_litmus(text: str, file: str) -> LitmusTest:
    """Parse the text of a litmus file; `file` is the name used in spans and errors.

    Raises LitmusSyntaxError for malformed text, BinaryFileError for control bytes, and
    UnsupportedError for well-formed constructs memlitmus does not handle (an unknown
    architecture, say); never a Lark exception.
    """
    return read_litmus(text, file, BY_NAME)
