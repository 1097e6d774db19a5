"""X86 (Intel syntax) and X86_64 (AT&T syntax, normalised by the parser) semantics.

Both dialects reach this module with Intel operand order (destination first), upper-case
mnemonics and registers without `%`. Locked instructions (`XCHG`, `LOCK …`) produce a read
and a write tagged `X` and paired in `rmw`; x86tso.cat makes them full fences.

As in herd 7.58, the read and write of a locked instruction are neither po-related (they
are one instruction) nor in `amo`: herd's uniproc check `acyclic po-loc | amo | com` then
allows an exchange to read a write that is coherence-after its own write, and the x86
reference corpus lists such states (e.g. diy7-rmw LB+mfence+rmw-po, state
`0:rax=0; 1:rax=1; [y]=1;`, under both sc and x86tso).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from memlitmus.arch.base import asm_thread
from memlitmus.arch.descriptor import Architecture, RegKey
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import AddrOf, Const, Expr, binop, not_
from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Mem, Operand, Reg
from memlitmus.litmus.c_ast import CThread
from memlitmus.litmus.parse_x86 import X86Transformer

LOCKED = frozenset({"X"})
PLAIN: frozenset[str] = frozenset()
FLAGS = "%ZF"  # pseudo-register holding the zero flag (1 when the last result was zero)

_GPR64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"]


def _x86_64_aliases() -> dict[str, str]:
    """Every sub-register name → its 64-bit register (eax, ax, al, ah → rax; r8d → r8)."""
    aliases: dict[str, str] = {}
    for full in _GPR64:
        core = full[1:]  # "ax", "si"
        names = [full, "e" + core, core]
        if core.endswith("x"):
            names += [core[0] + "l", core[0] + "h"]
        else:
            names.append(core + "l")
        aliases.update({n: full for n in names})
    for i in range(8, 16):
        aliases.update({f"r{i}{s}": f"r{i}" for s in ("", "d", "w", "b")})
    return aliases


def _x86_aliases() -> dict[str, str]:
    """32-bit X86: AX, AL, AH → EAX."""
    aliases: dict[str, str] = {}
    for full in ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"):
        core = full[1:]
        names = [full, core] + ([core[0] + "L", core[0] + "H"] if core.endswith("X") else [])
        aliases.update({n: full for n in names})
    return aliases


Handler = Callable[["X86Thread", Instr], None]


@dataclass(frozen=True)
class X86Arch:
    """One of the two x86 dialects; they differ only in register names and suffixes."""

    name: str
    aliases: dict[str, str]
    suffixed: bool  # AT&T mnemonics carry a size suffix: movq, xchgl, lock addq
    tags: frozenset[str] = frozenset({"MFENCE", "LFENCE", "SFENCE", "X"})

    def canonical_reg(self, reg: str) -> str:
        """The full register a name stands for; unknown names are kept as written."""
        return self.aliases.get(reg, self.aliases.get(reg.lower(), reg))

    def run_thread(self, thread: AsmThread | CThread, tb: ThreadBuilder) -> None:
        """Execute the thread's code symbolically."""
        thread = asm_thread(thread, self.name)
        runner = X86Thread(self, tb)
        for stmt in thread.code:
            if isinstance(stmt, Label):
                tb.label(stmt.name)
            elif tb.reachable or _is_branch(stmt):
                tb.next_instruction()
                runner.execute(stmt)

    def base_mnemonic(self, instr: Instr) -> str:
        """Strip the AT&T size suffix: `LOCK ADDQ` → `LOCK ADD`, `MOVL` → `MOV`."""
        words = instr.mnemonic.split()
        last = words[-1]
        if self.suffixed and last[-1] in "BWLQ" and last[:-1] in _SUFFIXABLE:
            words[-1] = last[:-1]
        return " ".join(words)


_SUFFIXABLE = {"MOV", "XCHG", "ADD", "SUB", "INC", "DEC", "OR", "AND", "XOR", "XADD",
               "CMPXCHG", "CMP"}


def _is_branch(stmt: Instr) -> bool:
    return stmt.mnemonic.startswith("J")


