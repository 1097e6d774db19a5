"""X86 (Intel syntax) and X86_64 (AT&T syntax, normalised by the parser) semantics.

Both dialects reach this module with Intel operand order (destination first), upper-case
mnemonics and registers without `%`. The instruction set is herd 7.58's
(lib/X86_64Base.ml, herd/X86_64Sem.ml): MOV, ADD/SUB/AND/OR/XOR/SHL, INC/DEC, CMP, XCHG,
CMPXCHG, the LOCK prefix, MFENCE/LFENCE/SFENCE, JMP and the jcc family, RET, NOP (also
NOPL/NOPW with an ignored memory operand, and ENDBR64).

Locked instructions (`XCHG` with memory, `LOCK …`) produce a read and a write tagged `X`
and paired in `rmw`; x86tso.cat makes them full fences. As in herd 7.58, the read and write
of a locked instruction are neither po-related (they are one instruction) nor in `amo`:
herd's uniproc check `acyclic po-loc | amo | com` then allows an exchange to read a write
that is coherence-after its own write, and the x86 reference corpus lists such states
(e.g. diy7-rmw LB+mfence+rmw-po, state `0:rax=0; 1:rax=1; [y]=1;`, under sc and x86tso).

Sizes: an AT&T suffix (`movl`, `addb`) reads register and memory operands at that width
(herd's `read_loc_gen`); immediates are taken as written. Register writes follow the
hardware (see `x86_regs`). Flags are herd's, not the hardware's: after CMP `ea, op`
ZF = (ea = op) and SF = (ea > op); after an arithmetic result v, ZF = (v = 0) and
SF = (v > 0). The jcc family reads them as herd does (JLE = ¬SF, JLT = ZF ∨ ¬SF,
JGE = ZF ∨ SF, JGT = SF, JS = SF, JNS = ¬SF).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from memlitmus.arch.base import (
    AsmFrontEnd,
    immediate,
    label_of,
    memory_of,
    operands,
    plus_offset,
    register_of,
    scaled,
)
from memlitmus.arch.descriptor import Architecture
from memlitmus.arch.x86_regs import (
    FULL,
    RegParts,
    low_bits,
    read_part,
    write_part,
    x86_64_parts,
    x86_64_reg_key,
    x86_parts,
    x86_reg_key,
)
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import AddrOf, Const, Expr, binop, ite, not_, or_
from memlitmus.kernel.tables import mapping
from memlitmus.litmus.ast import AsmThread, Imm, Instr, LabelRef, Mem, Operand, Reg, Stmt
from memlitmus.litmus.parse_x86 import X86Transformer

LOCKED = frozenset({"X"})
PLAIN: frozenset[str] = frozenset()
ZF = "%ZF"  # pseudo-registers holding herd's zero and sign flags (0/1)
SF = "%SF"
_END = "%end"  # the label RET jumps to: the end of the thread
_MAX_STEPS = 10_000  # statements executed per thread before a backward jump is a loop

Handler = Callable[["X86Thread", Instr], None]


_SUFFIX_BITS = {"B": 8, "W": 16, "L": 32, "Q": 64}
_SUFFIXABLE = {"MOV", "XCHG", "ADD", "SUB", "INC", "DEC", "OR", "AND", "XOR", "XADD",
               "CMPXCHG", "CMP", "SHL"}


class X86Thread:
    """Symbolic execution of one x86 thread."""

    def __init__(self, arch: X86Arch, tb: ThreadBuilder):
        self.arch = arch
        self.tb = tb
        self.bits: int | None = None  # operand size of the instruction being executed

    # registers and operands --------------------------------------------------------------

    def get_reg(self, name: str) -> Expr:
        """A register's value (a part of a full register: its bits only)."""
        full, part = self.arch.reg_part(name)
        return read_part(self.tb.get(full), part)

    def set_reg(self, name: str, value: Expr) -> None:
        """Write a register by the hardware's rules (zero-extend 32, merge 8/16)."""
        full, part = self.arch.reg_part(name)
        self.tb.set(full, write_part(self.tb.get(full), value, part))

    def address(self, mem: Mem, span: Span) -> Expr:
        """The address a memory operand designates: symbol + base + index*scale + offset."""
        parts: list[Expr] = []
        if mem.symbol is not None:
            parts.append(AddrOf(mem.symbol))
        if mem.base is not None:
            parts.append(self.get_reg(mem.base))
        if mem.index is not None:
            parts.append(scaled(self.get_reg(mem.index), mem.scale))
        if not parts:
            raise UnsupportedError("memory operand without a location", span)
        addr = parts[0]
        for part in parts[1:]:
            addr = binop("+", addr, part)
        return plus_offset(addr, mem.offset)

    def value(self, op: Operand, span: Span, tags: frozenset[str] = PLAIN) -> Expr:
        """A source operand's value at the instruction's size (immediates as written)."""
        if isinstance(op, Imm):
            return immediate(op)
        if isinstance(op, Reg):
            return low_bits(self.get_reg(op.name), self.bits)
        if isinstance(op, Mem):
            return low_bits(self.tb.read(self.address(op, span), tags, span)[1], self.bits)
        raise UnsupportedError("expected a register, memory or immediate operand", span)

    def store(self, dst: Operand, value: Expr, span: Span, tags: frozenset[str] = PLAIN) -> int:
        """Write a register or memory destination; returns the write's eid (-1: register)."""
        if isinstance(dst, Mem):
            return self.tb.write(self.address(dst, span), value, tags, span)
        self.set_reg(register_of(dst, span), value)
        return -1

    def set_flags(self, zero: Expr, sign: Expr) -> None:
        self.tb.set(ZF, zero)
        self.tb.set(SF, sign)

    # instructions ------------------------------------------------------------------------

    def nop(self, instr: Instr) -> None:
        """NOP, NOPL/NOPW (their memory operand is not accessed), ENDBR64."""

    def mov(self, instr: Instr) -> None:
        dst, src = _two(instr)
        if isinstance(dst, Mem) and isinstance(src, Mem):
            raise UnsupportedError("MOV from memory to memory", instr.span)
        self.store(dst, self.value(src, instr.span), instr.span)

    def fence(self, instr: Instr) -> None:
        self.tb.fence(frozenset({instr.mnemonic.upper()}), instr.span)

    def xchg(self, instr: Instr) -> None:
        """XCHG (locked when one operand is memory, with or without LOCK)."""
        first, second = _two(instr)
        mem, other = (first, second) if isinstance(first, Mem) else (second, first)
        if not isinstance(mem, Mem):  # two registers: a swap, no event
            a, b = self.value(first, instr.span), self.value(second, instr.span)
            self.store(first, b, instr.span)
            self.store(second, a, instr.span)
            return
        name = register_of(other, instr.span)
        new = self.value(other, instr.span)
        old = self.locked_update(mem, lambda _: new, instr.span)
        self.set_reg(name, old)

    def locked_update(self, mem: Mem, new_value: Callable[[Expr], Expr], span: Span) -> Expr:
        """An atomic read-modify-write: locked read, locked write of f(old), rmw pair;
        returns the value read (at the instruction's size)."""
        addr = self.address(mem, span)
        r_eid, old = self.tb.read(addr, LOCKED, span)
        old = low_bits(old, self.bits)
        w_eid = self.tb.write(addr, new_value(old), LOCKED, span)
        self.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        return old

    def arith(self, instr: Instr) -> None:
        """ADD/SUB/AND/OR/XOR/SHL (and LOCK forms): dst := dst op src, flags of the result."""
        mnemonic = self.arch.size_of(instr)[0]
        locked = mnemonic.startswith("LOCK ")
        op = _ARITH_OPS[mnemonic.split()[-1]]
        dst, src = _two(instr)
        operand = self.value(src, instr.span)
        if locked:
            result: list[Expr] = []
            self.locked_update(memory_of(dst, instr.span),
                               lambda old: _keep(result, binop(op, old, operand)), instr.span)
            new = result[0]
        else:
            new = binop(op, self.value(dst, instr.span), operand)
            self.store(dst, new, instr.span)
        self.set_flags(binop("==", new, Const(0)), binop(">", new, Const(0)))

    def incdec(self, instr: Instr) -> None:
        mnemonic = self.arch.size_of(instr)[0]
        op = "+" if mnemonic.endswith("INC") else "-"
        (dst,) = operands(instr, 1)
        if mnemonic.startswith("LOCK "):
            result: list[Expr] = []
            self.locked_update(memory_of(dst, instr.span),
                               lambda old: _keep(result, binop(op, old, Const(1))), instr.span)
            new = result[0]
        else:
            new = binop(op, self.value(dst, instr.span), Const(1))
            self.store(dst, new, instr.span)
        self.set_flags(binop("==", new, Const(0)), binop(">", new, Const(0)))

    def lock_xadd(self, instr: Instr) -> None:
        dst, src = _two(instr)
        name = register_of(src, instr.span)
        addend = self.value(src, instr.span)
        old = self.locked_update(memory_of(dst, instr.span),
                                 lambda old: binop("+", old, addend), instr.span)
        self.set_reg(name, old)

    def cmpxchg(self, instr: Instr) -> None:
        """Compare the accumulator with the destination; store the source there when equal,
        else load the destination into the accumulator (herd's `cmpxchg`). The destination
        may be written first (herd's X86_64 order, `cmpxchg (x),%rbx`) or last (AT&T's,
        `cmpxchg %rbx,(x)`): the memory operand is the destination either way."""
        mnemonic = self.arch.size_of(instr)[0]
        first, second = _two(instr)
        # operands are in Intel order; herd's AT&T order reversed puts the source first
        dst, src = (second, first) if isinstance(second, Mem) else (first, second)
        if self.arch.suffixed and not isinstance(dst, Mem) and not isinstance(src, Mem):
            dst, src = second, first  # two registers: herd's order, destination first
        tags = LOCKED if mnemonic.startswith("LOCK ") else PLAIN
        new = self.value(src, instr.span)
        acc = self.value(Reg(self.arch.accumulator), instr.span)
        if not isinstance(dst, Mem):
            old = self.value(dst, instr.span)
            equal = binop("==", old, acc)
            self.tb.set(ZF, equal)
            self.set_reg(register_of(dst, instr.span), ite(equal, new, old))
            self.set_reg(self.arch.accumulator, ite(equal, acc, old))
            return
        addr = self.address(dst, instr.span)
        r_eid, read = self.tb.read(addr, tags, instr.span)
        old = low_bits(read, self.bits)
        equal = binop("==", old, acc)
        self.tb.set(ZF, equal)
        self.tb.branch(not_(equal), _FAIL_LABEL)
        w_eid = self.tb.write(addr, new, tags, instr.span)
        if tags:
            self.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        self.tb.label(_FAIL_LABEL)
        self.set_reg(self.arch.accumulator, old)  # on success it already equals old

    def cmp(self, instr: Instr) -> None:
        left, right = _two(instr)
        ea, op = self.value(left, instr.span), self.value(right, instr.span)
        self.set_flags(binop("==", ea, op), binop(">", ea, op))

    def jcc(self, instr: Instr) -> None:
        (target,) = operands(instr, 1)
        label = label_of(target, instr.span)
        mnemonic = instr.mnemonic.upper()
        if mnemonic == "JMP":
            self.tb.jump(label)
            return
        zero, sign = self.tb.get(ZF), self.tb.get(SF)
        conditions = {
            "JE": zero, "JZ": zero, "JNE": not_(zero), "JNZ": not_(zero),
            "JLE": not_(sign), "JLT": or_(zero, not_(sign)), "JGE": or_(zero, sign),
            "JGT": sign, "JS": sign, "JNS": not_(sign),
        }
        self.tb.branch(conditions[mnemonic], label)

    def ret(self, instr: Instr) -> None:
        """RET ends the thread (herd's `telechat` variant: a return from the thread's
        function)."""
        operands(instr, 0)
        self.tb.jump(_END)


