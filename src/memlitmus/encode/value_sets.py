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
            break
    else:
        sets = {eid: None for eid in sets}
    if any(v is None for v in sets.values()):
        paths = _PathValues(sources)
        for eid, values in sets.items():
            if values is None:
                sets[eid] = paths.read(eid, frozenset())
    return sets


# --- values along acyclic derivations --------------------------------------------------
# A cycle of read-modify-writes (`LDADD` against `LDEOR` on one location) makes the
# fixpoint above grow without end, yet in one execution a value passes through each write
# at most once: a concrete value is derived along rf edges and value dependencies without
# visiting a write twice, since a cycle of them is a thin-air cycle, whose reads the
# execution encoding gives a symbol (encode/thin_air.py), never a number. So a read's
# values are those of its sources' values with the writes already on the derivation path
# left out: finite, and few on small tests (bounded by `_PATH_BUDGET` evaluations).

_PATH_BUDGET = 20000


class _PathValues:
    """Read values over derivations that visit each write at most once."""

    def __init__(self, sources: dict[int, list[Event]]):
        self.sources = sources
        self.memo: dict[tuple[int, frozenset[int]], Values] = {}
        self.budget = _PATH_BUDGET

    def read(self, eid: int, path: frozenset[int]) -> Values:
        """The values read `eid` may return when the writes in `path` are already on the
        derivation (None: unknown, too many, or the budget is spent)."""
        key = (eid, path)
        if key in self.memo:
            return self.memo[key]
        self.budget -= 1
        if self.budget < 0:
            return None
        parts = (self.expr(w.value, path | {w.eid})
                 for w in self.sources[eid] if w.eid not in path)
        values = _union(parts)
        self.memo[key] = values
        return values

    def expr(self, expr: Expr | None, path: frozenset[int]) -> Values:
        if expr is None or isinstance(expr, AddrOf):
            return None
        if isinstance(expr, ReadValue):
            return self.read(expr.eid, path)
        if isinstance(expr, Const | Choice):
            return expr_values(expr, {})
        if isinstance(expr, Ite):
            return _union([self.expr(expr.then, path), self.expr(expr.other, path)])
        left, right = self.expr(expr.left, path), self.expr(expr.right, path)
        if left is None or right is None or len(left) * len(right) > _LIMIT:
            return None
        return frozenset(evaluate_op(expr.op, a, b) for a in left for b in right)


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


def mask_is_noop(
    values: Callable[[Expr], Values], expr: BinOp,
    bounds: Callable[[Expr], Bounds] | None = None,
) -> bool:
    """Is `expr` a mask `x & (2^k - 1)` that every possible value of x already fits?
    (Known values first; else, with `bounds`, an interval that contains them all.)"""
    if expr.op != "&" or not isinstance(expr.right, Const):
        return False
    mask = expr.right.value
    if mask <= 0 or mask & (mask + 1):
        return False
    known = values(expr.left)
    if known is not None:
        return all(0 <= v <= mask for v in known)
    interval = bounds(expr.left) if bounds is not None else None
    return interval is not None and interval[0] >= 0 and interval[1] <= mask


# --- intervals: when the values are too many to list --------------------------------------
# A read in a cycle of read-modify-writes (`STADD`: y := y + 1) has no finite value set,
# but when every write to its location is masked (a 32-bit register's value) its values
# still lie in an interval, and a mask of that read changes nothing.

Bounds = tuple[int, int] | None


def read_value_bounds(program: EventProgram) -> dict[int, Bounds]:
    """For each read, an interval containing every value it may return (None: unknown);
    a least fixpoint, given up (None) for reads still widening after `_ROUNDS` passes."""
    reads = program.reads()
    writes = program.writes()
    sources = {r.eid: [w for w in writes if _may_alias(w, r)] for r in reads}
    bounds: dict[int, Bounds] = {}
    unknown: set[int] = set()
    for _ in range(_ROUNDS):
        changed = False
        for r in reads:
            if r.eid in unknown:
                continue
            new = _hull(expr_bounds(w.value, bounds, unknown) for w in sources[r.eid])
            if new is None:
                unknown.add(r.eid)
                bounds.pop(r.eid, None)
                changed = True
            elif new != bounds.get(r.eid):
                bounds[r.eid] = new
                changed = True
        if not changed:
            return bounds
    return {}


def expr_bounds(expr: Expr | None, reads: dict[int, Bounds],
                unknown: set[int] | frozenset[int] = frozenset()) -> Bounds:
    """An interval containing every value `expr` may take (None: unknown). A read not
    yet in `reads` contributes nothing (the fixpoint's start), one in `unknown` is None."""
    if expr is None or isinstance(expr, AddrOf):
        return None
    if isinstance(expr, Const):
        return (expr.value, expr.value)
    if isinstance(expr, Choice):
        return (0, 1)
    if isinstance(expr, ReadValue):
        if expr.eid in unknown:
            return None
        return reads.get(expr.eid, (0, 0))
    if isinstance(expr, Ite):
        return _hull([expr_bounds(expr.then, reads, unknown),
                      expr_bounds(expr.other, reads, unknown)])
    if expr.op == "&" and isinstance(expr.right, Const) and expr.right.value >= 0:
        return (0, expr.right.value)
    if expr.op in ("==", "!=", "<", "<=", ">", ">="):
        return (0, 1)
    left = expr_bounds(expr.left, reads, unknown)
    right = expr_bounds(expr.right, reads, unknown)
    if left is None or right is None:
        return None
    if expr.op == "+":
        return (left[0] + right[0], left[1] + right[1])
    if expr.op == "-":
        return (left[0] - right[1], left[1] - right[0])
    if expr.op == "*":
        ends = [a * b for a in left for b in right]
        return (min(ends), max(ends))
    if expr.op in ("|", "^") and left[0] >= 0 and right[0] >= 0:
        return (0, (1 << max(left[1], right[1]).bit_length()) - 1)
    return None


def _hull(parts: Iterable[Bounds]) -> Bounds:
    low: int | None = None
    high: int | None = None
    for part in parts:
        if part is None:
            return None
        low = part[0] if low is None else min(low, part[0])
        high = part[1] if high is None else max(high, part[1])
    return None if low is None or high is None else (low, high)
