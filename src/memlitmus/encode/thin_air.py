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

from typing import TYPE_CHECKING

import z3

from memlitmus.encode.terms import Cond, conj, to_cond
from memlitmus.events import BinOp, Expr, Ite, dependency_conditions

if TYPE_CHECKING:
    from memlitmus.encode.execution import ExecutionEncoding

SYMBOLIC_BASE = -(1 << 40)  # symbols are SYMBOLIC_BASE - eid: far from numbers and pointers
SYMBOLIC_SPAN = 1 << 20


def symbol_of(value: int) -> int | None:
    """The read whose symbol `value` is, or None for an ordinary number."""
    if SYMBOLIC_BASE - SYMBOLIC_SPAN < value <= SYMBOLIC_BASE:
        return SYMBOLIC_BASE - value
    return None


def encode_thin_air(enc: ExecutionEncoding) -> list[z3.BoolRef]:
    """Constraints that give each value cycle one symbolic value (none without cycles)."""
    edges = _value_edges(enc)
    cyclic = _cyclic_reads({r: {d for d, _ in out} for r, out in edges.items()})
    if not cyclic:
        return []
    rank = {r: z3.Int(f"thin_rank{r}") for r in cyclic}
    constraints = [enc.read_values[d] > SYMBOLIC_BASE for d in sorted(_tested_reads(enc))]
    for r in sorted(cyclic):
        root = z3.Bool(f"thin_root{r}")
        constraints.append(z3.Implies(root, enc.read_values[r] == SYMBOLIC_BASE - r))
        for d, when in edges[r]:
            if d not in cyclic:
                continue
            step = conj(when, z3.Not(root))
            order = rank[d] < rank[r]
            constraints.append(order if step is True else z3.Implies(step, order))
    return constraints


def _value_edges(enc: ExecutionEncoding) -> dict[int, list[tuple[int, Cond]]]:
    """r → (d, when): r may read a write whose value depends on read d, when `when`."""
    edges: dict[int, list[tuple[int, Cond]]] = {r.eid: [] for r in enc.reads}
    events = enc.events
    for (w, r), chosen in enc.rf.items():
        value = events[w].value
        if chosen is False or value is None:
            continue
        for d, path in dependency_conditions(value, syntactic=False).items():
            if d >= 0 and events[d].kind == "R":
                when = conj(chosen, to_cond(enc.value_term(path)))
                if when is not False:
                    edges[r].append((d, when))
    return edges


def _tested_reads(enc: ExecutionEncoding) -> set[int]:
    """Reads whose values decide something: a path condition, an assumption, or the
    condition of a choice inside a value or an address."""
    tests = [e.guard for e in enc.events] + list(enc.program.assumptions)
    for expr in _values_and_addresses(enc):
        tests.extend(_conditions_in(expr))
    reads: set[int] = set()
    for expr in tests:
        reads.update(d for d in dependency_conditions(expr, syntactic=False) if d >= 0)
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
