"""Grace periods on the hardware models: synchronize_rcu() as a barrier on every other CPU.

The kernel's RCU makes `synchronize_rcu()` wait until every other CPU has passed a
quiescent state, and the grace-period machinery (kernel/rcu/tree.c; the memory-ordering
chapter of Documentation/RCU/Design/Memory-Ordering/Tree-RCU-Memory-Ordering.rst) puts a
full memory barrier on each CPU between its accesses before and after that point. With
preemption disabled, a read-side critical section has no quiescent state inside it. So a
grace period splits into:

1. a full fence on the caller (the opening fence);
2. on every other thread, one full fence at a point of the solver's choosing in its
   program order, never strictly inside an RCU read-side critical section;
3. a closing full fence on the caller, once every remote fence is done.

The ordering of (1) before each remote fence and of each remote fence before (3) is
built from the models' own axioms, the way the kernel builds it: a handshake through
memory, one location `rcu-gp<k>.<tid>` per grace period and remote thread. After its
opening fence the caller writes 1 to each; at its fence point, each remote thread
exchanges its 1 for 2 with a fully ordered exchange (the table's `@gp-handshake`: XCHG,
SWPAL; a read, a fence and a write on `sc`), whose own ordering is the full fence; the
caller reads 2 from each before its closing fence. On x86-TSO and ARMv8 (both
multicopy atomic) the chain fence; W; rfe; R; fence is cumulative, so everything before
the opening fence is ordered before everything after each remote fence, and everything
before a remote fence before everything after the closing fence, with exactly the
strength of the target's full fence (docs/kernel-mappings.md: why the exchange orders
exactly what a read, a full fence and a write would).

Where the remote fence falls: at one of the thread's candidate points (before each
statement outside every read-side critical section, and at the end of the thread;
`FencePoints`), chosen by the execution, on a path it takes. The handshake's events
are made once per grace period and thread, after the thread's own events, and their
program order with every other event of the thread is conditional on the point chosen
(`ProgramBuilder.order_when`): the same execution graphs as one guarded copy of the
handshake per point with exactly one copy run, at a fraction of the events (see
docs/kernel-mappings.md for the argument). `synchronize_srcu(s)` does the same for the
threads with `srcu_read_lock(s)` only, outside their `s` read-side sections.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from memlitmus.arch.kernel_primitives import primitives
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import TRUE, ZERO, Choice, Expr, and_, not_, or_
from memlitmus.litmus.ast import LitmusTest
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
    CStmt,
    CThread,
    CUnary,
    CWhile,
)

SYNC_SHAPES = frozenset({"sync_srcu"})
SRCU_READ_SHAPES = frozenset({"srcu_lock", "srcu_unlock"})


def is_grace_period(name: str) -> bool:
    """Does calling `name` start a grace period (synchronize_rcu*, synchronize_srcu*)?"""
    prim = primitives().get(name)
    return prim is not None and (prim.tag == "Sync-rcu" or prim.shape in SYNC_SHAPES)


@dataclass(frozen=True)
class Site:
    """One grace-period call: `srcu` is the srcu_struct's location, None for RCU."""

    ident: int
    caller: int
    srcu: str | None
    span: Span

    def location(self, tid: int) -> str:
        """The handshake location of this grace period with remote thread `tid`: the
        caller writes 1 after its opening fence, the remote thread exchanges it for 2 at
        its fence, and the caller reads 2 before its closing fence."""
        return f"rcu-gp{self.ident}.{tid}"


@dataclass
class GracePeriods:
    """Every grace-period call of a test and which threads each one waits for."""

    sites: list[Site] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    srcu_readers: dict[str, set[int]] = field(default_factory=dict)

    def site_at(self, tid: int, span: Span) -> Site:
        """The site of the call at `span` in thread `tid`."""
        for site in self.sites:
            if site.caller == tid and site.span == span:
                return site
        raise AssertionError(f"grace period at {span} was not scanned")  # pragma: no cover

    def remotes(self, site: Site) -> list[int]:
        """The threads that must each pass a remote fence for `site`."""
        if site.srcu is None:
            candidates = set(self.threads)
        else:
            candidates = self.srcu_readers.get(site.srcu, set())
        return sorted(candidates - {site.caller})

    def waited_by(self, tid: int) -> list[Site]:
        """The sites for which thread `tid` is a remote thread."""
        return [site for site in self.sites if tid in self.remotes(site)]


