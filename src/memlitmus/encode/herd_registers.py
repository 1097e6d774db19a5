"""herd's register and branch events for AArch64, rebuilt from the front end's
dependencies, for a herd model that computes dependencies itself (`catdep`).

herd's AArch64 front end makes an event of every register read and write and of every
branch, relates the events of one instruction by intra-instruction causality (`iico_data`,
`iico_ctrl`, `iico_order`; herd's `event.ml`) and the register write a register read
takes its value from by `rf-reg`. herd's `aarch64deps.cat` derives `addr`, `data`, `ctrl`
and the "pick" dependencies from them:

    dtrm       = [~range(lxsx)]; rf-reg | lrs | iico_data | dtrm; dtrm
    data       = [Exp & R]; ([Exp & R | Rreg]; dtrm?; [DATA]; iico_data+; [Exp & W])
                 & ~same-instance
    addr       = the same through a register read that is not DATA (ADDR)
    ctrl       = [Exp & R]; [Exp & R | Rreg]; dtrm?; [BCC]; po

memlitmus's front end executes registers symbolically and records, per pair of events,
the dependencies herd would find through registers (`EventProgram.addr`, `data`, `ctrl`,
and the pick relations `pick-addr`, `pick-data`, `pick-ctrl`). `RegisterEvents` turns each
such pair back into the shape herd's events have, with the fewest events that give the
same register paths:

- a read r that something depends on gets a register write `out(r)` (`iico_data` r →
  out(r): the loaded register), and, for pick dependencies, a second one `pout(r)` reached
  by `iico_ctrl` (a value r only selects, as CSEL's flags or a CAS's comparison);
- an access e with an address (data) dependency gets a register read `ADDR(e)` (`DATA(e)`)
  with `iico_data` to e; the pair becomes `rf-reg` out(r) → ADDR(e) (DATA(e)), under the
  path condition the dependency holds on;
- a read r with control dependencies gets a register read and a conditional branch
  (`BCC`, in herd's `B`), `iico_data` from one to the other, and the branch is po-before
  every event r's branches precede; `pick-ctrl` likewise from pout(r);
- the read and write of one atomic instruction are related as herd's `swp_or_amo` and
  `aarch64_cas` relate them: `iico_data` when the value written is computed from the value
  read (LDADD…), `iico_ctrl` when the write happens on a comparison with it (CAS: herd
  goes through the comparison's branch event, `iico_data; iico_ctrl`), `iico_order`
  otherwise (SWP); the front end's own `iico_order` pairs (the two accesses of a pair
  instruction) are kept.

So the dependencies herd's cat file computes are the front end's, chained through memory
(`lrs`) and atomics as herd chains them. The register events of instructions with no
dependency (a `MOV` of a constant) are left out: no path of these relations goes through
them. Every new event happens when the event it belongs to happens, and is placed in
program order with its instruction; a branch is po-before its targets only (no relation
of herd's models continues from an edge into a branch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from memlitmus.events import Event, EventProgram, Expr, dependency_conditions

Pair = tuple[int, int]
T = TypeVar("T")


@dataclass
class RegisterEvents:
    """The register events of one test (ids after the memory events' ids).

    `owner` maps each new event to the memory event whose instruction it belongs to (the
    read r for out(r), the access for its ports, the first target for a branch), `kind`
    to `Rreg`, `Wreg` or `BCC`; `rf_reg` maps its pairs to the program's path condition
    (an `Expr`), or None when the pair always holds.
    """

    events: tuple[Event, ...]
    owner: dict[int, int] = field(default_factory=dict)
    kind: dict[int, str] = field(default_factory=dict)
    data_ports: set[int] = field(default_factory=set)
    iico_data: set[Pair] = field(default_factory=set)
    iico_ctrl: set[Pair] = field(default_factory=set)
    iico_order: set[Pair] = field(default_factory=set)
    rf_reg: dict[Pair, Expr | None] = field(default_factory=dict)
    branch_targets: dict[int, frozenset[int]] = field(default_factory=dict)
    branch_reads: dict[int, int] = field(default_factory=dict)
    """The register read of each branch instruction → its branch event."""
    guard_of: dict[int, int] = field(default_factory=dict)
    """The memory event whose execution each new event's happens with (a branch and its
    register read: the read it tests)."""
    _made: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def of(cls, program: EventProgram) -> RegisterEvents:
        """Build the register events of `program` (see the module's docstring)."""
        regs = cls(program.events)
        conds = program.dep_conditions
        extra = program.extra_relations
        for kind, pick in (("addr", False), ("data", False),
                           ("pick-addr", True), ("pick-data", True)):
            pairs = program.addr if kind == "addr" else (
                program.data if kind == "data" else extra.get(kind, frozenset()))
            port = "DATA" if kind.endswith("data") else "ADDR"
            for r, e in sorted(pairs):
                src = regs._new("pout" if pick else "out", r, "Wreg")
                (regs.iico_ctrl if pick else regs.iico_data).add((r, src))
                dst = regs._new(port, e, "Rreg")
                regs.iico_data.add((dst, e))
                if port == "DATA":
                    regs.data_ports.add(dst)
                regs.rf_reg[(src, dst)] = conds.get(kind, {}).get((r, e))
        for kind, pick in (("ctrl", False), ("pick-ctrl", True)):
            pairs = program.ctrl if kind == "ctrl" else extra.get(kind, frozenset())
            targets: dict[int, set[int]] = {}
            for r, e in pairs:
                targets.setdefault(r, set()).add(e)
            for r, ts in sorted(targets.items()):
                src = regs._new("pout" if pick else "out", r, "Wreg")
                (regs.iico_ctrl if pick else regs.iico_data).add((r, src))
                first = min(ts, key=lambda t: (program.events[t].instr, t))
                reg = regs._new(f"{kind}-reg", r, "Rreg", owner=first)
                branch = regs._new(f"{kind}-bcc", r, "BCC", owner=first)
                regs.rf_reg[(src, reg)] = None
                regs.iico_data.add((reg, branch))
                regs.branch_targets[branch] = frozenset(ts)
                regs.branch_reads[reg] = branch
                regs.guard_of[reg] = regs.guard_of[branch] = r
        # the front end's own iico_order (the two accesses of LDIAPP, STILP, LDP…)
        regs.iico_order.update(extra.get("iico_order", frozenset()))
        for r, w in sorted(extra.get("amo", frozenset())):
            write = program.events[w]
            if write.value is not None and r in dependency_conditions(write.value):
                regs.iico_data.add((r, w))
            elif r in dependency_conditions(write.guard):
                regs.iico_ctrl.add((r, w))
            else:
                regs.iico_order.add((r, w))
        return regs

    def _new(self, role: str, of: int, kind: str, owner: int | None = None) -> int:
        """The event playing `role` for memory event `of`, made on first use."""
        key = (role, of)
        eid = self._made.get(key)
        if eid is None:
            eid = len(self.events) + len(self._made)
            self._made[key] = eid
            self.owner[eid] = of if owner is None else owner
            self.kind[eid] = kind
            self.guard_of[eid] = of
        return eid

    @property
    def ids(self) -> list[int]:
        """The new events' ids, in order."""
        return sorted(self.owner)

    def of_kind(self, *kinds: str) -> list[int]:
        """The new events of these kinds."""
        return [g for g in self.ids if self.kind[g] in kinds]

    def attached(self) -> dict[int, list[int]]:
        """For each memory event, the register events of its instruction (not those of
        branch instructions)."""
        out: dict[int, list[int]] = {}
        for g in self.ids:
            if self.kind[g] != "BCC" and g not in self.branch_reads:
                out.setdefault(self.owner[g], []).append(g)
        return out

    def po_lifted(self, real: Mapping[Pair, T]) -> dict[Pair, T]:
        """Program order over the register events, from po over the memory events (each
        pair with its condition): a register event is ordered as the event of its
        instruction, under the condition of that pair."""
        attached = self.attached()
        out: dict[Pair, T] = {}
        for (a, b), cond in real.items():
            for x in (a, *attached.get(a, ())):
                for y in (b, *attached.get(b, ())):
                    if (x, y) != (a, b):
                        out[(x, y)] = cond
        return out

    def branch_po(self) -> list[Pair]:
        """A branch (and its register read) precedes its targets and their register
        events."""
        attached = self.attached()
        return [(x, y) for reg, branch in self.branch_reads.items()
                for t in self.branch_targets[branch]
                for x in (reg, branch) for y in (t, *attached.get(t, ()))]

    def same_instance(self) -> list[Pair]:
        """Pairs of events (memory and register) of one instruction instance."""
        groups: dict[tuple[int, int], list[int]] = {}
        for e in self.events:
            if not e.is_init:
                groups.setdefault((e.thread, e.instr), []).append(e.eid)
        for owner, regs in self.attached().items():
            event = self.events[owner]
            groups.setdefault((event.thread, event.instr), []).extend(regs)
        pairs = [(e.eid, e.eid) for e in self.events if e.is_init]
        for reg, branch in self.branch_reads.items():
            pairs += [(a, b) for a in (reg, branch) for b in (reg, branch)]
        for members in groups.values():
            pairs.extend((a, b) for a in members for b in members)
        return pairs
