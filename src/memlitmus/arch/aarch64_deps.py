"""Weak ("pick") dependencies of AArch64 code.

herd distinguishes a value chosen by CSEL's condition, or returned by CAS through its
comparison, from one computed from a read's value: the first depends on the reads behind
the condition in a weaker way. Such a dependency orders later writes (address, data and
control dependencies into writes order as usual), but an address dependency into a read
orders nothing by itself; armv8.cat only uses it when a write or an ISB follows, as the
relation `pick-addr`. The corpus rows that show it: herd-catalogue MP+rel+CSEL and
MP+rel+CAS-ok-MRs-addr (allowed), LB+rel+CAS-ok-MRs-addr (forbidden).

While a thread runs, a weak dependency on read r is the negative number -r-1 in
`Expr.deps` (events' ids are never negative), so ordinary expression building carries
both kinds; `settle_weak_deps` turns them into real event pairs before the program is
frozen.
"""

from __future__ import annotations

from memlitmus.builder import ProgramBuilder
from memlitmus.events import TRUE


def weaken(deps: frozenset[int]) -> frozenset[int]:
    """The same dependencies, made weak."""
    return frozenset(d if d < 0 else -d - 1 for d in deps)


def settle_weak_deps(program: ProgramBuilder) -> None:
    """Replace the weak dependencies recorded in addr/data/ctrl by real event pairs: an
    address dependency into a read becomes `pick-addr`, any other an ordinary one (keeping
    the path condition of a dependency that holds only on some paths)."""
    for kind, relation in (("addr", program.addr), ("data", program.data), ("ctrl", program.ctrl)):
        conditions = program.dep_conditions.get(kind, {})
        weak = {(d, e) for d, e in relation if d < 0}
        relation -= weak
        for d, e in weak:
            pair, when = (-d - 1, e), conditions.pop((d, e), TRUE)
            if kind == "addr" and program.events[e].kind == "R":
                program.relate("pick-addr", pair)
            elif kind == "ctrl":
                relation.add(pair)
            else:
                program.depend(kind, pair, when)
