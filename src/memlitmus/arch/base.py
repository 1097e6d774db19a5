"""What every architecture front end shares: the front-end bases and test lowering.

* `FrontEnd[ThreadT]`: an architecture's front end, reading threads of one type
  (`AsmThread` for assembly, `CThread` for C); `lower` runs each thread of a test through
  it, after `thread_of` has checked the thread is of that type.
* `AsmFrontEnd[RunnerT]`: the assembly front ends' thread loop (labels, branches,
  unrolled backward jumps, code inlined from a kernel mapping) and their dispatch from
  mnemonic to handler; a front end gives the table and a per-thread runner (its
  registers, flags, operand decoding).
* Operand checks every assembly dialect makes (`operands`, `label_of`, `register_of`,
  `memory_of`), and address arithmetic (`scaled`, `plus_offset`).
* `lower` itself: the init block, named locations, the threads one after another.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from memlitmus import mixed_size
from memlitmus.builder import ProgramBuilder, ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, EventProgram, Expr, binop
from memlitmus.litmus.ast import (
    ANY_THREAD,
    And,
    AsmThread,
    Atom,
    Imm,
    Implies,
    Instr,
    Label,
    LabelRef,
    LitmusTest,
    LocEq,
    Mem,
    MemLoc,
    Not,
    Operand,
    Or,
    Prop,
    Reg,
    RegLoc,
    Stmt,
    Value,
)
from memlitmus.litmus.c_ast import CThread

if TYPE_CHECKING:
    from memlitmus.arch.kernel_primitives import Primitive

ThreadT = TypeVar("ThreadT", AsmThread, CThread)


class FrontEnd(ABC, Generic[ThreadT]):
    """An architecture's front end: how its registers are named and what its code does.

    `name` is the header word (`X86`, `AArch64`, `C`); `tags` every tag its events may
    carry (a model knows them as event sets even when a test makes none).
    """

    name: str
    tags: frozenset[str]

    @abstractmethod
    def canonical_reg(self, reg: str) -> str:
        """The register a name stands for (`eax` → `rax` on X86_64)."""

    @abstractmethod
    def thread_of(self, thread: AsmThread | CThread) -> ThreadT:
        """`thread` as this front end reads it; UnsupportedError for the other kind."""

    @abstractmethod
    def run_thread(self, thread: ThreadT, tb: ThreadBuilder) -> None:
        """Execute one thread's code symbolically into `tb` (events, registers)."""


Arch = FrontEnd[Any]
"""Any front end, whichever kind of thread it reads (what `lower` and the judge take)."""


# --- assembly front ends ------------------------------------------------------------------


class AsmRunner(Protocol):
    """The per-thread state of an assembly front end (registers live in `tb`)."""

    @property
    def tb(self) -> ThreadBuilder:
        """The thread being built."""
        ...


RunnerT = TypeVar("RunnerT", bound=AsmRunner)