class X86Thread:
    """Symbolic execution of one x86 thread."""

    def __init__(self, arch: X86Arch, tb: ThreadBuilder):
        self.arch = arch
        self.tb = tb

    def execute(self, instr: Instr) -> None:
        """Dispatch one instruction to its semantics."""
        mnemonic = self.arch.base_mnemonic(instr)
        handler = _HANDLERS.get(mnemonic)
        if handler is None:
            raise UnsupportedError(f"unsupported X86 instruction `{instr.mnemonic}`", instr.span)
        handler(self, instr)

    # operands --------------------------------------------------------------------------

    def reg(self, op: Operand, span: Span) -> str:
        if not isinstance(op, Reg):
            raise UnsupportedError("expected a register operand", span)
        return self.arch.canonical_reg(op.name)

    def address(self, mem: Mem, span: Span) -> Expr:
        """The address a memory operand designates."""
        parts: list[Expr] = []
        if mem.symbol is not None:
            parts.append(AddrOf(mem.symbol))
        for reg in (mem.base, mem.index):
            if reg is not None:
                parts.append(self.tb.get(self.arch.canonical_reg(reg)))
        if not parts:
            raise UnsupportedError("memory operand without a location", span)
        addr = parts[0]
        for part in parts[1:]:
            addr = binop("+", addr, part)
        return binop("+", addr, Const(mem.offset)) if mem.offset else addr

    def value(self, op: Operand, span: Span) -> Expr:
        """The value of a register or immediate source operand."""
        if isinstance(op, Imm):
            return Const(op.value) if isinstance(op.value, int) else AddrOf(op.value)
        if isinstance(op, Reg):
            return self.tb.get(self.arch.canonical_reg(op.name))
        raise UnsupportedError("expected a register or an immediate", span)

    def load(self, mem: Mem, tags: frozenset[str], span: Span) -> tuple[int, Expr]:
        return self.tb.read(self.address(mem, span), tags, span)

    # instructions ------------------------------------------------------------------------

    def mov(self, instr: Instr) -> None:
        dst, src = _two(instr)
        if isinstance(dst, Mem):
            if isinstance(src, Mem):
                raise UnsupportedError("MOV from memory to memory", instr.span)
            self.tb.write(self.address(dst, instr.span), self.value(src, instr.span),
                          PLAIN, instr.span)
        elif isinstance(src, Mem):
            self.tb.set(self.reg(dst, instr.span), self.load(src, PLAIN, instr.span)[1])
        else:
            self.tb.set(self.reg(dst, instr.span), self.value(src, instr.span))

    def fence(self, instr: Instr) -> None:
        self.tb.fence(frozenset({instr.mnemonic.upper()}), instr.span)

    def xchg(self, instr: Instr) -> None:
        first, second = _two(instr)
        mem, reg = (first, second) if isinstance(first, Mem) else (second, first)
        if not isinstance(mem, Mem):
            raise UnsupportedError("XCHG between registers", instr.span)
        name = self.reg(reg, instr.span)
        self.locked_update(mem, lambda old: self.tb.get(name), instr.span, result_reg=name)

    def locked_update(
        self, mem: Mem, new_value: Callable[[Expr], Expr], span: Span,
        result_reg: str | None = None,
    ) -> Expr:
        """An atomic read-modify-write: locked read, locked write of f(old), rmw pair."""
        addr = self.address(mem, span)
        r_eid, old = self.tb.read(addr, LOCKED, span)
        new = new_value(old)
        w_eid = self.tb.write(addr, new, LOCKED, span)
        self.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        if result_reg is not None:
            self.tb.set(result_reg, old)
        return new

    def lock_arith(self, instr: Instr) -> None:
        op = _ARITH_OPS[self.arch.base_mnemonic(instr).split()[-1]]
        dst, src = _two(instr)
        mem = _mem(dst, instr.span)
        operand = self.value(src, instr.span)
        new = self.locked_update(mem, lambda old: binop(op, old, operand), instr.span)
        self.tb.set(FLAGS, binop("==", new, Const(0)))

    def lock_incdec(self, instr: Instr) -> None:
        op = "+" if self.arch.base_mnemonic(instr).endswith("INC") else "-"
        (dst,) = _operands(instr, 1)
        mem = _mem(dst, instr.span)
        new = self.locked_update(mem, lambda old: binop(op, old, Const(1)), instr.span)
        self.tb.set(FLAGS, binop("==", new, Const(0)))

    def lock_xadd(self, instr: Instr) -> None:
        dst, src = _two(instr)
        mem, name = _mem(dst, instr.span), self.reg(src, instr.span)
        addend = self.tb.get(name)
        self.locked_update(mem, lambda old: binop("+", old, addend), instr.span, name)

    def lock_cmpxchg(self, instr: Instr) -> None:
        """Compare the accumulator with memory; store the source only when equal."""
        dst, src = _two(instr)
        mem, new = _mem(dst, instr.span), self.value(src, instr.span)
        acc = self.arch.canonical_reg("EAX" if not self.arch.suffixed else "rax")
        addr = self.address(mem, instr.span)
        r_eid, old = self.tb.read(addr, LOCKED, instr.span)
        equal = binop("==", old, self.tb.get(acc))
        self.tb.set(FLAGS, equal)
        self.tb.branch(not_(equal), _FAIL_LABEL)
        w_eid = self.tb.write(addr, new, LOCKED, instr.span)
        self.tb.pair_rmw(r_eid, w_eid, single_instruction=False)
        self.tb.label(_FAIL_LABEL)
        self.tb.set(acc, old)  # on success the accumulator already equals old

    def cmp(self, instr: Instr) -> None:
        left, right = _two(instr)
        self.tb.set(FLAGS, binop("==", self.value(left, instr.span),
                                 self.value(right, instr.span)))

    def jcc(self, instr: Instr) -> None:
        (target,) = _operands(instr, 1)
        if not isinstance(target, LabelRef):
            raise UnsupportedError("expected a label", instr.span)
        if not self.tb.reachable:
            return
        mnemonic = instr.mnemonic.upper()
        if mnemonic == "JMP":
            self.tb.jump(target.name)
            return
        zero = self.tb.get(FLAGS)
        self.tb.branch(zero if mnemonic in ("JE", "JZ") else not_(zero), target.name)


