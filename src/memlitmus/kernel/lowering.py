"""A kernel C test as the hardware runs it: the C front end with a target's mapping.

`LoweredC` is a C front end (`arch.c.CFrontEnd`) for C tests judged under a
hardware model. Statements, expressions, plain accesses and control flow are the C front
end's (`arch.c.CThreadRunner`); each kernel primitive call instead runs the instructions
of its line in the target's table (`kernel.tables`) through the assembly front end
(`kernel.templates`), so its events carry the hardware's annotations (`X`, `MFENCE`, `A`,
`L`, `DMB.ISH`, ...) that x86tso.cat and armv8.cat read. Grace periods get their remote
fences (`kernel.grace`). A plain C access (`*x = 1`, `r = *x`) is a plain MOV/LDR/STR, as
the C front end already makes it.
"""

from __future__ import annotations

from collections.abc import Mapping as TableOf
from dataclasses import dataclass, field

from memlitmus.arch.aarch64 import AArch64Architecture
from memlitmus.arch.c import (
    C_TAGS,
    CArchitecture,
    CFrontEnd,
    herd_names,
    srcu_registry,
    tags_of,
)
from memlitmus.arch.c_primitives import SHAPES, UPDATES, rmw_operand, rmw_result
from memlitmus.arch.c_runner import CThreadRunner
from memlitmus.arch.descriptor import Architecture
from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.arch.x86 import X86_64Architecture
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import ModelError, Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, Expr, binop, not_
from memlitmus.kernel.grace import FencePoints, GracePeriods, scan, struct_name
from memlitmus.kernel.tables import GRACE_PERIOD, KEEP, Mapping, MappingLine
from memlitmus.kernel.templates import AARCH64_NAME, X86_64_NAME, Bindings, run_line
from memlitmus.litmus.ast import LitmusTest
from memlitmus.litmus.c_ast import CCall, CThread

PLAIN: frozenset[str] = frozenset()
GP_FENCE = "@gp-fence"  # the line whose code is a grace period's full fence
GP_HANDSHAKE = "@gp-handshake"  # the line whose code is a remote thread's handshake


def stack_slot(tid: int) -> str:
    """The private location x86's `smp_mb()` (`lock; addl $0,-4(%rsp)`) updates."""
    return f"__stack{tid}"


@dataclass(frozen=True)
class KernelLowering:
    """C tests judged through the kernel's mapping for one hardware, whose descriptor
    lists the tables (the C descriptor itself for `sc`: no instructions): the
    `arch.descriptor.Lowering` of the C descriptor."""

    hardware: type[Architecture]
    default: str  # the mapping used unless `--mapping` names another of `hardware`'s

    @property
    def tags(self) -> frozenset[str]:
        """The hardware's event tags."""
        return self.hardware.front_end.tags

    def mapping_for(self, name: str | None) -> Mapping:
        """The table `name` if `hardware` has it, else the default one."""
        tables = self.hardware.kernel_mapping or {}
        if name is not None and name not in known_mappings():
            known = ", ".join(known_mappings())
            raise ModelError(f"unknown kernel mapping `{name}` (known: {known})")
        table = tables.get(name or self.default) or tables[self.default]
        assert isinstance(table, Mapping)
        return table

    def front_end_for(self, test: LitmusTest, mapping: str | None) -> LoweredC:
        """The C front end lowering `test` through the chosen table."""
        asm = None if self.hardware is CArchitecture else self.hardware.name
        return LoweredC(test, self.mapping_for(mapping), asm)


KERNEL_LOWERINGS: dict[str, KernelLowering] = {
    "x86tso": KernelLowering(X86_64Architecture, "x86"),
    "armv8": KernelLowering(AArch64Architecture, "arm64"),
    "sc": KernelLowering(CArchitecture, "sc"),
}


def known_mappings() -> list[str]:
    """Every kernel mapping some architecture's descriptor lists."""
    names: list[str] = []
    for lowering in KERNEL_LOWERINGS.values():
        names += [n for n in lowering.hardware.kernel_mapping or {} if n not in names]
    return names


class LoweredC(CFrontEnd):
    """herd's `C` architecture, lowered through one kernel mapping written in the
    instructions of architecture `asm` (None: the `sc` table, the C events kept).
    Its `tags` are the target architecture's (the C ones for `sc`)."""

    default_model = "lkmm"

    def __init__(self, test: LitmusTest, mapping: Mapping, asm: str | None,
                 table: TableOf[str, Primitive] | None = None):
        self.test = test
        self.name = test.arch
        self.mapping = mapping
        self.asm = asm
        self.table = table  # the primitives of a `-macros` file; None: the built-in ones
        self.grace = scan(test)
        self.tags = C_TAGS if table is None else tags_of(table)
        if asm == X86_64_NAME:
            self.tags = X86_64Architecture.front_end.tags
        elif asm == AARCH64_NAME:
            self.tags = AArch64Architecture.front_end.tags

    def with_macros(self, table: TableOf[str, Primitive]) -> LoweredC:
        """This lowering reading the primitives of a `.def` file (herd's `-macros`): each
        lowers through the line of the kernel primitive with its semantics
        (`Mapping.line_of`)."""
        return LoweredC(self.test, self.mapping, self.asm, table)

    def runner(self, tb: ThreadBuilder, thread: CThread) -> LoweredRunner:
        """Primitives through the mapping; grace periods with their remote fences."""
        table = primitives() if self.table is None else self.table
        return LoweredRunner(tb, srcu_registry(tb.program), table, herd_names(table), SHAPES,
                             mapping=self.mapping, asm=self.asm, grace=self.grace)