class AsmFrontEnd(FrontEnd[AsmThread], Generic[RunnerT]):
    """An assembly front end: labelled instructions run in order, each through the
    handler its mnemonic names in `handlers`, on a runner made per thread.

    Branches go forward (`ThreadBuilder.branch` forks the path, the label joins it). A
    self-loop (`L: B L`, `L: JMP L`) ends every execution that reaches it (`is_self_loop`);
    what any other backward branch means is each front end's own (`backward_branch`). `max_steps`
    bounds the statements executed per thread when a backward jump re-runs code.
    """

    handlers: Mapping[str, Callable[[RunnerT, Instr], None]]
    max_steps: ClassVar[int | None] = None

    def thread_of(self, thread: AsmThread | CThread) -> AsmThread:
        """The thread as assembly code, or an error when an assembly test has C threads."""
        if not isinstance(thread, AsmThread):
            raise UnsupportedError(f"an {self.name} test needs assembly threads", thread.span)
        return thread

    @abstractmethod
    def runner(self, tb: ThreadBuilder, code: Sequence[Stmt]) -> RunnerT:
        """A fresh runner for `code` on the thread `tb` builds."""

    def run_thread(self, thread: AsmThread, tb: ThreadBuilder) -> None:
        """Execute the thread's code symbolically."""
        self.run_code(self.runner(tb, thread.code), thread.code)

    def run_code(self, runner: RunnerT, code: Sequence[Stmt], inline: Span | None = None) -> None:
        """Execute `code` on `runner`'s thread: each label joins the paths that jump to
        it, each instruction runs when some path reaches it (a branch also when none
        does, if `executes_unreachable` says so: it records its target).

        `inline`: the code is a kernel mapping's line run inside a C thread at that
        position (`kernel.templates`); its instructions are reported there, and its
        backward branches are its loops' exits (`backward_branch`).
        """
        tb = runner.tb
        labels = {stmt.name: i for i, stmt in enumerate(code) if isinstance(stmt, Label)}
        undefined: dict[str, Span] = {}  # the first branch to each label the code lacks
        pc = steps = 0
        here: list[str] = []  # the labels of the next instruction
        while pc < len(code):
            stmt = code[pc]
            steps += 1
            if self.max_steps is not None and steps > self.max_steps:
                raise UnsupportedError("a loop (backward jump executed too often)", stmt.span)
            pc += 1
            if isinstance(stmt, Label):
                tb.label(stmt.name)
                here.append(stmt.name)
                continue
            tb.instr_labels, here = frozenset(here), []
            if inline is not None:
                stmt = Instr(stmt.mnemonic, stmt.operands, inline)
            name = self.branch_target(stmt)
            if name is not None and name not in labels:
                undefined.setdefault(name, stmt.span)
            target = labels.get(name or "", pc)
            if target < pc:
                if inline is None and is_self_loop(code, pc - 1, labels):
                    if tb.reachable:
                        tb.assume(ZERO)  # herd cuts the execution off: it is dropped
                    continue
                resume = self.backward_branch(runner, pc - 1, stmt, target, inline is not None)
                if resume is not None:
                    pc = resume
                    continue
            if tb.reachable or self.executes_unreachable(stmt, inline is not None):
                tb.next_instruction()
                self.execute(runner, pc - 1, stmt)
        # the thread's finish would refuse the same label at the thread's header: name the
        # branch instead (the label ThreadBuilder.finish picks, the first in sorted order)
        if inline is None and tb.pending:
            label = sorted(tb.pending)[0]
            if label in undefined:
                raise UnsupportedError(
                    f"branch to undefined or backward label `{label}`", undefined[label])

    def execute(self, runner: RunnerT, index: int, instr: Instr) -> None:
        """Dispatch one instruction (at `index` in its code) to its handler."""
        handler = self.handlers.get(self.prepare(runner, index, instr))
        if handler is None:
            raise UnsupportedError(f"unsupported {self.name} instruction `{instr.mnemonic}`",
                                   instr.span)
        handler(runner, instr)

    def prepare(self, runner: RunnerT, index: int, instr: Instr) -> str:
        """Ready `runner` for `instr` at code index `index` and return the key of its
        mnemonic in `handlers` (by default the mnemonic as parsed)."""
        return instr.mnemonic

    @abstractmethod
    def branch_target(self, instr: Instr) -> str | None:
        """The label a branch instruction names, None for any other instruction."""

    @abstractmethod
    def backward_branch(self, runner: RunnerT, index: int, instr: Instr, target: int,
                        inline: bool) -> int | None:
        """A branch at `index` back to the label at code index `target`: the code index
        to go on from (its handler is not run), or None to run it as any instruction."""

    def executes_unreachable(self, instr: Instr, inline: bool) -> bool:
        """Whether `instr` runs in code no path reaches (default: never)."""
        return False


# --- operands -------------------------------------------------------------------------------


def operands(instr: Instr, count: int, most: int | None = None) -> tuple[Operand, ...]:
    """The instruction's operands, which must be `count` (or `count` to `most`)."""
    got = len(instr.operands)
    if got < count or got > (count if most is None else most):
        takes = f"{count}" if most is None else f"{count} to {most}"
        raise UnsupportedError(f"`{instr.mnemonic}` takes {takes} operand(s), got {got}",
                               instr.span)
    return instr.operands


def label_of(op: Operand, span: Span) -> str:
    """The name of a label operand."""
    if not isinstance(op, LabelRef):
        raise UnsupportedError("expected a label", span)
    return op.name


def register_of(op: Operand, span: Span) -> str:
    """The name of a register operand, as written."""
    if not isinstance(op, Reg):
        raise UnsupportedError("expected a register operand", span)
    return op.name


def memory_of(op: Operand, span: Span) -> Mem:
    """A memory operand."""
    if not isinstance(op, Mem):
        raise UnsupportedError("expected a memory operand", span)
    return op


def immediate(op: Imm) -> Expr:
    """An immediate's value: a number, or a location's address (`$x`, `#x`)."""
    return value_expr(op.value)


def scaled(index: Expr, scale: int) -> Expr:
    """An address's index register times its scale."""
    return index if scale == 1 else binop("*", index, Const(scale))


def plus_offset(addr: Expr, offset: int) -> Expr:
    """An address plus a constant displacement (none when it is 0)."""
    return binop("+", addr, Const(offset)) if offset else addr


