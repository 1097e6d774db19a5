"""AArch64 per-thread state: registers and their widths, operand decoding, and the
instructions that need nothing else (plain loads and stores, barriers, branches).

`A64Thread` is what every AArch64 handler receives: the front end (`aarch64`) runs each
instruction through its table, whose entries live here and in `aarch64_alu`,
`aarch64_atomics` and `aarch64_pairs`; those modules import this one, and none of them
imports the front end. Semantics as in herd 7.58's `AArch64Sem.ml` (see `aarch64`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from memlitmus.arch import aarch64_trace as tracing
from memlitmus.arch import aarch64_values as values
from memlitmus.arch.base import (
    immediate,
    label_of,
    operands,
    plus_offset,
    register_of,
    scaled,
)
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, Expr, binop, not_
from memlitmus.litmus.ast import Imm, Instr, LabelRef, Mem, Operand, Reg

PLAIN: frozenset[str] = frozenset()
BARRIER_OPTIONS = ("SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "OSH", "OSHST", "OSHLD",
                   "NSH", "NSHST", "NSHLD")
_W_REG = re.compile(r"W([0-9]+)")
_C_REG = re.compile(r"C([0-9]+)")

Handler = Callable[["A64Thread", Instr], None]
"""An instruction's semantics: the thread it runs on, the instruction."""


def canonical_reg(reg: str) -> str:
    """The 64-bit register a name stands for: `W3` → `X3`, `WZR` → `XZR`, `WSP` → `SP`."""
    upper = reg.upper()
    match = _W_REG.fullmatch(upper)
    if match:
        return f"X{match.group(1)}"
    return {"WZR": "XZR", "WSP": "SP"}.get(upper, upper)


@dataclass(frozen=True)
class RetryLoops:
    """Backward branches that close store-exclusive retry loops (code indices)."""

    labels: dict[str, int]  # where each label is defined
    branches: frozenset[int] = frozenset()
    stores: frozenset[int] = frozenset()  # store-exclusives that must succeed


@dataclass(frozen=True)
class Reservation:
    """What a load-exclusive leaves for the next store-exclusive: its reads (one, or two
    for LDXP), the address reserved and the size of the element read, in bits."""

    reads: tuple[int, ...]
    addr: Expr
    width: int


