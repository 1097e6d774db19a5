"""Where traced AArch64 code stands (see `aarch64_control`, which traces it): the code
position, herd's unrolling count, code labels as values, and the branches met while
tracing. Kept apart from the instructions that jump (`aarch64_control`) so that the
thread runner (`aarch64_runner`) can use it without importing them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, Expr
from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Reg, Stmt

if TYPE_CHECKING:
    from memlitmus.builder import ThreadBuilder

UNROLL = 2  # herd's -unroll default for AArch64 (herd/opts.ml `unroll_default`)
LABEL_VALUE = re.compile(r'label:"P([0-9]+):(.+)"')
RETURN_VALUE = re.compile(r"%return:P([0-9]+):([0-9]+)")
REL = re.compile(r"\.([+-][0-9]+)")

Position = tuple[int, int]  # (thread whose code, index in that code)


def label_value(proc: int, label: str) -> AddrOf:
    """The value of a code label, named as herd prints it: `label:"P0:L0"`."""
    return AddrOf(f'label:"P{proc}:{label}"')


@dataclass
class Trace:
    """Where a traced thread stands: the code it runs and what comes next."""

    tid: int
    threads: dict[int, AsmThread]
    at: Position = (0, 0)
    next: Position | None = None  # set by a taken jump
    cut: bool = False  # herd's unrolling limit was reached: no execution
    back_jumps: dict[Position, int] = field(default_factory=dict)

    def code(self, proc: int) -> Sequence[Stmt]:
        return self.threads[proc].code

    def labels_after(self, pos: Position) -> list[str]:
        """The labels of the instruction after the one at `pos` (herd's link address)."""
        code = self.code(pos[0])
        out = []
        for stmt in code[pos[1] + 1:]:
            if isinstance(stmt, Instr):
                break
            out.append(stmt.name)
        return out

    def labels_before(self, pos: Position) -> list[str]:
        """The labels of the instruction at `pos` (those right before it)."""
        code = self.code(pos[0])
        out = []
        for stmt in reversed(code[:pos[1]]):
            if isinstance(stmt, Instr):
                break
            out.append(stmt.name)
        return out

    def resolve(self, target: str, span: Span) -> Position:
        """A label of the code being run, or a target relative to the instruction."""
        proc, index = self.at
        code = self.code(proc)
        rel = REL.fullmatch(target)
        if rel:
            instrs = [i for i, stmt in enumerate(code) if isinstance(stmt, Instr)]
            offset = int(rel.group(1))
            ordinal = instrs.index(index) + offset // 4
            if offset % 4 or not 0 <= ordinal <= len(instrs):
                raise UnsupportedError(f"branch target `{target}` is not an instruction", span)
            return (proc, instrs[ordinal] if ordinal < len(instrs) else len(code))
        for i, stmt in enumerate(code):
            if isinstance(stmt, Label) and stmt.name == target:
                return (proc, i)
        raise UnsupportedError(f"branch to undefined label `{target}`", span)

    def of_value(self, value: Expr, what: str, span: Span) -> Position:
        """The code position a register's value stands for (a code label or a return
        address); anything else is refused."""
        found = self.position_of(value)
        if found is None:
            raise UnsupportedError(f"{what} to a register that holds no code label known "
                                   "before running (a value read at run time, or none)",
                                   span)
        return found

    def position_of(self, value: Expr) -> Position | None:
        """The code position of a code label or return address value, else None."""
        if isinstance(value, AddrOf) and value.offset == 0:
            found = LABEL_VALUE.fullmatch(value.name)
            if found and int(found.group(1)) in self.threads:
                proc = int(found.group(1))
                for i, stmt in enumerate(self.code(proc)):
                    if isinstance(stmt, Label) and stmt.name == found.group(2):
                        return (proc, i)
            found = RETURN_VALUE.fullmatch(value.name)
            if found:
                return (int(found.group(1)), int(found.group(2)))
        return None

    def forward(self, target: Position) -> bool:
        """Whether `target` is later in the code being run."""
        return target[0] == self.at[0] and target[1] > self.at[1]

    def jump(self, tb: ThreadBuilder, target: Position, counted: bool, span: Span) -> None:
        """Continue at `target`. While branches are open (paths waiting at a later label),
        only a forward jump is possible, as a path of its own; otherwise the trace moves.
        An unconditional jump backwards into the thread's own code counts towards herd's
        unrolling limit."""
        if tb.pending:
            proc, here = self.at
            code = self.code(proc)
            if (target[0] == proc and target[1] <= here
                    and all(isinstance(s, Label) for s in code[target[1]:here])):
                # `L: B L` on one path: herd cuts that execution off, and drops it
                tb.assume(ZERO)
                tb.state.guard = ZERO
                return
            if not self.forward(target):
                raise UnsupportedError(
                    "a jump backwards or out of the code while a branch on a value read "
                    "at run time is open", span)
            tb.jump(position_key(target))
            return
        # herd lays the threads' code out in thread order and compares addresses: a
        # return from a later thread's code into this one's counts as a backward jump
        if counted and target[0] == self.tid and target <= self.at:
            seen = self.back_jumps.get(target, 0) + 1
            self.back_jumps[target] = seen
            if seen > UNROLL:
                self.cut = True
        self.next = target

    def code_labels(self, tb: ThreadBuilder) -> list[Position]:
        """Every code label the test uses as a value (init values, ADR operands)."""
        names = {name for name in tb.program.locations if LABEL_VALUE.fullmatch(name)}
        for proc, thread in self.threads.items():
            for stmt in thread.code:
                if (isinstance(stmt, Instr) and stmt.mnemonic == "ADR"
                        and len(stmt.operands) == 2
                        and isinstance(stmt.operands[1], LabelRef)):
                    names.add(label_value(proc, stmt.operands[1].name).name)
        # a label no code defines is no position: no jump can reach it
        found = (self.position_of(AddrOf(name)) for name in sorted(names))
        return [pos for pos in found if pos is not None]


def position_key(pos: Position) -> str:
    """The builder's name for a code position, where paths branching to it join."""
    return f"%pos{pos[0]}.{pos[1]}"



def depend_on(tb: ThreadBuilder, value: Expr) -> None:
    """Later events are control dependent on the reads behind a jump's register or a
    branch's condition (herd's `commit_bcc`)."""
    tb.state.ctrl |= value.deps
    tb.state.pick_ctrl |= value.picks


def taken(tb: ThreadBuilder, trace: Trace, cond: Expr, label: str, instr: Instr,
          conditional: bool) -> None:
    """A branch met while tracing: on a known condition the trace jumps or goes on; on a
    value known only at run time the path splits, forward."""
    target = trace.resolve(label, instr.span)
    if conditional and not isinstance(cond, Const):
        if not trace.forward(target):
            raise UnsupportedError(
                f"conditional branch `{instr.mnemonic}` backwards or out of the code on a "
                "value known only at run time", instr.span)
        tb.branch(cond, position_key(target))
        return
    if isinstance(cond, Const):
        depend_on(tb, cond)
        if not cond.value:
            return
    trace.jump(tb, target, not conditional, instr.span)



# --- code as data --------------------------------------------------------------------------


def load_code(tb: ThreadBuilder, trace: Trace | None, addr: AddrOf) -> bool:
    """Prepare a load at a code label's address: herd (without `-variant self`) gives a
    label used as a value the instruction it labels as initial value (`mem.ml`, "For Adr
    to work"), shown `instr:"ADD W0,W0,#1"`. False when there is no such instruction."""
    if trace is None:
        return False
    pos = trace.position_of(addr)
    if pos is None:
        return False
    code = trace.code(pos[0])
    at = next((i for i in range(pos[1], len(code)) if isinstance(code[i], Instr)), None)
    if at is None:
        return False
    text = f'instr:"{instruction_text(code, at)}"'
    tb.program.add_location(text)  # the instruction is a symbolic value of its own
    tb.program.initialise(addr.name, AddrOf(text))
    return True


def instruction_text(code: Sequence[Stmt], index: int) -> str:
    """The instruction at `code[index]` as herd prints it: `ADD W0,W0,#1`, `LDR W0,[X1,#4]`;
    a label target becomes relative to the instruction (`B L1` → `B .+4`), as herd keeps
    instructions in memory."""
    instr = code[index]
    assert isinstance(instr, Instr)
    ordinals = {i: n for n, i in enumerate(i for i, s in enumerate(code) if isinstance(s, Instr))}
    labels = {s.name: i for i, s in enumerate(code) if isinstance(s, Label)}
    parts = []
    for op in instr.operands:
        if isinstance(op, Reg):
            parts.append(op.name)
        elif isinstance(op, Imm):
            parts.append(f"#{op.value}")
        elif isinstance(op, LabelRef) and op.name in labels:
            target = next((ordinals[i] for i in range(labels[op.name], len(code))
                           if i in ordinals), len(ordinals))
            offset = 4 * (target - ordinals[index])
            parts.append(f".{offset:+d}")
        elif isinstance(op, LabelRef):
            parts.append(op.name)
        else:
            inner = [op.base or ""] + ([f"#{op.offset}"] if op.offset else [])
            parts.append(f"[{','.join(inner)}]")
    return f"{instr.mnemonic} {','.join(parts)}" if parts else instr.mnemonic
