"""The kernel primitives' handlers for the C front end: one function per table shape.

`kernel_primitives.TABLE` gives each primitive a SHAPE; `SHAPES` maps that shape to the
function that turns one call of the primitive into events, through the thread runner
(`c_runner.CThreadRunner`) that evaluates its arguments and makes the accesses in program order.
Atomic read-modify-writes tag both events with the primitive's tag and `RMW` and pair
them in `rmw`; locks, trylock and SRCU follow the scheme described in `c`.
"""

from __future__ import annotations

from collections.abc import Callable

from memlitmus.arch.c_runner import CThreadRunner, Shape
from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Choice, Const, Expr, binop, not_, truth
from memlitmus.litmus.c_ast import CCall

RMW_TAG = "RMW"
SRCU_LOC = "srcu-loc"  # static relation: SRCU events on the same srcu struct


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


def _load(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    return t.read(t.arg(prim, e, "X"), _tags(prim.tag), e.span)


def _store(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    args = t.args_in_order(prim, e)
    t.write(args["X"], args["V"], _tags(prim.tag), e.span)
    return ZERO


def _store_mb(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    _store(t, prim, e)
    t.fence(_tags("Mb"), e.span)
    return ZERO


def _fence(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    t.fence(_tags(prim.tag), e.span)
    return ZERO


def _rmw(
    t: CThreadRunner, addr: Expr, tag: str, span: Span, update: Callable[[Expr], Expr],
    when: Callable[[Expr], Expr] | None = None,
) -> tuple[Expr, Expr]:
    """An atomic read-modify-write: read, then (when `when(old)` holds) write update(old),
    both tagged `tag` and `RMW`, paired in `rmw`. Returns the old and new values."""
    tags = _tags(tag, RMW_TAG)
    # A read that may stay alone (failed cmpxchg) is still a marked, relaxed access
    # (herd's `once` read): the model strips its other annotations when it fails.
    r_eid, old = t.read_eid(addr, tags | _tags("Once") if when else tags, span)
    new = update(old)
    if when is None:
        w_eid = t.write(addr, new, tags, span)
        t.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        return old, new
    skip = t.label("rmwfail")
    with t.tb.structured() as before:
        t.tb.branch(not_(when(old)), skip)
        t.tb.state.ctrl = before.ctrl  # the write is part of the RMW, not control-dependent
        w_eid = t.write(addr, new, tags, span)
        t.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        t.tb.label(skip)
    return old, new


def _xchg(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    args = t.args_in_order(prim, e)
    old, _ = _rmw(t, args["X"], prim.tag, e.span, lambda old: args["V"])
    return old


def _cmpxchg(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    """Write W only when the old value equals V; a failed cmpxchg is a lone read."""
    args = t.args_in_order(prim, e)
    old, _ = _rmw(t, args["X"], prim.tag, e.span, lambda old: args["W"],
                  when=lambda old: binop("==", old, args["V"]))
    return old


UPDATES: dict[str, Callable[[Expr, Expr], Expr]] = {
    "+": lambda a, b: binop("+", a, b),
    "-": lambda a, b: binop("-", a, b),
    "&": lambda a, b: binop("&", a, b),
    "|": lambda a, b: binop("|", a, b),
    "^": lambda a, b: binop("^", a, b),
    "&~": lambda a, b: binop("&", a, binop("^", b, Const(-1))),
}


def _atomic_op(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    args = t.args_in_order(prim, e)
    operand = rmw_operand(prim, args)
    update = UPDATES[prim.op]
    old, new = _rmw(t, args["X"], prim.tag, e.span, lambda old: update(old, operand))
    return rmw_result(prim, old, new)


def rmw_operand(prim: Primitive, args: dict[str, Expr]) -> Expr:
    """What an atomic operation adds, subtracts or masks: its argument `V` or the constant
    of its table line (`atomic_inc` adds 1)."""
    return args["V"] if prim.operand == "V" else Const(int(prim.operand))


def rmw_result(prim: Primitive, old: Expr, new: Expr) -> Expr:
    """An atomic operation's C value from the values it read (`old`) and wrote (`new`):
    the one its table line returns, or that value's test (`atomic_dec_and_test`)."""
    result = {"old": old, "new": new, "none": ZERO}[prim.result]
    if prim.test == "==0":
        return binop("==", result, Const(0))
    if prim.test == "<0":
        return binop("<", result, Const(0))
    return result


def _add_unless(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    """atomic_add_unless(v, a, u): add a unless the value is u; true when it added."""
    args = t.args_in_order(prim, e)
    old, _ = _rmw(t, args["X"], prim.tag, e.span, lambda old: binop("+", old, args["V"]),
                  when=lambda old: binop("!=", old, args["W"]))
    return binop("!=", old, args["W"])


def _lock_at(t: CThreadRunner, addr: Expr, span: Span) -> None:
    """Acquire: read "unlocked" (0), write "locked" (1), atomically."""
    r_eid, old = t.read_eid(addr, _tags("LKR"), span)
    t.tb.assume(binop("==", old, Const(0)))
    w_eid = t.write(addr, Const(1), _tags("LKW"), span)
    t.tb.pair_rmw(r_eid, w_eid, single_instruction=False)


def _lock(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    _lock_at(t, t.arg(prim, e, "X"), e.span)
    return ZERO


def _unlock(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    t.write(t.arg(prim, e, "X"), Const(0), _tags("UL"), e.span)
    return ZERO


def _trylock(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    """Either takes the lock (returns 1) or reads it held (`LF`, returns 0)."""
    addr = t.arg(prim, e, "X")
    span = e.span
    success = Choice(t.label(f"trylock{t.tb.tid}."))  # fresh: one choice per attempt
    failed, end = t.label("trylockfail"), t.label("trylockend")
    with t.tb.structured():
        t.tb.branch(not_(success), failed)
        _lock_at(t, addr, span)
        t.tb.jump(end)
        t.tb.label(failed)
        _, value = t.read_eid(addr, _tags("LF"), span)
        t.tb.assume(binop("!=", value, Const(0)))
        t.tb.label(end)
    return truth(success)


def _islocked(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    value = t.read(t.arg(prim, e, "X"), _tags(prim.tag), e.span)
    return binop("!=", value, Const(0))


def _srcu_event(t: CThreadRunner, addr: Expr, eid: int, e: CCall) -> None:
    """Record an SRCU event's struct, relating it to the earlier ones on that struct."""
    if not isinstance(addr, AddrOf):
        raise UnsupportedError(f"`{e.name}` on a computed srcu_struct pointer", e.span)
    same = t.srcu.setdefault(f"{addr.name}+{addr.offset}", [])
    same.append(eid)
    for other in same:
        t.tb.program.relate(SRCU_LOC, (eid, other))
        t.tb.program.relate(SRCU_LOC, (other, eid))


def _srcu_lock(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    addr = t.arg(prim, e, "X")
    eid, value = t.read_eid(addr, _tags(prim.tag), e.span)
    _srcu_event(t, addr, eid, e)
    return value


def _srcu_unlock(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    args = t.args_in_order(prim, e)
    eid = t.write(args["X"], args["V"], _tags(prim.tag), e.span)
    _srcu_event(t, args["X"], eid, e)
    return ZERO


def _sync_srcu(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    addr = t.arg(prim, e, "X")
    eid = t.fence(_tags(prim.tag), e.span)
    _srcu_event(t, addr, eid, e)
    return ZERO


SHAPES: dict[str, Shape] = {
    "load": _load, "store": _store, "store_mb": _store_mb, "fence": _fence,
    "xchg": _xchg, "cmpxchg": _cmpxchg, "rmw": _atomic_op, "add_unless": _add_unless,
    "lock": _lock, "unlock": _unlock, "trylock": _trylock, "islocked": _islocked,
    "srcu_lock": _srcu_lock, "srcu_unlock": _srcu_unlock, "sync_srcu": _sync_srcu,
}
