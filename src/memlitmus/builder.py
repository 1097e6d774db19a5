"""Builders that front ends use to turn code into an immutable EventProgram.

A thread is executed symbolically once: registers hold expressions, the current path
condition (`guard`) becomes each event's guard, and forward branches are joined at their
labels by merging register values with `ite`. This is how one event program stands for
every control-flow path herd would enumerate.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from memlitmus import mixed_size
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import (
    INIT_THREAD,
    TRUE,
    ZERO,
    AddrOf,
    Const,
    Event,
    EventProgram,
    Expr,
    Fault,
    Ite,
    and_,
    dependency_conditions,
    not_,
    or_,
    pick_conditions,
    read_value,
)
from memlitmus.nesting import ExprDepth

PICK = {"addr": "pick-addr", "data": "pick-data", "ctrl": "pick-ctrl"}
"""The relation that carries the pick dependencies of each kind (see `Expr.picks`)."""


@dataclass
class PathState:
    """Where symbolic execution stands: path condition, registers, branch dependencies."""

    guard: Expr
    regs: dict[str, Expr]
    ctrl: frozenset[int]
    pick_ctrl: frozenset[int] = frozenset()


class ProgramBuilder:
    """Collects events from every thread, then freezes them into an EventProgram."""

    def __init__(
        self, init_memory: dict[str, Expr],
        elements: dict[str, tuple[str, int, Expr]] | None = None,
        layout: mixed_size.Layout | None = None,
    ):
        self.locations: list[str] = list(init_memory)
        # names that are only values, never memory: an address no access uses
        self.value_names: list[str] = []
        # array elements `t[1]` → (array `t`, byte offset, initial value)
        self.elements = elements or {}
        # mixed-size mode (`Variant=mixed`): how locations are laid out, and each split
        # access's byte events by the eid of its first (mixed_size)
        self.layout = layout
        self.accesses: dict[int, tuple[int, ...]] = {}
        self.events: list[Event] = []
        self.po: list[list[int]] = []
        self.rmw: set[tuple[int, int]] = set()
        self.addr: set[tuple[int, int]] = set()
        self.data: set[tuple[int, int]] = set()
        self.ctrl: set[tuple[int, int]] = set()
        self.final_registers: dict[tuple[int, str], Expr] = {}
        self.extra: dict[str, set[tuple[int, int]]] = {}
        self.assumptions: list[Expr] = []
        self.dep_conditions: dict[str, dict[tuple[int, int], Expr]] = {"addr": {}, "data": {}}
        self._init_memory = init_memory

    def initialise(self, name: str, value: Expr) -> None:
        """Give location `name` an initial value unless the init block gave one (AArch64:
        a code label's location holds its instruction)."""
        self.add_location(name)
        self._init_memory.setdefault(name, value)

    def add_location(self, name: str) -> None:
        """Declare a location met in code (it starts at 0 unless initialised)."""
        if name not in self.locations:
            self.locations.append(name)

    def thread(self, tid: int, init_regs: dict[str, Expr]) -> ThreadBuilder:
        """Start building thread `tid` with its initial register values."""
        while len(self.po) <= tid:
            self.po.append([])
        return ThreadBuilder(self, tid, init_regs)

    def new_event(self, event_fields: dict[str, object]) -> Event:
        """Append an event (its eid is assigned here)."""
        event = Event(eid=len(self.events), **event_fields)  # type: ignore[arg-type]
        self.events.append(event)
        return event

    def depend(self, kind: str, pair: tuple[int, int], when: Expr = TRUE) -> None:
        """Record a dependency of relation `kind` ("addr", "data", or another such as
        "pick-addr") that holds when `when` is non-zero; a pair recorded on several paths
        holds on any of them."""
        if kind in ("addr", "data"):
            relation = self.addr if kind == "addr" else self.data
        else:
            relation = self.extra.setdefault(kind, set())
        conditions = self.dep_conditions.setdefault(kind, {})
        if isinstance(when, Const) and when.value:
            relation.add(pair)
            conditions.pop(pair, None)
        elif pair not in relation:
            relation.add(pair)
            conditions[pair] = when
        elif pair in conditions:
            conditions[pair] = or_(conditions[pair], when)

    def depend_on(self, kind: str, expr: Expr, eid: int) -> None:
        """Record that event `eid` depends (kind "addr" or "data") on the reads of `expr`,
        and (relation "pick-addr" or "pick-data") on its picks."""
        for dep, when in dependency_conditions(expr).items():
            self.depend(kind, (dep, eid), when)
        if expr.picks:
            for dep, when in pick_conditions(expr).items():
                self.depend(PICK[kind], (dep, eid), when)

    def order_when(self, pair: tuple[int, int], when: Expr) -> None:
        """Program order between two events of one thread that holds only when `when` is
        non-zero: an event whose place in its thread the execution chooses (a grace
        period's remote fence, kernel/grace.py) is made after the thread's other events,
        and its order with each of them is conditional, either way round."""
        self.dep_conditions.setdefault("po", {})[pair] = when

    def relate(self, name: str, pair: tuple[int, int]) -> None:
        """Record a pair of an extra static relation (e.g. a lowering's own relation)."""
        self.extra.setdefault(name, set()).add(pair)

    def build(self) -> EventProgram:
        """Freeze: prepend the initial writes and renumber nothing (init writes go last)."""
        cells = self._init_writes() if self.layout is None else mixed_size.init_writes(
            self.layout, self.locations, self._init_memory, self.elements, self._init_write)
        return EventProgram(
            events=tuple(self.events),
            po=tuple(tuple(p) for p in self.po),
            rmw=frozenset(self.rmw),
            addr=frozenset(self.addr),
            data=frozenset(self.data),
            ctrl=frozenset(self.ctrl),
            locations=tuple(self.locations),
            value_names=tuple(n for n in self.value_names if n not in self.locations),
            final_registers=dict(self.final_registers),
            extra_relations={k: frozenset(v) for k, v in self.extra.items()},
            assumptions=tuple(self.assumptions),
            dep_conditions={k: dict(v) for k, v in self.dep_conditions.items() if v},
            elements={name: (base, off) for name, (base, off, _) in self.elements.items()},
            byte_cells=cells,
        )

    def _init_writes(self) -> dict[str, tuple[str, int, int]]:
        """One initial write per location and array element (no byte cells)."""
        for name in self.locations:
            self._init_write(AddrOf(name), self._init_memory.get(name, ZERO))
        for base, offset, value in self.elements.values():
            if offset:  # element 0 is the array's own location
                self._init_write(AddrOf(base, offset), value)
        return {}

    def _init_write(self, addr: AddrOf, value: Expr) -> None:
        self.new_event({"thread": INIT_THREAD, "kind": "W", "addr": addr, "value": value,
                        "tags": frozenset({"IW"})})


@dataclass
class ThreadBuilder:
    """Symbolic execution of one thread."""

    program: ProgramBuilder
    tid: int
    init_regs: dict[str, Expr]
    state: PathState = field(init=False)
    pending: dict[str, list[PathState]] = field(default_factory=dict)
    instr: int = 0
    # where the thread is (its header, then each memory event's): the position of an error
    # found in a value rather than in the text, such as a too deeply nested expression
    span: Span | None = None
    depth: ExprDepth = field(default_factory=ExprDepth)
    # every thread of the test by number, for code that runs another thread's code
    # (AArch64's `BLR X1` with X1 = label `P1:L1`)
    peers: dict[int, object] = field(default_factory=dict)
    # herd's variants, lower-cased: the test's `Variant=` words and the command line's
    # `-variant`s (`base.variants_of`), for semantics they change (AArch64 NV2, telechat)
    variants: frozenset[str] = frozenset()
    # the instruction being run, named when one of its accesses is refused
    construct: str = "this access"
    # herd's fault handling (`base.fault_handling_of`): "fatal", "skip" or "handled"
    fault_handling: str = "fatal"
    # the labels of the instruction being run (herd's `ii.labels`), which name its faults
    instr_labels: frozenset[str] = frozenset()
    # paths that ended before the thread's code did (a fatal fault), joined at `finish`
    exits: list[PathState] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.state = PathState(TRUE, dict(self.init_regs), frozenset())

    def next_instruction(self) -> None:
        """Events from here on belong to a new instruction (and are po-after earlier ones)."""
        self.instr += 1

    # registers ---------------------------------------------------------------------------

    def get(self, reg: str) -> Expr:
        """The current value of a register (0 if never set)."""
        return self.state.regs.get(reg, ZERO)

    def set(self, reg: str, value: Expr) -> None:
        """Assign a register (UnsupportedError when the value nests past MAX_NESTING)."""
        self.state.regs[reg] = self._measure(value)

    def set_address(self, reg: str, value: AddrOf) -> None:
        """Assign a register an address that names no memory (a code address herd puts
        in ELR_EL1): it has a value of its own, but no location, no initial write."""
        if value.name not in self.program.value_names:
            self.program.value_names.append(value.name)
        self.state.regs[reg] = value

    def _measure(self, value: Expr) -> Expr:
        """`value`, once its depth is checked and the locations it points to declared."""
        self.depth.check(value, self.span)
        while self.depth.pointers:
            name = self.depth.pointers.pop()
            if name not in self.program.value_names:  # a code address stays a value
                self.program.add_location(name)
        return value

    @property
    def reachable(self) -> bool:
        """False in code that no path reaches (after an unconditional jump)."""
        return not (isinstance(self.state.guard, Const) and self.state.guard.value == 0)

    # memory events -----------------------------------------------------------------------

    def read(
        self, addr: Expr, tags: frozenset[str], span: Span | None, size: int | None = None
    ) -> tuple[int, Expr]:
        """A read event of `size` bytes; returns its eid and the value it returns. In
        mixed-size mode it is split into byte reads (`mixed_size`); the eid is the first
        one's, and an access of unknown size is refused."""
        if self.program.layout is not None:
            eids = self._split(addr, self._size(size, span), span, tags, None)
            return eids[0], mixed_size.recompose([read_value(e) for e in eids])
        eid = self._event("R", addr, None, tags, span)
        return eid, read_value(eid)

    def write(
        self, addr: Expr, value: Expr, tags: frozenset[str], span: Span | None,
        size: int | None = None,
    ) -> int:
        """A write event storing `value` (`size` bytes) at `addr`; in mixed-size mode,
        byte writes (the first one's eid is returned)."""
        if self.program.layout is not None:
            return self._split(addr, self._size(size, span), span, tags, value)[0]
        eid = self._event("W", addr, value, tags, span)
        self.program.depend_on("data", value, eid)
        return eid

    def bytes_of(self, eid: int) -> tuple[int, ...]:
        """The events of the access whose first event is `eid`: its bytes in mixed-size
        mode, else the event itself."""
        return self.program.accesses.get(eid, (eid,))

    def _size(self, size: int | None, span: Span | None) -> int:
        if size is None:
            raise UnsupportedError(f"`{self.construct}` in mixed-size mode (`Variant=mixed`)",
                                   span)
        return size

    def _split(
        self, addr: Expr, size: int, span: Span | None, tags: frozenset[str],
        value: Expr | None,
    ) -> tuple[int, ...]:
        """The byte events of one access (a write when `value` is given), one
        single-copy-atomic class (`mixed_size.byte_accesses`)."""
        assert self.program.layout is not None
        eids: list[int] = []
        for at, part in mixed_size.byte_accesses(self.program.layout, addr, size, value, span):
            eids.append(self._event("R" if part is None else "W", at, part, tags, span))
            if part is not None:
                self.program.depend_on("data", part, eids[-1])
        sca = self.program.extra.setdefault("sca", set())
        sca.update((a, b) for a in eids for b in eids if a != b)
        self.program.accesses[eids[0]] = tuple(eids)
        return tuple(eids)

    def fence(self, tags: frozenset[str], span: Span | None) -> int:
        """A fence event."""
        return self._event("F", None, None, tags, span)

    def fault(self, fault: Fault, tags: frozenset[str], span: Span | None) -> int:
        """A fault event of the instruction being run (herd's `mk_fault`): no access, no
        value; `tags` are herd's event sets it belongs to (`FAULT`, `EXC-ENTRY`, ...)."""
        return self._event("FAULT", None, None, tags, span, fault)

    def stop(self) -> None:
        """End the current path here, its registers final (herd's fatal fault: the
        thread runs no further instruction, `mem.ml` `add_fault`); later code runs only
        on paths that branch around it."""
        if self.reachable:
            self.exits.append(self.state)
        self.state = PathState(ZERO, dict(self.state.regs), self.state.ctrl,
                               self.state.pick_ctrl)

    def assume(self, cond: Expr) -> None:
        """Keep only executions where `cond` holds whenever the current path is taken
        (e.g. a lock acquisition that must read "unlocked")."""
        self.program.assumptions.append(or_(not_(self.state.guard), cond))

    def pair_rmw(self, read_eid: int, write_eid: int, single_instruction: bool = True) -> None:
        """Mark a read and a write as one atomic read-modify-write (`amo` too when one
        instruction does both, as opposed to a load-reserve/store-conditional pair)."""
        for pair in self._byte_pairs(read_eid, write_eid):
            self.program.rmw.add(pair)
            if single_instruction:
                self.program.relate("amo", pair)

    def _byte_pairs(self, read_eid: int, write_eid: int) -> list[tuple[int, int]]:
        """An RMW's pairs: in mixed-size mode, each byte read with the byte written at its
        address (`mixed_size.byte_pairs`)."""
        reads, writes = self.bytes_of(read_eid), self.bytes_of(write_eid)
        if len(reads) == len(writes) == 1:
            return [(read_eid, write_eid)]
        return mixed_size.byte_pairs(self.program.events, reads, writes)

    def _event(
        self, kind: str, addr: Expr | None, value: Expr | None,
        tags: frozenset[str], span: Span | None, fault: Fault | None = None,
    ) -> int:
        self.span = span or self.span
        for part in (addr, value):
            if part is not None:
                self._measure(part)
        event = self.program.new_event(
            {"thread": self.tid, "kind": kind, "addr": addr, "value": value,
             "tags": tags, "guard": self.state.guard, "span": span, "instr": self.instr,
             "fault": fault}
        )
        self.program.po[self.tid].append(event.eid)
        if addr is not None:
            self.program.depend_on("addr", addr, event.eid)
        self.program.ctrl.update((d, event.eid) for d in self.state.ctrl)
        for d in self.state.pick_ctrl:
            self.program.relate(PICK["ctrl"], (d, event.eid))
        return event.eid

    # control flow --------------------------------------------------------------------------

    def branch(self, cond: Expr, label: str) -> None:
        """Jump forward to `label` when `cond` is non-zero."""
        ctrl = self.state.ctrl | cond.deps
        picks = self.state.pick_ctrl | cond.picks
        guard = self._measure(and_(self.state.guard, cond))
        taken = PathState(guard, dict(self.state.regs), ctrl, picks)
        self.pending.setdefault(label, []).append(taken)
        self.state = PathState(and_(self.state.guard, not_(cond)), self.state.regs, ctrl, picks)

    def jump(self, label: str) -> None:
        """Jump forward to `label` unconditionally."""
        self.pending.setdefault(label, []).append(self.state)
        self.state = PathState(ZERO, dict(self.state.regs), self.state.ctrl,
                               self.state.pick_ctrl)

    def label(self, name: str) -> None:
        """Join every path that jumps to `name` with the fall-through path."""
        for incoming in self.pending.pop(name, []):
            self.state = _merge(self.state, incoming)
            for value in (self.state.guard, *self.state.regs.values()):
                self._measure(value)

    @contextmanager
    def structured(self) -> Iterator[PathState]:
        """Code whose branches all meet again at its end, such as a C `if`: afterwards the
        path condition and control dependencies are those of before (the state yielded).

        Control dependencies: herd's C semantics makes only the statements inside an
        `if` depend on its condition, not the code after it (unlike assembly, where a
        branch orders everything after it). Path condition: a join gives `g∧c ∨ g∧¬c`,
        equal to `g` but not folded; keeping it syntactically `g` leaves events after an
        `if` statically certain, so the model's fixpoints (RCU nesting) stay exact and
        cheap.
        """
        before = PathState(self.state.guard, {}, self.state.ctrl, self.state.pick_ctrl)
        yield before
        self.state.guard, self.state.ctrl = before.guard, before.ctrl
        self.state.pick_ctrl = before.pick_ctrl

    def finish(self, span: Span | None) -> None:
        """Record final register values; a jump to a label never defined is an error."""
        if self.pending:
            label = sorted(self.pending)[0]
            raise UnsupportedError(f"branch to undefined or backward label `{label}`", span)
        for ended in self.exits:  # paths a fault ended keep their registers
            self.state = _merge(self.state, ended)
        self.exits.clear()
        for reg, value in self.state.regs.items():
            self.program.final_registers[(self.tid, reg)] = value


def _merge(a: PathState, b: PathState) -> PathState:
    """The state after two paths join: values chosen by which path was taken."""
    picks = a.pick_ctrl | b.pick_ctrl
    if isinstance(a.guard, Const) and a.guard.value == 0:
        return PathState(b.guard, dict(b.regs), a.ctrl | b.ctrl, picks)
    regs = {}
    for reg in a.regs.keys() | b.regs.keys():
        regs[reg] = select(b.guard, b.regs.get(reg, ZERO), a.regs.get(reg, ZERO))
    return PathState(or_(a.guard, b.guard), regs, a.ctrl | b.ctrl, picks)


def select(guard: Expr, then: Expr, other: Expr) -> Expr:
    """`guard ? then : other` where the choice adds no dependency on the guard.

    After a join, herd sees each path as its own execution, so a register's value depends
    only on the reads that computed it on that path, not on the branch condition.
    """
    if then == other:
        return then
    if isinstance(guard, Const):
        return then if guard.value else other
    return Ite(guard, then, other, then.deps | other.deps, join=True,
               picks=then.picks | other.picks)
