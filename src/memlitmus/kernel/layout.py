"""The litmus text around `memlitmus lower`'s threads: header, init block, the thread
columns side by side, `locations` and the condition with the C names renamed to the
registers that hold them (herd's syntax: herdtools7 lib/litmus parsers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from memlitmus.litmus.ast import (
    And,
    Atom,
    Condition,
    Implies,
    LitmusTest,
    LocEq,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
)
from memlitmus.litmus.c_ast import CThread
from memlitmus.litmus.names import condition_text


class PrintedThread(Protocol):
    """What the layout needs of a printed thread."""

    thread: CThread
    lines: list[str]
    regs: dict[str, str]  # C name -> register
    pointers: dict[str, str]  # location -> register holding its address


def assemble(test: LitmusTest, asm: str, threads: Sequence[PrintedThread]) -> str:
    """The whole litmus file of `test` with the printed `threads`."""
    init: list[str] = []
    for entry in test.init:
        if isinstance(entry.loc, MemLoc):
            init.append(f"{entry.loc.name}={entry.value if entry.value is not None else 0};")
    for printer in threads:
        for location, reg in printer.pointers.items():
            init.append(f"{printer.thread.proc}:{_bare(reg)}={location};")
        for entry in test.init:
            if isinstance(entry.loc, RegLoc) and entry.loc.thread == printer.thread.proc:
                held = printer.regs.get(entry.loc.reg)
                if held is not None:
                    init.append(f"{entry.loc.thread}:{_bare(held)}={entry.value};")
    columns = [[f"P{p.thread.proc}"] + p.lines for p in threads]
    height = max(len(c) for c in columns)
    widths = [max(len(x) for x in c) for c in columns]
    rows = []
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(columns, widths,
                                                                      strict=True)]
        rows.append(" " + " | ".join(cells) + " ;")
    renames = {(p.thread.proc, name): _bare(reg) for p in threads
               for name, reg in p.regs.items()}
    cond = _rename_condition(test.condition, renames)
    locations = ""
    if test.locations:
        locations = "locations [" + " ".join(
            f"{loc.thread}:{renames.get((loc.thread, loc.reg), loc.reg)};"
            if isinstance(loc, RegLoc) else f"{loc.name};" for loc in test.locations) + "]\n"
    doc = f'"{asm} lowering of {test.name} through the kernel mapping"'
    return (f"{asm} {test.name}\n{doc}\n{{\n" + "".join(f" {i}\n" for i in init) + "}\n"
            + "\n".join(rows) + "\n" + locations + condition_text(cond, asm) + "\n")


def _bare(reg: str) -> str:
    return reg.lstrip("%")


def _rename_condition(cond: Condition, renames: dict[tuple[int, str], str]) -> Condition:
    def loc(value: RegLoc | MemLoc) -> RegLoc | MemLoc:
        if isinstance(value, RegLoc):
            return RegLoc(value.thread, renames.get((value.thread, value.reg), value.reg))
        return value

    def prop(p: Prop) -> Prop:
        if isinstance(p, Atom):
            return Atom(loc(p.loc), p.value, p.span, p.negated)
        if isinstance(p, LocEq):
            return LocEq(loc(p.left), loc(p.right), p.span, p.negated)
        if isinstance(p, Not):
            return Not(prop(p.arg))
        if isinstance(p, And | Or | Implies):
            return type(p)(prop(p.left), prop(p.right))
        return p

    return Condition(cond.quantifier, prop(cond.prop), cond.span)
