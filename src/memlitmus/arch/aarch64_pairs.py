"""AArch64 pair accesses: LDP/STP (and the non-temporal LDNP/STNP, which order nothing
more in herd's model), LDPSW.

`LDP Rt1, Rt2, [Xn{,#imm}]` reads two consecutive elements, at the address and at the
address plus the register size (4 bytes for W, 8 for X), into Rt1 and Rt2; `STP` writes
them. Both accesses belong to one instruction (no `po` between them, as herd's
`AArch64Sem.ml` builds one instruction's events). Pre- and post-indexed forms write the
base back like single accesses do (`A64Thread.write_back`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from memlitmus.arch import aarch64_values as values
from memlitmus.errors import UnsupportedError
from memlitmus.events import Const, binop
from memlitmus.litmus.ast import Imm, Instr, LabelRef, Mem, Operand

if TYPE_CHECKING:
    from memlitmus.arch.aarch64 import A64Thread

Handler = Callable[["A64Thread", Instr], None]
PLAIN: frozenset[str] = frozenset()


def _operands(instr: Instr) -> tuple[Operand, Operand, Mem, Imm | None, bool]:
    ops = instr.operands
    if len(ops) in (3, 4) and isinstance(ops[2], Mem):
        rest = ops[3:]
        if not rest:
            return ops[0], ops[1], ops[2], None, False
        if isinstance(rest[0], Imm):
            return ops[0], ops[1], ops[2], rest[0], False
        if rest[0] == LabelRef("!"):
            return ops[0], ops[1], ops[2], None, True
    raise UnsupportedError(f"`{instr.mnemonic}` takes two registers and a memory operand",
                           instr.span)


def load_pair(t: A64Thread, instr: Instr) -> None:
    """LDP/LDNP Rt1, Rt2, [Xn…] and LDPSW Xt1, Xt2, [Xn…] (two 32-bit values, sign-extended)."""
    first, second, mem, post, pre = _operands(instr)
    signed = instr.mnemonic == "LDPSW"
    size = 32 if signed else t.width(first)
    addr = t.address(mem, instr.span)
    for index, dest in enumerate((first, second)):
        at = binop("+", addr, Const(index * size // 8)) if index else addr
        _, value = t.tb.read(at, PLAIN, instr.span)
        loaded = values.sign_extend(value, size) if signed else values.mask(value, size)
        t.set(dest, loaded, instr.span)
    t.write_back(mem, post, pre, instr.span)


def store_pair(t: A64Thread, instr: Instr) -> None:
    """STP/STNP Rt1, Rt2, [Xn…]."""
    first, second, mem, post, pre = _operands(instr)
    size = t.width(first)
    addr = t.address(mem, instr.span)
    for index, src in enumerate((first, second)):
        at = binop("+", addr, Const(index * size // 8)) if index else addr
        t.tb.write(at, t.get(src, instr.span), PLAIN, instr.span)
    t.write_back(mem, post, pre, instr.span)


HANDLERS: dict[str, Handler] = {
    "LDP": load_pair,
    "LDNP": load_pair,
    "LDPSW": load_pair,
    "STP": store_pair,
    "STNP": store_pair,
}
