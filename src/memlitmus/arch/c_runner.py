"""The C thread runner: symbolic execution of one thread of herd's C dialect.

Statements, expressions and the accesses they make, in program order (see `c` for the
semantics). A call of a kernel primitive runs the handler of its table shape from the
`shapes` the front end gives the runner (`c_primitives.SHAPES`, which import this module
for the runner's type; the kernel lowering's runner replaces `primitive`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import AddrOf, Const, Expr, and_, binop, ite, not_, or_, truth
from memlitmus.litmus.c_ast import (
    CAddrOf,
    CAssign,
    CBinary,
    CBlock,
    CCall,
    CCast,
    CCond,
    CDecl,
    CDeref,
    CExpr,
    CExprStmt,
    CIf,
    CNum,
    CStmt,
    CThread,
    CUnary,
    CVar,
    CWhile,
)

PLAIN: frozenset[str] = frozenset()
LOOP_UNROLL = 2  # herd's default `-unroll`

Shape = Callable[["CThreadRunner", Primitive, CCall], Expr]
"""The handler of one table shape: the runner, the primitive, its call; the call's value."""

_ARITH = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^", "==": "==",
          "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def run_body(runner: CThreadRunner, thread: CThread, tb: ThreadBuilder) -> None:
    """Run a C thread's body with `runner`: each parameter names a location whose address
    the thread holds, and the init block's registers are known names."""
    for param in thread.params:
        tb.program.add_location(param.name)
        tb.set(param.name, AddrOf(param.name))
        runner.names.add(param.name)
    runner.names.update(tb.init_regs)
    for stmt in thread.body:
        runner.stmt(stmt)


