"""Running a mapping line's instructions inside a C thread, through the assembly front ends.

A table line (`memlitmus.kernel.tables`) is real X86_64 or AArch64 code with placeholders.
To judge a C test on a hardware model, each primitive call runs its line's code through
the architecture's own front end (`arch.base.AsmFrontEnd.run_code`, with the instructions
of `arch.x86` and `arch.aarch64`) on the thread being built: the placeholders are fixed
registers (`PLACEHOLDERS`) which the C runner loads with the call's addresses and values
before the code runs and reads `{r}` back after. The events, tags, `rmw`/`amo` pairs and
dependencies are therefore exactly those of the same code in an assembly litmus test,
which is what `memlitmus lower` prints.

Retry loops: a store-exclusive loop is left to the AArch64 front end (the exiting
iteration succeeds); any other backward branch (a `cmpxchg` loop, a spin on the lock
word) is taken to fall through, i.e. the execution assumes its condition is false: the
iteration that leaves the loop, as herd's unrolling keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from memlitmus.arch.aarch64 import AARCH64, AArch64Architecture, canonical_reg
from memlitmus.arch.x86 import X86_64, X86_64Architecture
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import MemlitmusError, Span
from memlitmus.events import ZERO, Expr
from memlitmus.litmus.ast import AsmThread, Stmt
from memlitmus.litmus.parse_x86 import X86MappingTransformer
from memlitmus.litmus.read import Dialect, read_litmus

# The register each placeholder stands for when a line is judged (never printed).
X86_64_NAME = X86_64Architecture.name
AARCH64_NAME = AArch64Architecture.name


class _X86_64Mapping(X86_64Architecture):
    """X86_64 as the x86 table's lines are read: with the hardware's `lock orq`/`lock andq`,
    which herd7's X86_64 (and so a litmus file) does not run."""

    transformer = X86MappingTransformer


_DIALECTS: dict[str, Dialect] = {
    X86_64_NAME: _X86_64Mapping, AARCH64_NAME: AArch64Architecture,
}
PLACEHOLDERS: dict[str, dict[str, str]] = {
    X86_64_NAME: {"x": "%r9", "v": "%r10", "w": "%r11", "r": "%rax", "t": "%rcx", "u": "%rdx",
               "s": "%rdx", "sp": "%r8"},
    AARCH64_NAME: {"x": "X9", "v": "X10", "w": "X11", "r": "X12", "t": "X13", "u": "X15",
                "s": "W14"},
}


def instantiate(items: tuple[str, ...], regs: dict[str, str], suffix: str) -> list[str]:
    """The line's items with placeholders replaced by `regs` and each `%L` label renamed
    `L<suffix>`; a label item `%L: instr` becomes two items."""
    out: list[str] = []
    for item in items:
        text = item
        for key, reg in regs.items():
            text = text.replace("{" + key + "}", reg)
        text = _rename_labels(text, suffix)
        head, colon, rest = text.partition(":")
        if colon and head.strip().isidentifier() and not head.strip().startswith("("):
            out.append(head.strip() + ":")
            if rest.strip():
                out.append(rest.strip())
        else:
            out.append(text)
    return out


def _rename_labels(text: str, suffix: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "%" and i + 1 < len(text) and text[i + 1].isupper():
            out.append(f"{text[i + 1]}{suffix}")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@cache
def parsed(asm: str, items: tuple[str, ...]) -> tuple[Stmt, ...]:
    """The line's code as the assembly front end's AST (placeholders bound to
    `PLACEHOLDERS`), read from a one-thread test in that architecture's dialect."""
    rows = instantiate(items, PLACEHOLDERS[asm], "k")
    body = "\n".join(f" {row} ;" for row in rows)
    text = f"{asm} template\n{{}}\n P0 ;\n{body}\nexists (0:{_first_reg(asm)}=0)\n"
    try:
        test = read_litmus(text, "<kernel mapping>", {asm: _DIALECTS[asm]})
    except MemlitmusError as err:  # a bad table line is a bug in the table
        raise AssertionError(f"kernel mapping line {items!r}: {err.message}") from err
    (thread,) = test.threads
    assert isinstance(thread, AsmThread)
    return thread.code


def _first_reg(asm: str) -> str:
    return "rax" if asm == X86_64_NAME else "X0"


@dataclass
class Bindings:
    """What the C runner gives a line: the values of `{x}`, `{v}`, `{w}`, `{sp}`."""

    values: dict[str, Expr]


def run_line(tb: ThreadBuilder, asm: str, items: tuple[str, ...], bindings: Bindings,
             span: Span) -> Expr:
    """Execute a line's code on `tb`; returns the value left in `{r}` (0 if unset).

    Registers the code uses are saved and restored, so a C local that happens to share a
    placeholder's name keeps its value.
    """
    code = parsed(asm, items)
    canon = _canonical(asm)
    regs = {key: canon(reg) for key, reg in PLACEHOLDERS[asm].items()}
    saved = {reg: tb.state.regs.get(reg) for reg in set(regs.values())}
    for key, value in bindings.values.items():
        tb.set(regs[key], value)
    tb.set(regs["r"], ZERO)
    try:
        if asm == X86_64_NAME:
            X86_64.run_code(X86_64.runner(tb, code), code, inline=span)
        else:
            AARCH64.run_code(AARCH64.runner(tb, code), code, inline=span)
        result = tb.get(regs["r"])
    finally:
        for reg, old in saved.items():
            if old is None:
                tb.state.regs.pop(reg, None)
            else:
                tb.state.regs[reg] = old
    return result


def _canonical(asm: str) -> Callable[[str], str]:
    if asm == X86_64_NAME:
        return lambda reg: X86_64.canonical_reg(reg.lstrip("%"))
    return canonical_reg


__all__ = ["AARCH64_NAME", "PLACEHOLDERS", "X86_64_NAME", "Bindings", "instantiate", "parsed",
           "run_line"]
