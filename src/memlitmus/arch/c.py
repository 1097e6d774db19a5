"""The C front end (herd's C dialect, the Linux-kernel memory model's tests).

Each thread is executed symbolically: locals and parameters are registers (a parameter
`int *x` holds the address of location `x`), `*p` is a plain access, and kernel
primitives make the events that `kernel_primitives.TABLE` gives them. As in herd's C
semantics, every access is ordered in program order after the previous one, the read
and the write of an atomic read-modify-write included (herd's `lock.cat` pairs a lock's
read and write through `po-loc`).

Locks are modelled with the engine's own values: `spin_lock(l)` reads `*l` (tag `LKR`),
must read 0 (an assumption), writes 1 (`LKW`) and pairs the two in `rmw`;
`spin_unlock(l)` writes 0 (`UL`). Coherence and atomicity then give exactly herd's lock
orders (each `LKR` reads from the `UL` or initial write just before its `LKW`), without
herd's `with ... from` enumeration.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.builder import ProgramBuilder, ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import (
    ZERO,
    AddrOf,
    Choice,
    Const,
    Expr,
    and_,
    binop,
    ite,
    not_,
    or_,
    truth,
)
from memlitmus.litmus.ast import AsmThread
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
RMW_TAG = "RMW"
LOOP_UNROLL = 2  # herd's default `-unroll`
SRCU_LOC = "srcu-loc"  # static relation: SRCU events on the same srcu struct

# Every tag a C event may carry: the models look these names up as event sets.
C_TAGS = frozenset(
    {p.tag for p in primitives().values()}
    | {"RMW", "LKW", "LF", "Mb", "Once"}
)

_ARITH = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^", "==": "==",
          "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class CArch:
    """herd's `C` architecture, judged by default under the LKMM."""

    name: str = "C"
    default_model: str = "lkmm"
    tags: frozenset[str] = C_TAGS

    def canonical_reg(self, reg: str) -> str:
        """C registers are the locals as written."""
        return reg

    def run_thread(self, thread: AsmThread | CThread, tb: ThreadBuilder) -> None:
        """Execute one thread's body symbolically."""
        if not isinstance(thread, CThread):
            raise UnsupportedError("a C test needs C threads", thread.span)
        runner = CThreadRunner(tb, _srcu_registry(tb.program))
        for param in thread.params:
            tb.program.add_location(param.name)
            tb.set(param.name, AddrOf(param.name))
            runner.names.add(param.name)
        runner.names.update(tb.init_regs)
        for stmt in thread.body:
            runner.stmt(stmt)


# SRCU events per srcu struct, per program being built: `synchronize_srcu(s)` is a fence
# (not a memory event, so not in `loc`), yet the model matches it with the
# `srcu_read_lock(s)` of the same struct; the front end records those pairs statically.
_SRCU: weakref.WeakKeyDictionary[ProgramBuilder, dict[str, list[int]]] = (
    weakref.WeakKeyDictionary()
)


def _srcu_registry(program: ProgramBuilder) -> dict[str, list[int]]:
    return _SRCU.setdefault(program, {})


@dataclass
class CThreadRunner:
    """Symbolic execution of one C thread."""

    tb: ThreadBuilder
    srcu: dict[str, list[int]]
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
        if _has_effects(e.then) or _has_effects(e.other):
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
        prim = primitives().get(e.name)
        if prim is None:
            raise UnsupportedError(f"unsupported macro or function `{e.name}`", e.span)
        if len(e.args) != len(prim.args):
            raise UnsupportedError(
                f"`{e.name}` takes {len(prim.args)} argument(s), got {len(e.args)}", e.span
            )
        return _SHAPES[prim.shape](self, prim, e)

    # ---- events --------------------------------------------------------------------

    def read(self, addr: Expr, tags: frozenset[str], span: Span) -> Expr:
        """A read, po-after everything before it."""
        return self.read_eid(addr, tags, span)[1]

    def read_eid(self, addr: Expr, tags: frozenset[str], span: Span) -> tuple[int, Expr]:
        self.tb.next_instruction()
        return self.tb.read(addr, tags, span)

    def write(self, addr: Expr, value: Expr, tags: frozenset[str], span: Span) -> int:
        """A write, po-after everything before it."""
        self.tb.next_instruction()
        return self.tb.write(addr, value, tags, span)

    def fence(self, tags: frozenset[str], span: Span) -> int:
        self.tb.next_instruction()
        return self.tb.fence(tags, span)

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


def _has_effects(e: CExpr) -> bool:
    """Does evaluating `e` make events (a call or a dereference)?"""
    if isinstance(e, CCall | CDeref):
        return True
    if isinstance(e, CNum | CVar):
        return False
    if isinstance(e, CAddrOf):
        return isinstance(e.target, CDeref) and _has_effects(e.target.pointer)
    if isinstance(e, CCast | CUnary):
        return _has_effects(e.arg)
    if isinstance(e, CBinary):
        return _has_effects(e.left) or _has_effects(e.right)
    if isinstance(e, CCond):
        return any(_has_effects(x) for x in (e.cond, e.then, e.other))
    return True  # assignment


# ---- one function per table shape ------------------------------------------------------


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


_UPDATES: dict[str, Callable[[Expr, Expr], Expr]] = {
    "+": lambda a, b: binop("+", a, b),
    "-": lambda a, b: binop("-", a, b),
    "&": lambda a, b: binop("&", a, b),
    "|": lambda a, b: binop("|", a, b),
    "^": lambda a, b: binop("^", a, b),
    "&~": lambda a, b: binop("&", a, binop("^", b, Const(-1))),
}


def _atomic_op(t: CThreadRunner, prim: Primitive, e: CCall) -> Expr:
    args = t.args_in_order(prim, e)
    operand = args["V"] if prim.operand == "V" else Const(int(prim.operand))
    update = _UPDATES[prim.op]
    old, new = _rmw(t, args["X"], prim.tag, e.span, lambda old: update(old, operand))
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


_SHAPES: dict[str, Callable[[CThreadRunner, Primitive, CCall], Expr]] = {
    "load": _load, "store": _store, "store_mb": _store_mb, "fence": _fence,
    "xchg": _xchg, "cmpxchg": _cmpxchg, "rmw": _atomic_op, "add_unless": _add_unless,
    "lock": _lock, "unlock": _unlock, "trylock": _trylock, "islocked": _islocked,
    "srcu_lock": _srcu_lock, "srcu_unlock": _srcu_unlock, "sync_srcu": _sync_srcu,
}

C = CArch()