@dataclass
class A64Thread:
    """Symbolic execution of one AArch64 thread."""

    tb: ThreadBuilder
    loops: RetryLoops
    index: int = 0  # code index of the instruction being executed
    reservation: Reservation | None = None  # what the last LDXR/LDXP reserved
    trace: tracing.Trace | None = None  # when the code is traced (aarch64_control)

    # registers and operands ---------------------------------------------------------------

    def width(self, op: Operand) -> int:
        """32 for a W register, 64 for an X register (or anything else)."""
        return 32 if isinstance(op, Reg) and op.name.upper().startswith("W") else 64

    def get(self, op: Operand, span: Span) -> Expr:
        """The value of a register or immediate operand (the zero register reads 0; a W
        register reads the low 32 bits)."""
        if isinstance(op, Imm):
            return immediate(op)
        name = self.reg(op, span)
        value = ZERO if name == "XZR" else self.tb.get(name)
        return values.mask(value, 32) if self.width(op) == 32 else value

    def set(self, op: Operand, value: Expr, span: Span) -> None:
        """Assign a register: a W register keeps the low 32 bits (zero-extended), an X
        register 64 bits; the zero register ignores writes."""
        name = self.reg(op, span)
        if name == "XZR":
            return
        self.tb.set(name, values.to_width(value, self.width(op)))

    def reg(self, op: Operand, span: Span) -> str:
        """The canonical name of a register operand."""
        return canonical_reg(register_of(op, span))

    def set_flags(self, flags: dict[str, Expr]) -> None:
        """Set NZCV (see `aarch64_values`)."""
        for name, value in flags.items():
            self.tb.set(name, value)

    def condition(self, code: str, span: Span) -> Expr:
        """The truth (0/1) of a condition code, from the flags."""
        held = values.condition(code, {f: self.tb.get(f) for f in values.FLAGS})
        if held is None:
            raise UnsupportedError(f"unsupported condition code `{code}`", span)
        return held

    def address(self, mem: Operand, span: Span, code_ok: bool = False) -> Expr:
        """The address of `[Xn]`, `[Xn,#imm]`, `[Xn,Xm{,LSL #s}]` or `[Xn,Wm,SXTW|UXTW
        {#s}]`: base + extended index × scale + offset. A code label's address is
        refused, except for a load of the instruction it labels (`code_ok`)."""
        if not isinstance(mem, Mem) or mem.base is None:
            raise UnsupportedError("expected a memory operand `[Xn…]`", span)
        if mem.extend not in (None, "SXTW", "UXTW", "LSL", "SXTX", "UXTX"):
            raise UnsupportedError(f"unsupported index extension `{mem.extend}`", span)
        if _C_REG.fullmatch(mem.base):  # herd: "capabilities require -variant morello"
            raise UnsupportedError(f"Morello capability register `{mem.base}` without "
                                   "`Variant=morello`", span)
        addr = self.tb.get(canonical_reg(mem.base))
        if mem.index is not None:
            index = self.get(Reg(mem.index), span)
            if mem.extend == "SXTW":
                index = values.sign_extend(index, 32)
            addr = binop("+", addr, scaled(index, mem.scale))
        if (isinstance(addr, AddrOf) and addr.name.startswith("label:")
                and self.tb.variants & {"self", "ifetch"}):
            # herd's `-variant self` (= ifetch) fetches instructions as memory accesses
            raise UnsupportedError("an access to code under `-variant self` (herd then "
                                   "fetches instructions from memory: self-modifying "
                                   "code)", span)
        if isinstance(addr, AddrOf) and addr.name.startswith("label:") and (
                not code_ok or mem.offset or not tracing.load_code(self.tb, self.trace, addr)):
            raise UnsupportedError("an access to code other than a load of a labelled "
                                   "instruction (self-modifying code)", span)
        return plus_offset(addr, mem.offset)

    # loads and stores ---------------------------------------------------------------------

    def load(self, instr: Instr, tags: frozenset[str], size: int = 0,
             signed: bool = False) -> None:
        """LDR, LDAR, LDAPR, LDUR and the sized forms LDRB/LDRH/LDRSB/LDRSH/LDRSW (`size`
        bits, 0 for the register's width), with pre- or post-indexed addressing."""
        dest, mem, post, pre = _mem_operands(instr)
        addr = self.address(mem, instr.span, code_ok=True)
        bits = size or self.width(dest)
        _, value = self.tb.read(addr, tags, instr.span, bits // 8)
        loaded = values.sign_extend(value, bits) if signed else values.mask(value, bits)
        self.set(dest, loaded, instr.span)
        self.write_back(mem, post, pre, instr.span)

    def store(self, instr: Instr, tags: frozenset[str], size: int = 0) -> None:
        """STR, STLR, STUR and STRB/STRH (the low `size` bits), pre- or post-indexed."""
        src, mem, post, pre = _mem_operands(instr)
        addr = self.access_address(mem, pre, instr.span)
        value = self.get(src, instr.span)
        if size:
            value = values.mask(value, size)
        self.tb.write(addr, value, tags, instr.span, (size or self.width(src)) // 8)
        self.write_back(mem, post, pre, instr.span)

    def access_address(self, mem: Operand, pre: bool, span: Span) -> Expr:
        """The address accessed: with `[Xn,#imm]!` the base plus the offset as well."""
        return self.address(mem, span)

    def write_back(self, mem: Operand, post: Imm | None, pre: bool, span: Span) -> None:
        """`[Xn],#imm` adds imm to Xn after the access; `[Xn,#imm]!` sets Xn to the
        address accessed."""
        if post is None and not pre:
            return
        assert isinstance(mem, Mem) and mem.base is not None
        base = Reg(mem.base)
        if pre:
            self.set(base, self.address(mem, span), span)
        else:
            assert post is not None
            self.set(base, binop("+", self.get(base, span), self.get(post, span)), span)

    # barriers --------------------------------------------------------------------------------

    def barrier(self, instr: Instr) -> None:
        """DMB/DSB with an option (`DMB ISHLD` → tag `DMB.ISHLD`)."""
        (option,) = operands(instr, 1)
        name = option.name.upper() if isinstance(option, LabelRef) else ""
        if name not in BARRIER_OPTIONS:
            raise UnsupportedError(f"unsupported barrier option in `{instr.mnemonic}`",
                                   instr.span)
        self.tb.fence(frozenset({f"{instr.mnemonic}.{name}"}), instr.span)

    def isb(self, instr: Instr) -> None:
        operands(instr, 0)
        self.tb.fence(frozenset({"ISB"}), instr.span)

    def nop(self, instr: Instr) -> None:
        operands(instr, 0)

    # branches ----------------------------------------------------------------------------------

    def cbz(self, instr: Instr) -> None:
        """CBZ/CBNZ Rt,label (a backward CBNZ may close a retry loop)."""
        reg, target = operands(instr, 2)
        label = label_of(target, instr.span)
        self.branch(self.zero_test(instr.mnemonic == "CBZ", reg, instr.span), label, instr)

    def zero_test(self, zero: bool, reg: Operand, span: Span) -> Expr:
        """CBZ's condition (`zero`: the register is 0) or CBNZ's (it is not)."""
        value = self.get(reg, span)
        return not_(value) if zero else binop("!=", value, ZERO)

    def tbz(self, instr: Instr) -> None:
        """TBZ/TBNZ Rt,#bit,label: branch when the bit is zero (TBZ) or one (TBNZ)."""
        reg, bit_op, target = operands(instr, 3)
        label = label_of(target, instr.span)
        bit = self.get(bit_op, instr.span)
        if not isinstance(bit, Const) or not 0 <= bit.value < self.width(reg):
            raise UnsupportedError("expected a bit number of the register", instr.span)
        value = binop("&", binop(">>", self.get(reg, instr.span), bit), Const(1))
        cond = not_(value) if instr.mnemonic == "TBZ" else binop("!=", value, ZERO)
        self.branch(cond, label, instr)

    def b_cond(self, instr: Instr) -> None:
        (target,) = operands(instr, 1)
        cond = self.condition(instr.mnemonic[2:], instr.span)
        self.branch(cond, label_of(target, instr.span), instr)

    def b(self, instr: Instr) -> None:
        (target,) = operands(instr, 1)
        label = label_of(target, instr.span)
        if self.trace is not None:
            tracing.taken(self.tb, self.trace, Const(1), label, instr, conditional=False)
            return
        if self._backward(label, instr) or not self.tb.reachable:
            return
        self.tb.jump(label)

    def branch(self, cond: Expr, label: str, instr: Instr) -> None:
        """A conditional forward branch, or the exit of a retry loop."""
        if self.trace is not None:
            tracing.taken(self.tb, self.trace, cond, label, instr, conditional=True)
            return
        if self._backward(label, instr):
            if not (isinstance(cond, Const) and cond.value == 0):
                raise UnsupportedError("retry loop whose exit does not depend only on the "
                                       "store-exclusive", instr.span)
            return
        if self.tb.reachable:
            self.tb.branch(cond, label)

    def exit_condition(self, instr: Instr) -> Expr:
        """When a backward CBZ/CBNZ/B.cond is taken (a kernel mapping's loop, which the
        execution leaves: `kernel.templates`)."""
        if instr.mnemonic in ("CBZ", "CBNZ"):
            reg = instr.operands[0]
            assert isinstance(reg, Reg)
            return self.zero_test(instr.mnemonic == "CBZ", reg, instr.span)
        if instr.mnemonic.startswith("B."):
            return self.condition(instr.mnemonic[2:], instr.span)
        raise UnsupportedError(f"kernel mapping: backward `{instr.mnemonic}`", instr.span)

    def _backward(self, label: str, instr: Instr) -> bool:
        """True for the branch closing a retry loop; other backward branches are refused."""
        if self.index in self.loops.branches:
            return True
        if self.loops.labels.get(label, self.index + 1) <= self.index:
            raise UnsupportedError(f"backward branch `{instr.mnemonic}` outside a "
                                   "store-exclusive retry loop", instr.span)
        return False


def _mem_operands(instr: Instr) -> tuple[Operand, Operand, Imm | None, bool]:
    """`Rt,[…]`, `Rt,[…],#imm` (post-indexed) or `Rt,[…]!` (pre-indexed): the register,
    the memory operand, the post-index and whether it is pre-indexed."""
    ops = instr.operands
    if len(ops) == 3 and isinstance(ops[2], Imm) and isinstance(ops[1], Mem):
        return ops[0], ops[1], ops[2], False
    if len(ops) == 3 and isinstance(ops[1], Mem) and ops[2] == LabelRef("!"):
        return ops[0], ops[1], None, True
    if len(ops) != 2 or not isinstance(ops[1], Mem):
        raise UnsupportedError(f"`{instr.mnemonic}` takes a register and a memory operand",
                               instr.span)
    return ops[0], ops[1], None, False
