"""AArch64 integer instructions that make no event: moves, arithmetic and logic (with their
flag-setting forms), shifts and bit-field moves, multiplies, bit and byte reversal,
conditional selects and sets.

Semantics from the Arm ARM (C6.2, each instruction's pseudocode) as herd 7.58 implements
them in `AArch64Sem.ml`; widths and flags in `aarch64_values`. Every result depends, as in
herd, on the registers it is computed from (`Expr.deps`); a conditional select or set
pick-depends on the flags (herd's `I_CSEL`: an intra-instruction control edge).
"""

from __future__ import annotations

from collections.abc import Callable

from memlitmus.arch import aarch64_values as V
from memlitmus.arch.aarch64_runner import A64Thread, Handler
from memlitmus.arch.base import operands
from memlitmus.builder import select
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import Const, Expr, binop, with_picks
from memlitmus.litmus.ast import Imm, Instr, LabelRef, Operand, Reg

SHIFTS = frozenset({"LSL", "LSR", "ASR", "ROR"})
EXTENDS = {"UXTB": (8, False), "UXTH": (16, False), "UXTW": (32, False), "UXTX": (64, False),
           "SXTB": (8, True), "SXTH": (16, True), "SXTW": (32, True), "SXTX": (64, True)}


# --- operands ----------------------------------------------------------------------------


def shift(value: Expr, kind: str, amount: int, bits: int) -> Expr:
    """`value` (a register of width `bits`) shifted by a constant amount."""
    amount %= bits
    if amount == 0:
        return value
    if kind == "LSL":
        return V.to_width(binop("<<", value, Const(amount)), bits)
    logical = binop(">>", V.unsigned(value, bits) if bits < 64 else value, Const(amount))
    if kind == "LSR":
        return logical
    if kind == "ASR":
        return V.to_width(V.sign_extend(logical, bits - amount), bits)
    rotated = binop("|", logical, binop("<<", V.mask(value, amount), Const(bits - amount)))
    return V.to_width(rotated, bits)  # ROR


def extend(value: Expr, kind: str) -> Expr:
    """An extended register operand before its shift (`W2, SXTW`)."""
    size, is_signed = EXTENDS[kind]
    return V.sign_extend(value, size) if is_signed else V.mask(value, size)


def operand2(t: A64Thread, ops: tuple[Operand, ...], bits: int, span: Span) -> Expr:
    """The flexible second operand: `#imm{, LSL #12}`, `Rm{, LSL|LSR|ASR|ROR #n}` or
    `Rm, UXTB|…|SXTX {#n}`."""
    value = t.get(ops[0], span)
    rest = ops[1:]
    if not rest:
        return value
    if not isinstance(rest[0], LabelRef) or len(rest) > 2:
        raise UnsupportedError("expected a shift or an extension after the operand", span)
    kind = rest[0].name.upper()
    amount = 0
    if len(rest) == 2:
        if not isinstance(rest[1], Imm) or not isinstance(rest[1].value, int):
            raise UnsupportedError(f"expected an amount after `{kind}`", span)
        amount = rest[1].value
    if kind in SHIFTS:
        return shift(value, kind, amount, bits)
    if kind in EXTENDS:
        return V.to_width(binop("<<", extend(value, kind), Const(amount)), bits)
    raise UnsupportedError(f"unsupported operand modifier `{kind}`", span)


def _const(value: Expr, what: str, span: Span) -> int:
    if not isinstance(value, Const):
        raise UnsupportedError(f"{what} of a value known only at run time", span)
    return value.value


# --- moves -------------------------------------------------------------------------------


def mov(t: A64Thread, instr: Instr) -> None:
    """MOV Rd, Rm|#imm (also MOV to/from SP)."""
    dest, *rest = operands(instr, 2, 4)
    t.set(dest, operand2(t, tuple(rest), t.width(dest), instr.span), instr.span)


