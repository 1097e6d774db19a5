"""The cat algebra over symbolic sets and relations (ZSet/ZRel): what the cat interpreter
calls to build a model's relations for one test."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import z3

from memlitmus.encode import relations as rel
from memlitmus.encode.builtins import Builtins
from memlitmus.encode.relations import ZRel, ZSet
from memlitmus.encode.terms import Cond, conj, disj, equal, implies, neg

Value = ZSet | ZRel
EXACT_CLOSURE_NODES = 24  # beyond this, Floyd–Warshall formulas cost more than variables


class Z3Algebra:
    """Sets and relations of one symbolic execution."""

    def __init__(self, builtins: Builtins):
        self.builtins = builtins
        self._universe = builtins.lookup("_")
        self.side_constraints: list[z3.BoolRef] = []  # from symbolic fixpoints

    # sets
    def empty_set(self) -> ZSet:
        return ZSet({})

    def universe(self) -> ZSet:
        assert isinstance(self._universe, ZSet)
        return self._universe

    def set_union(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.union_maps([a.members, b.members]))

    def set_inter(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.inter_maps(a.members, b.members))

    def set_diff(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.diff_maps(a.members, b.members))

    def set_complement(self, a: ZSet) -> ZSet:
        return self.set_diff(self.universe(), a)

    # relations
    def empty_rel(self) -> ZRel:
        return ZRel({})

    # Relation operations are lazy: nothing is computed until a check needs the edges,
    # and `a & b`, `a \ b`, `a ; b` never compute b when a is empty. A model's data-race
    # flag, for instance, builds large happens-before closures that a test with no plain
    # access never needs (90% of the time of a 12-thread RCU test).

    def rel_union(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(thunk=lambda: rel.union_maps([a.edges, b.edges]), over=(a, b))

    def rel_inter(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(thunk=lambda: rel.inter_maps(a.edges, b.edges) if a.edges else {},
                    over=(a, b))

    def rel_diff(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(thunk=lambda: rel.diff_maps(a.edges, b.edges) if a.edges else {},
                    over=(a, b))

    def rel_complement(self, a: ZRel) -> ZRel:
        return self.rel_diff(self.product(self.universe(), self.universe()), a)

    def seq(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(thunk=lambda: rel.seq(a, b).edges if a.edges else {}, over=(a, b))

    def inverse(self, a: ZRel) -> ZRel:
        return ZRel(thunk=lambda: rel.inverse(a).edges, over=(a,))

    def plus(self, a: ZRel) -> ZRel:
        return ZRel(thunk=lambda: self._closure(a), closure_of=a, over=(a,))

    def star(self, a: ZRel) -> ZRel:
        return self.rel_union(self.plus(a), rel.identity(self.universe()))

    def _closure(self, a: ZRel) -> dict[rel.Pair, Cond]:
        """r+ : exact formulas on small graphs; on large ones a fresh relation X with
        r ⊆ X and X;r ⊆ X (the least such X is r+, see `fixpoint` for why that is
        enough). X's variables are FreshBool: two closures must never share one."""
        edges = a.edges
        nodes = {x for pair in edges for x in pair}
        if len(nodes) <= EXACT_CLOSURE_NODES or _is_static(a):
            return rel.transitive_closure(edges)
        keys = rel.transitive_closure({k: True for k in edges})
        fresh = {k: z3.FreshBool(f"tc_{k[0]}_{k[1]}") for k in keys}
        by_source: dict[int, list[tuple[int, Cond]]] = {}
        for (x, y), cond in edges.items():
            by_source.setdefault(x, []).append((y, cond))
            self.side_constraints.append(implies(cond, fresh[(x, y)]))
        for (x, y), var in fresh.items():
            for z, cond in by_source.get(y, ()):
                self.side_constraints.append(implies(conj(var, cond), fresh[(x, z)]))
        return fresh

    def opt(self, a: ZRel) -> ZRel:
        return self.rel_union(a, rel.identity(self.universe()))

    def identity(self, s: ZSet) -> ZRel:
        return rel.identity(s)

    def product(self, a: ZSet, b: ZSet) -> ZRel:
        return rel.product(a, b)

    def domain(self, r: ZRel) -> ZSet:
        return rel.domain(r)

    def range(self, r: ZRel) -> ZSet:
        return rel.range_(r)

    def known_empty(self, v: ZSet | ZRel) -> bool:
        return not (v.members if isinstance(v, ZSet) else v.edges)

    def builtin_set(self, name: str) -> ZSet | None:
        value = self.builtins.lookup(name)
        return value if isinstance(value, ZSet) else None

    def builtin_rel(self, name: str) -> ZRel | None:
        value = self.builtins.lookup(name)
        return value if isinstance(value, ZRel) else None

    def annotation(self, tag: str) -> ZSet:
        # Front ends tag events with the event-set name, which herd's bell derives from the
        # annotation by capitalising it ('wmb -> Wmb, 'rcu-lock -> Rcu-lock).
        value = self.builtins.lookup(tag[:1].upper() + tag[1:])
        return value if isinstance(value, ZSet) else ZSet({})

    def rel_primitive(self, name: str, r: ZRel) -> ZRel | None:
        """herd's `different-values(r)` / `same-value(r)`: pairs of r whose events carry
        different / equal values."""
        if name not in ("different-values", "same-value"):
            return None
        same = name == "same-value"
        values = self.builtins.event_values
        out: dict[rel.Pair, Cond] = {}
        for (a, b), cond in r.edges.items():
            if a in values and b in values:
                eq = equal(values[a], values[b])
                out[(a, b)] = conj(cond, eq if same else neg(eq))
        return ZRel(out)

    def set_elements(self, s: ZSet) -> list[tuple[object, object]]:
        return list(s.members.items())

    def rel_elements(self, r: ZRel) -> list[tuple[object, object]]:
        return list(r.edges.items())

    def singleton_set(self, event: object) -> ZSet:
        # Present by assumption: the condition of the element, which `map` passes on with
        # what it computes from it, says when it exists.
        assert isinstance(event, int)
        return ZSet({event: True})

    def singleton_rel(self, pair: object) -> ZRel:
        assert isinstance(pair, tuple)
        return ZRel({pair: True})

    def choose_each(
        self, members: Sequence[tuple[object, Sequence[tuple[ZRel, object]]]], name: str,
    ) -> ZRel:
        """`with name from cross(S)`: for each member of S, a fresh selector the solver
        sets among its candidates; when the member is present, the selected candidate
        must be present too (so an execution where a present member has none is
        excluded, as herd's empty cross product leaves it no candidate). A pair is in the
        result when a present member's selected candidate relates it."""
        picks: list[tuple[Cond, ZRel]] = []
        for present, options in members:
            cond = _cond(present)
            if cond is False:
                continue
            live = [(r, _cond(c)) for r, c in options if _cond(c) is not False]
            if len(live) <= 1:
                # No selector needed: the only candidate, if present, is the choice.
                self._require(cond, live[0][1] if live else False)
                if live:
                    picks.append((conj(cond, live[0][1]), live[0][0]))
                continue
            sel = z3.FreshInt(f"with_{name}")
            self.side_constraints.append(sel >= 0)
            self.side_constraints.append(sel < len(live))
            self._require(cond, disj(conj(sel == i, c) for i, (_, c) in enumerate(live)))
            picks.extend((conj(conj(cond, sel == i), c), r) for i, (r, c) in enumerate(live))

        def edges() -> dict[rel.Pair, Cond]:
            out: dict[rel.Pair, list[Cond]] = {}
            for when, option in picks:
                for pair, cond in option.edges.items():
                    out.setdefault(pair, []).append(conj(when, cond))
            return {pair: disj(conds) for pair, conds in out.items()}

        return ZRel(thunk=edges, over=tuple(r for _, r in picks))

    def _require(self, when: Cond, what: Cond) -> None:
        """The side constraint when → what."""
        if what is True or when is False:
            return
        self.side_constraints.append(implies(when, z3.BoolVal(False) if what is False
                                             else what))

    def choose(self, options: Sequence[ZRel], name: str) -> ZRel:
        """`with name from {r1, …, rn}`: a fresh selector the solver sets, 0 <= sel < n,
        and each pair related when the selected option relates it. An execution is
        allowed when some option passes every check, as herd allows it when one of the
        candidate executions (one per option) does."""
        sel = z3.FreshInt(f"with_{name}")
        self.side_constraints.append(z3.And(sel >= 0, sel < len(options)))

        def edges() -> dict[rel.Pair, Cond]:
            out: dict[rel.Pair, list[Cond]] = {}
            for i, option in enumerate(options):
                picked = sel == i
                for pair, cond in option.edges.items():
                    out.setdefault(pair, []).append(conj(picked, cond))
            return {pair: disj(conds) for pair, conds in out.items()}

        return ZRel(thunk=edges, over=tuple(options))

    def fixpoint(
        self, names: Sequence[str], kinds: Sequence[str],
        step: Callable[[list[Value]], list[Value]],
    ) -> list[Value]:
        """The least fixpoint of a `let rec` group.

        While every value is static (e.g. RCU nesting computed from po and tags), plain
        Kleene iteration is exact. Otherwise each name becomes a fresh relation (or set)
        over its possible keys, constrained to contain its own step: X ⊇ F(X). The least
        fixpoint satisfies that, and every check and flag of herd-style models is
        antimonotone in such relations (acyclicity, emptiness, races that shrink as
        happens-before grows), so the solver can always choose the least fixpoint and
        never gains by a larger one.
        """
        values: list[Value] = [self._empty_like(k) for k in kinds]
        while True:
            new = step(values)
            if not all(_is_static(v) for v in new):
                return self._symbolic_fixpoint(names, kinds, step)
            if all(_keys(n) == _keys(v) for n, v in zip(new, values, strict=True)):
                return new
            values = new

    def _symbolic_fixpoint(
        self, names: Sequence[str], kinds: Sequence[str],
        step: Callable[[list[Value]], list[Value]],
    ) -> list[Value]:
        keys = self._possible_keys(kinds, step)
        fresh = [_fresh(name, kind, k) for name, kind, k in zip(names, kinds, keys, strict=True)]
        for var, image in zip(fresh, step(fresh), strict=True):
            var_items, image_items = _items(var), _items(image)
            for key, cond in image_items.items():
                self.side_constraints.append(implies(cond, var_items[key]))
        return fresh

    def _possible_keys(
        self, kinds: Sequence[str], step: Callable[[list[Value]], list[Value]]
    ) -> list[set[object]]:
        """Kleene iteration on keys only (every condition taken as true): a superset of
        the pairs or events each recursive name can ever contain."""
        keys: list[set[object]] = [set() for _ in kinds]
        while True:
            values = [_all_true(kind, k) for kind, k in zip(kinds, keys, strict=True)]
            new = [set(_items(v)) | k for v, k in zip(step(values), keys, strict=True)]
            if new == keys:
                return keys
            keys = new

    def _empty_like(self, kind: str) -> Value:
        return self.empty_set() if kind == "set" else self.empty_rel()


def _cond(c: object) -> Cond:
    """A condition of `set_elements`/`rel_elements`, typed."""
    assert c is True or c is False or isinstance(c, z3.BoolRef)
    return c


def _items(v: Value) -> dict[object, Cond]:
    return v.members if isinstance(v, ZSet) else v.edges  # type: ignore[return-value]


def _keys(v: Value) -> set[object]:
    return set(_items(v))


def _is_static(v: Value) -> bool:
    return all(c is True for c in _items(v).values())


def _all_true(kind: str, keys: set[object]) -> Value:
    if kind == "set":
        return ZSet({k: True for k in keys})  # type: ignore[misc]
    return ZRel({k: True for k in keys})  # type: ignore[misc]


def _fresh(name: str, kind: str, keys: set[object]) -> Value:
    """New variables for a recursive name: FreshBool, because the same `let rec` can be
    evaluated more than once in one solver (a function body, several models)."""
    if kind == "set":
        return ZSet({k: z3.FreshBool(f"mu_{name}_{k}") for k in keys})  # type: ignore[misc]
    return ZRel({k: z3.FreshBool(f"mu_{name}_{k[0]}_{k[1]}") for k in keys})  # type: ignore

