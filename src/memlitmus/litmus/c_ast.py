"""The AST of the C dialect of herd litmus tests (the kernel's LKMM tests).

A C thread is a function `P0(int *x, spinlock_t *l) { ... }` whose parameters name the
shared locations it uses; its body is ordinary C statements. Kernel primitives
(`READ_ONCE(*x)`, `smp_mb()`, `spin_lock(l)`, ...) are plain calls here: the front end
(`memlitmus.arch.c`) gives them meaning through its primitives table, so an unknown
macro is reported there, with its name and position.
"""

from __future__ import annotations

from dataclasses import dataclass

from memlitmus.errors import Span

# --- expressions ---------------------------------------------------------------------


@dataclass(frozen=True)
class CNum:
    """An integer literal."""

    value: int
    span: Span


@dataclass(frozen=True)
class CVar:
    """A name: a local variable, a parameter (a pointer to the location of that name), or
    the location itself when used as `&x`."""

    name: str
    span: Span


@dataclass(frozen=True)
class CDeref:
    """`*e`: the memory cell whose address `e` evaluates to."""

    pointer: CExpr
    span: Span


@dataclass(frozen=True)
class CAddrOf:
    """`&e`, where `e` is a name (a location) or `*p` (then just `p`)."""

    target: CExpr
    span: Span


@dataclass(frozen=True)
class CUnary:
    """`op e` for op in `- ! ~`."""

    op: str
    arg: CExpr
    span: Span


@dataclass(frozen=True)
class CBinary:
    """`left op right`: arithmetic, bitwise, comparison or logical (`&&`, `||`)."""

    op: str
    left: CExpr
    right: CExpr
    span: Span


@dataclass(frozen=True)
class CCond:
    """`cond ? then : other`."""

    cond: CExpr
    then: CExpr
    other: CExpr
    span: Span


@dataclass(frozen=True)
class CCast:
    """`(type) e`; casts change no value in herd's C semantics."""

    ctype: str
    arg: CExpr
    span: Span


@dataclass(frozen=True)
class CCall:
    """`name(args)`: a kernel primitive (or an unknown macro, rejected when lowered)."""

    name: str
    args: tuple[CExpr, ...]
    span: Span


@dataclass(frozen=True)
class CAssign:
    """`target = value` (also as an expression: its value is `value`)."""

    target: CExpr
    value: CExpr
    span: Span


CExpr = CNum | CVar | CDeref | CAddrOf | CUnary | CBinary | CCond | CCast | CCall | CAssign


# --- statements ----------------------------------------------------------------------


@dataclass(frozen=True)
class CDecl:
    """`int r0;` or `int r0 = e;` (one declarator; `int a, b;` gives several)."""

    ctype: str
    name: str
    init: CExpr | None
    span: Span


@dataclass(frozen=True)
class CExprStmt:
    """An expression evaluated for its effects: `r = READ_ONCE(*x);`, `smp_mb();`."""

    expr: CExpr
    span: Span


@dataclass(frozen=True)
class CIf:
    """`if (cond) then else other`."""

    cond: CExpr
    then: CStmt
    other: CStmt | None
    span: Span


@dataclass(frozen=True)
class CWhile:
    """`while (cond) body`, unrolled to a bound by the front end as herd does."""

    cond: CExpr
    body: CStmt
    span: Span


@dataclass(frozen=True)
class CBlock:
    """`{ stmts }`."""

    stmts: tuple[CStmt, ...]
    span: Span


CStmt = CDecl | CExprStmt | CIf | CWhile | CBlock


@dataclass(frozen=True)
class CParam:
    """A thread parameter `int *x`: the thread's register `x` holds the address of `x`."""

    ctype: str
    name: str
    span: Span


@dataclass(frozen=True)
class CThread:
    """One thread `Pn(params) { body }` of a C litmus test."""

    proc: int
    params: tuple[CParam, ...]
    body: tuple[CStmt, ...]
    span: Span