def mov_wide(t: A64Thread, instr: Instr) -> None:
    """MOVZ/MOVN/MOVK Rd, #imm16{, LSL #s}: zero, inverted, or kept other bits."""
    dest, imm, *rest = operands(instr, 2, 4)
    bits = t.width(dest)
    value = _const(t.get(imm, instr.span), "an immediate", instr.span)
    pos = 0
    if rest:
        if not (len(rest) == 2 and isinstance(rest[0], LabelRef) and isinstance(rest[1], Imm)
                and rest[0].name.upper() == "LSL" and isinstance(rest[1].value, int)):
            raise UnsupportedError(f"`{instr.mnemonic}` takes `LSL #s`", instr.span)
        pos = rest[1].value
    field = (value & 0xFFFF) << pos
    if instr.mnemonic == "MOVZ":
        result: Expr = Const(field)
    elif instr.mnemonic == "MOVN":
        result = Const(~field)
    else:
        old = t.get(dest, instr.span)
        kept = binop("&", V.unsigned(old, bits), Const(((1 << bits) - 1) ^ (0xFFFF << pos)))
        result = binop("|", kept, Const(field))
    t.set(dest, V.to_width(result, bits), instr.span)


def mvn(t: A64Thread, instr: Instr) -> None:
    """MVN Rd, Rm{, shift}: bitwise NOT."""
    dest, *rest = operands(instr, 2, 4)
    bits = t.width(dest)
    value = operand2(t, tuple(rest), bits, instr.span)
    t.set(dest, V.to_width(binop("^", value, Const(-1)), bits), instr.span)


def neg(t: A64Thread, instr: Instr) -> None:
    """NEG/NEGS Rd, Rm{, shift}: 0 - operand."""
    dest, *rest = operands(instr, 2, 4)
    bits = t.width(dest)
    value = operand2(t, tuple(rest), bits, instr.span)
    if instr.mnemonic == "NEGS":
        t.set_flags(V.flags_of_sub(Const(0), value, bits))
    t.set(dest, V.to_width(binop("-", Const(0), V.signed(value, bits)), bits), instr.span)


# --- arithmetic and logic ------------------------------------------------------------------

_LOGIC: dict[str, Callable[[Expr, Expr], Expr]] = {
    "AND": lambda a, b: binop("&", a, b),
    "ORR": lambda a, b: binop("|", a, b),
    "EOR": lambda a, b: binop("^", a, b),
    "BIC": lambda a, b: binop("&", a, binop("^", b, Const(-1))),
    "ORN": lambda a, b: binop("|", a, binop("^", b, Const(-1))),
    "EON": lambda a, b: binop("^", a, binop("^", b, Const(-1))),
}


def arith(t: A64Thread, instr: Instr) -> None:
    """ADD/SUB/ADDS/SUBS Rd, Rn, operand2."""
    dest, left_op, *rest = operands(instr, 3, 5)
    bits = t.width(dest)
    left = t.get(left_op, instr.span)
    right = operand2(t, tuple(rest), bits, instr.span)
    base = instr.mnemonic[:3]
    if instr.mnemonic.endswith("S"):
        flags = V.flags_of_add if base == "ADD" else V.flags_of_sub
        t.set_flags(flags(left, right, bits))
    result = binop("+" if base == "ADD" else "-", left, right)
    t.set(dest, V.to_width(result, bits), instr.span)


def logic(t: A64Thread, instr: Instr) -> None:
    """AND/ORR/EOR/BIC/ORN/EON (and ANDS/BICS) Rd, Rn, operand2."""
    dest, left_op, *rest = operands(instr, 3, 5)
    bits = t.width(dest)
    op = instr.mnemonic[:3]
    result = _LOGIC[op](t.get(left_op, instr.span), operand2(t, tuple(rest), bits, instr.span))
    result = V.to_width(result, bits)
    if instr.mnemonic.endswith("S"):
        t.set_flags(V.flags_of_logic(result, bits))
    t.set(dest, result, instr.span)


def compare(t: A64Thread, instr: Instr) -> None:
    """CMP/CMN Rn, operand2 (SUBS/ADDS to the zero register); TST Rn, operand2 (ANDS)."""
    left_op, *rest = operands(instr, 2, 4)
    bits = t.width(left_op)
    left = t.get(left_op, instr.span)
    right = operand2(t, tuple(rest), bits, instr.span)
    if instr.mnemonic == "CMP":
        t.set_flags(V.flags_of_sub(left, right, bits))
    elif instr.mnemonic == "CMN":
        t.set_flags(V.flags_of_add(left, right, bits))
    else:
        t.set_flags(V.flags_of_logic(V.to_width(binop("&", left, right), bits), bits))


# --- shifts and bit fields -------------------------------------------------------------------


