"""The event program: what a litmus test does, independent of its architecture.

A front end turns each thread's code into memory events (reads, writes, fences) whose
addresses and values are symbolic expressions over the values returned by reads. The
encoder sees only this module's types: never an instruction or an architecture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from memlitmus.errors import Span

INIT_THREAD = -1
NO_DEPS: frozenset[int] = frozenset()


# --- symbolic expressions ----------------------------------------------------------------
# Every node records `deps`: the reads whose values flowed into it, syntactically, as herd
# computes dependencies. Folding `r ^ r` to 0 keeps the dependency on `r`.
#
# It also records `picks`: the reads it depends on through a *selection* rather than a
# computation (herd's "pick" dependencies, which pass through an intra-instruction control
# edge, `iico_ctrl`): e.g. AArch64's CSEL result on the reads behind the flags it tests.
# A front end adds them with `with_picks`; arithmetic carries both kinds unchanged.


@dataclass(frozen=True)
class Const:
    """A number."""

    value: int
    deps: frozenset[int] = NO_DEPS
    picks: frozenset[int] = NO_DEPS
    # what a fold made this from, kept so that dependencies keep their path conditions
    origin: Expr | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AddrOf:
    """The address of a location (a pointer value), plus a constant offset."""

    name: str
    offset: int = 0
    deps: frozenset[int] = NO_DEPS
    picks: frozenset[int] = NO_DEPS
    # what a fold made this from, kept so that dependencies keep their path conditions
    origin: Expr | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ReadValue:
    """The value returned by read event `eid`."""

    eid: int
    deps: frozenset[int] = NO_DEPS
    picks: frozenset[int] = NO_DEPS


@dataclass(frozen=True)
class Choice:
    """A free 0/1 choice made by the execution (e.g. whether a store-exclusive succeeds);
    the solver explores both, and the model decides which executions are allowed."""

    name: str
    deps: frozenset[int] = NO_DEPS
    picks: frozenset[int] = NO_DEPS


@dataclass(frozen=True)
class BinOp:
    """`left op right`; op is one of + - * & | ^ << >> == != < <= > >= (comparisons give
    0/1). Bitwise operators and shifts act on 64-bit two's complement, as herd's scalars:
    `<<` keeps the low 64 bits (signed), `>>` is the logical shift."""

    op: str
    left: Expr
    right: Expr
    deps: frozenset[int] = NO_DEPS
    picks: frozenset[int] = NO_DEPS


@dataclass(frozen=True)
class Ite:
    """`cond ? then : other`, cond true when non-zero.

    A `join` is the value of a register where two control-flow paths meet: herd runs each
    path on its own, so its dependencies are those of the path taken, never the guard's.
    """

    cond: Expr
    then: Expr
    other: Expr
    deps: frozenset[int] = NO_DEPS
    join: bool = False
    picks: frozenset[int] = NO_DEPS


Expr = Const | AddrOf | ReadValue | Choice | BinOp | Ite

TRUE = Const(1)
ZERO = Const(0)

_MASK64 = (1 << 64) - 1


def signed64(value: int) -> int:
    """The low 64 bits of `value` read as a signed number (herd's Int64 scalars)."""
    value &= _MASK64
    return value - (1 << 64) if value >> 63 else value


_ARITH: dict[str, Callable[[int, int], int]] = {
    "<<": lambda a, b: signed64(a << b) if 0 <= b < 64 else 0,
    ">>": lambda a, b: (a & _MASK64) >> b if 0 <= b < 64 else 0,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    ">=": lambda a, b: int(a >= b),
}


def evaluate_op(op: str, left: int, right: int) -> int:
    """`left op right` on numbers, as `BinOp` means it."""
    return _ARITH[op](left, right)


COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def read_value(eid: int) -> ReadValue:
    """The value of read `eid`, depending on that read."""
    return ReadValue(eid, frozenset({eid}))


def binop(op: str, left: Expr, right: Expr) -> Expr:
    """Build `left op right`, folding what is known statically (keeping dependencies)."""
    deps = left.deps | right.deps
    picks = left.picks | right.picks
    # a folded result remembers its operands when they carry dependencies, whose path
    # conditions (a register joined after a branch) the dependency walk needs
    origin = BinOp(op, left, right, deps, picks) if deps or picks else None
    if isinstance(left, Const) and isinstance(right, Const):
        return Const(_ARITH[op](left.value, right.value), deps, picks, origin)
    folded = _fold_pointer(op, left, right, deps, picks, origin)
    if folded is not None:
        return folded
    if left == right:
        if op in ("^", "-"):
            return Const(0, deps, picks, origin)
        if op in ("==", "<=", ">="):
            return Const(1, deps, picks, origin)
        if op in ("!=", "<", ">"):
            return Const(0, deps, picks, origin)
    return BinOp(op, left, right, deps, picks)


def _fold_pointer(
    op: str, left: Expr, right: Expr, deps: frozenset[int], picks: frozenset[int],
    origin: Expr | None,
) -> Expr | None:
    """Pointer ± constant stays a pointer; two constant pointers compare statically."""
    if isinstance(left, AddrOf) and isinstance(right, Const) and op in ("+", "-"):
        delta = right.value if op == "+" else -right.value
        return AddrOf(left.name, left.offset + delta, deps, picks, origin)
    if isinstance(right, AddrOf) and isinstance(left, Const) and op == "+":
        return AddrOf(right.name, right.offset + left.value, deps, picks, origin)
    if isinstance(left, AddrOf) and isinstance(right, AddrOf) and op in ("==", "!="):
        same = (left.name, left.offset) == (right.name, right.offset)
        return Const(int(same == (op == "==")), deps, picks, origin)
    return None


def ite(cond: Expr, then: Expr, other: Expr) -> Expr:
    """Build `cond ? then : other`, folding a constant condition or equal branches."""
    if isinstance(cond, Const):
        chosen = then if cond.value else other
        return with_picks(_with_deps(chosen, cond.deps), cond.picks)
    if then == other:
        return with_picks(_with_deps(then, cond.deps), cond.picks)
    return Ite(cond, then, other, cond.deps | then.deps | other.deps,
               picks=cond.picks | then.picks | other.picks)


def _with_deps(expr: Expr, extra: frozenset[int]) -> Expr:
    if extra <= expr.deps:
        return expr
    return replace(expr, deps=expr.deps | extra)


def with_picks(expr: Expr, extra: frozenset[int]) -> Expr:
    """`expr`, also pick-dependent on the reads `extra` (wherever it flows, on every path)."""
    if extra <= expr.picks:
        return expr
    return replace(expr, picks=expr.picks | extra)


def without_deps(expr: Expr) -> Expr:
    """`expr` carrying no dependency of either kind (its value is unchanged)."""
    return replace(expr, deps=NO_DEPS, picks=NO_DEPS)


def and_(a: Expr, b: Expr) -> Expr:
    """Logical and of two guards (non-zero is true)."""
    if isinstance(a, Const):
        return _with_deps(b, a.deps) if a.value else Const(0, a.deps | b.deps)
    if isinstance(b, Const):
        return _with_deps(a, b.deps) if b.value else Const(0, a.deps | b.deps)
    return ite(a, truth(b), Const(0))


def or_(a: Expr, b: Expr) -> Expr:
    """Logical or of two guards."""
    if isinstance(a, Const):
        return Const(1, a.deps | b.deps) if a.value else _with_deps(truth(b), a.deps)
    if isinstance(b, Const):
        return Const(1, a.deps | b.deps) if b.value else _with_deps(truth(a), b.deps)
    return ite(a, Const(1), truth(b))


def not_(a: Expr) -> Expr:
    """Logical negation (0 ↦ 1, non-zero ↦ 0)."""
    return binop("==", a, Const(0))


def truth(a: Expr) -> Expr:
    """Normalise to 0/1."""
    if isinstance(a, Const):
        return Const(int(a.value != 0), a.deps)
    if isinstance(a, BinOp) and a.op in COMPARISONS:
        return a
    return binop("!=", a, Const(0))


def dependency_conditions(expr: Expr, *, syntactic: bool = True) -> dict[int, Expr]:
    """For each read `expr` depends on, when it does: TRUE, or the path condition of the
    join arms that carry it (see `Ite.join`).

    Syntactic dependencies are herd's `addr`/`data` (folding `r ^ r` to 0 keeps `r`); with
    `syntactic=False` only reads whose values can still change the result count, so a
    folded constant depends on nothing.
    """
    return _dependency_conditions(expr, syntactic, {}, "deps")


def pick_conditions(expr: Expr) -> dict[int, Expr]:
    """`dependency_conditions` for the pick dependencies of `expr` (`Expr.picks`)."""
    return _dependency_conditions(expr, True, {}, "picks")


def _dependency_conditions(
    expr: Expr, syntactic: bool, memo: dict[int, dict[int, Expr]], attr: str
) -> dict[int, Expr]:
    # Expressions are DAGs (a register used twice): memoised by node, within one call.
    known = memo.get(id(expr))
    if known is not None:
        return known
    out: dict[int, Expr] = {}
    own: frozenset[int] = getattr(expr, attr)
    if syntactic and not own:
        pass
    elif isinstance(expr, ReadValue) and not syntactic:
        out[expr.eid] = TRUE
    elif isinstance(expr, Ite) and expr.join:
        for arm, path in ((expr.then, expr.cond), (expr.other, not_(expr.cond))):
            for d, c in _dependency_conditions(arm, syntactic, memo, attr).items():
                on_arm = and_(path, c)
                out[d] = or_(out[d], on_arm) if d in out else on_arm
        if attr == "picks":  # picks added to the join itself hold on every path
            for d in own:
                out.setdefault(d, TRUE)
    else:
        children: tuple[Expr, ...] = ()
        if syntactic and isinstance(expr, Const | AddrOf) and expr.origin is not None:
            children = (expr.origin,)
        elif isinstance(expr, BinOp):
            children = (expr.left, expr.right)
        elif isinstance(expr, Ite):
            children = (expr.cond, expr.then, expr.other)
        for child in children:
            for d, c in _dependency_conditions(child, syntactic, memo, attr).items():
                out[d] = or_(out[d], c) if d in out else c
        if syntactic:
            for d in own:
                out.setdefault(d, TRUE)
    memo[id(expr)] = out
    return out


# --- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What a fault event records (herd's `Act.Fault`, herd/machAction.ml, as `to_fault`
    gives it to the final state): the labels of the faulting instruction, the location
    accessed (None for UDF, SVC), herd's fault type (`FaultType.AArch64`: e.g.
    `UndefinedInstruction`; None when herd gives none, as for Morello's capability
    checks) and herd's message (Morello: `CapTag`)."""

    labels: frozenset[str]
    loc: str | None
    ftype: str | None
    msg: str | None = None