_FAIL_LABEL = "%cmpxchg-fail"
_ARITH_OPS = {"ADD": "+", "SUB": "-", "OR": "|", "AND": "&", "XOR": "^", "SHL": "<<"}


def _keep(box: list[Expr], value: Expr) -> Expr:
    box.append(value)
    return value


def _two(instr: Instr) -> tuple[Operand, Operand]:
    first, second = operands(instr, 2)
    return first, second


_JCC = ("JE", "JZ", "JNE", "JNZ", "JLE", "JLT", "JGE", "JGT", "JS", "JNS", "JMP")
_HANDLERS: dict[str, Handler] = {
    "NOP": X86Thread.nop,
    "NOPL": X86Thread.nop,
    "NOPW": X86Thread.nop,
    "ENDBR64": X86Thread.nop,
    "MOV": X86Thread.mov,
    "MFENCE": X86Thread.fence,
    "LFENCE": X86Thread.fence,
    "SFENCE": X86Thread.fence,
    "XCHG": X86Thread.xchg,
    "LOCK XCHG": X86Thread.xchg,
    "LOCK XADD": X86Thread.lock_xadd,
    "CMPXCHG": X86Thread.cmpxchg,
    "LOCK CMPXCHG": X86Thread.cmpxchg,
    "INC": X86Thread.incdec,
    "DEC": X86Thread.incdec,
    "LOCK INC": X86Thread.incdec,
    "LOCK DEC": X86Thread.incdec,
    "CMP": X86Thread.cmp,
    "RET": X86Thread.ret,
    "RETQ": X86Thread.ret,
    **{j: X86Thread.jcc for j in _JCC},
    **{op: X86Thread.arith for op in _ARITH_OPS},
    **{f"LOCK {op}": X86Thread.arith for op in _ARITH_OPS if op != "SHL"},
}