def shift_instr(t: A64Thread, instr: Instr) -> None:
    """LSL/LSR/ASR/ROR Rd, Rn, #n|Rm (a register amount must be known statically)."""
    dest, src, amount_op = operands(instr, 3)
    bits = t.width(dest)
    amount = _const(t.get(amount_op, instr.span), "a shift amount", instr.span)
    t.set(dest, shift(t.get(src, instr.span), instr.mnemonic, amount, bits), instr.span)


def bitfield(value: Expr, immr: int, imms: int, bits: int, signed: bool) -> Expr:
    """UBFM/SBFM (Arm ARM C6.2, `DecodeBitMasks` for a bit-field move): bits imms..immr of
    the source to the bottom (imms ≥ immr), or bits imms..0 to position bits-immr."""
    if imms >= immr:
        width = imms - immr + 1
        field = V.mask(shift(value, "LSR", immr, bits), width)
        top = width
    else:
        width = imms + 1
        field = V.to_width(binop("<<", V.mask(value, width), Const(bits - immr)), bits)
        top = width + bits - immr
    result = V.sign_extend(field, top) if signed and top < 64 else field
    return V.to_width(result, bits)


def bfm(t: A64Thread, instr: Instr) -> None:
    """UBFM/SBFM Rd, Rn, #immr, #imms and their aliases UBFX/SBFX, UBFIZ/SBFIZ,
    UXTB/UXTH/SXTB/SXTH/SXTW."""
    name = instr.mnemonic
    if name in EXTENDS:
        dest, src = operands(instr, 2)
        size = EXTENDS[name][0]
        immr, imms = 0, size - 1
    else:
        dest, src, a_op, b_op = operands(instr, 4)
        bits = t.width(dest)
        a = _const(t.get(a_op, instr.span), "a bit position", instr.span)
        b = _const(t.get(b_op, instr.span), "a bit count", instr.span)
        if name in ("UBFX", "SBFX"):
            immr, imms = a, a + b - 1
        elif name in ("UBFIZ", "SBFIZ"):
            immr, imms = (bits - a) % bits, b - 1
        else:
            immr, imms = a, b
    bits = t.width(dest)
    value = t.get(src, instr.span)
    signed = name.startswith("S")
    t.set(dest, bitfield(value, immr, imms, bits, signed), instr.span)


# --- multiplies --------------------------------------------------------------------------------


def multiply(t: A64Thread, instr: Instr) -> None:
    """MUL/MNEG Rd,Rn,Rm; MADD/MSUB Rd,Rn,Rm,Ra; and the long forms S/U MULL, MNEGL,
    MADDL, MSUBL (32-bit sources, 64-bit result)."""
    name = instr.mnemonic
    long = name[0] in "SU" and name.endswith("L")
    accumulate = "ADD" in name or "SUB" in name
    ops = operands(instr, 4 if accumulate else 3)
    dest, left_op, right_op = ops[:3]
    bits = t.width(dest)
    left, right = t.get(left_op, instr.span), t.get(right_op, instr.span)
    if long:
        convert = V.signed if name[0] == "S" else V.unsigned
        left, right = convert(left, 32), convert(right, 32)
    product = binop("*", left, right)
    if accumulate:
        acc = t.get(ops[3], instr.span)
        product = binop("+" if "ADD" in name else "-", acc, product)
    elif "NEG" in name:
        product = binop("-", Const(0), product)
    t.set(dest, _wrap_product(product, bits), instr.span)


def _wrap_product(value: Expr, bits: int) -> Expr:
    # a product of two 64-bit values may exceed 64 bits: a symbolic one wraps through the
    # bit-vector mask (`&` acts on 64-bit two's complement)
    if bits < 64 or isinstance(value, Const):
        return V.to_width(value, bits)
    return binop("&", value, Const(-1))


# --- bit and byte manipulation (known values only) -------------------------------------------


def _reverse_bits(value: int, bits: int) -> int:
    return int(format(value & ((1 << bits) - 1), f"0{bits}b")[::-1], 2)