@dataclass(frozen=True)
class Event:
    """One memory event.

    `kind` is "R", "W", "F" or "FAULT" (an instruction's fault, its `fault` says which;
    herd's `Fault` action: no memory access, no fence). A read's value is
    `read_value(eid)`; a write's `value` is the expression it stores. `guard` is non-zero
    exactly in the executions where the event happens (branches). `tags` name instruction
    and annotation sets used by models, e.g. `MFENCE`, `X` (locked/atomic access),
    `Acquire`, `Once`. Events of one instruction
    (the read and write of an exchange) share `instr` and are not related by po, as in herd.
    """

    eid: int
    thread: int
    kind: str
    addr: Expr | None
    value: Expr | None
    tags: frozenset[str]
    guard: Expr = TRUE
    span: Span | None = None
    instr: int = 0  # index of the instruction within its thread; po relates different ones
    fault: Fault | None = None  # for kind "FAULT"

    @property
    def is_init(self) -> bool:
        """True for the initial write of a location."""
        return self.thread == INIT_THREAD

    @property
    def is_memory(self) -> bool:
        """True for reads and writes."""
        return self.kind in ("R", "W")


@dataclass(frozen=True)
class EventProgram:
    """Every event of a test, with its static relations and final register values."""

    events: tuple[Event, ...]
    po: tuple[tuple[int, ...], ...]  # per thread: event ids in program order
    rmw: frozenset[tuple[int, int]]
    addr: frozenset[tuple[int, int]]
    data: frozenset[tuple[int, int]]
    ctrl: frozenset[tuple[int, int]]
    locations: tuple[str, ...]  # every memory location, in a stable order
    final_registers: dict[tuple[int, str], Expr] = field(default_factory=dict)
    # addresses that are values only, never accessed and not locations (a code address
    # in ELR_EL1): each has a value of its own, as a location's address does
    value_names: tuple[str, ...] = ()
    extra_relations: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)
    assumptions: tuple[Expr, ...] = ()  # every execution must make each of these non-zero
    # per relation ("addr", "data", or one of `extra_relations` such as "pick-addr"): the
    # pairs that hold only on some paths, with the path condition (see
    # `dependency_conditions`); the pairs are in the relation too. "po": pairs of one
    # thread whose program order holds only under the condition, either way round
    # against the order of the `po` lists (`ProgramBuilder.order_when`)
    dep_conditions: dict[str, dict[tuple[int, int], Expr]] = field(default_factory=dict)
    # array elements named in init or conditions (`t[1]`) → (array location, byte offset)
    elements: dict[str, tuple[str, int]] = field(default_factory=dict)
    # mixed-size mode only (memlitmus.mixed_size): each location and array element →
    # (location, byte offset, size in bytes), the bytes its final value is made of
    byte_cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def reads(self) -> list[Event]:
        """The read events."""
        return [e for e in self.events if e.kind == "R"]

    def writes(self) -> list[Event]:
        """The write events, initial writes first."""
        return [e for e in self.events if e.kind == "W"]
