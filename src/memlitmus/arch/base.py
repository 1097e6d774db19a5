"""What every architecture front end shares: the Arch protocol and test lowering."""

from __future__ import annotations

import re
from typing import Protocol

from memlitmus.builder import ProgramBuilder, ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, EventProgram, Expr
from memlitmus.litmus.ast import (
    And,
    AsmThread,
    Atom,
    Implies,
    Instr,
    Label,
    LabelRef,
    LitmusTest,
    LocEq,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
    Value,
)
from memlitmus.litmus.c_ast import CThread


class Arch(Protocol):
    """An architecture: how its registers are named and what its code does."""

    @property
    def name(self) -> str:
        """The header word (`X86`, `AArch64`, `C`)."""
        ...

    @property
    def tags(self) -> frozenset[str]:
        """Every instruction tag its events may carry (known to models even if absent)."""
        ...

    def canonical_reg(self, reg: str) -> str:
        """The register a name stands for (`eax` → `rax` on X86_64)."""
        ...

    def run_thread(self, thread: AsmThread | CThread, tb: ThreadBuilder) -> None:
        """Execute one thread's code symbolically into `tb` (events, registers)."""
        ...


def asm_thread(thread: AsmThread | CThread, arch: str) -> AsmThread:
    """The thread as assembly code, or an error when an assembly test has C threads."""
    if not isinstance(thread, AsmThread):
        raise UnsupportedError(f"an {arch} test needs assembly threads", thread.span)
    return thread


def value_expr(value: Value | None) -> Expr:
    """A literal from init or a condition: a number, or a location's address."""
    if value is None:
        return ZERO
    if isinstance(value, int):
        return Const(value)
    return AddrOf(value)


def lower(test: LitmusTest, arch: Arch) -> EventProgram:
    """Turn a parsed test into its event program."""
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
    program = ProgramBuilder(init_memory, elements)
    for name in _pointer_targets(test):
        if _ARRAY_ELEMENT.fullmatch(name) is None:
            program.add_location(name)
        elif name not in elements:
            raise UnsupportedError(f"`{name}` is not an element of an array declared in "
                                   "the init block", test.condition.span)
    for thread in test.threads:
        tb = program.thread(thread.proc, init_regs.get(thread.proc, {}))
        tb.span = thread.span
        arch.run_thread(thread, tb)
        tb.finish(thread.span)
    for tid, regs in init_regs.items():
        for reg, value in regs.items():
            program.final_registers.setdefault((tid, reg), value)
    return program.build()


_ARRAY_ELEMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\[([0-9]+)\]")

# Bytes per element of herd's integer types (lib/testType.ml `size_of`; `long` is 4 there).
_TYPE_BYTES = {
    "char": 1, "int8_t": 1, "uint8_t": 1, "short": 2, "int16_t": 2, "uint16_t": 2,
    "int": 4, "long": 4, "int32_t": 4, "uint32_t": 4, "atomic_t": 4,
    "int64_t": 8, "uint64_t": 8, "intptr_t": 8, "uintptr_t": 8,
}


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


def check_thread_numbers(test: LitmusTest) -> None:
    """Threads must be P0..Pn without gaps, as herd requires."""
    procs = sorted(t.proc for t in test.threads)
    if procs != list(range(len(procs))):
        raise UnsupportedError("threads must be numbered P0, P1, … without gaps", test.span)


def reg_loc_key(loc: RegLoc, arch: Arch) -> tuple[int, str]:
    """The key of a register location in EventProgram.final_registers."""
    return (loc.thread, arch.canonical_reg(loc.reg))


def is_self_loop(code: tuple[Label | Instr, ...], index: int, labels: dict[str, int]) -> bool:
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
