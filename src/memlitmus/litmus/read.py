"""Read the text of a herd litmus file into the AST of `memlitmus.litmus.ast`, given how
each architecture's program section is read (`Dialect`: its grammar, start rule and
transformer). `memlitmus.litmus.parse` gives it the registry's descriptors; the kernel
mappings give it only the assembly dialect of their lines (`memlitmus.kernel.templates`),
so nothing here reads the registry, which sits above the front ends and the lowerings.

A litmus file has three sections with different lexical conventions, so, like herd's own
`splitter.mll`, we first find the section boundaries and then give each section to a Lark
LALR start rule:

* prelude (header, doc, metadata, init)  -> `litmus.lark`, rule `prelude`
* program (the threads)                   -> the architecture's grammar (`x86.lark`, ...)
* constraints (locations, filter, final)  -> `litmus.lark`, rule `constraints`

OCaml comments `(* ... *)` (nested) are blanked out before parsing, keeping newlines,
so every Lark position maps straight back to the file. Lark objects are built once per
process, with their inline transformer, which builds the AST during the parse.

The work is shared with `sections` (finding the sections, blanking comments),
`syntax_errors` (file positions, Lark errors -> `LitmusSyntaxError`), `transform` (the
prelude and constraints transformer, `assemble_table`) and one `parse_<arch>` module per
program dialect (`parse_x86`, `parse_aarch64`, `parse_c`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import lark
from lark import Lark, Token, Transformer

from memlitmus.errors import UnsupportedError, reject_binary
from memlitmus.grammar_files import grammar_path
from memlitmus.litmus.ast import Condition, Const, LitmusTest
from memlitmus.litmus.procs import check_init_labels, check_procs, check_state_registers
from memlitmus.litmus.sections import sniff_arch, split_sections
from memlitmus.litmus.syntax_errors import Section, end_of_content, parse_section, span_at
from memlitmus.litmus.transform import (
    CommonTransformer,
    Constraints,
    Prelude,
    SectionTransformer,
)
from memlitmus.nesting import check_tree

__all__ = ["Dialect", "read_litmus"]


class Dialect(Protocol):
    """How an architecture's program section is read (an `arch.descriptor.Architecture`
    says it in class attributes of the same names)."""

    @property
    def grammar(self) -> str:
        """The grammar file under `grammars/`."""
        ...

    @property
    def start(self) -> str:
        """Its start rule."""
        ...

    @property
    def transformer(self) -> type[SectionTransformer]:
        """The inline transformer whose callback of the start rule returns the threads."""
        ...

    @property
    def skip_comments(self) -> bool:
        """Whether `(* *)` comments are blanked in the code."""
        ...

    @property
    def outside_dialect(self) -> tuple[tuple[str, str], ...]:
        """(regular expression, what it is) of constructs refused by name."""
        ...


def read_litmus(text: str, file: str, dialects: Mapping[str, Dialect]) -> LitmusTest:
    """Parse the text of a litmus file; `file` is the name used in spans and errors, and
    `dialects` says how each architecture's program section is read (by header word).

    Raises LitmusSyntaxError for malformed text, BinaryFileError for control bytes, and
    UnsupportedError for well-formed constructs memlitmus does not handle (an unknown
    architecture, say); never a Lark exception.
    """
    reject_binary(text, file, "a litmus file")
    arch, arch_span = sniff_arch(text, file, dialects)
    descriptor = dialects[arch]
    split = split_sections(text, file, descriptor.skip_comments)
    clean = split.clean
    _reject_outside_dialect(descriptor.outside_dialect, clean, text, file)

    prelude: Prelude = parse_section(
        _common_parser(), "prelude", Section(file, text, clean, 0, split.prelude_end, "header")
    )
    prog_section = Section(file, text, clean, split.prelude_end, split.program_end, "program")
    threads = parse_section(
        _program_parser(descriptor.grammar, descriptor.start, descriptor.transformer),
        descriptor.start,
        prog_section,
    )
    if split.program_end == len(text):
        constraints = Constraints((), None, None)
    else:
        cons_section = Section(file, text, clean, split.program_end, len(text), "constraints")
        constraints = parse_section(_common_parser(), "constraints", cons_section)
    # before anything walks them recursively (see memlitmus.nesting)
    check_tree(threads, "code", UnsupportedError, file)
    check_tree(constraints, "a condition", UnsupportedError, file)
    test = LitmusTest(
        arch=arch,
        name=prelude.name,
        file=file,
        doc=prelude.doc,
        metadata=prelude.metadata,
        init=prelude.init,
        threads=threads,
        locations=constraints.locations,
        location_faults=constraints.location_faults,
        filter=constraints.filter,
        # no final condition: herd's parser reads `forall (true)`
        condition=constraints.condition
        or Condition("forall", Const(True), end_of_content(text, file)),
        source=text,
        span=arch_span,
    )
    check_procs(test, text)  # herd's `Bad process P5`
    check_init_labels(test, text)  # herd's `Label L not found on P0`
    # herd's `W0 is not a register` (AArch64): the descriptor's `state_reg_error`
    reg_error: Callable[[str], str | None] | None = getattr(descriptor, "state_reg_error", None)
    if reg_error is not None:
        check_state_registers(test, text, reg_error)
    return test


def _reject_outside_dialect(
    constructs: tuple[tuple[str, str], ...], clean: str, text: str, file: str
) -> None:
    """Refuse the first construct of the architecture's `outside_dialect` in the file,
    by name and position: `file:line:col: '__int128': a 128-bit integer type, ...`."""
    found: list[tuple[int, str, str]] = []
    for pattern, what in constructs:
        m = re.search(pattern, clean)
        if m is not None:
            found.append((m.start(), m.group(), what))
    if found:
        start, word, what = min(found)
        raise UnsupportedError(
            f"`{word}`: {what}",
            span_at(text, file, start), text,
        )


# ======================================================================================
# Lark parsers
# ======================================================================================


@cache
def _common_parser() -> Lark:
    """The Lark parser of `litmus.lark` (prelude and constraints), built once."""
    return _build(grammar_path("litmus.lark"), ["prelude", "constraints"], CommonTransformer())


@cache
def _program_parser(grammar: str, start: str, transformer: type[SectionTransformer]) -> Lark:
    """The Lark parser of one architecture's program section, built once."""
    return _build(grammar_path(grammar), [start], transformer())


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
