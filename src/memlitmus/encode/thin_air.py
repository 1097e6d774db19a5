"""Values out of thin air: reads whose values only justify each other.

When reads form a cycle through rf and value dependencies (`r1 = *x; *y = r1;` against
`r2 = *y; *x = r2;`), any value satisfies the equations. herd solves the equations of an
execution and leaves such a cycle's value as an unknown, printed `S16`; the final state
does not equal any constant. Left alone, the solver would instead offer every integer and
state enumeration would never end.

The encoding gives each cycle one fresh symbolic value: every read that may sit on such a
cycle gets a Boolean `root` and an integer rank. Along an rf edge whose write's value
really depends on other reads of the cycle, a non-root read must out-rank them, so every
cycle of reads contains a root; a root's value is its own symbol, distinct from every
number and every other symbol. The other reads of the cycle receive that symbol through
the ordinary rf equations. Reads off every cycle are not touched: most tests pay nothing.

herd cannot decide a test on an unknown (a branch, a CAS comparison, a lock's "was it
free"): its solver is left with an unsolved constraint and the execution is dropped
(diy7-atomics `S+po-amo.cas+amo.cas-po` under sc: two failing CASes that write back to
each other list no state). So a read whose value some test looks at is never symbolic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import z3

from memlitmus.encode.terms import Cond, Term, conj, to_cond
from memlitmus.events import BinOp, Event, EventProgram, Expr, Ite, dependency_conditions


class ExecutionEncoding(Protocol):
    """What the thin-air constraints read of `execution.ExecutionEncoding` (which calls
    `encode_thin_air` while it is being built)."""

    @property
    def program(self) -> EventProgram: ...
    @property
    def events(self) -> Sequence[Event]: ...
    @property
    def reads(self) -> Sequence[Event]: ...
    @property
    def writes(self) -> Sequence[Event]: ...
    @property
    def read_values(self) -> Mapping[int, z3.ArithRef]: ...
    @property
    def rf(self) -> Mapping[tuple[int, int], Cond]: ...
    def value_term(self, expr: Expr) -> Term: ...

SYMBOLIC_BASE = -(1 << 40)  # symbols are SYMBOLIC_BASE - eid: far from numbers and pointers
SYMBOLIC_SPAN = 1 << 20


def is_symbol(value: int) -> bool:
    """Is `value` a thin-air symbol (rather than a number or a pointer)?"""
    return SYMBOLIC_BASE - SYMBOLIC_SPAN < value <= SYMBOLIC_BASE


def encode_thin_air(enc: ExecutionEncoding) -> list[z3.BoolRef]:
    """Constraints that give each value cycle one symbolic value (none without cycles)."""
    # Which reads each write's value uses, and on which path: found statically, so that
    # a test without value cycles builds no Z3 term at all.
    sources: dict[int, dict[int, Expr]] = {}
    for write in enc.writes:
        assert write.value is not None
        sources[write.eid] = dependency_conditions(write.value, syntactic=False)
    graph: dict[int, set[int]] = {r.eid: set() for r in enc.reads}
    for w, r in enc.rf:
        graph[r].update(sources[w])
    cyclic = _cyclic_reads(graph)
    if not cyclic:
        return []
    rank = {r: z3.Int(f"thin_rank{r}") for r in cyclic}
    root = {r: z3.Bool(f"thin_root{r}") for r in cyclic}
    constraints = [enc.read_values[d] > SYMBOLIC_BASE for d in sorted(_tested_reads(enc))]
    for r in sorted(cyclic):
        constraints.append(z3.Implies(root[r], enc.read_values[r] == SYMBOLIC_BASE - r))
    for (w, r), chosen in enc.rf.items():
        if r not in cyclic:
            continue
        for d, path in sources[w].items():
            if d not in cyclic:
                continue
            # reading w, a non-root r comes after the cycle reads w's value depends on
            step = conj(conj(chosen, to_cond(enc.value_term(path))), z3.Not(root[r]))
            order = rank[d] < rank[r]
            constraints.append(order if step is True else z3.Implies(step, order))
    return constraints


def _tested_reads(enc: ExecutionEncoding) -> set[int]:
    """Reads whose values decide something: a path condition, an assumption, or the
    condition of a choice inside a value or an address."""
    tests = [e.guard for e in enc.events] + list(enc.program.assumptions)
    for expr in _values_and_addresses(enc):
        tests.extend(_conditions_in(expr))
    reads: set[int] = set()
    for expr in tests:
        reads.update(dependency_conditions(expr, syntactic=False))
    return reads


def _values_and_addresses(enc: ExecutionEncoding) -> list[Expr]:
    exprs = [x for e in enc.events for x in (e.value, e.addr) if x is not None]
    return exprs + list(enc.program.final_registers.values())


def _conditions_in(expr: Expr) -> list[Expr]:
    if isinstance(expr, Ite):
        return [expr.cond, *_conditions_in(expr.then), *_conditions_in(expr.other)]
    if isinstance(expr, BinOp):
        return _conditions_in(expr.left) + _conditions_in(expr.right)
    return []


def _cyclic_reads(graph: dict[int, set[int]]) -> set[int]:
    """Nodes on some cycle of `graph` (Tarjan's strongly connected components)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    cyclic: set[int] = set()

    def visit(v: int) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                cyclic.update(component)

    for v in graph:
        if v not in index:
            visit(v)
    return cyclic
