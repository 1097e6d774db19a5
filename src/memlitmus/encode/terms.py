"""Translate event-program expressions into Z3 terms, folding what is static.

A term is a Python `int` when its value is known statically, else a Z3 integer or
boolean. Conditions ("Cond") are Python `True`, or a Z3 boolean; an absent edge is false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeAlias

import z3
from z3 import z3core, z3types

from memlitmus.encode.value_sets import mask_is_noop
from memlitmus.events import AddrOf, BinOp, Choice, Const, Expr, Ite, ReadValue, evaluate_op

Term: TypeAlias = "int | z3.ArithRef | z3.BoolRef"
Cond: TypeAlias = "z3.BoolRef | bool"
WIDTH = 64
LOCATION_STRIDE = 1 << 20  # pointer values are far apart so offsets never collide


# z3py's And/Or/Not/Implies check and coerce every argument in Python, which costs more
# than the solver on large tests (hundreds of thousands of calls). Conditions are always
# Z3 booleans of one context here, so these call Z3's C API directly; each result is
# wrapped in a BoolRef at once, which holds the reference count.


def mk_and(args: list[z3.BoolRef]) -> z3.BoolRef:
    """⋀ args (at least one), without z3py's argument checks."""
    ctx = args[0].ctx
    array = (z3types.Ast * len(args))(*[a.as_ast() for a in args])
    return z3.BoolRef(z3core.Z3_mk_and(ctx.ref(), len(args), array), ctx)


def mk_or(args: list[z3.BoolRef]) -> z3.BoolRef:
    """⋁ args (at least one), without z3py's argument checks."""
    ctx = args[0].ctx
    array = (z3types.Ast * len(args))(*[a.as_ast() for a in args])
    return z3.BoolRef(z3core.Z3_mk_or(ctx.ref(), len(args), array), ctx)


def mk_not(a: z3.BoolRef) -> z3.BoolRef:
    """¬a, without z3py's argument checks."""
    return z3.BoolRef(z3core.Z3_mk_not(a.ctx.ref(), a.as_ast()), a.ctx)


def mk_implies(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    """a → b, without z3py's argument checks."""
    return z3.BoolRef(z3core.Z3_mk_implies(a.ctx.ref(), a.as_ast(), b.as_ast()), a.ctx)


def implies(a: Cond, b: z3.BoolRef) -> z3.BoolRef:
    """a → b for a condition a (True gives b itself)."""
    return b if a is True else mk_implies(a, b)


def conj(a: Cond, b: Cond) -> Cond:
    """a ∧ b, keeping Python booleans when static."""
    if a is True:
        return b
    if b is True:
        return a
    if a is False or b is False:
        return False
    return mk_and([a, b])


def disj(conds: Iterable[Cond]) -> Cond:
    """⋁ conds (False for none)."""
    dynamic: list[z3.BoolRef] = []
    for c in conds:
        if c is True:
            return True
        if c is not False:
            dynamic.append(c)
    if not dynamic:
        return False
    return dynamic[0] if len(dynamic) == 1 else mk_or(dynamic)


def neg(a: Cond) -> Cond:
    """¬a."""
    if isinstance(a, bool):
        return not a
    return mk_not(a)


def to_int(t: Term) -> int | z3.ArithRef:
    """View a term as an integer (booleans become 0/1)."""
    if isinstance(t, z3.BoolRef):
        return z3.If(t, z3.IntVal(1), z3.IntVal(0))
    return t


def to_cond(t: Term) -> Cond:
    """View a term as a condition (non-zero is true)."""
    if isinstance(t, int):
        return t != 0
    if isinstance(t, z3.BoolRef):
        return t
    return t != 0


def equal(a: Term, b: Term) -> Cond:
    """a = b as a condition."""
    ia, ib = to_int(a), to_int(b)
    if isinstance(ia, int) and isinstance(ib, int):
        return ia == ib
    return ia == ib


_BITWISE: dict[str, Callable[[z3.BitVecRef, z3.BitVecRef], z3.BitVecRef]] = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "<<": lambda a, b: a << b,
    ">>": z3.LShR,
}


