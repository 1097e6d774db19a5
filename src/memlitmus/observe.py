"""What a final state shows: the locations herd prints, their terms, and the condition."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import z3

from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.terms import LOCATION_STRIDE, Cond, Term, conj, disj, equal, neg, to_int
from memlitmus.encode.thin_air import is_symbol
from memlitmus.events import ZERO
from memlitmus.litmus.ast import (
    And,
    ArrayEq,
    Atom,
    Const,
    FaultAtom,
    Implies,
    InitEntry,
    Loc,
    LocEq,
    MemLoc,
    Not,
    Or,
    Prop,
    Value,
)


@dataclass(frozen=True)
class Observed:
    """One printed location: its herd name and its final-value term."""

    loc: Loc
    name: str
    term: int | z3.ArithRef
    ctype: str | None = None  # the declared type, which herd prints the value as
    # an element of a whole array herd prints as one binding (`t={1,2}`): the array's name
    group: str | None = None


def prop_locations(prop: Prop | None) -> list[Loc]:
    """Locations mentioned by a proposition, in order of first appearance."""
    out: list[Loc] = []

    def walk(p: Prop | None) -> None:
        if isinstance(p, ArrayEq):  # `t={1,2}` shows the whole array
            if MemLoc(p.name) not in out:
                out.append(MemLoc(p.name))
        elif isinstance(p, Atom):
            if p.loc not in out:
                out.append(p.loc)
        elif isinstance(p, LocEq):
            out.extend(loc for loc in (p.left, p.right) if loc not in out)
        elif isinstance(p, Not):
            walk(p.arg)
        elif isinstance(p, And | Or | Implies):
            walk(p.left)
            walk(p.right)

    walk(prop)
    return out


def final_term(
    enc: ExecutionEncoding, loc: Loc, canonical: Callable[[str], str], ctype: str | None = None
) -> Term:
    """The final value of a register or memory location; with `ctype`, as a value of that
    C type (`typed_term`)."""
    if isinstance(loc, MemLoc):
        term = enc.final_memory(loc.name)
        if loc.name in enc.program.byte_cells:  # mixed size: recomposed bytes, unsigned
            return term if ctype not in INT_TYPES else cast_term(term, *INT_TYPES[ctype])
        exprs = [w.value for w in enc.program.writes() if w.value is not None]
    else:
        expr = enc.program.final_registers.get((loc.thread, canonical(loc.reg)), ZERO)
        term = to_int(enc.value_term(expr))
        exprs = [expr]
    if ctype is None or ctype not in INT_TYPES:
        return term
    known: frozenset[int] | None = frozenset()
    for expr in exprs:
        values = enc.static_values(expr)
        known = None if values is None or known is None else known | values
    return typed_term(term, known, *INT_TYPES[ctype])


def typed_term(term: Term, known: frozenset[int] | None, bits: int, is_signed: bool) -> Term:
    """`term` as a value of a `bits`-bit integer type (herd prints and compares a location
    through its declared type: a W register holding 0xffffffff is `-1` as an `int`,
    `4294967295` as a `uint32_t`).

    `known` is the set of values the term may take, when known before solving: if every
    one fits the type, the term is kept as it is. With values unknown (a pointer, a value
    built from unknowns) the term is kept too.
    """
    low = -(1 << (bits - 1)) if is_signed else 0
    high = low + (1 << bits)
    if isinstance(term, int):
        return cast_value(term, bits, is_signed)
    if known is None or all(low <= v < high for v in known):
        return term
    return cast_term(term, bits, is_signed)


def cast_term(term: Term, bits: int, is_signed: bool) -> Term:
    """`term` converted to a `bits`-bit integer type, whatever values it may take."""
    if isinstance(term, int):
        return cast_value(term, bits, is_signed)
    low = to_int(term) % (1 << bits)  # integer remainder: cheaper than bit-vectors
    return z3.If(low >= (1 << (bits - 1)), low - (1 << bits), low) if is_signed else low


def cast_value(value: int, bits: int, is_signed: bool) -> int:
    """`value` converted to a `bits`-bit integer type, as C converts it."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if is_signed and value >> (bits - 1) else value


def value_id(enc: ExecutionEncoding, value: Value) -> int:
    """The integer a literal stands for (a location name is its address)."""
    if isinstance(value, int):
        return value
    if value not in enc.location_ids:
        # As in herd, a name the condition compares a value with is a location even when
        # no thread touches it: an address of its own, which no register can hold.
        enc.location_ids[value] = (len(enc.location_ids) + 1) * LOCATION_STRIDE
    return enc.location_ids[value]


