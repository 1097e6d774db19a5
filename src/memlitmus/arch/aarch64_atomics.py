"""AArch64 atomics: exclusives (LDXR/STXR), CAS, SWP and the LD<op>/ST<op> family.

What each makes follows herd 7.58's `AArch64Sem.ml`:

* `LDXR`/`LDAXR` (and the byte and half-word forms `LDXRB`, `LDAXRH`, ...; likewise for
  the stores): a read tagged `X` (+`A`) that opens a reservation. `STXR`/`STLXR Ws,Rt,
  [Xn]`: when it succeeds (a free choice of the execution, if the address is the reserved
  one), a write tagged `X` (+`L`) paired with the reservation's read in `rmw` (not in
  `amo`: two instructions); Ws is 0 on success, 1 on failure, and depends on nothing. A
  store-exclusive with no load-exclusive before it always fails.
* The byte and half-word forms (`CASB`, `CASALH`, `SWPLB`, `LDADDH`, `STSETB`, ...) access
  8 or 16 bits: Rs and Rt are read at that size, the value read is zero-extended.
* `CAS{,A,L,AL} Rs,Rt,[Xn]`: a read (`X`, +`A`); when its value equals Rs, a write of Rt
  (`X`, +`L`) in `rmw` and `amo`. A failed CAS is a read only. The write is ordered after
  the CAS's read (data) and the reads behind Rs (ctrl); nothing later is control
  dependent on the CAS. Rs receives the value read, with herd's alternative dependencies
  (`_cas_result`).
* `SWP{,A,L,AL} Rs,Rt,[Xn]`: read (`X`, +`A`), write Rs (`X`, +`L`), Rt := old value.
* `LD<op>{,A,L,AL} Rs,Rt,[Xn]` (ADD, CLR, EOR, SET): read, write old <op> Rs, Rt := old.
  `ST<op>{,L} Rs,[Xn]` is LD<op> with the zero register as Rt.
* When the result register is the zero register (ST<op>, `SWP Rs,WZR,…`, `CAS WZR,…`), herd
  tags the read `NoRet` *instead of* `X`/`A`: such a read is not an acquire, and
  `DMB LD` does not order it (armv8.cat's `[R \\ NoRet]`).

The read and write of one instruction are not po-related (builder: one instruction), and
a read never reads from its own instruction's write (encoder).
"""

from __future__ import annotations

from collections.abc import Callable

from memlitmus.arch.aarch64_runner import A64Thread, Handler, Reservation
from memlitmus.arch.aarch64_values import to_width
from memlitmus.arch.base import operands
from memlitmus.builder import select
from memlitmus.events import (
    TRUE,
    ZERO,
    Choice,
    Const,
    Expr,
    and_,
    binop,
    ite,
    not_,
    or_,
    with_picks,
    without_deps,
)
from memlitmus.litmus.ast import Instr, Operand, Reg

X = frozenset({"X"})
NORET = frozenset({"NoRet"})
STORE_EXCLUSIVES = frozenset({"STXR", "STLXR", "STXP", "STLXP", "STXRB", "STLXRB", "STXRH",
                              "STLXRH"})
_EXCLUSIVE_SIZES = {"B": 8, "H": 16}  # LDXRB, STXRH, ...: a byte or half-word
_ORDERINGS = ("", "A", "L", "AL")
_LDOPS: dict[str, Callable[[Expr, Expr], Expr]] = {
    "ADD": lambda old, v: binop("+", old, v),
    "EOR": lambda old, v: binop("^", old, v),
    "SET": lambda old, v: binop("|", old, v),
    "CLR": lambda old, v: binop("&", old, binop("^", v, Const(-1))),  # old AND NOT v
}


def silent(cond: Expr) -> Expr:
    """`cond` without dependencies: deciding whether an atomic's write happens creates no
    control dependency in herd (the guard only selects the execution)."""
    return without_deps(cond)


def _is_zero_reg(op: Operand) -> bool:
    return isinstance(op, Reg) and op.name.upper() in ("WZR", "XZR")


def _tags(base: frozenset[str], extra: str, wanted: bool) -> frozenset[str]:
    return base | {extra} if wanted else base


# --- exclusives ------------------------------------------------------------------------------


def _exclusive_size(t: A64Thread, instr: Instr, reg: Operand) -> int:
    """Bits accessed: 8 or 16 for the B and H forms, else the register's width."""
    return _EXCLUSIVE_SIZES.get(instr.mnemonic[-1]) or t.width(reg)


