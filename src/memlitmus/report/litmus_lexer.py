"""A Pygments lexer for litmus files of every architecture (the report's source view).

Litmus files mix a header, an init block, code (assembly columns or C functions) and a
final condition; comments are OCaml's `(* ... *)`, which no C or assembly lexer knows.
The lexer colours only what helps reading: comments, strings, the condition's and C's
keywords, instruction mnemonics, called functions (kernel primitives) and numbers.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, String, Text

_KEYWORDS = (
    "exists", "forall", "filter", "locations", "if", "else", "while", "for", "return",
    "int", "intptr_t", "unsigned", "long", "char", "void", "struct", "spinlock_t",
    "atomic_t", "const", "volatile", "true", "false",
)


class LitmusLexer(RegexLexer):  # type: ignore[misc]
    """Tokens: `(* *)` and `//` comments, strings, keywords, MNEMONICS, f(, numbers."""

    name = "Litmus"
    aliases: ClassVar[list[str]] = ["litmus"]
    filenames: ClassVar[list[str]] = ["*.litmus"]
    tokens: ClassVar[dict[str, list[tuple[str, object]]]] = {
        "root": [
            (r"\(\*(.|\n)*?\*\)", Comment.Multiline),
            (r"//[^\n]*", Comment.Single),
            (r'"[^"\n]*"', String),
            (r"~exists\b", Keyword),
            (words(_KEYWORDS, suffix=r"\b"), Keyword),
            (r"\b[A-Z][A-Z0-9]*(\.[A-Z0-9]+)*\b(?=\s)", Name.Builtin),
            (r"\b[A-Za-z_]\w*(?=\()", Name.Function),
            (r"\b(0x[0-9a-fA-F]+|\d+)\b", Number),
            (r"[A-Za-z_]\w*", Text),
            (r"\s+", Text),
            (r".", Text),
        ],
    }
