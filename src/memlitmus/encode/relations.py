"""Sets and relations of a symbolic execution, and the cat algebra over them.

A set maps event ids to the condition under which the event belongs to it; a relation maps
pairs. A missing key is "never", Python True is "always", anything else a Z3 boolean. So
most of a model evaluates in plain Python and only rf/co/fr-derived edges reach Z3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import product as cartesian
from typing import TypeVar

import z3

from memlitmus.encode.terms import Cond, conj, disj, neg

Pair = tuple[int, int]
K = TypeVar("K")


class ZSet:
    """A symbolic set of events."""

    __slots__ = ("members",)

    def __init__(self, members: Mapping[int, Cond]):
        self.members = {k: c for k, c in members.items() if c is not False}

    def __repr__(self) -> str:
        return f"ZSet({sorted(self.members)})"


# Lazy relations computed from lazy relations nest: forcing `r1 | r2 | … | r3000` (or
# 3000 `let`s each built on the last) would recurse once per level. A relation whose
# thunk would sit deeper than this is computed at once instead, so forcing never recurses
# more than this many levels, whatever the model (see memlitmus.nesting).
MAX_LAZY_DEPTH = 50


class ZRel:
    """A symbolic relation; `closure_of` remembers r for r+ so acyclic(r+) checks r.

    A lazy relation (`thunk`) names the relations it is computed from (`over`), for its
    `depth`: how many unforced thunks forcing it would run one inside the other.
    """

    __slots__ = ("_edges", "_thunk", "closure_of", "depth")

    def __init__(
        self,
        edges: Mapping[Pair, Cond] | None = None,
        thunk: Callable[[], Mapping[Pair, Cond]] | None = None,
        closure_of: ZRel | None = None,
        over: tuple[ZRel, ...] = (),
    ):
        self._edges = None if edges is None else _drop_false(edges)
        self._thunk = thunk
        self.closure_of = closure_of
        self.depth: int = 0 if self._edges is not None else 1 + max(
            (o.depth for o in over), default=0)
        if self.depth > MAX_LAZY_DEPTH:
            _ = self.edges  # force now

    @property
    def edges(self) -> dict[Pair, Cond]:
        """The pairs that may be related, with their conditions (computed on demand)."""
        if self._edges is None:
            assert self._thunk is not None
            self._edges = _drop_false(self._thunk())
            self._thunk = None
            self.depth = 0
        return self._edges

    def __repr__(self) -> str:
        return f"ZRel({sorted(self.edges)})"


def _drop_false(edges: Mapping[Pair, Cond]) -> dict[Pair, Cond]:
    return {k: c for k, c in edges.items() if c is not False}


# --- set operations ------------------------------------------------------------------------


def union_maps(maps: Iterable[Mapping[K, Cond]]) -> dict[K, Cond]:
    """Pointwise disjunction."""
    gathered: dict[K, list[Cond]] = {}
    for m in maps:
        for k, c in m.items():
            gathered.setdefault(k, []).append(c)
    return {k: cs[0] if len(cs) == 1 else disj(_distinct(cs)) for k, cs in gathered.items()}


def _distinct(conds: list[Cond]) -> list[Cond]:
    """conds without repeats of one formula: an event in several tag sets has the same
    existence guard in each, and `g ∨ g` is a bigger formula than `g` for the solver
    (LKMM C-JO-OOTA-4: 1.2 s with this, up to 15 s without)."""
    seen: dict[object, Cond] = {}
    for c in conds:
        seen.setdefault(c if isinstance(c, bool) else c.get_id(), c)
    return list(seen.values())


def inter_maps(a: Mapping[K, Cond], b: Mapping[K, Cond]) -> dict[K, Cond]:
    """Pointwise conjunction."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return {k: conj(c, large[k]) for k, c in small.items() if k in large}


def diff_maps(a: Mapping[K, Cond], b: Mapping[K, Cond]) -> dict[K, Cond]:
    """Pointwise a ∧ ¬b."""
    out: dict[K, Cond] = {}
    for k, c in a.items():
        other = b.get(k)
        if other is None:
            out[k] = c
        elif other is not True and not _entails(c, other):
            out[k] = conj(c, neg(other))
    return out


def _entails(a: Cond, b: Cond) -> bool:
    r"""Does b syntactically follow from a: b is a, or a disjunction with a among its
    (nested) disjuncts? Set memberships are mostly an event's existence guard `g`, so `M \ Marked`
    on a guarded event is `g ∧ ¬(g ∨ …)`: caught here, it stays statically empty (LKMM's
    plain-access machinery then costs nothing on tests without plain accesses)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if a.eq(b):
        return True
    return z3.is_or(b) and any(_entails(a, child) for child in b.children())


# --- relation operations -------------------------------------------------------------------


def seq(a: ZRel, b: ZRel) -> ZRel:
    """Composition a;b."""
    by_source: dict[int, list[tuple[int, Cond]]] = {}
    for (x, y), c in b.edges.items():
        by_source.setdefault(x, []).append((y, c))
    gathered: dict[Pair, list[Cond]] = {}
    for (x, y), c1 in a.edges.items():
        for z, c2 in by_source.get(y, ()):
            gathered.setdefault((x, z), []).append(conj(c1, c2))
    return ZRel({k: disj(cs) for k, cs in gathered.items()})


def inverse(r: ZRel) -> ZRel:
    """r^-1."""
    return ZRel({(y, x): c for (x, y), c in r.edges.items()})


def identity(s: ZSet) -> ZRel:
    """[S]."""
    return ZRel({(e, e): c for e, c in s.members.items()})


def product(a: ZSet, b: ZSet) -> ZRel:
    """A*B."""
    return ZRel(
        {(x, y): conj(cx, cy) for (x, cx), (y, cy)
         in cartesian(a.members.items(), b.members.items())}
    )


def domain(r: ZRel) -> ZSet:
    """domain(r)."""
    gathered: dict[int, list[Cond]] = {}
    for (x, _), c in r.edges.items():
        gathered.setdefault(x, []).append(c)
    return ZSet({k: disj(cs) for k, cs in gathered.items()})


def range_(r: ZRel) -> ZSet:
    """range(r)."""
    return domain(inverse(r))


def transitive_closure(edges: Mapping[Pair, Cond]) -> dict[Pair, Cond]:
    """Exact r+ by Floyd–Warshall over formulas (only nodes on some path are visited)."""
    closure: dict[Pair, Cond] = dict(edges)
    succ: dict[int, set[int]] = {}
    pred: dict[int, set[int]] = {}
    for x, y in closure:
        succ.setdefault(x, set()).add(y)
        pred.setdefault(y, set()).add(x)
    for k in list(succ.keys() & pred.keys()):
        for i in list(pred.get(k, ())):
            cik = closure[(i, k)]
            for j in list(succ.get(k, ())):
                through = conj(cik, closure[(k, j)])
                old = closure.get((i, j), False)
                closure[(i, j)] = disj([old, through])
                succ[i].add(j)
                pred.setdefault(j, set()).add(i)
    return closure