@dataclass
class LoweredRunner(CThreadRunner):
    """The C thread runner with primitives lowered through a mapping."""

    mapping: Mapping | None = None
    asm: str | None = None
    grace: GracePeriods = field(default_factory=GracePeriods)
    rcu_depth: int = 0
    srcu_depth: dict[str, int] = field(default_factory=dict)
    _inside: int = 0  # > 0 while a primitive's events are being made
    _points: dict[int, FencePoints] = field(default_factory=dict)  # per site
    _sites_run: set[int] = field(default_factory=set)

    # ---- primitives ----------------------------------------------------------------

    def primitive(self, prim: Primitive, e: CCall) -> Expr:
        """The instructions of the primitive's line in the mapping, at a quiescent point."""
        assert self.mapping is not None
        line = self.mapping.line_of(prim, e.span)
        if line.special == GRACE_PERIOD and primitives().get(e.name) != prim:
            # the remote fences are placed by scanning for the kernel's own names
            raise UnsupportedError(f"`{e.name}`: a grace period defined in a macro file is "
                                   "not lowered (only the kernel's own synchronize_* are)",
                                   e.span)
        self.quiescent_point(e.span)
        self._inside += 1
        try:
            result = self._lowered(prim, line, e)
        finally:
            self._inside -= 1
        self._track_read_side(prim, e)
        return result

    def _lowered(self, prim: Primitive, line: MappingLine, e: CCall) -> Expr:
        if line.special == GRACE_PERIOD:
            self.grace_period(e)
            return ZERO
        if line.special == KEEP:
            return super().primitive(prim, e)
        if not line.instructions:
            self.args_in_order(prim, e)  # arguments are still evaluated
            return ZERO
        args = self.args_in_order(prim, e)
        values = {{"X": "x", "V": "v", "W": "w"}[k]: v for k, v in args.items()}
        if self.asm == X86_64_NAME:
            values["sp"] = AddrOf(stack_slot(self.tb.tid))
        assert self.asm is not None
        read = run_line(self.tb, self.asm, line.instructions, Bindings(values), e.span)
        return _result(prim, read, args)

    def _track_read_side(self, prim: Primitive, e: CCall) -> None:
        if prim.tag == "Rcu-lock":
            self.rcu_depth += 1
        elif prim.tag == "Rcu-unlock":
            self.rcu_depth -= 1
        elif prim.shape == "srcu_lock":
            name = struct_name(e)
            self.srcu_depth[name] = self.srcu_depth.get(name, 0) + 1
        elif prim.shape == "srcu_unlock":
            name = struct_name(e)
            self.srcu_depth[name] = self.srcu_depth.get(name, 0) - 1

    def full_fence(self, span: Span) -> None:
        """The full fence of a grace period (the target's `@gp-fence` line)."""
        assert self.mapping is not None
        line = self.mapping.lines[GP_FENCE]
        if line.special == KEEP or self.asm is None:
            self.fence(frozenset({"Mb"}), span)
            return
        values: dict[str, Expr] = {}
        if self.asm == X86_64_NAME:
            values["sp"] = AddrOf(stack_slot(self.tb.tid))
        run_line(self.tb, self.asm, line.instructions, Bindings(values), span)

    def finish(self, span: Span) -> None:
        """The thread's end is a quiescent point too; then the remote fences are placed."""
        self.quiescent_point(span)
        self.remote_fences(span)

    def handshake(self, location: Expr, span: Span) -> None:
        """A remote thread's side of a grace period: at its full fence, read the caller's
        1 from `location` and write 2. On hardware, the table's `@gp-handshake` line: one
        fully ordered exchange (XCHG, SWPAL), whose own ordering is the full fence; on
        `sc` (`=`), a read, the `@gp-fence` and a write."""
        assert self.mapping is not None
        line = self.mapping.lines[GP_HANDSHAKE]
        tb = self.tb
        if line.special == KEEP or self.asm is None:
            tb.next_instruction()
            _, old = tb.read(location, PLAIN, span)
            tb.next_instruction()
            self.full_fence(span)
            tb.next_instruction()
            tb.write(location, Const(2), PLAIN, span)
        else:
            old = run_line(tb, self.asm, line.instructions,
                           Bindings({"x": location, "v": Const(2)}), span)
        tb.assume(binop("==", old, Const(1)))

    # ---- plain accesses: a quiescent point may come before each ---------------------

    def read_eid(self, addr: Expr, tags: frozenset[str], span: Span) -> tuple[int, Expr]:
        self.quiescent_point(span)
        return super().read_eid(addr, tags, span)

    def write(self, addr: Expr, value: Expr, tags: frozenset[str], span: Span) -> int:
        self.quiescent_point(span)
        return super().write(addr, value, tags, span)

    # ---- grace periods -------------------------------------------------------------

    def grace_period(self, e: CCall) -> None:
        """The caller's side: opening fence, gp write, every ack read, closing fence."""
        site = self.grace.site_at(self.tb.tid, e.span)
        if site.ident in self._sites_run:
            raise UnsupportedError(f"`{e.name}` run more than once (inside a loop)", e.span)
        self._sites_run.add(site.ident)
        inside = self.rcu_depth if site.srcu is None else self.srcu_depth.get(site.srcu, 0)
        if inside > 0:
            # A grace period waits for every read-side critical section begun before it,
            # the caller's own included: called inside one, it never returns (the kernel
            # deadlocks; the LKMM forbids every such execution).
            self.tb.assume(ZERO)
        self.full_fence(e.span)
        remotes = self.grace.remotes(site)
        for tid in remotes:
            self.tb.next_instruction()
            self.tb.write(AddrOf(site.location(tid)), Const(1), PLAIN, e.span)
        for tid in remotes:
            self.tb.next_instruction()
            _, ack = self.tb.read(AddrOf(site.location(tid)), PLAIN, e.span)
            self.tb.assume(binop("==", ack, Const(2)))
        self.full_fence(e.span)

    def quiescent_point(self, span: Span | None) -> None:
        """Before the next access: a candidate point of the remote fence for each grace
        period this thread may be waited for, unless inside a read-side section of its
        flavour."""
        if self._inside or not self.grace.sites:
            return
        here = len(self.tb.program.po[self.tb.tid])
        for site in self.grace.waited_by(self.tb.tid):
            if site.srcu is None and self.rcu_depth > 0:
                continue
            if site.srcu is not None and self.srcu_depth.get(site.srcu, 0) > 0:
                continue
            name = f"gp{site.ident}.{self.tb.tid}"
            points = self._points.setdefault(site.ident, FencePoints(name))
            points.add(here, self.tb.state.guard)

    def remote_fences(self, span: Span) -> None:
        """Once the thread is built: its remote fence for each grace period that waits
        for it, with its place among the thread's events chosen by the execution.

        The events (read `rcu-gp<k>` = 1, full fence, write `rcu-ack<k>.<tid>` = 1) are
        made once, after the thread's own events, and their program order with the other
        events is conditional (`ProgramBuilder.order_when`): before event i exactly when
        the chosen point comes before it. See docs/kernel-mappings.md for why this is the
        candidate-per-point encoding with exactly one candidate chosen.
        """
        tb = self.tb
        thread = list(tb.program.po[tb.tid])  # the thread's own events, in order
        placed: list[tuple[FencePoints, list[int]]] = []
        for site in self.grace.waited_by(tb.tid):
            points = self._points.get(site.ident)
            if points is None:
                continue  # no place outside a read-side section: the caller waits forever
            for assumption in points.choose():
                tb.assume(assumption)
            start = len(tb.program.po[tb.tid])
            self._inside += 1
            try:
                self.handshake(AddrOf(site.location(tb.tid)), span)
            finally:
                self._inside -= 1
            events = list(tb.program.po[tb.tid][start:])
            for index, eid in enumerate(thread):
                after = points.after(index)
                for fence_event in events:
                    tb.program.order_when((eid, fence_event), after)
                    tb.program.order_when((fence_event, eid), not_(after))
            for other, other_events in placed:
                # at the same point, the earlier grace period's fence comes first
                first = other.not_after(points)
                for a in other_events:
                    for b in events:
                        tb.program.order_when((a, b), first)
                        tb.program.order_when((b, a), not_(first))
            placed.append((points, events))


def _result(prim: Primitive, read: Expr, args: dict[str, Expr]) -> Expr:
    """The C value of a lowered primitive, from the value it read (`{r}`)."""
    shape = prim.shape
    if shape in ("load", "xchg", "cmpxchg", "srcu_lock"):
        return read
    if shape == "rmw":
        return rmw_result(prim, read, UPDATES[prim.op](read, rmw_operand(prim, args)))
    if shape == "add_unless":
        return binop("!=", read, args["W"])
    if shape == "trylock":
        return binop("==", read, Const(0))
    if shape == "islocked":
        return binop("!=", read, Const(0))
    return ZERO
