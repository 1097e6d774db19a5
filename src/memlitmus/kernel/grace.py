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
memory. The caller's opening fence is followed by a write `rcu-gp<k> = 1`; each remote
fence point reads it (and must read 1), fences, and writes `rcu-ack<k>.<tid> = 1`; the
caller reads every ack (each must read 1) before its closing fence. On x86-TSO and ARMv8
(both multicopy atomic) the chain fence; W; rfe; R; fence is cumulative, so everything
before the opening fence is ordered before everything after each remote fence, and
everything before a remote fence before everything after the closing fence, with exactly
the strength of the target's full fence.

Where the remote fence falls: before each statement (and at the end of the thread) that
is outside every read-side critical section, a candidate fence guarded by a fresh free
choice; the caller's ack read needs at least one candidate to have run. Several candidates
running is allowed too: an extra fence only removes executions, so the verdicts are those
of "exactly one". `synchronize_srcu(s)` does the same for the threads with
`srcu_read_lock(s)` only, outside their `s` read-side sections.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from memlitmus.arch.kernel_primitives import primitives
from memlitmus.errors import Span, UnsupportedError
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

    @property
    def gp_location(self) -> str:
        """The location the caller writes once its opening fence is done."""
        return f"rcu-gp{self.ident}"

    def ack_location(self, tid: int) -> str:
        """The location thread `tid` writes after its remote fence."""
        return f"rcu-ack{self.ident}.{tid}"


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
