"""The relation algebra a cat model is evaluated in, and a concrete set-based instance.

`Algebra[S, R]` is what the interpreter needs from a representation of event sets (`S`)
and relations over events (`R`). The Z3 backend implements it symbolically; `SetAlgebra`
below implements it on explicit executions (frozensets of event ids and of pairs), which
is what tests use, and what can explain why a concrete execution is forbidden.

Contract for builtins (see `BUILTIN_SETS`, `BUILTIN_RELS`): the interpreter first looks
names up in the model's own bindings (including the implicit stdlib.cat, which derives
`M`, `id`, `po-loc`, `rfe`, `rfi`, `coe`, `coi`, `fr`, `fre`, `fri`, `emptyset`...), and
only then asks `builtin_set(name)` and `builtin_rel(name)`. Returning None means "no such
thing in this execution/architecture": the interpreter then reports an unknown identifier,
which models guard with `try NAME with emptyset`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from memlitmus.errors import CatError

S = TypeVar("S")
R = TypeVar("R")

Kind = Literal["set", "rel"]
"""Whether a value is an event set or a relation (for `fixpoint`)."""

BUILTIN_SETS: tuple[str, ...] = ("R", "W", "F", "IW", "FW")
"""Event sets every algebra must supply: reads, writes, fences, initial writes, final
writes (the co-last write of each location). Instruction/annotation tags such as `MFENCE`,
`X` (locked/atomic accesses on x86), `DMB.ISH`, `A`, `L`, `Once` are also looked up
through `builtin_set`; return None when the architecture has no such tag."""

BUILTIN_RELS: tuple[str, ...] = (
    "po", "loc", "int", "ext", "rf", "co", "rmw", "amo", "addr", "data", "ctrl",
    "po-loc", "rfe", "rfi", "coe", "coi", "fr", "fre", "fri", "sm", "si",
)
"""Relations every algebra must supply. `loc` relates memory events on the same location
(reflexive); `int`/`ext` relate events of the same/different threads (`int` reflexive);
`co` is the (transitive) coherence order including the initial writes; `amo` relates the
read and write of single-instruction atomic RMWs (may be empty); `sm`/`si` relate the
events of one single-copy-atomic access (the identity on memory events, plus the
accesses a front end makes one atomic access, such as AArch64's LDXP)."""


class Algebra(Protocol[S, R]):
    """Operations on event sets `S` and relations `R` used to evaluate a cat model.

    All operations are pure: they return new values and never mutate their arguments.
    "Universe" is the set of all events of the execution; relation complements are taken
    with respect to universe x universe.
    """

    def empty_set(self) -> S:
        """The empty event set."""
        ...

    def universe(self) -> S:
        """The set of all events (`_` used as a set)."""
        ...

    def empty_rel(self) -> R:
        """The empty relation (`0`)."""
        ...

    def set_union(self, a: S, b: S) -> S:
        """a | b."""
        ...

    def set_inter(self, a: S, b: S) -> S:
        """a & b."""
        ...

    def set_diff(self, a: S, b: S) -> S:
        """a \\ b."""
        ...

    def set_complement(self, a: S) -> S:
        """~a = universe \\ a."""
        ...

    def rel_union(self, a: R, b: R) -> R:
        """a | b."""
        ...

    def rel_inter(self, a: R, b: R) -> R:
        """a & b."""
        ...

    def rel_diff(self, a: R, b: R) -> R:
        """a \\ b."""
        ...

    def rel_complement(self, a: R) -> R:
        """~a = (universe * universe) \\ a."""
        ...

    def seq(self, a: R, b: R) -> R:
        """a ; b = {(x, z) | exists y. (x, y) in a and (y, z) in b}."""
        ...

    def inverse(self, a: R) -> R:
        """a^-1 = {(y, x) | (x, y) in a}."""
        ...

    def plus(self, a: R) -> R:
        """a+ : transitive closure."""
        ...

    def star(self, a: R) -> R:
        """a* = a+ | id, id being the identity on the universe."""
        ...

    def opt(self, a: R) -> R:
        """a? = a | id."""
        ...

    def identity(self, s: S) -> R:
        """[s] = {(x, x) | x in s}."""
        ...

    def product(self, a: S, b: S) -> R:
        """a * b = {(x, y) | x in a, y in b}."""
        ...

    def domain(self, r: R) -> S:
        """{x | exists y. (x, y) in r}."""
        ...

    def range(self, r: R) -> S:
        """{y | exists x. (x, y) in r}."""
        ...

    def known_empty(self, v: S | R) -> bool:
        """True when event set or relation `v` is empty in every execution (an algebra
        that cannot tell says False)."""
        ...

    def builtin_set(self, name: str) -> S | None:
        """A primitive event set of the execution (see BUILTIN_SETS), or None."""
        ...

    def builtin_rel(self, name: str) -> R | None:
        """A primitive relation of the execution (see BUILTIN_RELS), or None."""
        ...

    def annotation(self, tag: str) -> S:
        """Events carrying bell annotation `tag` (e.g. "once", "ACQUIRE"); may be empty.

        Called for each tag of an `instructions X[Enum]` declaration, to bind the set
        named like the tag with its first letter capitalised (`'rcu-lock` -> `Rcu-lock`).
        """
        ...

    def rel_primitive(self, name: str, r: R) -> R | None:
        """herd's value primitives: `different-values(r)` / `same-value(r)` are the pairs
        of r whose two events read or write different / equal values. None: unsupported.
        """
        ...

    def set_elements(self, s: S) -> Sequence[tuple[object, object]]:
        """The events that may be in `s`, each with the condition under which it is (a
        condition `choose_each` understands; True when it always is). For `map`."""
        ...

    def rel_elements(self, r: R) -> Sequence[tuple[object, object]]:
        """The pairs that may be in `r`, each with the condition under which it is."""
        ...

    def singleton_set(self, event: object) -> S:
        """{e}, e an event of `set_elements`."""
        ...

    def singleton_rel(self, pair: object) -> R:
        """The relation holding only `pair`, a pair of `rel_elements`."""
        ...

    def choose_each(
        self, members: Sequence[tuple[object, Sequence[tuple[R, object]]]], name: str,
    ) -> R | None:
        """`with name from cross(S)`, S's members present in some executions only (herd's
        lock.cat): the union of one relation chosen for each member present, among its
        candidates present. `members` holds each member's condition and its candidates
        with theirs. An execution where a present member has no present candidate is no
        candidate (herd's cross product is empty): the algebra excludes it. None: the
        algebra cannot represent the choice."""
        ...

    def choose(self, options: Sequence[R], name: str) -> R | None:
        """`with name from {r1, …, rn}` (n >= 2): a relation that is one of the options,
        which one left open, as herd's candidate executions are one per option. None: the
        algebra cannot represent the choice (the interpreter then says so)."""
        ...

    def fixpoint(
        self,
        names: Sequence[str],
        kinds: Sequence[Kind],
        step: Callable[[list[S | R]], list[S | R]],
    ) -> list[S | R]:
        """Values for a `let rec` group: the least fixpoint of `step`.

        `step` maps current values (one per name, of the given kinds) to the next ones.
        The set-based algebra iterates from empty values (Kleene) until herd's stopping
        rule holds (each new value is included in the previous one); a symbolic algebra
        may instead introduce fresh variables constrained to the least fixpoint.
        """
        ...


# ---------------------------------------------------------------- the concrete algebra

Pair = tuple[int, int]
EventSet = frozenset[int]
Relation = frozenset[Pair]


@dataclass(frozen=True)
class Event:
    """An event of a hand-written execution.

    `thread` None marks an initial write. `kind` is "R", "W", "F" or "FAULT" (an RMW is
    two events linked by `rmw`; a fault is in none of R, W, F). `tags` name the
    instruction sets the event belongs to (e.g. "MFENCE", "X"); `annotations` are bell
    annotations (e.g. "once"); `value` is the value read or written, if known.
    """

    eid: int
    thread: int | None
    kind: Literal["R", "W", "F", "FAULT"]
    loc: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    annotations: frozenset[str] = field(default_factory=frozenset)
    value: int | None = None


class SetAlgebra:
    """`Algebra[frozenset[int], frozenset[tuple[int, int]]]` over one explicit execution."""

    def __init__(
        self,
        events: Iterable[int],
        sets: Mapping[str, Iterable[int]] | None = None,
        relations: Mapping[str, Iterable[Pair]] | None = None,
        annotations: Mapping[str, Iterable[int]] | None = None,
        known_tags: Iterable[str] = (),
        values: Mapping[int, int] | None = None,
    ):
        """Build from explicit data; names absent from `sets`/`relations` are unknown,
        except `known_tags`, which are known-but-empty event sets. `values` gives the value
        of events, for `different-values`/`same-value`."""
        self.events: EventSet = frozenset(events)
        self.sets: dict[str, EventSet] = {k: frozenset(v) for k, v in (sets or {}).items()}
        for tag in known_tags:
            self.sets.setdefault(tag, frozenset())
        self.relations: dict[str, Relation] = {
            k: frozenset(v) for k, v in (relations or {}).items()
        }
        self.annotations: dict[str, EventSet] = {
            k: frozenset(v) for k, v in (annotations or {}).items()
        }
        self.values: dict[int, int] = dict(values or {})
        self._id: Relation = frozenset((e, e) for e in self.events)

    @classmethod
    def from_events(
        cls,
        events: Sequence[Event],
        *,
        rf: Iterable[Pair] = (),
        co: Iterable[Pair] = (),
        po: Iterable[Pair] | None = None,
        rmw: Iterable[Pair] = (),
        amo: Iterable[Pair] = (),
        addr: Iterable[Pair] = (),
        data: Iterable[Pair] = (),
        ctrl: Iterable[Pair] = (),
        known_tags: Iterable[str] = (),
    ) -> SetAlgebra:
        """Build an execution from events and its rf/co choices.

        `po` defaults to the order of `events` within each thread (transitively closed);
        `co` is transitively closed; `loc`, `int`, `ext`, `IW`, `FW` are derived.
        """
        ids = [e.eid for e in events]
        if po is None:
            po = [(a.eid, b.eid) for i, a in enumerate(events) for b in events[i + 1:]
                  if a.thread is not None and a.thread == b.thread]
        co_closed = _closure(frozenset(co))
        sets = _event_sets(events, co_closed)
        relations = {
            "po": _closure(frozenset(po)), "rf": frozenset(rf), "co": co_closed,
            "rmw": frozenset(rmw), "amo": frozenset(amo), "addr": frozenset(addr),
            "data": frozenset(data), "ctrl": frozenset(ctrl),
            "loc": frozenset((a.eid, b.eid) for a in events for b in events
                             if a.loc is not None and a.loc == b.loc
                             and "F" not in (a.kind, b.kind)),
            "int": frozenset((a.eid, b.eid) for a in events for b in events
                             if a.eid == b.eid
                             or (a.thread is not None and a.thread == b.thread)),
        }
        relations["ext"] = frozenset((a, b) for a in ids for b in ids) - relations["int"]
        _derive_relations(relations)
        annotations: dict[str, set[int]] = {}
        for e in events:
            for ann in e.annotations:
                annotations.setdefault(ann, set()).add(e.eid)
        values = {e.eid: e.value for e in events if e.value is not None}
        return cls(ids, sets, relations, annotations, known_tags, values)

    # -- sets
    def empty_set(self) -> EventSet:
        return frozenset()

    def universe(self) -> EventSet:
        return self.events

    def set_union(self, a: EventSet, b: EventSet) -> EventSet:
        return a | b

    def set_inter(self, a: EventSet, b: EventSet) -> EventSet:
        return a & b

    def set_diff(self, a: EventSet, b: EventSet) -> EventSet:
        return a - b

    def set_complement(self, a: EventSet) -> EventSet:
        return self.events - a

    # -- relations
    def empty_rel(self) -> Relation:
        return frozenset()

    def rel_union(self, a: Relation, b: Relation) -> Relation:
        return a | b

    def rel_inter(self, a: Relation, b: Relation) -> Relation:
        return a & b

    def rel_diff(self, a: Relation, b: Relation) -> Relation:
        return a - b

    def rel_complement(self, a: Relation) -> Relation:
        return frozenset((x, y) for x in self.events for y in self.events) - a

    def seq(self, a: Relation, b: Relation) -> Relation:
        succ = _successors(b)
        return frozenset((x, z) for x, y in a for z in succ.get(y, ()))

    def inverse(self, a: Relation) -> Relation:
        return frozenset((y, x) for x, y in a)

    def plus(self, a: Relation) -> Relation:
        return _closure(a)

    def star(self, a: Relation) -> Relation:
        return _closure(a) | self._id

    def opt(self, a: Relation) -> Relation:
        return a | self._id

    def identity(self, s: EventSet) -> Relation:
        return frozenset((x, x) for x in s)

    def product(self, a: EventSet, b: EventSet) -> Relation:
        return frozenset((x, y) for x in a for y in b)

    def domain(self, r: Relation) -> EventSet:
        return frozenset(x for x, _ in r)

    def range(self, r: Relation) -> EventSet:
        return frozenset(y for _, y in r)

    # -- primitives
    def known_empty(self, v: EventSet | Relation) -> bool:
        return not v

    def builtin_set(self, name: str) -> EventSet | None:
        return self.sets.get(name)

    def builtin_rel(self, name: str) -> Relation | None:
        return self.relations.get(name)

    def annotation(self, tag: str) -> EventSet:
        return self.annotations.get(tag, frozenset())

    def rel_primitive(self, name: str, r: Relation) -> Relation | None:
        if name not in ("different-values", "same-value"):
            return None
        if any(x not in self.values or y not in self.values for x, y in r):
            return None  # some value is unknown: cannot answer
        same = name == "same-value"
        return frozenset((x, y) for x, y in r if (self.values[x] == self.values[y]) == same)

    def set_elements(self, s: EventSet) -> list[tuple[object, object]]:
        return [(e, True) for e in sorted(s)]

    def rel_elements(self, r: Relation) -> list[tuple[object, object]]:
        return [(p, True) for p in sorted(r)]

    def singleton_set(self, event: object) -> EventSet:
        assert isinstance(event, int)
        return frozenset((event,))

    def singleton_rel(self, pair: object) -> Relation:
        assert isinstance(pair, tuple)
        return frozenset((pair,))

    def choose_each(
        self, members: Sequence[tuple[object, Sequence[tuple[Relation, object]]]],
        name: str,
    ) -> Relation | None:
        """The union of each member's only candidate; None when a member has several
        (an open choice) or none (no candidate: this algebra cannot exclude the one
        execution it holds)."""
        out: set[Pair] = set()
        for present, options in members:
            if present is not True:
                continue
            chosen = [r for r, cond in options if cond is True]
            if len(chosen) != 1:
                return None
            out |= chosen[0]
        return frozenset(out)

    def choose(self, options: Sequence[Relation], name: str) -> Relation | None:
        """One concrete execution holds one value per name: no open choice."""
        return None

    def fixpoint(
        self,
        names: Sequence[str],
        kinds: Sequence[Kind],
        step: Callable[[list[EventSet | Relation]], list[EventSet | Relation]],
    ) -> list[EventSet | Relation]:
        """Kleene iteration from empty values, stopping like herd: when new <= old."""
        current: list[EventSet | Relation] = [frozenset() for _ in names]
        for _ in range(10_000):
            new = step(current)
            if all(n <= c for n, c in zip(new, current, strict=True)):
                return new
            current = new
        raise CatError(f"no fixpoint reached for `{', '.join(names)}`")

    # -- checks on concrete values (not part of the Algebra protocol)
    def is_acyclic(self, r: Relation) -> bool:
        """True when r+ is irreflexive."""
        return all(x != y for x, y in _closure(r))

    def is_irreflexive(self, r: Relation) -> bool:
        """True when r has no (x, x) pair."""
        return all(x != y for x, y in r)

    def holds(self, kind: str, negated: bool, value: EventSet | Relation) -> bool:
        """The truth of a check `[~]kind value` on this execution."""
        if kind == "acyclic":
            ok = self.is_acyclic(value)  # type: ignore[arg-type]
        elif kind == "irreflexive":
            ok = self.is_irreflexive(value)  # type: ignore[arg-type]
        else:
            ok = not value
        return ok != negated


def _derive_relations(rels: dict[str, Relation]) -> None:
    """po-loc, fr and the internal/external parts of rf, co and fr."""
    rf_source = {r: w for w, r in rels["rf"]}
    rels["fr"] = frozenset(
        (r, w2) for r, w in rf_source.items() for w1, w2 in rels["co"] if w1 == w
    )
    rels["po-loc"] = rels["po"] & rels["loc"]
    # herd's sm/si (events of one single-copy-atomic access): accesses are never split.
    rels["sm"] = rels["si"] = frozenset((a, b) for a, b in rels["loc"] if a == b)
    for base in ("rf", "co", "fr"):
        rels[base + "e"] = rels[base] & rels["ext"]
        rels[base + "i"] = rels[base] & rels["int"]


def _successors(r: Relation) -> dict[int, list[int]]:
    succ: dict[int, list[int]] = {}
    for x, y in r:
        succ.setdefault(x, []).append(y)
    return succ


def _closure(r: Relation) -> Relation:
    """Transitive closure, by repeated composition until nothing new appears."""
    closed = set(r)
    frontier = set(r)
    while frontier:
        succ = _successors(frozenset(closed))
        new = {(x, z) for x, y in frontier for z in succ.get(y, ())} - closed
        closed |= new
        frontier = new
    return frozenset(closed)


def _event_sets(events: Sequence[Event], co: Relation) -> dict[str, EventSet]:
    """R, W, F, IW, FW, and one set per instruction tag."""
    sets: dict[str, set[int]] = {"R": set(), "W": set(), "F": set(), "IW": set(), "FW": set()}
    has_successor = {x for x, _ in co}
    for e in events:
        if e.kind in sets:  # a FAULT event is in its tags' sets only
            sets[e.kind].add(e.eid)
        if e.kind == "W" and e.thread is None:
            sets["IW"].add(e.eid)
        if e.kind == "W" and e.eid not in has_successor:
            sets["FW"].add(e.eid)
        for tag in e.tags:
            sets.setdefault(tag, set()).add(e.eid)
    return {k: frozenset(v) for k, v in sets.items()}
