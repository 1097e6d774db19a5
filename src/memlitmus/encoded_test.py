"""One litmus test encoded once for a front end: its event program, the final-state
terms herd observes (locations, then faults), the filter, and the solver session that
every model routed to that front end is judged in (`judge.judge_each`)."""

from __future__ import annotations

from dataclasses import replace

import z3

from memlitmus.arch.base import Arch, ReadsMacros, lower
from memlitmus.arch.registry import arch_of
from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.terms import Cond, disj, to_int
from memlitmus.faults import ObservedFault, fault_atoms, matches, observed_faults
from memlitmus.litmus.ast import (
    And,
    Atom,
    FaultAtom,
    Implies,
    LitmusTest,
    Loc,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
    Value,
)
from memlitmus.litmus.names import location_name, name_sort_key
from memlitmus.observe import (
    INT_TYPES,
    Observed,
    cast_value,
    declared_arrays,
    declared_types,
    final_term,
    prop_cond,
    prop_locations,
    value_id,
)
from memlitmus.options import Options
from memlitmus.outcomes.search import Row
from memlitmus.solve import Session


class TestEncoding:
    """One test's executions in one solver, ready to be judged under several models."""

    def __init__(self, test: LitmusTest, options: Options, front_end: Arch):
        self.test = test
        self.descriptor = arch_of(test)
        self.arch = front_end
        # herd's `-macros FILE.def` gives the kernel primitives of C code
        if options.macros is not None and isinstance(self.arch, ReadsMacros):
            self.arch = self.arch.with_macros(options.macros)
        self.program = lower(test, self.arch, options.setup.variants)
        self.enc = ExecutionEncoding(self.program)
        self.observed = self._observed()
        # herd's faults of the final state: all of them when the condition or
        # `locations` names a fault (`ffaults`), else none; those the filter's or
        # the condition's atoms may match are the ones that matter
        self.fault_atoms = fault_atoms([test.condition.prop], test.location_faults)
        tested = fault_atoms([test.filter], self.fault_atoms) if self.fault_atoms else ()
        self.faults = observed_faults(self.enc, tested)
        self.prop = self._typed(test.condition.prop)
        self.session = Session.create(options.timeout_s)
        filter_cond = self._cond_of_filter()
        self.session.add(self.enc.constraints)
        if filter_cond is not True:
            self.session.add([filter_cond])

    def _observed(self) -> list[Observed]:
        locs: list[Loc] = list(self.test.locations)
        for loc in prop_locations(self.test.condition.prop):
            if loc not in locs:
                locs.append(loc)
        arrays = declared_arrays(self.test.init)
        named = [(loc, loc.name if isinstance(loc, MemLoc) and loc.name in arrays
                  else location_name(loc, self.test.arch)) for loc in locs]
        named.sort(key=lambda item: name_sort_key(item[1], self.test.arch))
        types = declared_types(self.test.init)
        observed = []
        for loc, name in named:
            # a whole array (`locations [t]`, `t={1,2}`) is observed element by element
            parts = [MemLoc(e) for e in arrays[name]] if name in arrays else [loc]
            observed += [
                Observed(part, name, final_term(self.enc, part, self.arch.canonical_reg,
                                                self.ctype(part)), types.get(part),
                         name if name in arrays else None)
                for part in parts
            ]
        return observed

    def term_of(self, loc: Loc) -> int | z3.ArithRef:
        """The final-value term of any location (observed ones are cached)."""
        for obs in self.observed:
            if obs.loc == loc:
                return obs.term
        return final_term(self.enc, loc, self.arch.canonical_reg, self.ctype(loc))

    def ctype(self, loc: Loc) -> str | None:
        """The C type through which herd shows `loc`'s final value: its type in the init
        block, else the architecture's default (`Architecture.default_type`)."""
        default = self.descriptor.default_type
        if default is None:
            return None
        canonical = self.arch.canonical_reg
        for entry in self.test.init:
            same = entry.loc == loc or (
                isinstance(entry.loc, RegLoc) and isinstance(loc, RegLoc)
                and entry.loc.thread == loc.thread
                and canonical(entry.loc.reg) == canonical(loc.reg))
            if same and entry.ctype is not None:
                return entry.ctype
        return default

    def terms(self) -> list[int | z3.ArithRef]:
        """The terms a state is read from: the observed locations' final values, then
        whether each observed fault happens (0/1)."""
        return [obs.term for obs in self.observed] + [to_int(f.occurs) for f in self.faults]

    def fault_cond(self, atom: FaultAtom) -> Cond:
        """The condition that a fault atom holds: some fault it matches happens."""
        return disj(f.occurs for f in self.faults if matches(atom, f.thread, f.fault))

    def split(self, row: Row) -> tuple[dict[Loc, int], list[ObservedFault]]:
        """A row of `terms()` values: the locations' values, and the faults that happen."""
        n = len(self.observed)
        values = {obs.loc: v for obs, v in zip(self.observed, row[:n], strict=True)}
        return values, [f for f, v in zip(self.faults, row[n:], strict=True) if v]

    def ident(self, value: Value) -> int:
        """The integer of a literal value."""
        return value_id(self.enc, value)

    def _cond_of_filter(self) -> Cond:
        if self.test.filter is None:
            return True
        return prop_cond(self._typed(self.test.filter), self.term_of, self.ident,
                         self.fault_cond)

    def _typed(self, prop: Prop) -> Prop:
        """`prop` with each number compared to a typed location read as a value of that
        type, as herd reads it (`0:X4=0xf000000f` on an `int` register is -268435441)."""
        if isinstance(prop, Atom):
            ctype = self.ctype(prop.loc)
            if isinstance(prop.value, int) and ctype in INT_TYPES:
                bits, is_signed = INT_TYPES[ctype]
                return replace(prop, value=cast_value(prop.value, bits, is_signed))
            return prop
        if isinstance(prop, Not):
            return replace(prop, arg=self._typed(prop.arg))
        if isinstance(prop, And | Or | Implies):
            return replace(prop, left=self._typed(prop.left), right=self._typed(prop.right))
        return prop
