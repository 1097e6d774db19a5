"""Why one explicit execution fails a check: a violating cycle, edge or event.

A cycle is looked for first among the edges of the checked relation that are also edges
of a base relation (po, rf, co, fr, ...), then of the model's smaller named relations,
then of the relation itself: every such cycle is a cycle of the checked relation, but one
made of basic edges is the explanation a reader expects ("Herding cats", §4: the
cycle W x -po-> W y -rfe-> R y -po-> R x -fre-> W x for MP), where the relation itself may
be transitive and so have a useless self-loop on every cyclic event.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from memlitmus.errors import Span
from memlitmus.witness import Edge, Execution, Pair, Violation

# Base relations used to explain an edge, most telling first: external/internal parts of
# the communication relations name the edge better than the whole, and a dependency or
# an rmw better than the program order that also holds.
EXPLAINING = ("rmw", "rfe", "rfi", "coe", "coi", "fre", "fri", "addr", "data", "ctrl",
              "amo", "po")


@cache
def check_label(kind: str, name: str | None, span: Span) -> str:
    """The check as written in its cat file (`acyclic ghb as tso`), or `kind as name`."""
    try:
        line = Path(span.file).read_text().splitlines()[span.line - 1]
    except (OSError, IndexError):
        line = ""
    text = line[span.col - 1:].split("(*")[0].strip()
    if text.startswith(("acyclic", "irreflexive", "empty", "~")):
        return " ".join(text.split())
    return f"{kind} as {name}" if name else kind


def violation(
    kind: str, negated: bool, value: frozenset[object], label: str, name: str | None,
    execution: Execution, base: Mapping[str, frozenset[Pair]],
) -> Violation | None:
    """How the execution fails the check `[~]kind value`, or None when it holds.

    `base` holds the execution's base relations by name (including rfe, fre, ...)."""
    if negated:
        return None if (kind == "empty") == (not value) else Violation(label, name, kind)
    if kind == "empty":
        if not value:
            return None
        first = min(value, key=repr)
        if isinstance(first, tuple):
            a, b = first
            edge = _edge(a, b, execution, base, pairs_of(value), name)
            return Violation(label, name, kind, (edge,))
        assert isinstance(first, int)
        return Violation(label, name, kind, events=(first,))
    pairs = pairs_of(value)
    if kind == "irreflexive":
        loops = sorted(a for a, b in pairs if a == b)
        if not loops:
            return None
        loop = _edge(loops[0], loops[0], execution, base, pairs, name)
        return Violation(label, name, kind, (loop,))
    cycle = find_cycle(pairs, _tiers(pairs, execution, base))
    if cycle is None:
        return None
    edges = tuple(
        _edge(a, cycle[(i + 1) % len(cycle)], execution, base, pairs, name)
        for i, a in enumerate(cycle)
    )
    return Violation(label, name, kind, edges)


def pairs_of(value: frozenset[object]) -> frozenset[Pair]:
    """The pairs of a relation value (nothing for a set)."""
    return frozenset(p for p in value if isinstance(p, tuple))


def _tiers(
    pairs: frozenset[Pair], execution: Execution, base: Mapping[str, frozenset[Pair]]
) -> list[frozenset[Pair]]:
    """Subgraphs of `pairs` to search in turn: basic edges, then edges of the model's
    smaller, loop-free named relations, then every edge but loops, then all."""
    basic = frozenset().union(*(base.get(n, frozenset()) for n in EXPLAINING)) & pairs
    smaller = [
        frozenset(rel) & pairs for rel in execution.model_relations.values()
        if len(rel) < len(pairs) and all(a != b for a, b in rel)
    ]
    named = basic.union(*smaller)
    loop_free = frozenset(p for p in pairs if p[0] != p[1])
    return [basic, named, loop_free, pairs]


def find_cycle(pairs: frozenset[Pair], tiers: Iterable[frozenset[Pair]]) -> list[int] | None:
    """The nodes of a shortest cycle in the first tier that has one (None if acyclic)."""
    for tier in tiers:
        cycle = shortest_cycle(tier)
        if cycle is not None:
            return cycle
    return None


def shortest_cycle(pairs: Iterable[Pair]) -> list[int] | None:
    """A shortest cycle as its list of nodes (first node not repeated), ties broken by the
    smallest starting node; None when the graph is acyclic. BFS from every node."""
    succ: dict[int, list[int]] = {}
    for a, b in sorted(pairs):
        succ.setdefault(a, []).append(b)
    best: list[int] | None = None
    for start in sorted(succ):
        parent: dict[int, int] = {}
        queue = deque([start])
        seen = {start}
        found = None
        while queue and found is None:
            node = queue.popleft()
            for nxt in succ.get(node, ()):
                if nxt == start:
                    found = node
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    parent[nxt] = node
                    queue.append(nxt)
        if found is None:
            continue
        path = [found]
        while path[-1] != start:
            path.append(parent[path[-1]])
        path.reverse()
        if best is None or len(path) < len(best):
            best = path
    return best


def _edge(
    a: int, b: int, execution: Execution, base: Mapping[str, frozenset[Pair]],
    checked: frozenset[Pair], name: str | None,
) -> Edge:
    """The edge with the names of the relations containing it: base ones first, then
    the model's named relations included in the checked one, smallest first (the most
    specific reading); a loop ends with the check's name, as nothing smaller explains it."""
    names = [n for n in EXPLAINING if (a, b) in base.get(n, frozenset())]
    model = sorted(
        (len(rel), i, n) for i, (n, rel) in enumerate(execution.model_relations.items())
        if (a, b) in rel and checked.issuperset(rel)
    )
    names += [n for _, _, n in model if n not in names]
    if a == b and name and name not in names:
        names.append(name)
    via: tuple[Edge, ...] = ()
    if a == b or not any(n in EXPLAINING for n in names):
        basic = frozenset().union(*(base.get(n, frozenset()) for n in EXPLAINING))
        path = _base_path(a, b, basic)
        via = tuple(
            Edge(x, y, tuple(n for n in EXPLAINING if (x, y) in base.get(n, frozenset())))
            for x, y in path
        )
    return Edge(a, b, tuple(names), via)


def _base_path(a: int, b: int, basic: frozenset[Pair]) -> list[Pair]:
    """A shortest path of at least two edges from a to b (a cycle when a == b) in
    `basic`, breadth first; [] if none."""
    succ: dict[int, list[int]] = {}
    for x, y in sorted(basic):
        succ.setdefault(x, []).append(y)
    parent: dict[int, int] = {}
    frontier = [a]
    seen = {a}
    while frontier:
        nxt = []
        for x in frontier:
            for y in succ.get(x, ()):
                if y == b and not (x == a and a != b):
                    path = [(x, y)]
                    while path[0][0] != a:
                        path.insert(0, (parent[path[0][0]], path[0][0]))
                    return path
                if y not in seen:
                    seen.add(y)
                    parent[y] = x
                    nxt.append(y)
        frontier = nxt
    return []
