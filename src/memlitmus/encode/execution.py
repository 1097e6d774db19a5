"""Candidate executions as one Z3 problem: which write each read reads from (rf), the
coherence order of each location (co), the values that flow, and which events happen.

Static facts stay in Python: an rf or co edge between two events that can never share a
location is not encoded at all, and a condition known to hold is the Python value True.
"""

from __future__ import annotations

from functools import cached_property

import z3

from memlitmus.encode.terms import (
    LOCATION_STRIDE,
    Cond,
    Term,
    TermBuilder,
    conj,
    disj,
    equal,
    neg,
    to_cond,
    to_int,
)
from memlitmus.encode.thin_air import encode_thin_air
from memlitmus.encode.value_sets import (
    Bounds,
    Values,
    expr_bounds,
    expr_values,
    read_value_bounds,
    read_value_sets,
)
from memlitmus.events import Event, EventProgram, Expr


class ExecutionEncoding:
    """Z3 variables and well-formedness constraints of every candidate execution."""

    def __init__(self, program: EventProgram):
        self.program = program
        self.events = program.events
        self.location_ids = {
            name: (i + 1) * LOCATION_STRIDE for i, name in enumerate(program.locations)
        }
        for element, (array, offset) in program.elements.items():
            self.location_ids[element] = self.location_ids[array] + offset
        for name in program.value_names:  # after the locations: ids of their own
            self.location_ids[name] = (len(self.location_ids) + 1) * LOCATION_STRIDE
        self.read_values = {
            e.eid: z3.Int(f"v{e.eid}") for e in self.events if e.kind == "R"
        }
        self.constraints: list[z3.BoolRef] = []
        # a case table's operands stay in their value sets (see TermBuilder._table)
        self.terms = TermBuilder(self.location_ids, self.read_values, self._static_values,
                                 self.static_bounds, domains=self.constraints)
        self.exec = {e.eid: to_cond(self.terms.term(e.guard)) for e in self.events}
        self.addr = {
            e.eid: self.terms.term(e.addr) for e in self.events if e.addr is not None
        }
        self.writes = [e for e in self.events if e.kind == "W"]
        self.reads = [e for e in self.events if e.kind == "R"]
        self.co_pos: dict[int, int | z3.ArithRef] = {
            w.eid: 0 if w.is_init else z3.Int(f"co{w.eid}") for w in self.writes
        }
        self.rf_pos: dict[int, z3.ArithRef] = {}
        self.rf: dict[tuple[int, int], Cond] = {}
        self.co: dict[tuple[int, int], Cond] = {}
        self._encode_rf()
        self._encode_co()
        self._encode_assumptions()
        self.constraints += encode_thin_air(self)

    @cached_property
    def _read_value_sets(self) -> dict[int, Values]:
        return read_value_sets(self.program)

    def _static_values(self, expr: Expr) -> Values:
        """The values `expr` may take, known before solving (None: unknown)."""
        return expr_values(expr, self._read_value_sets)

    @cached_property
    def _read_value_bounds(self) -> dict[int, Bounds]:
        return read_value_bounds(self.program)

    def static_bounds(self, expr: Expr) -> Bounds:
        """An interval containing every value `expr` may take (None: unknown)."""
        return expr_bounds(expr, self._read_value_bounds,
                           frozenset(r.eid for r in self.program.reads()
                                     if r.eid not in self._read_value_bounds))

    def static_values(self, expr: Expr) -> Values:
        """The values `expr` may take, known before solving (None: unknown)."""
        return self._static_values(expr)

    # locations ---------------------------------------------------------------------------

    def same_loc(self, a: int, b: int) -> Cond:
        """Do events a and b access the same location?"""
        return equal(self.addr[a], self.addr[b])

    def at_location(self, eid: int, name: str) -> Cond:
        """Does event eid access location `name` (in mixed-size mode, any of its bytes)?"""
        cell = self.program.byte_cells.get(name)
        if cell is None:
            return equal(self.addr[eid], self.location_ids[name])
        base, offset, size = cell
        start = self.location_ids[base] + offset
        return disj(equal(self.addr[eid], start + k) for k in range(size))

    def value_term(self, expr: Expr) -> Term:
        """The term of any expression of the program."""
        return self.terms.term(expr)

    # rf ----------------------------------------------------------------------------------

    def _encode_rf(self) -> None:
        for r in self.reads:
            choices = []
            for w in self.writes:
                alias = self.same_loc(w.eid, r.eid)
                if alias is False or _same_instruction(w, r):
                    continue
                choices.append(self._rf_choice(w, r, alias))
            self._exactly_one_when(self.exec[r.eid], choices, r)

    def _rf_choice(self, w: Event, r: Event, alias: Cond) -> z3.BoolRef:
        var = z3.Bool(f"rf{w.eid}_{r.eid}")
        self.rf[(w.eid, r.eid)] = var
        assert w.value is not None
        implied = [
            self.exec[w.eid], alias,
            equal(self.read_values[r.eid], self.value_term(w.value)),
            self._rf_pos(r.eid) == self.co_pos[w.eid],
        ]
        dynamic = [c for c in implied if c is not True]
        if any(c is False for c in dynamic):
            self.constraints.append(z3.Not(var))
        elif dynamic:
            self.constraints.append(z3.Implies(var, z3.And(*dynamic)))
        return var

    def _rf_pos(self, r: int) -> z3.ArithRef:
        pos = self.rf_pos.get(r)
        if pos is None:
            pos = self.rf_pos[r] = z3.Int(f"rfpos{r}")
        return pos

    def _exactly_one_when(self, guard: Cond, choices: list[z3.BoolRef], r: Event) -> None:
        if not choices:
            self.constraints.append(z3.BoolVal(False) if guard is True else z3.Not(guard))
            return
        one = z3.PbEq([(c, 1) for c in choices], 1) if len(choices) > 1 else choices[0]
        if guard is True:
            self.constraints.append(one)
        else:
            self.constraints.append(z3.If(guard, one, z3.Not(z3.Or(*choices))))

    def _encode_assumptions(self) -> None:
        for assumption in self.program.assumptions:
            cond = to_cond(self.value_term(assumption))
            if cond is not True:
                self.constraints.append(z3.BoolVal(False) if cond is False else cond)

    # co ----------------------------------------------------------------------------------

    def _encode_co(self) -> None:
        writes = self.writes
        for i, a in enumerate(writes):
            if not a.is_init:
                self._positive_position(a)
            for b in writes[i + 1:]:
                self._order_pair(a, b)

    def _positive_position(self, w: Event) -> None:
        pos = self.co_pos[w.eid]
        guard = self.exec[w.eid]
        fact = pos > 0  # the initial write of every location comes first
        self.constraints.append(fact if guard is True else z3.Implies(guard, fact))

    def _order_pair(self, a: Event, b: Event) -> None:
        if a.is_init and b.is_init:
            return
        alias = self.same_loc(a.eid, b.eid)
        if alias is False:
            return
        both = conj(conj(self.exec[a.eid], self.exec[b.eid]), alias)
        pa, pb = self.co_pos[a.eid], self.co_pos[b.eid]
        if not (a.is_init or b.is_init):
            distinct = pa != pb
            self.constraints.append(distinct if both is True else z3.Implies(both, distinct))
        self.co[(a.eid, b.eid)] = conj(both, pa < pb)
        self.co[(b.eid, a.eid)] = conj(both, pb < pa)

    def identity_atoms(self) -> list[z3.BoolRef]:
        """Atoms whose values tell two executions apart: rf choices, the order of every
        pair of writes that may share a location, and free choices (herd's counting)."""
        atoms = [c for c in self.rf.values() if not isinstance(c, bool)]
        atoms += [
            c for (a, b), c in self.co.items() if a < b and not isinstance(c, bool)
        ]
        return atoms + self.terms.choices

    # derived -----------------------------------------------------------------------------

    @cached_property
    def fr(self) -> dict[tuple[int, int], Cond]:
        """fr(r, w): w is co-after the write r reads from."""
        edges: dict[tuple[int, int], Cond] = {}
        for r in self.reads:
            for w in self.writes:
                if w.is_init:
                    continue
                alias = self.same_loc(r.eid, w.eid)
                if alias is False:
                    continue
                later = self._rf_pos(r.eid) < self.co_pos[w.eid]
                edges[(r.eid, w.eid)] = conj(
                    conj(conj(self.exec[r.eid], self.exec[w.eid]), alias), later
                )
        return edges

    def is_co_last(self, w: Event) -> Cond:
        """Is w the co-maximal write of its location (the final value)?"""
        cond: Cond = self.exec[w.eid]
        for other in self.writes:
            if other.eid != w.eid and (w.eid, other.eid) in self.co:
                cond = conj(cond, neg(self.co[(w.eid, other.eid)]))
        return cond

    @cached_property
    def final_writes(self) -> dict[int, Cond]:
        """The set FW: co-last writes."""
        return {w.eid: self.is_co_last(w) for w in self.writes}

    def final_memory(self, name: str) -> z3.ArithRef | int:
        """A term for the final value of location `name` (that of its co-last write; in
        mixed-size mode, recomposed from its bytes', least significant first)."""
        cell = self.program.byte_cells.get(name)
        if cell is None:
            return self._final_at(self.location_ids[name], name)
        base, offset, size = cell
        start = self.location_ids[base] + offset
        parts = [self._final_at(start + k, f"{name}#{k}") for k in range(size)]
        if all(isinstance(part, int) for part in parts):
            return sum(int(part) << (8 * k) for k, part in enumerate(parts))
        return z3.Sum([part * (1 << (8 * k)) for k, part in enumerate(parts)])

    def _final_at(self, ident: int, name: str) -> z3.ArithRef | int:
        """The final value of the location at address `ident`, named `name` in Z3."""
        candidates = [w for w in self.writes if equal(self.addr[w.eid], ident) is not False]
        if len(candidates) == 1:
            assert candidates[0].value is not None
            return to_int(self.value_term(candidates[0].value))
        final = z3.Int(f"final_{name}")
        for w in candidates:
            assert w.value is not None
            last = conj(self.final_writes[w.eid], equal(self.addr[w.eid], ident))
            same = final == to_int(self.value_term(w.value))
            if last is not False:
                self.constraints.append(same if last is True else z3.Implies(last, same))
        return final



def _same_instruction(w: Event, r: Event) -> bool:
    """A read never reads its own instruction's write: within one instruction the read
    comes first (herd's intra-instruction causality), so such an rf edge is a cycle."""
    return w.thread == r.thread and w.instr == r.instr