@dataclass
class CThreadRunner:
    """Symbolic execution of one C thread."""

    tb: ThreadBuilder
    srcu: dict[str, list[int]]
    table: Mapping[str, Primitive]
    aliases: Mapping[str, frozenset[str]]  # a tag's other names (herd's, from a .def)
    shapes: Mapping[str, Shape]  # the handler of each table shape
    names: set[str] = field(default_factory=set)
    _labels: itertools.count[int] = field(default_factory=itertools.count)

    # ---- statements ----------------------------------------------------------------

    def stmt(self, stmt: CStmt) -> None:
        """Execute one statement."""
        if isinstance(stmt, CDecl):
            # In C a name is in scope in its own initializer (`int r4 = (r1 != r4);`,
            # as some generated tests write); unset registers read as 0, as in herd.
            # A declaration without initializer keeps an init-block value (`0:r2=a;`).
            self.names.add(stmt.name)
            if stmt.init is not None:
                self.tb.set(stmt.name, self.expr(stmt.init))
        elif isinstance(stmt, CExprStmt):
            self.expr(stmt.expr)
        elif isinstance(stmt, CBlock):
            for inner in stmt.stmts:
                self.stmt(inner)
        elif isinstance(stmt, CIf):
            self.if_(stmt)
        else:
            self.while_(stmt)

    def label(self, what: str) -> str:
        """A fresh label name (C has no labels of its own)."""
        return f"%{what}{next(self._labels)}"

    def if_(self, stmt: CIf) -> None:
        with self.tb.structured():
            cond = truth(self.expr(stmt.cond))
            other, end = self.label("else"), self.label("endif")
            self.tb.branch(not_(cond), other)
            self.stmt(stmt.then)
            if stmt.other is not None:
                self.tb.jump(end)
            self.tb.label(other)
            if stmt.other is not None:
                self.stmt(stmt.other)
                self.tb.label(end)

    def while_(self, stmt: CWhile) -> None:
        """Unrolled LOOP_UNROLL times; executions that would loop more are cut."""
        with self.tb.structured():
            end = self.label("endwhile")
            for _ in range(LOOP_UNROLL):
                self.tb.branch(not_(truth(self.expr(stmt.cond))), end)
                self.stmt(stmt.body)
            self.tb.assume(not_(truth(self.expr(stmt.cond))))
            self.tb.label(end)

    # ---- expressions ---------------------------------------------------------------

    def expr(self, e: CExpr) -> Expr:
        """The value of an expression; memory accesses make events on the way."""
        if isinstance(e, CNum):
            return Const(e.value)
        if isinstance(e, CVar):
            return self.var(e)
        if isinstance(e, CDeref):
            return self.read(self.expr(e.pointer), PLAIN, e.span)
        if isinstance(e, CAddrOf):
            return self.address_of(e)
        if isinstance(e, CCast):
            return self.expr(e.arg)
        if isinstance(e, CUnary):
            return self.unary(e)
        if isinstance(e, CBinary):
            return self.binary(e)
        if isinstance(e, CCond):
            return self.conditional(e)
        if isinstance(e, CAssign):
            return self.assign(e)
        return self.call(e)

    def var(self, e: CVar) -> Expr:
        if e.name not in self.names:
            raise UnsupportedError(f"unknown variable `{e.name}`", e.span)
        return self.tb.get(e.name)

    def address_of(self, e: CAddrOf) -> Expr:
        target = e.target
        if isinstance(target, CDeref):
            return self.expr(target.pointer)
        if isinstance(target, CVar):
            self.tb.program.add_location(target.name)
            return AddrOf(target.name)
        raise UnsupportedError("unsupported `&` of an expression", e.span)

    def unary(self, e: CUnary) -> Expr:
        arg = self.expr(e.arg)
        if e.op == "!":
            return not_(arg)
        if e.op == "~":
            return binop("^", arg, Const(-1))
        return binop("-", Const(0), arg)

    def binary(self, e: CBinary) -> Expr:
        left = self.expr(e.left)
        right = self.expr(e.right)  # herd evaluates both operands of && and || too
        if e.op == "&&":
            return and_(truth(left), truth(right))
        if e.op == "||":
            return or_(truth(left), truth(right))
        op = _ARITH.get(e.op)
        if op is None:
            raise UnsupportedError(f"unsupported operator `{e.op}`", e.span)
        return binop(op, left, right)

    def conditional(self, e: CCond) -> Expr:
        if has_effects(e.then) or has_effects(e.other):
            raise UnsupportedError("unsupported `?:` with memory accesses", e.span)
        return ite(truth(self.expr(e.cond)), self.expr(e.then), self.expr(e.other))

    def assign(self, e: CAssign) -> Expr:
        value = self.expr(e.value)
        target = e.target
        if isinstance(target, CVar):
            self.names.add(target.name)
            self.tb.set(target.name, value)
        elif isinstance(target, CDeref):
            self.write(self.expr(target.pointer), value, PLAIN, e.span)
        else:  # pragma: no cover - the parser only builds these two
            raise UnsupportedError("cannot assign to this expression", e.span)
        return value

    def call(self, e: CCall) -> Expr:
        """A kernel primitive's call: its table line, then its shape's handler."""
        prim = self.table.get(e.name)
        if prim is None:
            raise UnsupportedError(f"unsupported macro or function `{e.name}`", e.span)
        if len(e.args) != len(prim.args):
            raise UnsupportedError(
                f"`{e.name}` takes {len(prim.args)} argument(s), got {len(e.args)}", e.span
            )
        return self.primitive(prim, e)

    def primitive(self, prim: Primitive, e: CCall) -> Expr:
        """The events and value of a call of `prim` (its arguments checked)."""
        return self.shapes[prim.shape](self, prim, e)

    def finish(self, span: Span) -> None:
        """After the thread's last statement (`span`: the thread): nothing more here."""

    # ---- events --------------------------------------------------------------------

    def read(self, addr: Expr, tags: frozenset[str], span: Span) -> Expr:
        """A read, po-after everything before it."""
        return self.read_eid(addr, tags, span)[1]

    def read_eid(self, addr: Expr, tags: frozenset[str], span: Span) -> tuple[int, Expr]:
        self.tb.next_instruction()
        return self.tb.read(addr, self._named(tags), span)

    def write(self, addr: Expr, value: Expr, tags: frozenset[str], span: Span) -> int:
        """A write, po-after everything before it."""
        self.tb.next_instruction()
        return self.tb.write(addr, value, self._named(tags), span)

    def fence(self, tags: frozenset[str], span: Span) -> int:
        self.tb.next_instruction()
        return self.tb.fence(self._named(tags), span)

    def _named(self, tags: frozenset[str]) -> frozenset[str]:
        """`tags` with each one's other names (`Once` is also herd's `ONCE`)."""
        if not self.aliases:
            return tags
        return tags.union(*(self.aliases.get(t, ()) for t in tags))

    # ---- arguments -----------------------------------------------------------------

    def arg(self, prim: Primitive, e: CCall, name: str) -> Expr:
        """The value of parameter `name`; for `*X` parameters, the address accessed."""
        i = prim.arg_index(name)
        arg = e.args[i]
        if prim.args[i].startswith("*"):
            return self.lvalue_address(arg, e)
        return self.expr(arg)

    def lvalue_address(self, arg: CExpr, e: CCall) -> Expr:
        """`READ_ONCE(*p)` accesses `p`: the argument must be a dereference."""
        while isinstance(arg, CCast):
            arg = arg.arg
        if not isinstance(arg, CDeref):
            raise UnsupportedError(f"`{e.name}` expects an argument of the form `*p`", e.span)
        return self.expr(arg.pointer)

    def args_in_order(self, prim: Primitive, e: CCall) -> dict[str, Expr]:
        """Every argument evaluated left to right (their reads come in call order)."""
        return {p.lstrip("*"): self.arg(prim, e, p.lstrip("*")) for p in prim.args}


def has_effects(e: CExpr) -> bool:
    """Does evaluating `e` make events (a call or a dereference)?"""
    if isinstance(e, CCall | CDeref):
        return True
    if isinstance(e, CNum | CVar):
        return False
    if isinstance(e, CAddrOf):
        return isinstance(e.target, CDeref) and has_effects(e.target.pointer)
    if isinstance(e, CCast | CUnary):
        return has_effects(e.arg)
    if isinstance(e, CBinary):
        return has_effects(e.left) or has_effects(e.right)
    if isinstance(e, CCond):
        return any(has_effects(x) for x in (e.cond, e.then, e.other))
    return True  # assignment
