"""Syntax errors of cat files: Lark exceptions -> `CatError` with a `file:line:col` span.

`syntax_error` says what was found and what the parser could take there instead. Literal
terminals are named by their text, from `TERMINAL_NAMES`, which `parse` fills when it
builds the parser; regex terminals by `_TOKEN_DESCRIPTIONS`.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from memlitmus.errors import CatError, Span

__all__ = ["TERMINAL_NAMES", "syntax_error"]

# Terminal name -> "`text`" for the string terminals of the grammar (filled by `parse`).
TERMINAL_NAMES: dict[str, str] = {}

# Friendly names for the regex terminals in "expected ..." messages.
_TOKEN_DESCRIPTIONS = {
    "NAME": "identifier", "TAG": "tag", "STRING": "string", "$END": "end of file",
}


def _describe(terminal: str) -> str:
    return _TOKEN_DESCRIPTIONS.get(terminal) or TERMINAL_NAMES.get(terminal, terminal)


def syntax_error(exc: UnexpectedInput, text: str, cleaned: str, file: str) -> CatError:
    """Turn a Lark exception into a CatError saying what was found and what was expected."""
    line, col = _error_position(exc, cleaned)
    if isinstance(exc, UnexpectedCharacters):
        # Every terminal could start at a token boundary: listing them would not help.
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
        found = f"character `{text[pos]}`" if pos < len(text) else "character"
        expected = set()
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        found = "end of file" if tok.type == "$END" else f"`{tok.value}`"
        expected = _acceptable(exc)
    else:  # pragma: no cover - other UnexpectedInput kinds are not raised by LALR
        found, expected = "input", set()
    names = sorted({_describe(t) for t in expected})
    if len(names) > 12:
        names = names[:12] + ["..."]
    message = f"syntax error: unexpected {found}"
    if names:
        message += "; expected " + ("one of " if len(names) > 1 else "") + ", ".join(names)
    return CatError(message, Span(file, line, col), text)


def _acceptable(exc: UnexpectedToken) -> set[str]:
    """The tokens the parser could really take here.

    LALR merges states, so the raw action table (`exc.expected`) may list tokens that are
    only valid in other contexts; simulating the parser on each candidate is exact.
    """
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except Exception:  # pragma: no cover - fall back on the raw table
            pass
    return set(exc.expected or ())


def _error_position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    line, col = getattr(exc, "line", -1), getattr(exc, "column", -1)
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if not at_end and isinstance(line, int) and isinstance(col, int) and line > 0 and col > 0:
        return line, col
    # End of input: point just after the last non-blank character.
    stripped = text.rstrip()
    lines = stripped.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1

