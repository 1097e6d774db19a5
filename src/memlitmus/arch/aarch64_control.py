"""AArch64 code that jumps around: calls (BL, BLR, RET), jumps to a register (BR), code
labels as values (ADR, `0:X1=P1:L1`), loops on known values, relative targets (`.-8`).

Such code is *traced*: executed one instruction after the other from a program counter,
as herd's `mem.ml` (`add_code`, `add_tgt`) runs it, instead of the single forward sweep
that joins branches at their labels (`builder`). A branch on a value known only at run
time still splits the path, forward, and the paths join at its target as in the sweep;
but a jump backwards or out of the code while such paths are open, a backward branch on
a run-time value, or a jump to a register holding no code label, is refused by name.
What herd 7.58 does, reproduced:

* `BL L` / `BLR Xn` write the link register X30 with the address of the next
  instruction: its label if it has one (`label:"P0:L0"`, printed so), else an address of
  our own. `RET {Xn}` jumps to X30 (or Xn). A register's code label may name another
  thread's code (`0:X1=P1:L1`): that code then runs in this thread.
* **Unrolling.** herd counts, per target, the *unconditional* jumps (B, BL, BR, BLR, RET)
  backwards into the thread's own code (by address: the threads' code is laid out in
  thread order, so a return from a later thread's code counts too); the third one cuts
  the execution off (`-unroll` defaults to 2), and a cut execution is dropped. A
  conditional branch on a value already known (herd's `V.is_var_determined`) is not
  counted. So `MOV W0,#10; L1: …; CBZ W0,L0;
  B L1` has no execution at all (herd-instructions L029), while a loop closed by its
  conditional branch runs to its end (L047).
* A branch's condition, and the register of BR/BLR/RET, make later events control
  dependent on the reads behind them (herd's `commit_bcc`).
* `BR` to a value read at run time (a label loaded from memory) is herd's indirect branch
  (`indirectBranchT`): it may go to each code label the test uses as a value (init values,
  ADR operands), when the value equals it; each must be later in the code. An execution
  whose value is none of them is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from memlitmus.arch.aarch64_trace import (
    LABEL_VALUE,
    REL,
    Position,
    Trace,
    depend_on,
    label_value,
    position_key,
)
from memlitmus.errors import UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, Expr, binop
from memlitmus.litmus.ast import AsmThread, Instr, Label, LabelRef, Operand, Reg, Stmt

if TYPE_CHECKING:
    from memlitmus.arch.aarch64_runner import A64Thread
    from memlitmus.builder import ThreadBuilder

Handler = Callable[["A64Thread", Instr], None]
Execute = Callable[["A64Thread", int, Instr], None]

MAX_STEPS = 10_000  # instructions one traced thread may execute
CALLS = frozenset({"BL", "BLR", "BR", "RET", "ADR"})


def needs_trace(code: Sequence[Stmt], swept: frozenset[int],
                init_regs: dict[str, Expr]) -> bool:
    """Whether a thread's code must be traced: calls, jumps to registers, code labels as
    values (in its code or its initial registers), relative targets, or a backward branch
    the forward sweep cannot take (`swept`: those closing a store-exclusive retry loop,
    and `L: B L` self-loops)."""
    if any(isinstance(v, AddrOf) and LABEL_VALUE.fullmatch(v.name)
           for v in init_regs.values()):
        return True
    labels = {stmt.name: i for i, stmt in enumerate(code) if isinstance(stmt, Label)}
    for index, stmt in enumerate(code):
        if not isinstance(stmt, Instr):
            continue
        if stmt.mnemonic in CALLS:
            return True
        for op in stmt.operands:
            if isinstance(op, LabelRef) and REL.fullmatch(op.name):
                return True
            if (isinstance(op, LabelRef) and labels.get(op.name, index + 1) <= index
                    and index not in swept):
                return True
    return False


def run_trace(execute: Execute, runner: A64Thread, tb: ThreadBuilder,
              thread: AsmThread) -> None:
    """Execute a thread instruction by instruction from its first one (see the module);
    `execute` runs one instruction on `runner` (the front end's dispatch)."""
    threads = {p: t for p, t in tb.peers.items() if isinstance(t, AsmThread)}
    threads.setdefault(thread.proc, thread)
    trace = Trace(thread.proc, threads, (thread.proc, 0))
    runner.trace = trace
    for _ in range(MAX_STEPS):
        proc, index = trace.at
        code = trace.code(proc)
        if index >= len(code):
            tb.label(position_key(trace.at))  # paths that ended the thread join
            return
        stmt = code[index]
        tb.label(position_key(trace.at))  # paths that branched here join
        if isinstance(stmt, Label) or not tb.reachable:
            trace.at = (proc, index + 1)
            continue
        tb.next_instruction()
        tb.instr_labels = frozenset(trace.labels_before(trace.at))
        trace.next = None
        execute(runner, index, stmt)
        if trace.cut:  # herd drops the execution: no final state
            tb.assume(Const(0))
            return
        trace.at = trace.next if trace.next is not None else (proc, index + 1)
    raise UnsupportedError(f"the code runs more than {MAX_STEPS} instructions", thread.span)



# --- instructions ------------------------------------------------------------------------


def _trace(t: A64Thread, instr: Instr) -> Trace:
    if t.trace is None:  # run_thread traces any code holding these instructions
        raise UnsupportedError(f"`{instr.mnemonic}` outside traced code", instr.span)
    return t.trace


def _link(t: A64Thread, trace: Trace) -> Expr:
    """The return address of a call: the next instruction's label, else our own name."""
    proc, index = trace.at
    labels = trace.labels_after(trace.at)
    if labels:
        return label_value(proc, labels[0])
    return AddrOf(f"%return:P{proc}:{index + 1}")


def bl(t: A64Thread, instr: Instr) -> None:
    """BL label: X30 := return address; jump."""
    trace = _trace(t, instr)
    (target,) = _ops(instr, 1)
    if not isinstance(target, LabelRef):
        raise UnsupportedError("expected a label", instr.span)
    t.tb.set("X30", _link(t, trace))
    trace.jump(t.tb, trace.resolve(target.name, instr.span), True, instr.span)


def br(t: A64Thread, instr: Instr) -> None:
    """BR Xn / BLR Xn: jump to the code label in Xn (BLR: X30 := return address)."""
    trace = _trace(t, instr)
    (reg,) = _ops(instr, 1)
    value = t.get(reg, instr.span)
    if instr.mnemonic == "BR" and not isinstance(value, AddrOf | Const):
        _indirect(t, trace, value, instr)
        return
    target = trace.of_value(value, f"`{instr.mnemonic}`", instr.span)
    depend_on(t.tb, value)
    if instr.mnemonic == "BLR":
        t.tb.set("X30", _link(t, trace))
    trace.jump(t.tb, target, True, instr.span)


def _indirect(t: A64Thread, trace: Trace, value: Expr, instr: Instr) -> None:
    """BR to a value known only at run time (a label read from memory): herd's
    `indirectBranchT` tries every code label the test uses as a value. Each must be later
    in this code, a forward branch on `value` equal to it; no other path goes on."""
    targets = trace.code_labels(t.tb)
    if not targets:  # herd: "Could find no potential target for indirect branch"
        raise UnsupportedError(f"`{instr.mnemonic}` to a value read at run time, in a test "
                               "that uses no code label as a value", instr.span)
    for target in targets:
        if not trace.forward(target):
            raise UnsupportedError(
                f"`{instr.mnemonic}` to a value read at run time that may be a code label "
                "outside the code that follows", instr.span)
    for target in targets:
        t.tb.branch(binop("==", value, _value_of(trace, target)), position_key(target))
    # herd tries the labels only: an execution whose value is none of them is dropped
    t.tb.assume(ZERO)
    t.tb.state.guard = ZERO


def _value_of(trace: Trace, pos: Position) -> AddrOf:
    stmt = trace.code(pos[0])[pos[1]]
    assert isinstance(stmt, Label)
    return label_value(pos[0], stmt.name)


def ret(t: A64Thread, instr: Instr) -> None:
    """RET {Xn}: jump to the address in X30 (or Xn)."""
    trace = _trace(t, instr)
    if not instr.operands and "telechat" in t.tb.variants:
        # herd's `Variant=telechat`: a RET ends the thread (code compiled from C)
        proc, _ = trace.at
        trace.jump(t.tb, (proc, len(trace.code(proc))), False, instr.span)
        return
    reg = _ops(instr, 1)[0] if instr.operands else Reg("X30")
    value = t.get(reg, instr.span)
    depend_on(t.tb, value)
    trace.jump(t.tb, trace.of_value(value, "`RET`", instr.span), True, instr.span)


def adr(t: A64Thread, instr: Instr) -> None:
    """ADR Xd,label: Xd := the label's address (a code label value)."""
    trace = _trace(t, instr)
    dest, target = _ops(instr, 2)
    if not isinstance(target, LabelRef):
        raise UnsupportedError("`ADR` takes a register and a label", instr.span)
    name = target.name
    if not REL.fullmatch(name) and not any(
            isinstance(stmt, Label) and stmt.name == name for stmt in trace.code(trace.at[0])):
        # herd 7.58 would take a data location's address here; we keep ADR to code
        raise UnsupportedError(f"`ADR` to `{name}`, which is no code label of this thread "
                               "(ADR of a data location)", instr.span)
    proc, index = trace.resolve(name, instr.span)
    if REL.fullmatch(name):
        # herd names the address by the least of the labels there (`Label.norm`), and
        # has no value for an unlabelled one ("Overwriting with ADR, cannot handle")
        code = trace.code(proc)
        labels = []
        while index > 0 and isinstance(code[index - 1], Label):
            index -= 1
            labels.append(code[index].name)  # type: ignore[union-attr]
        if not labels:
            raise UnsupportedError(f"`ADR` to `{name}`, an instruction without a label "
                                   "(herd has no value for its address)", instr.span)
        name = min(labels)
    t.set(dest, label_value(proc, name), instr.span)


def _ops(instr: Instr, count: int) -> tuple[Operand, ...]:
    if len(instr.operands) != count:
        raise UnsupportedError(
            f"`{instr.mnemonic}` takes {count} operand(s), got {len(instr.operands)}",
            instr.span,
        )
    return instr.operands


HANDLERS: dict[str, Handler] = {
    "BL": bl,
    "BLR": br,
    "BR": br,
    "RET": ret,
    "ADR": adr,
}
