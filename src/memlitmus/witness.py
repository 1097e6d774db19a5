"""Executions as data: the witness of an allowed final state, and why a final state is
forbidden (the checks it violates, with one violating cycle or edge).

Everything here is plain, immutable data with event ids as integers, so reporters (JSON,
terminal, HTML) can render it without Z3 or the cat interpreter. The vocabulary is the
usual axiomatic one (Alglave, Maranget, Tautschnig, "Herding cats", TOPLAS 2014, §4):
events, program order `po`, reads-from `rf`, coherence `co`, from-read `fr`, and the
model's own named relations (`ppo`, `ob`, `hb`, `pb`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Pair = tuple[int, int]

# The relations of every execution, in the order reporters show them.
BASE_RELATIONS = ("po", "rf", "co", "fr", "rmw", "addr", "data", "ctrl")


_FAULT_SETS = frozenset({"FAULT", "FAULT-RD", "FAULT-WR", "EXC-ENTRY"})


@dataclass(frozen=True)
class WitnessEvent:
    """One event of an execution.

    `thread` is -1 for an initial write; `index` is its position in its thread's program
    order (0-based, initial writes 0). `kind` is "R", "W", "F" or "FAULT" (a
    read-modify-write is a read and a write related by `rmw`). `location` and `value` are
    printed as herd prints them (`x`, `1`, or a location name for a pointer); None for a
    fence or a fault. `tags` are the
    event's instruction and annotation sets (`MFENCE`, `X`, `Once`, `Acquire`, `Mb`, ...).
    """

    eid: int
    thread: int
    index: int
    kind: str
    location: str | None
    value: str | None
    tags: tuple[str, ...] = ()

    @property
    def is_init(self) -> bool:
        """True for the initial write of a location."""
        return self.thread == -1

    @property
    def label(self) -> str:
        """`W x=1`, `R y=0`, `F mb`: the event as a graph or a cycle names it."""
        if self.kind == "F":
            shown = [t for t in self.tags if t != "F"]
            return f"F {shown[0].lower()}" if shown else "F"
        if self.kind == "FAULT":  # `Fault UndefinedInstruction`, as herd's type names it
            named = sorted(set(self.tags) - _FAULT_SETS)
            return f"Fault {named[0]}" if named else "Fault"
        return f"{self.kind} {self.location}={self.value}"


@dataclass(frozen=True)
class Execution:
    """One candidate execution: its events and relations, each restricted to it.

    `relations` holds the base relations (`BASE_RELATIONS`, plus any the architecture
    adds such as `amo`), as sets of (source, target) event ids; `co` and `po` are
    transitive, as in the model. `model_relations` holds the relations the model names
    with a top-level `let` (in definition order) and used to judge this test; `checked`
    names those of them a check of the model mentions directly (`ghb`, `ob`, `hb`, ...).
    """

    events: tuple[WitnessEvent, ...]
    relations: dict[str, tuple[Pair, ...]] = field(default_factory=dict)
    model_relations: dict[str, tuple[Pair, ...]] = field(default_factory=dict)
    checked: tuple[str, ...] = ()

    def event(self, eid: int) -> WitnessEvent:
        """The event with id `eid` (KeyError when it is not in the execution)."""
        for e in self.events:
            if e.eid == eid:
                return e
        raise KeyError(eid)


@dataclass(frozen=True)
class Edge:
    """One edge of a violating cycle: `relations` are the names of the relations that
    contain it, most basic first (`rfe` before `ghb`), the first being how to read it.

    An edge no base relation contains (a composite one, such as LKMM's `hb` through
    `prop`) carries in `via` a shortest path of base edges from its source to its target
    (for a self-loop, a shortest cycle of base edges through the event): a route the
    composite relation may have taken, to read it by.
    """

    source: int
    target: int
    relations: tuple[str, ...]
    via: tuple[Edge, ...] = ()


@dataclass(frozen=True)
class Violation:
    """How one execution violates one check.

    `check` is the check as written in the cat file (`acyclic ghb as tso`); `name` its
    `as` name if any; `kind` is acyclic, irreflexive or empty. For acyclic the `edges`
    form a cycle (each edge's target is the next edge's source, the last returns to the
    first); for irreflexive it is one edge from an event to itself; for empty one pair
    of the relation, or no edge and `events` naming one member of the set.
    """

    check: str
    name: str | None
    kind: str
    edges: tuple[Edge, ...] = ()
    events: tuple[int, ...] = ()


@dataclass(frozen=True)
class ForbiddenOutcome:
    """A candidate final state the model forbids.

    `state` pairs herd names with printed values, in herd's order; `satisfies` says
    whether it satisfies the test's condition. `violated` lists the checks every execution
    reaching the state violates. `execution` is one execution reaching the state that
    satisfies every other check, and `violations` how it breaks the checks it does
    break: those of `violated`, or, when no single check is violated by every execution
    (each breaks a different one), the fewest checks found to explain the state.
    """

    state: tuple[tuple[str, str], ...]
    satisfies: bool
    violated: tuple[str, ...]
    execution: Execution | None = None
    violations: tuple[Violation, ...] = ()