@dataclass
class FencePoints:
    """Where one thread's remote fence for one grace period may fall: point j is just
    before the thread's `at[j]`-th event (`at` strictly increasing; the last may be the
    thread's length: after every event), reached on the path `guards[j]`.

    The execution chooses one point with the free choices `ge[j]` ("the fence falls at
    point j or later", an order encoding: `ge[j+1]` implies `ge[j]`), so that "the fence
    is after event i" is one Boolean and two fences compare without arithmetic.
    """

    name: str
    at: list[int] = field(default_factory=list)
    guards: list[Expr] = field(default_factory=list)
    ge: list[Expr] = field(default_factory=list)

    def add(self, at: int, guard: Expr) -> None:
        """A candidate point before the `at`-th event on path `guard`; a point with no
        event since the last one is the same place, reached on either path."""
        if self.at and self.at[-1] == at:
            self.guards[-1] = or_(self.guards[-1], guard)
        else:
            self.at.append(at)
            self.guards.append(guard)

    def choose(self) -> list[Expr]:
        """Make the choices; returns the assumptions that make exactly one point chosen,
        on a path the execution takes."""
        count = len(self.at)
        choices: list[Expr] = [Choice(f"{self.name}.ge{j}") for j in range(1, count)]
        self.ge = [TRUE, *choices, ZERO]
        assumptions = [or_(not_(self.ge[j + 1]), self.ge[j]) for j in range(1, count - 1)]
        for j, guard in enumerate(self.guards):
            chosen = and_(self.ge[j], not_(self.ge[j + 1]))
            assumptions.append(or_(not_(chosen), guard))
        return assumptions

    def after(self, index: int) -> Expr:
        """Does the fence fall after the thread's `index`-th event?"""
        for j, at in enumerate(self.at):
            if at > index:
                return self.ge[j]
        return ZERO

    def at_least(self, at: int) -> Expr:
        """Does the fence fall before the `at`-th event or later (the point's at >= at)?"""
        return self.after(at - 1)

    def not_after(self, other: FencePoints) -> Expr:
        """Is this fence's point no later than `other`'s (at(self) <= at(other))?"""
        cond: Expr = TRUE
        for j, at in enumerate(self.at):
            cond = and_(cond, or_(not_(self.ge[j]), other.at_least(at)))
        return cond


def scan(test: LitmusTest) -> GracePeriods:
    """Find the grace-period calls and the SRCU readers of a C test."""
    grace = GracePeriods()
    for thread in test.threads:
        if not isinstance(thread, CThread):
            continue
        grace.threads.append(thread.proc)
        for call in _calls_in(thread.body):
            prim = primitives().get(call.name)
            if prim is None:
                continue
            if is_grace_period(call.name):
                srcu = struct_name(call) if prim.shape in SYNC_SHAPES else None
                grace.sites.append(Site(len(grace.sites), thread.proc, srcu, call.span))
            elif prim.shape in SRCU_READ_SHAPES:
                grace.srcu_readers.setdefault(struct_name(call), set()).add(thread.proc)
    return grace


def struct_name(call: CCall) -> str:
    """The srcu_struct an SRCU call names: a parameter `s` or `&s`."""
    arg = call.args[0] if call.args else None
    while isinstance(arg, CCast):
        arg = arg.arg
    if isinstance(arg, CAddrOf):
        arg = arg.target
    name = getattr(arg, "name", None)
    if not isinstance(name, str):
        raise UnsupportedError(
            f"`{call.name}` on a computed srcu_struct pointer (name a parameter)", call.span)
    return name


def _calls_in(stmts: tuple[CStmt, ...]) -> Iterator[CCall]:
    for stmt in stmts:
        yield from _stmt_calls(stmt)


def _stmt_calls(stmt: CStmt) -> Iterator[CCall]:
    if isinstance(stmt, CDecl):
        if stmt.init is not None:
            yield from _expr_calls(stmt.init)
    elif isinstance(stmt, CExprStmt):
        yield from _expr_calls(stmt.expr)
    elif isinstance(stmt, CBlock):
        yield from _calls_in(stmt.stmts)
    elif isinstance(stmt, CIf):
        yield from _expr_calls(stmt.cond)
        yield from _stmt_calls(stmt.then)
        if stmt.other is not None:
            yield from _stmt_calls(stmt.other)
    elif isinstance(stmt, CWhile):
        yield from _expr_calls(stmt.cond)
        yield from _stmt_calls(stmt.body)


def _expr_calls(e: CExpr) -> Iterator[CCall]:
    if isinstance(e, CCall):
        yield e
        for arg in e.args:
            yield from _expr_calls(arg)
    elif isinstance(e, CDeref):
        yield from _expr_calls(e.pointer)
    elif isinstance(e, CAddrOf):
        yield from _expr_calls(e.target)
    elif isinstance(e, CUnary | CCast):
        yield from _expr_calls(e.arg)
    elif isinstance(e, CBinary):
        yield from _expr_calls(e.left)
        yield from _expr_calls(e.right)
    elif isinstance(e, CCond):
        for part in (e.cond, e.then, e.other):
            yield from _expr_calls(part)
    elif isinstance(e, CAssign):
        yield from _expr_calls(e.target)
        yield from _expr_calls(e.value)