@dataclass(frozen=True)
class X86Arch(AsmFrontEnd[X86Thread]):
    """One of the two x86 dialects; they differ in register names and size suffixes."""

    name: str
    parts: RegParts
    suffixed: bool  # AT&T mnemonics carry a size suffix: movq, xchgl, lock addq
    accumulator: str  # the register CMPXCHG compares with
    tags: frozenset[str] = frozenset({"MFENCE", "LFENCE", "SFENCE", "X"})
    handlers = _HANDLERS
    max_steps = _MAX_STEPS

    def reg_part(self, reg: str) -> tuple[str, str]:
        """(full register, part) a name stands for; unknown names are full registers."""
        found = self.parts.get(reg) or self.parts.get(reg.lower()) or self.parts.get(reg.upper())
        return found if found is not None else (reg, FULL)

    def canonical_reg(self, reg: str) -> str:
        """The full register a name stands for (`eax` → `rax`); unknown names as written."""
        return self.reg_part(reg)[0]

    def runner(self, tb: ThreadBuilder, code: Sequence[Stmt]) -> X86Thread:
        """A thread's registers and flags."""
        return X86Thread(self, tb)

    def run_thread(self, thread: AsmThread, tb: ThreadBuilder) -> None:
        """Execute the thread's code symbolically; a backward JMP re-runs the code from its
        label on the current path (herd unrolls each path), a backward jcc is a loop."""
        super().run_thread(thread, tb)
        tb.label(_END)

    def prepare(self, runner: X86Thread, index: int, instr: Instr) -> str:
        """The mnemonic without its AT&T size suffix; the runner notes the size."""
        mnemonic, runner.bits = self.size_of(instr)
        return mnemonic

    def branch_target(self, instr: Instr) -> str | None:
        """The label a jump instruction names, if any."""
        if instr.mnemonic.startswith("J") and len(instr.operands) == 1:
            target = instr.operands[0]
            return target.name if isinstance(target, LabelRef) else None
        return None

    def backward_branch(self, runner: X86Thread, index: int, instr: Instr, target: int,
                        inline: bool) -> int | None:
        """In a litmus test a backward JMP re-runs the code from its label (past it: no
        join there); in a kernel mapping's line a backward JNE/JNZ is a loop that exits
        with ZF set (a `cmpxchg` retry). Any other backward jump is refused."""
        tb = runner.tb
        if inline:
            if instr.mnemonic not in ("JNE", "JNZ"):
                raise UnsupportedError(f"kernel mapping: backward `{instr.mnemonic}`",
                                       instr.span)
            tb.assume(tb.get(ZF))  # the loop exits: ZF set
            return index + 1
        if instr.mnemonic != "JMP":
            raise UnsupportedError(f"backward conditional branch `{instr.mnemonic}` "
                                   "(a loop)", instr.span)
        if not tb.reachable:
            return index + 1
        tb.next_instruction()
        return target + 1

    def executes_unreachable(self, instr: Instr, inline: bool) -> bool:
        """In a kernel mapping's line, jumps run even when unreachable."""
        return inline and instr.mnemonic.startswith("J")

    def size_of(self, instr: Instr) -> tuple[str, int | None]:
        """(mnemonic without its AT&T size suffix, operand bits or None): `LOCK ADDQ` →
        (`LOCK ADD`, 64), `MOVL` → (`MOV`, 32), `MOV` → (`MOV`, None)."""
        words = instr.mnemonic.split()
        last = words[-1]
        if self.suffixed and last[-1] in _SUFFIX_BITS and last[:-1] in _SUFFIXABLE:
            words[-1] = last[:-1]
            return " ".join(words), _SUFFIX_BITS[last[-1]]
        return instr.mnemonic, None


X86 = X86Arch("X86", x86_parts(), suffixed=False, accumulator="EAX")
X86_64 = X86Arch("X86_64", x86_64_parts(), suffixed=True, accumulator="rax")


# --- the descriptors ---------------------------------------------------------------------


class X86Architecture(Architecture):
    """herd's `X86`: 32-bit, Intel syntax."""

    name = "X86"
    grammar = "x86.lark"
    start = "x86"
    transformer = X86Transformer
    front_end = X86
    default_model = "x86tso"
    reg_sort_key = staticmethod(x86_reg_key)


class X86_64Architecture(Architecture):
    """herd's `X86_64`: 64-bit, AT&T syntax (normalised to Intel operand order)."""

    name = "X86_64"
    grammar = "x86.lark"
    start = "x86_64"
    transformer = X86Transformer
    front_end = X86_64
    default_model = "x86tso"
    reg_sort_key = staticmethod(x86_64_reg_key)
    kernel_mapping = {"x86": mapping("x86")}

    @staticmethod
    def reg_print_name(reg: str) -> str:
        """herd's X86_64Base prints a parsed register in lower case (`RAX` → `rax`)."""
        return reg.lower() if reg.lower() in X86_64.parts else reg
