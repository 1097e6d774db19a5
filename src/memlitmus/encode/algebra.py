"""The cat algebra over symbolic sets and relations (ZSet/ZRel): what the cat interpreter
calls to build a model's relations for one test."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from memlitmus.encode import relations as rel
from memlitmus.encode.builtins import Builtins
from memlitmus.encode.relations import ZRel, ZSet
from memlitmus.encode.terms import Cond

Value = ZSet | ZRel


class Z3Algebra:
    """Sets and relations of one symbolic execution."""

    def __init__(self, builtins: Builtins):
        self.builtins = builtins
        self._universe = builtins.lookup("_")

    # sets
    def empty_set(self) -> ZSet:
        return ZSet({})

    def universe(self) -> ZSet:
        assert isinstance(self._universe, ZSet)
        return self._universe

    def set_union(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.union_maps([a.members, b.members]))  # type: ignore[arg-type]

    def set_inter(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.inter_maps(a.members, b.members))  # type: ignore[arg-type]

    def set_diff(self, a: ZSet, b: ZSet) -> ZSet:
        return ZSet(rel.diff_maps(a.members, b.members))  # type: ignore[arg-type]

    def set_complement(self, a: ZSet) -> ZSet:
        return self.set_diff(self.universe(), a)

    # relations
    def empty_rel(self) -> ZRel:
        return ZRel({})

    def rel_union(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(rel.union_maps([a.edges, b.edges]))  # type: ignore[arg-type]

    def rel_inter(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(rel.inter_maps(a.edges, b.edges))  # type: ignore[arg-type]

    def rel_diff(self, a: ZRel, b: ZRel) -> ZRel:
        return ZRel(rel.diff_maps(a.edges, b.edges))  # type: ignore[arg-type]

    def rel_complement(self, a: ZRel) -> ZRel:
        return self.rel_diff(self.product(self.universe(), self.universe()), a)

    def seq(self, a: ZRel, b: ZRel) -> ZRel:
        return rel.seq(a, b)

    def inverse(self, a: ZRel) -> ZRel:
        return rel.inverse(a)

    def plus(self, a: ZRel) -> ZRel:
        return rel.plus(a)

    def star(self, a: ZRel) -> ZRel:
        return self.rel_union(rel.plus(a), rel.identity(self.universe()))

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

    def builtin_set(self, name: str) -> ZSet | None:
        value = self.builtins.lookup(name)
        return value if isinstance(value, ZSet) else None

    def builtin_rel(self, name: str) -> ZRel | None:
        value = self.builtins.lookup(name)
        return value if isinstance(value, ZRel) else None

    def annotation(self, tag: str) -> ZSet:
        value = self.builtins.lookup(tag)
        return value if isinstance(value, ZSet) else ZSet({})

    def rel_primitive(self, name: str, r: ZRel) -> ZRel | None:
        return None

    def fixpoint(
        self, names: Sequence[str], kinds: Sequence[str],
        step: Callable[[list[Value]], list[Value]],
    ) -> list[Value]:
        """Least fixpoint by Kleene iteration on the possible-edge structure.

        Iterates from the empty values until the set of possible keys stops growing and
        then a bounded number of rounds more (enough for paths through every node), which
        is exact for the finite event sets of a litmus test.
        """
        values: list[Value] = [self._empty_like(k) for k in kinds]
        rounds = 0
        bound = 2 * len(self.universe().members) + 2
        while True:
            new = step(values)
            rounds += 1
            if _same_structure(new, values) or rounds > bound:
                return new
            values = new

    def _empty_like(self, kind: str) -> Value:
        return self.empty_set() if kind == "set" else self.empty_rel()


def _same_structure(a: list[Value], b: list[Value]) -> bool:
    return all(_items(x) == _items(y) for x, y in zip(a, b, strict=True))


def _items(v: Value) -> dict[object, Cond]:
    return dict(v.members) if isinstance(v, ZSet) else dict(v.edges)  # type: ignore[arg-type]
