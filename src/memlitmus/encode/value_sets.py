"""The values an expression may take, known before solving (or None: too many, unknown).

A read returns the value of some write that may share its location, so when every such
write stores one of a few constants the read's values are known. The term builder uses
this to drop masks that change nothing: x86 `movl (x),%eax` keeps the low 32 bits of the
value read (`v & 0xffffffff`), which would otherwise cost a bit-vector conversion in the
solver, although every value written to x is small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from memlitmus.events import (
    AddrOf,
    BinOp,
    Choice,
    Const,
    Event,
    EventProgram,
    Expr,
    Ite,
    ReadValue,
    evaluate_op,
)

Values = frozenset[int] | None
_LIMIT = 64  # more possible values than this: unknown
# Passes over the reads before giving up. Each pass that changes anything grows a set or
# makes it unknown, and a set grows at most _LIMIT times, so a fixpoint always comes; the
# cap only bounds the work on large tests.
_ROUNDS = 200


def read_value_sets(program: EventProgram) -> dict[int, Values]:
    """For each read event, the values it may return (None: not known statically).

    A least fixpoint over "a read returns a value some aliasing write may store", from
    no values at all (a read never reads its own instruction's write, as in
    `execution._same_instruction`); when no fixpoint comes in `_ROUNDS` passes, every
    read is unknown.
    """
    reads = program.reads()
    writes = program.writes()
    sources = {
        r.eid: [w for w in writes if _may_alias(w, r)
                and not (w.thread == r.thread and w.instr == r.instr)]
        for r in reads
    }
    sets: dict[int, Values] = {r.eid: frozenset() for r in reads}
    for _ in range(_ROUNDS):
        changed = False
        for r in reads:
            new = _union(expr_values(w.value, sets) for w in sources[r.eid])
            if new != sets[r.eid]:
                sets[r.eid] = new
                changed = True
        if not changed:
            return sets
    return {eid: None for eid in sets}


def expr_values(expr: Expr | None, reads: dict[int, Values]) -> Values:
    """The values `expr` may take, given each read's possible values."""
    if expr is None or isinstance(expr, AddrOf):
        return None
    if isinstance(expr, Const):
        return frozenset({expr.value})
    if isinstance(expr, ReadValue):
        return reads.get(expr.eid)
    if isinstance(expr, Choice):
        return frozenset({0, 1})
    if isinstance(expr, Ite):
        return _union([expr_values(expr.then, reads), expr_values(expr.other, reads)])
    return _binop_values(expr, reads)


def _binop_values(expr: BinOp, reads: dict[int, Values]) -> Values:
    left = expr_values(expr.left, reads)
    right = expr_values(expr.right, reads)
    if left is None or right is None or len(left) * len(right) > _LIMIT:
        return None
    return frozenset(evaluate_op(expr.op, a, b) for a in left for b in right)


def _union(parts: Iterable[Values]) -> Values:
    out: set[int] = set()
    for part in parts:
        if part is None:
            return None
        out |= part
        if len(out) > _LIMIT:
            return None
    return frozenset(out)


def _may_alias(w: Event, r: Event) -> bool:
    """False only when both addresses are distinct constants or locations."""
    a, b = w.addr, r.addr
    if isinstance(a, AddrOf) and isinstance(b, AddrOf):
        return (a.name, a.offset) == (b.name, b.offset)
    if isinstance(a, Const) and isinstance(b, Const):
        return a.value == b.value
    return True


def mask_is_noop(values: Callable[[Expr], Values], expr: BinOp) -> bool:
    """Is `expr` a mask `x & (2^k - 1)` that every possible value of x already fits?"""
    if expr.op != "&" or not isinstance(expr.right, Const):
        return False
    mask = expr.right.value
    if mask <= 0 or mask & (mask + 1):
        return False
    known = values(expr.left)
    return known is not None and all(0 <= v <= mask for v in known)
