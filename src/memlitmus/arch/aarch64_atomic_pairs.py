"""AArch64 atomics on a pair of registers: LDXP/LDAXP, STXP/STLXP and CASP{,A,L,AL}.

What each makes follows herd 7.58's `AArch64Sem.ml` (`ldxp`, `stxp`, `casp`):

* `LDXP Rt1,Rt2,[Xn]` (`LDAXP`: acquire): two reads tagged `X` (+`A`), at the address and
  at the address plus the register size (4 bytes for W, 8 for X), into Rt1 and Rt2. herd
  composes them with `>>||` (`E.para_atomic`): the two reads form one *single-copy-atomic*
  access, which the model sees in herd's `sm`/`si` (builder relation `sca`). The first
  read opens the reservation (its address and element size).
* `STXP Ws,Rt1,Rt2,[Xn]` (`STLXP`: release): on success two writes tagged `X` (+`L`),
  single-copy atomic like LDXP's reads; Ws = 0, else 1. It succeeds, by a free choice,
  only at the reserved address and when the element size is the reservation's (herd's
  `must_fail` without `-variant ConstrainedUnpredictable`). Each write is paired in `rmw`
  with the reservation's read of its location (herd's `make_atomic_load_store` pairs an
  exclusive read and write of one location with no exclusive access in between).
* `CASP Rs1,Rs2,Rt1,Rt2,[Xn]`: two reads; when both values equal (Rs1, Rs2), writes of Rt1
  and Rt2; a failed comparison may write back the values read, or not (as CAS: herdtools7
  PR #1095). The accesses are composed with `>>|`: not single-copy atomic as a pair, but
  each read and the write of its location form an `rmw` and `amo` pair. Rs1, Rs2 receive
  the values read.

The events of one instruction are not po-related (builder: one instruction).
"""

from __future__ import annotations

from memlitmus.arch.aarch64_atomics import X, silent, store_succeeds, suffix
from memlitmus.arch.aarch64_runner import A64Thread, Handler, Reservation
from memlitmus.arch.base import operands
from memlitmus.builder import select
from memlitmus.errors import UnsupportedError
from memlitmus.events import ZERO, Choice, Const, Expr, and_, binop, ite, not_, or_, with_picks
from memlitmus.litmus.ast import Instr, Operand

_ORDERINGS = ("", "A", "L", "AL")