_FAIL_LABEL = "%cmpxchg-fail"
_ARITH_OPS = {"ADD": "+", "SUB": "-", "OR": "|", "AND": "&", "XOR": "^"}


def _operands(instr: Instr, count: int) -> tuple[Operand, ...]:
    if len(instr.operands) != count:
        raise UnsupportedError(
            f"`{instr.mnemonic}` takes {count} operand(s), got {len(instr.operands)}",
            instr.span,
        )
    return instr.operands


def _two(instr: Instr) -> tuple[Operand, Operand]:
    first, second = _operands(instr, 2)
    return first, second


def _mem(op: Operand, span: Span) -> Mem:
    if not isinstance(op, Mem):
        raise UnsupportedError("expected a memory operand", span)
    return op


_HANDLERS: dict[str, Handler] = {
    "MOV": X86Thread.mov,
    "MFENCE": X86Thread.fence,
    "LFENCE": X86Thread.fence,
    "SFENCE": X86Thread.fence,
    "XCHG": X86Thread.xchg,
    "LOCK XCHG": X86Thread.xchg,
    "LOCK XADD": X86Thread.lock_xadd,
    "LOCK CMPXCHG": X86Thread.lock_cmpxchg,
    "LOCK INC": X86Thread.lock_incdec,
    "LOCK DEC": X86Thread.lock_incdec,
    "CMP": X86Thread.cmp,
    "JE": X86Thread.jcc,
    "JZ": X86Thread.jcc,
    "JNE": X86Thread.jcc,
    "JNZ": X86Thread.jcc,
    "JMP": X86Thread.jcc,
    **{f"LOCK {op}": X86Thread.lock_arith for op in _ARITH_OPS},
}

X86 = X86Arch("X86", _x86_aliases(), suffixed=False)
X86_64 = X86Arch("X86_64", _x86_64_aliases(), suffixed=True)


# --- herd's register print order (herd's `reg_compare`) ---------------------------------

_X86_ORDER = ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP", "EIP", "ZF", "SF", "CF")
_X86_64_BASES = ("a", "b", "c", "d", "si", "di", "bp", "sp")
_X86_64_FLAGS = ("zf", "sf", "cf")


def x86_reg_key(reg: str) -> RegKey:
    """X86: declaration order of herd's `reg` type, symbolic registers last."""
    upper = reg.upper()
    if upper in _X86_ORDER:
        return (0, _X86_ORDER.index(upper), "")
    return (1, 0, reg)


def _x86_64_base(reg: str) -> int | None:
    """Index of an X86_64 register's base (AX BX CX DX SI DI BP SP R8..R15), any width."""
    match = re.fullmatch(r"r([0-9]+)[dwb]?", reg)
    if match:
        return int(match.group(1))
    core = reg[1:] if len(reg) == 3 and reg[0] in "re" else reg
    for index, base in enumerate(_X86_64_BASES):
        if core in (base, base + "x", base + "l", base + "h"):
            return index
    return None


def x86_64_reg_key(reg: str) -> RegKey:
    """X86_64: RIP, then general registers by base, xmm, symbolic, flags (herd's order)."""
    lower = reg.lower()
    if lower == "rip":
        return (0, 0, "")
    base = _x86_64_base(lower)
    if base is not None:
        return (1, base, "")
    if lower.startswith("xmm") and lower[3:].isdigit():
        return (2, int(lower[3:]), "")
    if lower in _X86_64_FLAGS:
        return (5, _X86_64_FLAGS.index(lower), "")
    return (3, 0, reg)


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