def load_exclusive(t: A64Thread, instr: Instr) -> None:
    """LDXR/LDAXR{,B,H} Rt,[Xn]: an `X` read that opens a reservation (the B and H forms
    zero-extend a byte or half-word)."""
    dest, mem = operands(instr, 2)
    addr = t.address(mem, instr.span)
    tags = _tags(X, "A", instr.mnemonic.startswith("LDAXR"))
    size = _exclusive_size(t, instr, dest)
    eid, value = t.tb.read(addr, tags, instr.span, size // 8)
    t.set(dest, to_width(value, size) if size < t.width(dest) else value, instr.span)
    t.reservation = Reservation((eid,), addr, size)


def store_exclusive(t: A64Thread, instr: Instr) -> None:
    """STXR/STLXR Ws,Rt,[Xn]: succeeds or fails; a retry loop's store must succeed."""
    status, src, mem = operands(instr, 3)
    addr = t.address(mem, instr.span)
    reservation, t.reservation = t.reservation, None
    # herd: with no load-exclusive, or one of another size, the store always fails
    size = _exclusive_size(t, instr, src)
    if reservation is None or reservation.width != size:
        t.set(status, Const(1), instr.span)
        return
    read_eid = reservation.reads[0]
    success = store_succeeds(t, binop("==", addr, reservation.addr))
    tags = _tags(X, "L", instr.mnemonic.startswith("STLXR"))
    value = t.get(src, instr.span)
    value = to_width(value, size) if size < t.width(src) else value
    _guarded_write(t, success, addr, value, tags, instr, read_eid, False, size // 8)
    t.set(status, ite(success, ZERO, Const(1)), instr.span)


def store_succeeds(t: A64Thread, same_address: Expr) -> Expr:
    """When a store-exclusive succeeds: always in a retry loop (the exiting iteration), else
    by a free choice of the execution; either way only at the reserved address."""
    if t.index in t.loops.stores:
        t.tb.assume(silent(same_address))
        return TRUE
    return silent(and_(Choice(f"stxr{t.tb.tid}.{t.tb.instr}"), same_address))


def _guarded_write(
    t: A64Thread, cond: Expr, addr: Expr, value: Expr, tags: frozenset[str], instr: Instr,
    read_eid: int, single: bool, size: int | None = None,
) -> int:
    """The write of an atomic, present only in executions where `cond` holds (`size`
    bytes: given where mixed-size mode is supported)."""
    skip = f"%skip{t.tb.instr}"
    t.tb.branch(silent(not_(cond)), skip)
    write = t.tb.write(addr, value, tags, instr.span, size)
    t.tb.pair_rmw(read_eid, write, single_instruction=single)
    t.tb.label(skip)
    return write


# --- single-instruction atomics ----------------------------------------------------------------


def suffix(instr: Instr, base: str) -> tuple[bool, bool]:
    """(acquire, release) from the ordering suffix of `CASAL`, `SWPL`, `LDADDA`…"""
    suffix = instr.mnemonic[len(base):]
    return "A" in suffix, "L" in suffix


def _amo_tags(acquire: bool, release: bool, noret: bool) -> tuple[frozenset[str], frozenset[str]]:
    """(read tags, write tags) of a single-instruction atomic."""
    read = NORET if noret else _tags(X, "A", acquire)
    return read, _tags(X, "L", release)


def cas(t: A64Thread, instr: Instr) -> None:
    """CAS{,A,L,AL} Rs,Rt,[Xn]: write Rt if memory equals Rs; Rs := old value.

    A CAS that fails its comparison may or may not write back the value it read (herd
    7.58 enumerates both; herdtools7 PR #1095, "A failed CAS may write back"): a free
    choice. herd 7.58 also counts each outcome of the comparison under two alternatives
    that give one execution, except a write-back: `dup` reproduces its Positive/Negative
    counts (a success counts twice, a failure without write-back twice, with it once).
    """
    rs, rt, mem = operands(instr, 3)
    acquire, release = suffix(instr, "CAS")
    read_tags, write_tags = _amo_tags(acquire, release, _is_zero_reg(rs))
    addr = t.address(mem, instr.span)
    size = _amo_size(t, instr, rs)
    expected = _sized(t.get(rs, instr.span), size, t.width(rs))
    new = _sized(t.get(rt, instr.span), size, t.width(rt))
    read_eid, old = t.tb.read(addr, read_tags, instr.span, size // 8)
    equal = binop("==", old, expected)
    write_back = Choice(f"caswb{t.tb.tid}.{t.tb.instr}")
    dup = Choice(f"casdup{t.tb.tid}.{t.tb.instr}")
    t.tb.assume(or_(and_(not_(equal), not_(write_back)), not_(dup)))
    value = select(equal, new, old)
    writes = or_(equal, write_back)
    write = _guarded_write(t, writes, addr, value, write_tags, instr, read_eid, single=True,
                           size=size // 8)
    # The comparison feeds the write: herd orders it after the CAS's own read and, through
    # the comparison's intra-instruction control edge, after the reads behind Rs (in
    # mixed-size mode, every byte of the read before every byte of the write).
    reads, written = t.tb.bytes_of(read_eid), t.tb.bytes_of(write)
    for r in reads:
        for w in written:
            t.tb.program.depend("data", (r, w))
    behind_rs = expected.deps | expected.picks
    for dep in behind_rs:
        for w in written:
            t.tb.program.depend("pick-data", (dep, w))
    t.set(rs, _cas_result(equal, write_back, dup, expected, old, reads), instr.span)


def _amo_size(t: A64Thread, instr: Instr, rs: Operand) -> int:
    """Bits a single-instruction atomic accesses: 8 or 16 for the B and H forms (`CASH`,
    `SWPALB`, `LDADDB`, ...), else the width of Rs."""
    return _EXCLUSIVE_SIZES.get(instr.mnemonic[-1]) or t.width(rs)


def _sized(value: Expr, size: int, width: int) -> Expr:
    """A register's value as a `size`-bit operand (herd's `read_reg_data sz`)."""
    return to_width(value, size) if size < width else value


def _cas_result(
    equal: Expr, write_back: Expr, dup: Expr, expected: Expr, old: Expr,
    reads: tuple[int, ...],
) -> Expr:
    """The value CAS leaves in Rs (the value read), with herd 7.58's dependencies.

    herd builds each outcome of the comparison in two ways (`eventsMonad.ml`,
    `aarch64_cas_ok`/`aarch64_cas_no`): a success takes Rs either from memory (a data
    dependency on the CAS's read) or from the old Rs (data dependency on the reads behind
    it, and a pick dependency, through the comparison, on those and on the CAS's read); a
    failure without write-back takes Rs from memory, with or without that pick dependency
    too; a failure that writes back, from memory. The free choices that already count
    these alternatives (`write_back` on success, `dup` on failure) select them here.
    """
    via_comparison = or_(and_(equal, write_back), and_(not_(equal), dup))
    through_comparison = frozenset(reads) | expected.deps | expected.picks
    picked = with_picks(select(equal, expected, old), through_comparison)
    return select(silent(via_comparison), picked, old)


def swp(t: A64Thread, instr: Instr) -> None:
    """SWP{,A,L,AL} Rs,Rt,[Xn]: memory := Rs, Rt := old value."""
    rs, rt, mem = operands(instr, 3)
    acquire, release = suffix(instr, "SWP")
    _amo(t, instr, rs, rt, mem, (acquire, release), lambda old, v: v)


def ld_op(t: A64Thread, instr: Instr) -> None:
    """LD<op>{,A,L,AL} Rs,Rt,[Xn]: memory := old <op> Rs, Rt := old value."""
    rs, rt, mem = operands(instr, 3)
    op = instr.mnemonic[2:5]
    acquire, release = suffix(instr, "LD" + op)
    _amo(t, instr, rs, rt, mem, (acquire, release), _LDOPS[op])


def st_op(t: A64Thread, instr: Instr) -> None:
    """ST<op>{,L} Rs,[Xn]: LD<op> whose result goes to the zero register."""
    rs, mem = operands(instr, 2)
    op = instr.mnemonic[2:5]
    acquire, release = suffix(instr, "ST" + op)
    _amo(t, instr, rs, Reg("XZR"), mem, (acquire, release), _LDOPS[op])


def _amo(
    t: A64Thread, instr: Instr, rs: Operand, rt: Operand, mem: Operand,
    ordering: tuple[bool, bool], update: Callable[[Expr, Expr], Expr],
) -> None:
    """Read, write update(old, Rs), Rt := old; the pair is in rmw and amo."""
    read_tags, write_tags = _amo_tags(*ordering, noret=_is_zero_reg(rt))
    addr = t.address(mem, instr.span)
    size = _amo_size(t, instr, rs)
    operand = _sized(t.get(rs, instr.span), size, t.width(rs))
    read_eid, old = t.tb.read(addr, read_tags, instr.span, size // 8)
    # the access has the width of Rs (a W form writes 32 bits), or its B/H form's
    value = to_width(update(old, operand), min(size, t.width(rs)))
    write = t.tb.write(addr, value, write_tags, instr.span, size // 8)
    t.tb.pair_rmw(read_eid, write, single_instruction=True)
    t.set(rt, old, instr.span)



HANDLERS: dict[str, Handler] = {
    **{f"LD{a}XR{k}": load_exclusive for a in ("", "A") for k in ("", "B", "H")},
    **{f"ST{a}XR{k}": store_exclusive for a in ("", "L") for k in ("", "B", "H")},
    **{f"CAS{o}{k}": cas for o in _ORDERINGS for k in ("", "B", "H")},
    **{f"SWP{o}{k}": swp for o in _ORDERINGS for k in ("", "B", "H")},
    **{f"LD{op}{o}{k}": ld_op for op in _LDOPS for o in _ORDERINGS for k in ("", "B", "H")},
    **{f"ST{op}{o}{k}": st_op for op in _LDOPS for o in ("", "L") for k in ("", "B", "H")},
}