def _element(addr: Expr, index: int, width: int) -> Expr:
    """The address of element `index` of a pair of `width`-bit elements at `addr`."""
    return binop("+", addr, Const(index * width // 8)) if index else addr


def _same_widths(t: A64Thread, instr: Instr, regs: tuple[Operand, ...]) -> int:
    widths = {t.width(r) for r in regs}
    if len(widths) != 1:
        raise UnsupportedError(f"`{instr.mnemonic}` mixes W and X registers", instr.span)
    return widths.pop()


def _sca(t: A64Thread, accesses: list[int]) -> None:
    """Record that `accesses` (each its bytes in mixed-size mode) form one
    single-copy-atomic access (herd's `para_atomic`)."""
    events = [e for access in accesses for e in t.tb.bytes_of(access)]
    for a in events:
        for b in events:
            if a != b:
                t.tb.program.relate("sca", (a, b))


def load_exclusive_pair(t: A64Thread, instr: Instr) -> None:
    """LDXP/LDAXP Rt1,Rt2,[Xn]: two `X` reads, one single-copy-atomic access."""
    first, second, mem = operands(instr, 3)
    width = _same_widths(t, instr, (first, second))
    addr = t.address(mem, instr.span)
    tags = X | {"A"} if instr.mnemonic == "LDAXP" else X
    eids = []
    for index, dest in enumerate((first, second)):
        eid, value = t.tb.read(_element(addr, index, width), tags, instr.span, width // 8)
        t.set(dest, value, instr.span)
        eids.append(eid)
    _sca(t, eids)
    t.reservation = Reservation(tuple(eids), addr, width)


def store_exclusive_pair(t: A64Thread, instr: Instr) -> None:
    """STXP/STLXP Ws,Rt1,Rt2,[Xn]: two `X` writes on success, one single-copy-atomic
    access; Ws := 0 on success, 1 on failure."""
    status, first, second, mem = operands(instr, 4)
    width = _same_widths(t, instr, (first, second))
    addr = t.address(mem, instr.span)
    reservation, t.reservation = t.reservation, None
    if reservation is None or reservation.width != width:  # herd: must fail
        t.set(status, Const(1), instr.span)
        return
    success = store_succeeds(t, binop("==", addr, reservation.addr))
    tags = X | {"L"} if instr.mnemonic == "STLXP" else X
    values = [t.get(src, instr.span) for src in (first, second)]
    skip = f"%skip{t.tb.instr}"
    t.tb.branch(silent(not_(success)), skip)
    writes = [t.tb.write(_element(addr, i, width), v, tags, instr.span, width // 8)
              for i, v in enumerate(values)]
    for read, write in zip(reservation.reads, writes, strict=False):
        t.tb.pair_rmw(read, write, single_instruction=False)
    _sca(t, writes)
    t.tb.label(skip)
    t.set(status, ite(success, ZERO, Const(1)), instr.span)


def casp(t: A64Thread, instr: Instr) -> None:
    """CASP{,A,L,AL} Rs1,Rs2,Rt1,Rt2,[Xn]: write (Rt1,Rt2) if memory holds (Rs1,Rs2);
    (Rs1,Rs2) := the values read. A failure may write back what it read (see CAS)."""
    rs1, rs2, rt1, rt2, mem = operands(instr, 5)
    width = _same_widths(t, instr, (rs1, rs2, rt1, rt2))
    acquire, release = suffix(instr, "CASP")
    read_tags = X | {"A"} if acquire else X
    write_tags = X | {"L"} if release else X
    addr = t.address(mem, instr.span)
    expected = [t.get(r, instr.span) for r in (rs1, rs2)]
    new = [t.get(r, instr.span) for r in (rt1, rt2)]
    reads = [t.tb.read(_element(addr, i, width), read_tags, instr.span, width // 8)
             for i in range(2)]
    read_bytes = [b for eid, _ in reads for b in t.tb.bytes_of(eid)]
    equal = and_(binop("==", reads[0][1], expected[0]), binop("==", reads[1][1], expected[1]))
    write_back = Choice(f"caswb{t.tb.tid}.{t.tb.instr}")
    skip = f"%skip{t.tb.instr}"
    t.tb.branch(silent(not_(or_(equal, write_back))), skip)
    for i, ((read_eid, old), value) in enumerate(zip(reads, new, strict=True)):
        write = t.tb.write(_element(addr, i, width), select(equal, value, old), write_tags,
                           instr.span, width // 8)
        t.tb.pair_rmw(read_eid, write, single_instruction=True)
        # as CAS: the comparison orders the writes after both reads and the reads behind Rs
        # (in mixed-size mode, every byte of them before every byte of the write)
        for written in t.tb.bytes_of(write):
            for other in read_bytes:
                t.tb.program.depend("data", (other, written))
            for dep in frozenset().union(*(e.deps | e.picks for e in expected)):
                t.tb.program.depend("pick-data", (dep, written))
    t.tb.label(skip)
    through = frozenset(read_bytes).union(*(e.deps | e.picks for e in expected))
    for reg, exp, (_, old) in zip((rs1, rs2), expected, reads, strict=True):
        # Rs takes the value read; on success it equals the old Rs, a pick on the comparison
        t.set(reg, select(silent(and_(equal, write_back)),
                          with_picks(exp, through), old), instr.span)



HANDLERS: dict[str, Handler] = {
    "LDXP": load_exclusive_pair,
    "LDAXP": load_exclusive_pair,
    "STXP": store_exclusive_pair,
    "STLXP": store_exclusive_pair,
    **{f"CASP{o}": casp for o in _ORDERINGS},
}