def value_text(
    enc: ExecutionEncoding, value: int, symbols: dict[int, str], ctype: str | None = None
) -> str:
    """How herd prints a final value: a number cast to the location's declared type
    (`typed_value`), the name of the location it points to, or a thin-air symbol `S1`,
    `S2`… (named in `symbols` in order of first appearance)."""
    if is_symbol(value):
        return symbols.setdefault(value, f"S{len(symbols) + 1}")
    for name, ident in enc.location_ids.items():
        if value == ident:
            return name
    return str(typed_value(value, ctype))


# herd's integer types: (bits, signed) (lib/testType.ml `size_of`, `is_signed`; `long` is
# 32 bits there, and an undeclared location is an `int`).
INT_TYPES = {
    "char": (8, True), "int8_t": (8, True), "uint8_t": (8, False),
    "short": (16, True), "int16_t": (16, True), "uint16_t": (16, False),
    "int": (32, True), "long": (32, True), "int32_t": (32, True), "uint32_t": (32, False),
    "atomic_t": (32, True), "int64_t": (64, True), "uint64_t": (64, False),
    "intptr_t": (64, True), "uintptr_t": (64, False),
}


def typed_value(value: int, ctype: str | None) -> int:
    """A final value as herd prints it for a location of type `ctype` (None: `int`): the
    low bits of the type's size, sign-extended for a signed type, else zero-extended
    (herd/archExtra_herd.ml `pp_typed`); so an undeclared register holding 0xffffffff
    prints -1 and a `uint64_t` one holding -1 prints 18446744073709551615. Pointer and
    unknown types print the value itself."""
    found = INT_TYPES.get(ctype or "int")
    if found is None:
        return value
    bits, signed = found
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >> (bits - 1) else value


def declared_types(init: Iterable[InitEntry]) -> dict[Loc, str]:
    """The type the init block declares for each location (`uint64_t 0:rax`)."""
    return {entry.loc: entry.ctype for entry in init if entry.ctype is not None}


def declared_arrays(init: Iterable[InitEntry]) -> dict[str, list[str]]:
    """The arrays the init block declares (`int t[2]`), each with its elements' names in
    order (`t[0]`, `t[1]`)."""
    arrays: dict[str, list[str]] = {}
    for entry in init:
        if isinstance(entry.loc, MemLoc):
            match = _ELEMENT.fullmatch(entry.loc.name)
            if match:
                arrays.setdefault(match.group(1), []).append(entry.loc.name)
    return arrays


_ELEMENT = re.compile(r"([A-Za-z_][\w.]*)\[([0-9]+)\]")


def prop_cond(prop: Prop, term_of: Callable[[Loc], Term], ident: Callable[[Value], int],
              fault_of: Callable[[FaultAtom], Cond] | None = None) -> Cond:
    """The proposition as a condition over final values; `fault_of` gives the condition
    that a fault atom holds (none: no fault atom holds, herd's empty fault set)."""
    if isinstance(prop, Atom):
        eq = equal(term_of(prop.loc), ident(prop.value))
        return neg(eq) if prop.negated else eq
    if isinstance(prop, LocEq):
        eq = equal(term_of(prop.left), term_of(prop.right))
        return neg(eq) if prop.negated else eq
    if isinstance(prop, FaultAtom):
        return False if fault_of is None else fault_of(prop)
    if isinstance(prop, Const):
        return prop.value
    if isinstance(prop, Not):
        return neg(prop_cond(prop.arg, term_of, ident, fault_of))
    left = prop_cond(prop.left, term_of, ident, fault_of)
    right = prop_cond(prop.right, term_of, ident, fault_of)
    if isinstance(prop, And):
        return conj(left, right)
    if isinstance(prop, Or):
        return disj([left, right])
    return disj([neg(left), right])


def prop_holds(prop: Prop, values: dict[Loc, int], ident: Callable[[Value], int],
               fault_holds: Callable[[FaultAtom], bool] | None = None) -> bool:
    """Evaluate a proposition on one final state (`fault_holds`: whether a fault atom
    holds in it; none: no fault atom holds)."""
    if isinstance(prop, Atom):
        return (values[prop.loc] == ident(prop.value)) != prop.negated
    if isinstance(prop, LocEq):
        return (values[prop.left] == values[prop.right]) != prop.negated
    if isinstance(prop, FaultAtom):
        return fault_holds is not None and fault_holds(prop)
    if isinstance(prop, Const):
        return prop.value
    if isinstance(prop, Not):
        return not prop_holds(prop.arg, values, ident, fault_holds)
    left = prop_holds(prop.left, values, ident, fault_holds)
    if isinstance(prop, And):
        return left and prop_holds(prop.right, values, ident, fault_holds)
    if isinstance(prop, Or):
        return left or prop_holds(prop.right, values, ident, fault_holds)
    return (not left) or prop_holds(prop.right, values, ident, fault_holds)
