"""Model checks (acyclic / irreflexive / empty) as Z3 constraints.

Acyclicity uses integer ranks, but only for edges inside a strongly connected component of
the graph of possible edges: an edge between two components can never close a cycle, so it
costs nothing. A check whose possible-edge graph has no cycle at all adds no constraint.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from memlitmus.encode.relations import Pair, ZRel, ZSet
from memlitmus.encode.terms import Cond, disj, implies, neg
from memlitmus.errors import CatError, Span


def acyclic(rel: ZRel, tag: str) -> list[z3.BoolRef]:
    """Constraints that hold iff `rel` has no cycle."""
    while rel.closure_of is not None:  # acyclic(r+) is acyclic(r)
        rel = rel.closure_of
    edges = rel.edges
    component = strongly_connected(edges)
    rank: dict[int, z3.ArithRef] = {}
    out: list[z3.BoolRef] = []
    for (a, b), cond in edges.items():
        if a == b:
            out.extend(_must_not(cond))
        elif component[a] == component[b]:
            ra, rb = _rank(rank, a, tag), _rank(rank, b, tag)
            out.append(implies(cond, ra < rb))
    return out


def _rank(ranks: dict[int, z3.ArithRef], node: int, tag: str) -> z3.ArithRef:
    if node not in ranks:
        ranks[node] = z3.Int(f"{tag}_rank{node}")
    return ranks[node]


def irreflexive(rel: ZRel) -> list[z3.BoolRef]:
    """Constraints that hold iff no event is related to itself."""
    if rel.closure_of is not None:
        return acyclic(rel.closure_of, "irr")
    return [c for (a, b), cond in rel.edges.items() if a == b for c in _must_not(cond)]


def empty(value: ZRel | ZSet) -> list[z3.BoolRef]:
    """Constraints that hold iff the set or relation is empty."""
    conds: Iterable[Cond] = (
        value.members.values() if isinstance(value, ZSet) else value.edges.values()
    )
    return [c for cond in conds for c in _must_not(cond)]


def nonempty_cond(value: ZRel | ZSet) -> Cond:
    """The condition under which the set or relation has an element."""
    if isinstance(value, ZSet):
        return disj(value.members.values())
    return disj(value.edges.values())


def reflexive_cond(rel: ZRel, span: Span | None) -> Cond:
    """The condition under which some event is related to itself."""
    if rel.closure_of is not None:
        raise CatError("`~irreflexive` of a closure is not supported", span)
    return disj(c for (a, b), c in rel.edges.items() if a == b)


def _must_not(cond: Cond) -> list[z3.BoolRef]:
    if cond is True:
        return [z3.BoolVal(False)]
    negated = neg(cond)
    return [] if negated is True else [negated]


def strongly_connected(edges: Iterable[Pair]) -> dict[int, int]:
    """Tarjan's algorithm (iterative): node → component number."""
    succ: dict[int, list[int]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    comp: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    for root in succ:
        if root in index:
            continue
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp[top] = node
                        if top == node:
                            break
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(succ[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return comp
