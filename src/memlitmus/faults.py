"""Faults in the final state: which a condition tests, and how herd prints them.

herd 7.58 puts in an execution's final state the faults of its fault events
(herd/mem.ml `compute_final_state`, `Act.to_fault`), but only when the final condition
(or `locations`) names a fault: `fault(P0:L0,Type)` and the other forms of
lib/stateParser.mly (`FaultAtom`). A fault atom holds when some fault of the state
matches it (lib/fault.ml `check_one_fatom`: same thread, the label among the faulting
instruction's labels, the same type and location when the atom gives them).

A state line then shows (herd/archExtra_herd.ml `do_dump_final_state`), after the
registers and memory: each fault of the state that matches some atom of the condition,
`Fault(P0:L0,UndefinedInstruction);` in herd's fault order, then ` ~Fault(...);` for each
atom no fault matches, in the reverse of herd's atom order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.terms import Cond, disj
from memlitmus.events import Fault
from memlitmus.litmus.ast import FAULT_TYPES, And, FaultAtom, Implies, Not, Or, Prop

__all__ = ["ObservedFault", "absent_text", "fault_atoms", "fault_text", "matches",
           "observed_faults"]


@dataclass(frozen=True)
class ObservedFault:
    """A fault some atom of the condition may match: its thread, what it records, and
    when the execution has it (one of the fault events of that instruction happens)."""

    thread: int
    fault: Fault
    occurs: Cond

    @property
    def text(self) -> str:
        return fault_text(self.thread, self.fault)


def fault_atoms(props: Iterable[Prop | None],
                more: Iterable[FaultAtom] = ()) -> tuple[FaultAtom, ...]:
    """The distinct fault atoms of the propositions and `more` (herd's `ffaults`: those
    of the condition and of `locations`), in herd's atom order (`FaultAtomSet`: thread,
    label, location, type; absent parts first)."""
    found: dict[tuple[int, str | None, str | None, str | None], FaultAtom] = {}
    for atom in more:
        found.setdefault((atom.proc, atom.label, atom.loc, atom.ftype), atom)
    stack = list(props)
    while stack:  # iterative: a long conjunction must not reach the recursion limit
        p = stack.pop()
        if isinstance(p, FaultAtom):
            found.setdefault((p.proc, p.label, p.loc, p.ftype), p)
        elif isinstance(p, Not):
            stack.append(p.arg)
        elif isinstance(p, And | Or | Implies):
            stack += [p.right, p.left]
    return tuple(sorted(found.values(), key=_atom_key))


def matches(atom: FaultAtom, thread: int, fault: Fault) -> bool:
    """Does the fault match the atom (lib/fault.ml `check_one_fatom`)?"""
    return (atom.proc == thread
            and (atom.label is None or atom.label in fault.labels)
            and (atom.ftype is None or atom.ftype == fault.ftype)
            and (atom.loc is None or atom.loc == fault.loc))


def observed_faults(enc: ExecutionEncoding, atoms: tuple[FaultAtom, ...]) -> list[ObservedFault]:
    """The faults of the program's fault events that some atom matches, each once (the
    events of one instruction on several paths are one fault), in herd's fault order."""
    occurs: dict[tuple[int, Fault], list[Cond]] = {}
    for e in enc.events:
        if e.fault is not None and any(matches(a, e.thread, e.fault) for a in atoms):
            occurs.setdefault((e.thread, e.fault), []).append(enc.exec[e.eid])
    out = [ObservedFault(thread, fault, disj(conds))
           for (thread, fault), conds in occurs.items()]
    return sorted(out, key=lambda f: _fault_key(f.thread, f.fault))


def fault_text(thread: int, fault: Fault) -> str:
    """A fault as herd prints it in a state (lib/fault.ml `pp_fault`):
    `Fault(P0:L0,x,Type,msg)`, labels `P0:{L0,L1}` when the instruction has several."""
    labels = sorted(fault.labels)
    where = (f"P{thread}" if not labels else f"P{thread}:{labels[0]}" if len(labels) == 1
             else f"P{thread}:{{{','.join(labels)}}}")
    rest = "".join(f",{p}" for p in (fault.loc, fault.ftype, fault.msg) if p is not None)
    return f"Fault({where}{rest})"


def absent_text(atom: FaultAtom) -> str:
    """An atom no fault matches, as a state shows it: `~Fault(P0,UndefinedInstruction)`."""
    labels = frozenset({atom.label}) if atom.label is not None else frozenset()
    return "~" + fault_text(atom.proc, Fault(labels, atom.loc, atom.ftype))


def _opt(value: str | None) -> tuple[int, str]:
    """herd's `Misc.opt_compare`: None first."""
    return (0, "") if value is None else (1, value)


def _type_key(ftype: str | None) -> tuple[int, int]:
    if ftype is None:
        return (0, 0)
    return (1, FAULT_TYPES.index(ftype) if ftype in FAULT_TYPES else len(FAULT_TYPES))


def _atom_key(atom: FaultAtom) -> tuple[object, ...]:
    return (atom.proc, _opt(atom.label), _opt(atom.loc), _type_key(atom.ftype))


def _fault_key(thread: int, fault: Fault) -> tuple[object, ...]:
    return (thread, tuple(sorted(fault.labels)), _opt(fault.loc), _type_key(fault.ftype),
            _opt(fault.msg))