# --- lowering a test ------------------------------------------------------------------------


def value_expr(value: Value | None) -> Expr:
    """A literal from init or a condition: a number, or a location's address."""
    if value is None:
        return ZERO
    if isinstance(value, int):
        return Const(value)
    return AddrOf(value)


def variants_of(test: LitmusTest, given: Iterable[str] = ()) -> frozenset[str]:
    """herd's variants for a test's front end, lower-cased (herd's `Variant.parse` reads
    them so): those of its `Variant=` line (words split at commas and blanks, as herd's
    `TestVariant` reads them) added to those `given` (`-variant`, a `.cfg`'s `variant`
    key; herd/parseTest.ml starts from the command line's and adds the test's)."""
    words = (test.metadata.get("Variant", ""), *given)
    return frozenset(v.lower() for text in words for v in _VARIANT_SPLIT.split(text) if v)


_VARIANT_SPLIT = re.compile(r"[,\s]+")

_HANDLING = {"fatal": "fatal", "precise": "fatal", "faulttonext": "skip", "skip": "skip",
             "handled": "handled", "imprecise": "handled"}


def fault_handling_of(test: LitmusTest, given: Iterable[str] = ()) -> str:
    """herd's fault handling, "fatal" (the default), "skip" or "handled" (lib/fault.ml
    `Handling.parse`): the last such word of the test's `Variant=` line, else of the
    command line's `given` (lib/testVariant.ml applies the test's words, in order, over
    the command line's value)."""
    mode = "fatal"
    for text in (*given, test.metadata.get("Variant", "")):
        for word in _VARIANT_SPLIT.split(text):
            mode = _HANDLING.get(word.lower(), mode)
    return mode


def lower(test: LitmusTest, arch: Arch, variants: Iterable[str] = ()) -> EventProgram:
    """Turn a parsed test into its event program; `variants`: herd's `-variant`s, added
    to the test's own `Variant=` line (`variants_of`)."""
    given = tuple(variants)
    handling = fault_handling_of(test, given)
    variants = variants_of(test, given)
    layout = mixed_layout(test, arch) if mixed_size.is_mixed(variants) else None
    init_memory: dict[str, Expr] = {}
    init_regs: dict[int, dict[str, Expr]] = {}
    elements: dict[str, tuple[str, int, Expr]] = {}
    for entry in test.init:
        if isinstance(entry.loc, MemLoc):
            element = _ARRAY_ELEMENT.fullmatch(entry.loc.name)
            name = entry.loc.name if element is None else element.group(1)
            if element is not None:  # `t[1]` of `int64_t t[2]={1,-1}`: t + 1 * 8 bytes
                offset = int(element.group(2)) * element_size(entry.ctype, entry.span)
                elements[entry.loc.name] = (name, offset, value_expr(entry.value))
            if element is None or offset == 0:
                init_memory[name] = value_expr(entry.value)
        else:
            regs = init_regs.setdefault(entry.loc.thread, {})
            regs[arch.canonical_reg(entry.loc.reg)] = value_expr(entry.value)
    program = ProgramBuilder(init_memory, elements, layout)
    for name in _pointer_targets(test):
        if _ARRAY_ELEMENT.fullmatch(name) is None:
            program.add_location(name)
        elif name not in elements:
            raise UnsupportedError(f"`{name}` is not an element of an array declared in "
                                   "the init block", test.condition.span)
    peers: dict[int, object] = {thread.proc: thread for thread in test.threads}
    for thread in test.threads:
        regs = {**init_regs.get(ANY_THREAD, {}), **init_regs.get(thread.proc, {})}
        tb = program.thread(thread.proc, regs)
        tb.span = thread.span
        tb.peers = peers
        tb.variants = variants
        tb.fault_handling = handling
        arch.run_thread(arch.thread_of(thread), tb)
        tb.finish(thread.span)
    for tid, regs in init_regs.items():
        for reg, value in regs.items() if tid != ANY_THREAD else ():
            program.final_registers.setdefault((tid, reg), value)
    return program.build()


_ARRAY_ELEMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\[([0-9]+)\]")

# Bytes per element of herd's integer types (lib/testType.ml `size_of`; `long` is 4 there).
_TYPE_BYTES = {
    "char": 1, "int8_t": 1, "uint8_t": 1, "short": 2, "int16_t": 2, "uint16_t": 2,
    "int": 4, "long": 4, "int32_t": 4, "uint32_t": 4, "atomic_t": 4,
    "int64_t": 8, "uint64_t": 8, "intptr_t": 8, "uintptr_t": 8,
}