def _reverse_bytes(value: int, bits: int, chunk: int) -> int:
    """Reverse the bytes within each `chunk`-bit container (REV16, REV32, REV)."""
    out = 0
    for base in range(0, bits, chunk):
        part = (value >> base) & ((1 << chunk) - 1)
        swapped = int.from_bytes(part.to_bytes(chunk // 8, "little"), "big")
        out |= swapped << base
    return out


def bits_op(t: A64Thread, instr: Instr) -> None:
    """RBIT, REV, REV16, REV32, REV64, CLZ, CLS, ABS Rd, Rn on a value known statically."""
    dest, src = operands(instr, 2)
    bits = t.width(dest)
    value = t.get(src, instr.span)
    number = _const(value, f"`{instr.mnemonic}`", instr.span) & ((1 << bits) - 1)
    name = instr.mnemonic
    if name == "RBIT":
        result = _reverse_bits(number, bits)
    elif name in ("REV", "REV64"):
        result = _reverse_bytes(number, bits, bits)
    elif name == "REV16":
        result = _reverse_bytes(number, bits, 16)
    elif name == "REV32":
        result = _reverse_bytes(number, bits, 32)
    elif name == "CLZ":
        result = bits - number.bit_length()
    elif name == "CLS":
        top = number >> (bits - 1)
        ones = number ^ ((1 << bits) - 1) if top else number
        result = bits - ones.bit_length() - 1
    else:  # ABS
        signed = number - (1 << bits) if number >> (bits - 1) else number
        result = abs(signed)
    t.set(dest, V.to_width(V.with_value(value, result), bits), instr.span)


# --- conditional selects and sets ----------------------------------------------------------------


def _cond_code(op: Operand, span: Span) -> str:
    if not isinstance(op, LabelRef) or op.name.upper() not in V.CONDITION_CODES:
        raise UnsupportedError("expected a condition code", span)
    return op.name.upper()


def conditional_select(t: A64Thread, instr: Instr) -> None:
    """CSEL/CSINC/CSINV/CSNEG Rd, Rn, Rm, cond, and the aliases CSET/CSETM Rd, cond and
    CINC/CINV/CNEG Rd, Rn, cond (herd's `I_CSEL`: Rd depends on the operand selected and
    pick-depends on the flags)."""
    name = instr.mnemonic
    zero: Operand = Reg("XZR")
    then: Operand
    other: Operand
    if name in ("CSET", "CSETM"):
        dest, code_op = operands(instr, 2)
        code = V.INVERSE[_cond_code(code_op, instr.span)]
        then, other, kind = zero, zero, "CSINC" if name == "CSET" else "CSINV"
    elif name in ("CINC", "CINV", "CNEG"):
        dest, src, code_op = operands(instr, 3)
        code = V.INVERSE[_cond_code(code_op, instr.span)]
        then, other, kind = src, src, "CS" + name[1:]
    else:
        dest, then, other, code_op = operands(instr, 4)
        code, kind = _cond_code(code_op, instr.span), name
    bits = t.width(dest)
    flag = t.condition(code, instr.span)
    left, right = t.get(then, instr.span), t.get(other, instr.span)
    if kind == "CSINC":
        right = binop("+", right, Const(1))
    elif kind == "CSINV":
        right = binop("^", right, Const(-1))
    elif kind == "CSNEG":
        right = binop("-", Const(0), V.signed(right, bits))
    chosen = select(flag, left, V.to_width(right, bits))
    t.set(dest, with_picks(chosen, flag.deps | flag.picks), instr.span)


HANDLERS: dict[str, Handler] = {
    "MOV": mov,
    **{name: mov_wide for name in ("MOVZ", "MOVN", "MOVK")},
    "MVN": mvn,
    "NEG": neg,
    "NEGS": neg,
    **{name: arith for name in ("ADD", "SUB", "ADDS", "SUBS")},
    **{name: logic for name in (*_LOGIC, "ANDS", "BICS")},
    **{name: compare for name in ("CMP", "CMN", "TST")},
    **{name: shift_instr for name in SHIFTS},
    **{name: bfm for name in ("UBFM", "SBFM", "UBFX", "SBFX", "UBFIZ", "SBFIZ",
                              "UXTB", "UXTH", "SXTB", "SXTH", "SXTW")},
    **{name: multiply for name in ("MUL", "MNEG", "MADD", "MSUB", "SMULL", "UMULL", "SMNEGL",
                                   "UMNEGL", "SMADDL", "UMADDL", "SMSUBL", "UMSUBL")},
    **{name: bits_op for name in ("RBIT", "REV", "REV16", "REV32", "REV64", "CLZ", "CLS",
                                  "ABS")},
    **{name: conditional_select for name in ("CSEL", "CSINC", "CSINV", "CSNEG", "CSET",
                                             "CSETM", "CINC", "CINV", "CNEG")},
}