class TermBuilder:
    """Builds terms for expressions, given the read-value variables and location ids."""

    def __init__(
        self, location_ids: dict[str, int], read_values: dict[int, z3.ArithRef],
        value_sets: Callable[[Expr], frozenset[int] | None] | None = None,
        bounds: Callable[[Expr], tuple[int, int] | None] | None = None,
        domains: list[z3.BoolRef] | None = None,
    ):
        self.location_ids = location_ids
        self.read_values = read_values
        # the values an expression may take, known statically (see encode/value_sets.py)
        self.value_sets = value_sets
        self.bounds = bounds  # an interval of those values, when they are too many
        # where to put "this operand is one of its values" for each case table (None:
        # nowhere); only a thin-air symbol (encode/thin_air.py) can break it
        self.domains = domains
        self._cache: dict[Expr, Term] = {}
        self.choices: list[z3.BoolRef] = []

    def term(self, expr: Expr) -> Term:
        """The term of an expression."""
        cached = self._cache.get(expr)
        if cached is None:
            cached = self._build(expr)
            self._cache[expr] = cached
        return cached

    def _build(self, expr: Expr) -> Term:
        if isinstance(expr, Const):
            return expr.value
        if isinstance(expr, AddrOf):
            return self.location_ids[expr.name] + expr.offset
        if isinstance(expr, ReadValue):
            return self.read_values[expr.eid]
        if isinstance(expr, Choice):
            choice = z3.Bool(f"choice_{expr.name}")
            self.choices.append(choice)
            return choice
        if isinstance(expr, Ite):
            cond = to_cond(self.term(expr.cond))
            then, other = to_int(self.term(expr.then)), to_int(self.term(expr.other))
            if isinstance(cond, bool):
                return then if cond else other
            return z3.If(cond, then, other)
        return self._binop(expr)

    def _binop(self, expr: BinOp) -> Term:
        if expr.op == "*" and expr.right == Const(0):
            return 0  # a zero that only carries dependencies (mixed_size.byte_of)
        byte = self._byte(expr)
        if byte is not None:
            return byte
        left, right = to_int(self.term(expr.left)), to_int(self.term(expr.right))
        op = expr.op
        if op == "&" and self.value_sets is not None and mask_is_noop(self.value_sets, expr,
                                                                   self.bounds):
            return left  # a mask every possible value already fits: no bit-vector term
        if op == "&" and isinstance(right, int) and 0 < right < (1 << 63) \
                and right & (right + 1) == 0 and not isinstance(left, int):
            return left % (right + 1)  # low bits: integer remainder, no bit-vector term
        table = self._table(expr, left, right)
        if table is not None:
            return table
        if op in _BITWISE:
            if isinstance(left, int) and isinstance(right, int):
                return evaluate_op(op, left, right)
            bits = _BITWISE[op](_bv(left), _bv(right))
            return z3.BV2Int(bits, is_signed=True)
        return _ARITH[op](left, right)


    def _table(self, expr: BinOp, left: int | z3.ArithRef,
               right: int | z3.ArithRef) -> Term | None:
        """`left op right` as a case table over the operands' possible values, when they
        are few and known statically (encode/value_sets.py) and op is one Z3 would
        otherwise pass through bit-vectors (& | ^ << >>) or nonlinear arithmetic (x * y).

        Each result value r gets the condition "the operands are one of the pairs giving
        r"; the most frequent result is the default of the `If` chain. Sound because a
        read's value is always one of its value set's (it equals the value of the write
        it reads from), so the table agrees with the operation on every value it can be
        given. The one exception is a thin-air symbol, which no table maps right: the
        operands are constrained to their sets (`domains`), which drops an execution whose
        symbol reaches a table, as one whose value cycle computes. Z3's Int2BV/BV2Int
        round trip made the solver time out on small tests (docs/architecture.md,
        "Values and bitwise operations")."""
        op = expr.op
        if op not in _TABLED or (isinstance(left, int) and isinstance(right, int)):
            return None
        if op == "*" and (isinstance(left, int) or isinstance(right, int)):
            return None  # linear: plain integer arithmetic
        if self.value_sets is None:
            return None
        left_values = _operand_values(left, expr.left, self.value_sets)
        right_values = _operand_values(right, expr.right, self.value_sets)
        if not left_values or not right_values \
                or len(left_values) * len(right_values) > TABLE_LIMIT:
            return None
        if self.domains is not None:
            for term, values in ((left, left_values), (right, right_values)):
                if not isinstance(term, int):
                    domain = disj(equal(term, v) for v in sorted(values))
                    if not isinstance(domain, bool):
                        self.domains.append(domain)
        groups: dict[int, list[Cond]] = {}
        for a in sorted(left_values):
            on_left = True if isinstance(left, int) else equal(left, a)
            for b in sorted(right_values):
                on_right = True if isinstance(right, int) else equal(right, b)
                groups.setdefault(evaluate_op(op, a, b), []).append(
                    conj(on_left, on_right))
        # the largest group needs no condition: it is what remains
        ordered = sorted(groups.items(), key=lambda item: (len(item[1]), item[0]))
        result: int | z3.ArithRef = ordered[-1][0]
        for value, conds in reversed(ordered[:-1]):
            cond = disj(conds)
            if cond is True:
                return value
            if cond is not False:
                result = z3.If(cond, z3.IntVal(value), result)
        return result

    def _byte(self, expr: BinOp) -> Term | None:
        """`(x >> 8k) & 0xff`, byte k of x (mixed-size mode splits every access into such
        bytes, `mixed_size.byte_of`), as integer arithmetic: `x div 2^8k mod 256` equals
        it for any integer x and 8k <= 56, with no bit-vector term."""
        shifted = expr.left
        if not (expr.op == "&" and expr.right == Const(0xFF) and isinstance(shifted, BinOp)
                and shifted.op == ">>" and isinstance(shifted.right, Const)
                and 0 < shifted.right.value <= 56):
            return None
        value = to_int(self.term(shifted.left))
        if isinstance(value, int):
            return None
        return (value / (1 << shifted.right.value)) % 256


# the operators a case table replaces, and its largest size (pairs of operand values)
_TABLED = frozenset({"&", "|", "^", "<<", ">>", "*"})
TABLE_LIMIT = 64


def _operand_values(
    term: int | z3.ArithRef, expr: Expr, value_sets: Callable[[Expr], frozenset[int] | None],
) -> frozenset[int] | None:
    """The values an operand may take: its own when static, else its value set."""
    if isinstance(term, int):
        return frozenset({term})
    return value_sets(expr)


def _bv(t: int | z3.ArithRef) -> z3.BitVecRef:
    if isinstance(t, int):
        return z3.BitVecVal(t, WIDTH)
    return z3.Int2BV(t, WIDTH)


_ARITH: dict[str, Callable[[object, object], Term]] = {
    "&": lambda a, b: a & b,  # type: ignore[operator]
    "|": lambda a, b: a | b,  # type: ignore[operator]
    "^": lambda a, b: a ^ b,  # type: ignore[operator]
    "+": lambda a, b: a + b,  # type: ignore[operator]
    "-": lambda a, b: a - b,  # type: ignore[operator]
    "*": lambda a, b: a * b,  # type: ignore[operator]
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}
