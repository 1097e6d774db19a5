"""AArch64 system registers: MRS Xt,<reg> and MSR <reg>,Xt, as herd 7.58 has them
(`AArch64Sem.ml`, `I_MRS`/`I_MSR`; `lib/AArch64Base.ml`, `sysregs`, `sysregs_map`).

* `NZCV` is the flags: MRS reads N, Z, C, V as bits 31..28, MSR sets them from those bits
  (our flags are the pseudo-registers `%N %Z %C %V`, plus `%LT` = N ≠ V).
* The other registers herd knows (CTR_EL0, ELR_EL1, ESR_EL1, VNCR_EL2, …) are registers
  like any other, named so (`1:ELR_EL1` in the init block), no event.
* Under `Variant=NV2` (FEAT_NV2), an access to ELR_EL1, ESR_EL1 or VNCR_EL2 is a memory
  access instead, a 64-bit load (MRS) or store (MSR) at the address in VNCR_EL2 plus the
  register's offset (0x230, 0x138, 0xB0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from memlitmus.errors import UnsupportedError
from memlitmus.events import ZERO, Const, Expr, binop
from memlitmus.litmus.ast import Instr, LabelRef, Operand, Reg

if TYPE_CHECKING:
    from memlitmus.arch.aarch64_runner import A64Thread

Handler = Callable[["A64Thread", Instr], None]

SYSREGS = frozenset({"CTR_EL0", "DCIZ_EL0", "MDCCSR_EL0", "DBGDTR_EL0", "DBGDTRRX_EL0",
                     "DBGDTRTX_EL0", "ELR_EL1", "ESR_EL1", "NZCV", "TFSR_ELX", "VNCR_EL2"})
NV2_OFFSETS = {"VNCR_EL2": 0xB0, "ESR_EL1": 0x138, "ELR_EL1": 0x230}
_FLAG_BITS = ((31, "%N"), (30, "%Z"), (29, "%C"), (28, "%V"))
PLAIN: frozenset[str] = frozenset()


def mrs(t: A64Thread, instr: Instr) -> None:
    """MRS Xt,<sysreg>."""
    dest, op = _ops(instr)
    name = _sysreg(op, instr)
    value: Expr
    if name == "NZCV":
        value = ZERO
        for bit, flag in _FLAG_BITS:
            value = binop("|", value, binop("<<", t.tb.get(flag), Const(bit)))
    elif name in NV2_OFFSETS and "nv2" in t.tb.variants:
        _, value = t.tb.read(_nv2_address(t, name), PLAIN, instr.span, 8)
    else:
        value = t.tb.get(name)
    t.set(dest, value, instr.span)


def msr(t: A64Thread, instr: Instr) -> None:
    """MSR <sysreg>,Xt."""
    op, src = _ops(instr)
    name = _sysreg(op, instr)
    value = t.get(src, instr.span)
    if name == "NZCV":
        bits = {flag: binop("&", binop(">>", value, Const(bit)), Const(1))
                for bit, flag in _FLAG_BITS}
        bits["%LT"] = binop("!=", bits["%N"], bits["%V"])
        t.set_flags(bits)
    elif name in NV2_OFFSETS and "nv2" in t.tb.variants:
        t.tb.write(_nv2_address(t, name), value, PLAIN, instr.span, 8)
    else:
        t.tb.set(name, value)


def _nv2_address(t: A64Thread, name: str) -> Expr:
    return binop("+", t.tb.get("VNCR_EL2"), Const(NV2_OFFSETS[name]))


def _sysreg(op: Operand, instr: Instr) -> str:
    name = op.name.upper() if isinstance(op, LabelRef | Reg) else ""
    if name not in SYSREGS:
        raise UnsupportedError(f"unknown system register `{name}` in `{instr.mnemonic}`",
                               instr.span)
    return name


def _ops(instr: Instr) -> tuple[Operand, Operand]:
    if len(instr.operands) != 2:
        raise UnsupportedError(f"`{instr.mnemonic}` takes 2 operands", instr.span)
    return instr.operands[0], instr.operands[1]


HANDLERS: dict[str, Handler] = {"MRS": mrs, "MSR": msr}
