"""herd's check that every register named outside the code belongs to a thread of the test.

herd7 refuses a test whose init block, `locations` list or final condition names a
register of a thread the test does not have (herdtools7 lib/genParserUtils.ml
`check_regs`, run by the assembly, C and Java parsers: `Bad process P5`); the filter is
not checked. A register of an existing thread that its code never writes is accepted: it
keeps its initial value, 0 unless the init block sets it.

Likewise a code label used as an initial value (`0:X1=P1:L1`) must be a label of the
test's code (herd/test_herd.ml `build`: "Label L not found on P1, yet it is used in the
initialization list"; herd looks the name up among every thread's labels).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from memlitmus.errors import Span, UnsupportedError
from memlitmus.litmus.ast import (
    ANY_THREAD,
    And,
    AsmThread,
    Atom,
    FaultAtom,
    Implies,
    Label,
    LitmusTest,
    Loc,
    LocEq,
    Not,
    Or,
    Prop,
    RegLoc,
)
from memlitmus.litmus.syntax_errors import span_at

__all__ = ["check_init_labels", "check_procs", "check_state_registers"]

_LOCATIONS = re.compile(r"\blocations\s*\[")
_CODE_LABEL = re.compile(r'label:"P([0-9]+):(.+)"')  # transform.code_label's values



def check_procs(test: LitmusTest, text: str) -> None:
    """Raise UnsupportedError at the first thread not named P0, P1, ... in order (herd's
    "Processes must be P0, P1, ..."), else at the first register (init block, `locations`, final
    condition) whose thread the test does not have, in herd's words."""
    for k, thread in enumerate(test.threads):
        if thread.proc != k:  # herd: lib/genParser.ml, lib/CGenParser_lib.ml check_procs
            raise UnsupportedError(
                f"Processes must be P0, P1, ...: thread {k} is named `P{thread.proc}`",
                thread.span, text)
    procs = {thread.proc for thread in test.threads}
    for entry in test.init:
        _check(entry.loc, procs, entry.span, text)
    if test.locations:
        # the last one: the constraints section follows the code
        match = ([None, *_LOCATIONS.finditer(text)])[-1]
        where = span_at(text, test.file, match.start()) if match else test.condition.span
        for loc in test.locations:
            _check(loc, procs, where, text)
    for loc, span in _prop_locs(test.condition.prop):
        _check(loc, procs, span, text)
    for atom in _fault_atoms(test.condition.prop):  # herd's check_atom: `FF ((p,_),_,_)`
        if atom.proc not in procs:
            threads = ", ".join(f"P{p}" for p in sorted(procs)) or "none"
            raise UnsupportedError(
                f"Bad process P{atom.proc}: `{atom}` names a thread the test does not have "
                f"(its threads: {threads})", atom.span, text)


def check_init_labels(test: LitmusTest, text: str) -> None:
    """Raise UnsupportedError at the first init entry whose value is a code label that no
    thread's code defines, in herd's words."""
    labels = {stmt.name for thread in test.threads if isinstance(thread, AsmThread)
              for stmt in thread.code if isinstance(stmt, Label)}
    for entry in test.init:
        found = _CODE_LABEL.fullmatch(entry.value) if isinstance(entry.value, str) else None
        if found and found.group(2) not in labels:
            raise UnsupportedError(
                f"Label {found.group(2)} not found on P{found.group(1)}, yet it is used in "
                "the initialization list", entry.span, text)


def check_state_registers(
    test: LitmusTest, text: str, reg_error: Callable[[str], str | None]
) -> None:
    """Raise UnsupportedError at the first register named outside the code (init block,
    `locations`, filter, final condition) that `reg_error` (the architecture
    descriptor's `state_reg_error`) refuses, with its reason: herd 7.58 reads those
    names with the architecture's `parse_reg` (lib/symbReg.ml `get_reg`: "W0 is not a
    register")."""
    found: list[tuple[Loc, Span]] = [(entry.loc, entry.span) for entry in test.init]
    if test.locations:
        match = ([None, *_LOCATIONS.finditer(text)])[-1]
        where = span_at(text, test.file, match.start()) if match else test.condition.span
        found += [(loc, where) for loc in test.locations]
    stack: list[Prop] = [test.condition.prop]
    if test.filter is not None:
        stack.append(test.filter)
    while stack:  # iterative: a flat condition may hold a few hundred atoms
        p = stack.pop()
        if isinstance(p, Atom):
            found.append((p.loc, p.span))
        elif isinstance(p, LocEq):
            found += [(p.left, p.span), (p.right, p.span)]
        elif isinstance(p, Not):
            stack.append(p.arg)
        elif isinstance(p, And | Or | Implies):
            stack += [p.right, p.left]
    for loc, span in sorted(found, key=lambda ls: (ls[1].line, ls[1].col)):
        why = reg_error(loc.reg) if isinstance(loc, RegLoc) else None
        if why is not None and isinstance(loc, RegLoc):
            raise UnsupportedError(why.replace("{thread}", str(loc.thread)), span, text)


def _check(loc: Loc, procs: set[int], span: Span, text: str) -> None:
    # a symbolic register (`%P0_x` in the init block) belongs to every thread
    if isinstance(loc, RegLoc) and loc.thread != ANY_THREAD and loc.thread not in procs:
        threads = ", ".join(f"P{p}" for p in sorted(procs)) or "none"
        raise UnsupportedError(
            f"Bad process P{loc.thread}: `{loc}` names a thread the test does not have "
            f"(its threads: {threads})", span, text)


def _fault_atoms(prop: Prop) -> Iterator[FaultAtom]:
    """Every fault atom of a proposition."""
    stack = [prop]
    while stack:
        p = stack.pop()
        if isinstance(p, FaultAtom):
            yield p
        elif isinstance(p, Not):
            stack.append(p.arg)
        elif isinstance(p, And | Or | Implies):
            stack += [p.right, p.left]


def _prop_locs(prop: Prop) -> Iterator[tuple[Loc, Span]]:
    """Every location of a proposition with the span of its atom."""
    if isinstance(prop, Atom):
        yield prop.loc, prop.span
    elif isinstance(prop, LocEq):
        yield prop.left, prop.span
        yield prop.right, prop.span
    elif isinstance(prop, Not):
        yield from _prop_locs(prop.arg)
    elif isinstance(prop, And | Or | Implies):
        yield from _prop_locs(prop.left)
        yield from _prop_locs(prop.right)
