"""AArch64 register values: 64-bit X registers, 32-bit W views, and the flags.

herd 7.58 keeps AArch64 values as 64-bit scalars (`AArch64Sem.ml`: `write_reg_sz` masks a
32-bit result, `mask32`); memlitmus keeps them as integers in the same ranges:

* an X register holds a signed 64-bit value (what a 64-bit result wraps to);
* a write to a W register keeps the low 32 bits, zero-extended (`0 ≤ v < 2^32`), and a
  read of a W register sees the low 32 bits of the X register;
* byte and half-word loads zero- or sign-extend their 8/16/32 bits (`LDRB`, `LDRSB`, …).

Constants fold exactly; a symbolic value gets a mask (`&`), which the term builder drops
when every value the expression may take already fits (`encode/value_sets.py`).

The flags (NZCV) are four pseudo-registers, `%N %Z %C %V`, set by CMP/CMN/ADDS/SUBS/ANDS/
BICS/TST (Arm ARM C6.2, `AddWithCarry`), plus `%LT` (N ≠ V), kept directly as a signed
comparison after a subtraction so that the common `CMP; B.GE` stays an integer test.
"""

from __future__ import annotations

from collections.abc import Callable

from memlitmus.events import AddrOf, BinOp, Const, Expr, and_, binop, ite, not_, or_, signed64

MASK32 = (1 << 32) - 1
FLAGS = ("%N", "%Z", "%C", "%V", "%LT")


def mask(value: Expr, bits: int) -> Expr:
    """The low `bits` bits of `value`, as an unsigned number (bits < 64), or the value
    wrapped to a signed 64-bit number (bits = 64)."""
    if bits >= 64:
        return wrap64(value)
    if isinstance(value, AddrOf):
        return value  # a pointer is an opaque value that fits any register
    ones = Const((1 << bits) - 1)
    if isinstance(value, BinOp) and value.op == "&" and value.right == ones:
        return value  # already masked
    return binop("&", value, ones)


def wrap64(value: Expr) -> Expr:
    """`value` wrapped to a signed 64-bit number (folded for constants; a symbolic value
    computed from 64-bit operands is left as the mathematical result)."""
    if isinstance(value, Const):
        wrapped = signed64(value.value)
        return value if wrapped == value.value else Const(wrapped, value.deps, value.picks,
                                                          value.origin)
    return value


def sign_extend(value: Expr, bits: int) -> Expr:
    """The low `bits` bits of `value` read as a signed number."""
    if bits >= 64 or isinstance(value, AddrOf):
        return wrap64(value)
    low = mask(value, bits)
    if isinstance(low, Const):
        number = low.value - (1 << bits) if low.value >> (bits - 1) else low.value
        return Const(number, low.deps, low.picks, low.origin)
    # integer comparisons rather than bit operations: cheaper for the solver
    return ite(binop(">=", low, Const(1 << (bits - 1))), binop("-", low, Const(1 << bits)), low)


def unsigned(value: Expr, bits: int) -> Expr:
    """`value` (a register of width `bits`) read as an unsigned number."""
    if bits < 64:
        return mask(value, bits)
    if isinstance(value, Const):
        return Const(value.value & ((1 << 64) - 1), value.deps, value.picks, value.origin)
    return ite(binop("<", value, Const(0)), binop("+", value, Const(1 << 64)), value)


def signed(value: Expr, bits: int) -> Expr:
    """`value` (a register of width `bits`) read as a signed number."""
    return sign_extend(value, bits)


def to_width(value: Expr, bits: int) -> Expr:
    """What a register of width `bits` holds after being assigned `value`."""
    return mask(value, bits) if bits < 64 else wrap64(value)


def _out_of_range(value: Expr, bits: int) -> Expr:
    """1 when a signed result does not fit `bits` bits (signed overflow)."""
    low, high = Const(-(1 << (bits - 1))), Const(1 << (bits - 1))
    return or_(binop("<", value, low), binop(">=", value, high))


def flags_of_sub(left: Expr, right: Expr, bits: int) -> dict[str, Expr]:
    """NZCV (and LT) after `left - right` (CMP, SUBS)."""
    sl, sr = signed(left, bits), signed(right, bits)
    ul, ur = unsigned(left, bits), unsigned(right, bits)
    diff = binop("-", sl, sr)
    lt = binop("<", sl, sr)
    overflow = _out_of_range(diff, bits)
    return {
        "%Z": binop("==", ul, ur) if bits < 64 else binop("==", left, right),
        "%C": binop(">=", ul, ur),
        "%V": overflow,
        "%N": binop("!=", lt, overflow),
        "%LT": lt,
    }


def flags_of_add(left: Expr, right: Expr, bits: int) -> dict[str, Expr]:
    """NZCV (and LT) after `left + right` (CMN, ADDS)."""
    total = binop("+", signed(left, bits), signed(right, bits))
    usum = binop("+", unsigned(left, bits), unsigned(right, bits))
    overflow = _out_of_range(total, bits)
    negative = binop("<", total, Const(0))
    return {
        "%Z": or_(binop("==", usum, Const(0)), binop("==", usum, Const(1 << bits))),
        "%C": binop(">=", usum, Const(1 << bits)),
        "%V": overflow,
        "%N": binop("!=", negative, overflow),
        "%LT": negative,
    }


def flags_of_logic(result: Expr, bits: int) -> dict[str, Expr]:
    """NZCV (and LT) after a logical operation (ANDS, BICS, TST): C and V are cleared."""
    negative = binop("<", signed(result, bits), Const(0))
    return {
        "%Z": binop("==", mask(result, bits) if bits < 64 else result, Const(0)),
        "%C": Const(0),
        "%V": Const(0),
        "%N": negative,
        "%LT": negative,
    }


def condition(code: str, flags: dict[str, Expr]) -> Expr | None:
    """The truth (0/1) of a condition code (Arm ARM C1.2.4, `ConditionHolds`), or None for
    an unknown code."""
    n, z, c, v, lt = (flags[f] for f in FLAGS)
    del v
    table: dict[str, Callable[[], Expr]] = {
        "EQ": lambda: z,
        "NE": lambda: not_(z),
        "CS": lambda: c, "HS": lambda: c,
        "CC": lambda: not_(c), "LO": lambda: not_(c),
        "MI": lambda: n,
        "PL": lambda: not_(n),
        "VS": lambda: flags["%V"],
        "VC": lambda: not_(flags["%V"]),
        "HI": lambda: and_(c, not_(z)),
        "LS": lambda: or_(not_(c), z),
        "GE": lambda: not_(lt),
        "LT": lambda: lt,
        "GT": lambda: and_(not_(z), not_(lt)),
        "LE": lambda: or_(z, lt),
        "AL": lambda: Const(1),
        "NV": lambda: Const(1),
    }
    make = table.get(code.upper())
    return None if make is None else make()


INVERSE = {"EQ": "NE", "NE": "EQ", "CS": "CC", "HS": "LO", "CC": "CS", "LO": "HS",
           "MI": "PL", "PL": "MI", "VS": "VC", "VC": "VS", "HI": "LS", "LS": "HI",
           "GE": "LT", "LT": "GE", "GT": "LE", "LE": "GT", "AL": "NV", "NV": "AL"}
CONDITION_CODES = frozenset(INVERSE)


def with_value(value: Expr, number: int) -> Const:
    """A constant keeping `value`'s dependencies."""
    return Const(number, value.deps, value.picks)
