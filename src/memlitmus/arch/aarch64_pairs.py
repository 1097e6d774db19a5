"""AArch64 pair accesses: LDP/STP (and the non-temporal LDNP/STNP, which order nothing
more in herd's model), LDPSW, and the ordered pairs LDIAPP/STILP (FEAT_LRCPC3).

`LDP Rt1, Rt2, [Xn{,#imm}]` reads two consecutive elements, at the address and at the
address plus the register size (4 bytes for W, 8 for X), into Rt1 and Rt2; `STP` writes
them. Both accesses belong to one instruction (no `po` between them, as herd's
`AArch64Sem.ml` builds one instruction's events). Pre- and post-indexed forms write the
base back like single accesses do (`A64Thread.write_back`).

`LDIAPP Rt1,Rt2,[Xn]{,#imm}` makes two acquirePC reads (tag `Q`) and `STILP Rt1,Rt2,
[Xn{,#imm}]{!}` two release writes (`L`). herd 7.58 (`AArch64Sem.ml`, `ldp`, `stp`,
`stp_wback`) composes them with `M.seq_mem`: the two accesses are in `iico_order`, the
first before the second, except for the pre-indexed STILP, whose second write comes
first (the store of a pushed pair). aarch64.cat orders `[A|Q]; iico_order` and
`iico_order; [L]` (bob); `po` does not relate them, so under sc the two may interleave
with another thread's accesses.
"""

from __future__ import annotations

from memlitmus.arch import aarch64_values as values
from memlitmus.arch.aarch64_runner import A64Thread, Handler
from memlitmus.errors import UnsupportedError
from memlitmus.events import Const, binop
from memlitmus.litmus.ast import Imm, Instr, LabelRef, Mem, Operand

PLAIN: frozenset[str] = frozenset()
Q = frozenset({"Q"})
L = frozenset({"L"})


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


def _order(t: A64Thread, first: int, then: int) -> None:
    """herd's `iico_order` from one access to the other (every byte of each, in
    mixed-size mode)."""
    for a in t.tb.bytes_of(first):
        for b in t.tb.bytes_of(then):
            t.tb.program.relate("iico_order", (a, b))


def load_pair(t: A64Thread, instr: Instr) -> None:
    """LDP/LDNP Rt1, Rt2, [Xn…], LDPSW Xt1, Xt2, [Xn…] (two 32-bit values, sign-extended)
    and LDIAPP (acquirePC reads, the first iico_order-before the second)."""
    first, second, mem, post, pre = _operands(instr)
    signed = instr.mnemonic == "LDPSW"
    ordered = instr.mnemonic == "LDIAPP"
    if ordered and pre:
        raise UnsupportedError("`LDIAPP` has no pre-indexed form", instr.span)
    tags = Q if ordered else PLAIN
    size = 32 if signed else t.width(first)
    addr = t.address(mem, instr.span)
    eids = []
    for index, dest in enumerate((first, second)):
        at = binop("+", addr, Const(index * size // 8)) if index else addr
        eid, value = t.tb.read(at, tags, instr.span, size // 8)
        eids.append(eid)
        loaded = values.sign_extend(value, size) if signed else values.mask(value, size)
        t.set(dest, loaded, instr.span)
    if ordered:
        _order(t, eids[0], eids[1])
    t.write_back(mem, post, pre, instr.span)


def store_pair(t: A64Thread, instr: Instr) -> None:
    """STP/STNP Rt1, Rt2, [Xn…] and STILP (release writes in iico_order: the first before
    the second, or the second first when pre-indexed)."""
    first, second, mem, post, pre = _operands(instr)
    ordered = instr.mnemonic == "STILP"
    if ordered and post is not None:
        raise UnsupportedError("`STILP` has no post-indexed form", instr.span)
    tags = L if ordered else PLAIN
    size = t.width(first)
    addr = t.address(mem, instr.span)
    eids = []
    for index, src in enumerate((first, second)):
        at = binop("+", addr, Const(index * size // 8)) if index else addr
        eids.append(t.tb.write(at, t.get(src, instr.span), tags, instr.span, size // 8))
    if ordered:
        _order(t, *((eids[1], eids[0]) if pre else (eids[0], eids[1])))
    t.write_back(mem, post, pre, instr.span)


HANDLERS: dict[str, Handler] = {
    "LDP": load_pair,
    "LDNP": load_pair,
    "LDPSW": load_pair,
    "STP": store_pair,
    "STNP": store_pair,
    "LDIAPP": load_pair,
    "STILP": store_pair,
}