def mixed_layout(test: LitmusTest, arch: Arch) -> mixed_size.Layout:
    """The cells of the test's locations in mixed-size mode (see `mixed_size`): each
    location declared in the init block has its type's size (an array, one cell per
    element), any other is an `int`. Mixed-size mode is refused outside AArch64 (herd
    splits X86_64 accesses too, which memlitmus does not) and for a location initialised
    with an address, whose bytes herd cannot take apart."""
    if arch.name != "AArch64":
        span = test.threads[0].span if test.threads else test.condition.span
        raise UnsupportedError(f"mixed-size mode (`Variant=mixed`) for {arch.name} tests",
                               span)
    layout = mixed_size.Layout()
    for entry in test.init:
        if not isinstance(entry.loc, MemLoc):
            continue
        if isinstance(entry.value, str):
            raise UnsupportedError(f"a location holding an address (`{entry.loc.name}="
                                   f"{entry.value}`) in mixed-size mode (`Variant=mixed`)",
                                   entry.span)
        element = _ARRAY_ELEMENT.fullmatch(entry.loc.name)
        size = _TYPE_BYTES.get(entry.ctype or "int")
        if size is None:
            raise UnsupportedError(f"locations of type `{entry.ctype}` in mixed-size mode "
                                   "(`Variant=mixed`)", entry.span)
        if element is None:
            layout.cells[entry.loc.name] = mixed_size.Cell(size)
        else:
            name, index = element.group(1), int(element.group(2))
            known = layout.cells.get(name, mixed_size.Cell(size, 0))
            layout.cells[name] = mixed_size.Cell(size, max(known.count, index + 1))
    return layout


def element_size(ctype: str | None, span: Span) -> int:
    """Bytes per element of an array of `ctype` (herd addresses arrays by bytes)."""
    size = _TYPE_BYTES.get(ctype or "int")
    if size is None:
        raise UnsupportedError(f"arrays of `{ctype}` are not supported", span)
    return size


def _pointer_targets(test: LitmusTest) -> list[str]:
    """Locations named anywhere outside code: init values, `locations [...]`, the filter
    and the final condition. herd gives each of them an initial write (value 0 unless
    initialised), so a location no thread touches keeps its initial value."""
    names: list[str] = []
    for entry in test.init:
        if isinstance(entry.value, str):
            names.append(entry.value)
    for loc in test.locations:
        if isinstance(loc, MemLoc):
            names.append(loc.name)
    for prop in (test.filter, test.condition.prop):
        names.extend(_prop_names(prop))
    return names


def _prop_names(prop: Prop | None) -> list[str]:
    """Memory locations and address values (`0:EAX=x`) a proposition names."""
    out: list[str] = []
    stack = [prop]
    while stack:  # iterative: a long conjunction must not reach the recursion limit
        p = stack.pop()
        if isinstance(p, Atom):
            out += [p.loc.name] if isinstance(p.loc, MemLoc) else []
            out += [p.value] if isinstance(p.value, str) else []
        elif isinstance(p, LocEq):
            out += [loc.name for loc in (p.left, p.right) if isinstance(loc, MemLoc)]
        elif isinstance(p, Not):
            stack.append(p.arg)
        elif isinstance(p, And | Or | Implies):
            stack += [p.right, p.left]
    return out


def reg_loc_key(loc: RegLoc, arch: Arch) -> tuple[int, str]:
    """The key of a register location in EventProgram.final_registers."""
    return (loc.thread, arch.canonical_reg(loc.reg))


def is_self_loop(code: Sequence[Stmt], index: int, labels: dict[str, int]) -> bool:
    """Is `code[index]` a `B`/`JMP` back to a label with only labels in between?  It
    jumps back on every path, so herd cuts the execution off at its `-unroll` bound
    (herd/mem.ml `fetch_addr`) and drops it (herd/top_herd.ml): `lower` ends an unrolled
    C loop with one."""
    stmt = code[index]
    if not (isinstance(stmt, Instr) and stmt.mnemonic in ("B", "JMP") and stmt.operands):
        return False
    target = stmt.operands[-1]
    start = labels.get(target.name, index) if isinstance(target, LabelRef) else index
    return start < index and all(isinstance(s, Label) for s in code[start:index])


@runtime_checkable
class ReadsMacros(Protocol):
    """A front end of C code that can take its kernel primitives from a `.def` file
    (herd's `-macros`): the LKMM's C front end and the kernel lowerings."""

    def with_macros(self, table: Mapping[str, Primitive]) -> Arch:
        """This front end with `table`'s primitives instead of the built-in ones."""
        ...
