"""AArch64 semantics: registers, plain loads and stores, arithmetic, barriers and branches.

Events carry herd's annotations as tags: `A` (LDAR, acquire forms of atomics), `Q` (LDAPR,
acquirePC), `L` (STLR, release forms), `X` (exclusive and atomic accesses), `NoRet`
(the read of an atomic whose result goes to the zero register), `DMB.SY`/`DMB.ISHLD`/...
(`DSB.*` alike) and `ISB` on fences. armv8.cat gives them meaning.

Dependencies come from register dataflow (`Expr.deps`), as herd computes them: address and
data through any chain of register moves and arithmetic (`EOR W1,W0,W0` still depends on
W0), control from the registers a conditional branch (CBZ, CBNZ, B.cond after CMP) reads.
A branch's condition does not flow into registers: after a join, a register's value
depends only on what computed it on each path (see `builder.select`).

Atomics (exclusives, CAS, SWP, LD<op>/ST<op>) live in `aarch64_atomics`. A backward
branch is accepted only when it closes a store-exclusive retry loop (`Loop: LDXR …;
STXR W5,…; CBNZ W5,Loop`): the iteration that exits is the one whose store succeeds, so the
store is made to succeed and the branch falls through. Failed iterations add no final
state (their events only add constraints), which is why herd's unrolled run lists the same
states.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from memlitmus.arch import aarch64_alu as alu
from memlitmus.arch import aarch64_atomic_pairs as atomic_pairs
from memlitmus.arch import aarch64_atomics as atomics
from memlitmus.arch import aarch64_pairs as pairs
from memlitmus.arch import aarch64_values as values
from memlitmus.arch.base import asm_thread, is_self_loop
from memlitmus.arch.descriptor import Architecture, RegKey
from memlitmus.builder import ThreadBuilder
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import ZERO, AddrOf, Const, Expr, binop, not_
from memlitmus.kernel.tables import mapping
from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Mem, Operand, Reg
from memlitmus.litmus.c_ast import CThread
from memlitmus.litmus.parse_aarch64 import AArch64Transformer

PLAIN: frozenset[str] = frozenset()
BARRIER_OPTIONS = ("SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "OSH", "OSHST", "OSHLD",
                   "NSH", "NSHST", "NSHLD")
TAGS = frozenset(
    {"A", "Q", "L", "X", "NoRet", "ISB"}
    | {f"{kind}.{opt}" for kind in ("DMB", "DSB") for opt in BARRIER_OPTIONS}
)
_W_REG = re.compile(r"W([0-9]+)")


def canonical_reg(reg: str) -> str:
    """The 64-bit register a name stands for: `W3` → `X3`, `WZR` → `XZR`, `WSP` → `SP`."""
    upper = reg.upper()
    match = _W_REG.fullmatch(upper)
    if match:
        return f"X{match.group(1)}"
    return {"WZR": "XZR", "WSP": "SP"}.get(upper, upper)


@dataclass(frozen=True)
class AArch64Arch:
    """The AArch64 front end (herd's `AArch64` header word)."""

    name: str = "AArch64"
    tags: frozenset[str] = TAGS

    def canonical_reg(self, reg: str) -> str:
        """The 64-bit register a name stands for."""
        return canonical_reg(reg)

    def run_thread(self, thread: AsmThread | CThread, tb: ThreadBuilder) -> None:
        """Execute the thread's code symbolically."""
        thread = asm_thread(thread, self.name)
        runner = A64Thread(tb, retry_loops(thread.code))
        for index, stmt in enumerate(thread.code):
            if isinstance(stmt, Label):
                tb.label(stmt.name)
            elif tb.reachable or is_branch(stmt):
                tb.next_instruction()
                runner.execute(index, stmt)


def is_branch(instr: Instr) -> bool:
    """B, B.cond, CBZ, CBNZ, TBZ, TBNZ: executed even in unreachable code, to record their
    targets."""
    return instr.mnemonic in ("B", "CBZ", "CBNZ", "TBZ", "TBNZ") or instr.mnemonic.startswith("B.")


# --- retry loops -----------------------------------------------------------------------


@dataclass(frozen=True)
class RetryLoops:
    """Backward branches that close store-exclusive retry loops (code indices)."""

    labels: dict[str, int]  # where each label is defined
    branches: frozenset[int] = frozenset()
    stores: frozenset[int] = frozenset()  # store-exclusives that must succeed
    cuts: frozenset[int] = frozenset()  # `L: B L`: self-loops, see `is_self_loop`


def retry_loops(code: tuple[Label | Instr, ...]) -> RetryLoops:
    """Find `L: … STXR Ws,… ; … CBNZ Ws,L` with no other write of Ws in between."""
    labels = {stmt.name: i for i, stmt in enumerate(code) if isinstance(stmt, Label)}
    branches: set[int] = set()
    stores: set[int] = set()
    for j, stmt in enumerate(code):
        if not (isinstance(stmt, Instr) and stmt.mnemonic == "CBNZ" and len(stmt.operands) == 2):
            continue
        reg, target = stmt.operands
        if not (isinstance(reg, Reg) and isinstance(target, LabelRef)):
            continue
        start = labels.get(target.name)
        if start is None or start > j:
            continue
        store = _status_writer(code, start, j, canonical_reg(reg.name))
        if store is not None:
            branches.add(j)
            stores.add(store)
    cuts = frozenset(j for j in range(len(code)) if is_self_loop(code, j, labels))
    return RetryLoops(labels, frozenset(branches), frozenset(stores), cuts)


def _status_writer(code: tuple[Label | Instr, ...], start: int, end: int, reg: str) -> int | None:
    """The store-exclusive whose status register `reg` the branch at `end` tests."""
    for k in range(end - 1, start, -1):
        stmt = code[k]
        if not isinstance(stmt, Instr) or not stmt.operands:
            continue
        dest = stmt.operands[0]
        if isinstance(dest, Reg) and canonical_reg(dest.name) == reg:
            return k if stmt.mnemonic in atomics.STORE_EXCLUSIVES else None
    return None


# --- the thread runner -------------------------------------------------------------------


Handler = Callable[["A64Thread", Instr], None]


@dataclass
class A64Thread:
    """Symbolic execution of one AArch64 thread."""

    tb: ThreadBuilder
    loops: RetryLoops
    index: int = 0  # code index of the instruction being executed
    reservation: atomics.Reservation | None = None  # what the last LDXR/LDXP reserved

    def execute(self, index: int, instr: Instr) -> None:
        """Dispatch one instruction to its semantics."""
        self.index = index
        handler = HANDLERS.get(instr.mnemonic)
        if handler is None:
            raise UnsupportedError(f"unsupported AArch64 instruction `{instr.mnemonic}`",
                                   instr.span)
        handler(self, instr)

    # registers and operands ---------------------------------------------------------------

    def width(self, op: Operand) -> int:
        """32 for a W register, 64 for an X register (or anything else)."""
        return 32 if isinstance(op, Reg) and op.name.upper().startswith("W") else 64

    def get(self, op: Operand, span: Span) -> Expr:
        """The value of a register or immediate operand (the zero register reads 0; a W
        register reads the low 32 bits)."""
        if isinstance(op, Imm):
            return Const(op.value) if isinstance(op.value, int) else AddrOf(op.value)
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
        if not isinstance(op, Reg):
            raise UnsupportedError("expected a register operand", span)
        return canonical_reg(op.name)

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

    def address(self, mem: Operand, span: Span) -> Expr:
        """The address of `[Xn]`, `[Xn,#imm]`, `[Xn,Xm{,LSL #s}]` or `[Xn,Wm,SXTW|UXTW
        {#s}]`: base + extended index × scale + offset."""
        if not isinstance(mem, Mem) or mem.base is None:
            raise UnsupportedError("expected a memory operand `[Xn…]`", span)
        if mem.extend not in (None, "SXTW", "UXTW", "LSL", "SXTX", "UXTX"):
            raise UnsupportedError(f"unsupported index extension `{mem.extend}`", span)
        addr = self.tb.get(canonical_reg(mem.base))
        if mem.index is not None:
            index = self.get(Reg(mem.index), span)
            if mem.extend == "SXTW":
                index = values.sign_extend(index, 32)
            if mem.scale != 1:
                index = binop("*", index, Const(mem.scale))
            addr = binop("+", addr, index)
        return binop("+", addr, Const(mem.offset)) if mem.offset else addr

    # loads and stores ---------------------------------------------------------------------

    def load(self, instr: Instr, tags: frozenset[str], size: int = 0,
             signed: bool = False) -> None:
        """LDR, LDAR, LDAPR, LDUR and the sized forms LDRB/LDRH/LDRSB/LDRSH/LDRSW (`size`
        bits, 0 for the register's width), with pre- or post-indexed addressing."""
        dest, mem, post, pre = _mem_operands(instr)
        addr = self.access_address(mem, pre, instr.span)
        _, value = self.tb.read(addr, tags, instr.span)
        bits = size or self.width(dest)
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
        self.tb.write(addr, value, tags, instr.span)
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
        (option,) = _operands(instr, 1)
        name = option.name.upper() if isinstance(option, LabelRef) else ""
        if name not in BARRIER_OPTIONS:
            raise UnsupportedError(f"unsupported barrier option in `{instr.mnemonic}`",
                                   instr.span)
        self.tb.fence(frozenset({f"{instr.mnemonic}.{name}"}), instr.span)

    def isb(self, instr: Instr) -> None:
        _operands(instr, 0)
        self.tb.fence(frozenset({"ISB"}), instr.span)

    def nop(self, instr: Instr) -> None:
        _operands(instr, 0)

    # branches ----------------------------------------------------------------------------------

    def cbz(self, instr: Instr) -> None:
        """CBZ/CBNZ Rt,label (a backward CBNZ may close a retry loop)."""
        reg, target = _operands(instr, 2)
        label = _label(target, instr.span)
        value = self.get(reg, instr.span)
        cond = not_(value) if instr.mnemonic == "CBZ" else binop("!=", value, ZERO)
        self.branch(cond, label, instr)

    def tbz(self, instr: Instr) -> None:
        """TBZ/TBNZ Rt,#bit,label: branch when the bit is zero (TBZ) or one (TBNZ)."""
        reg, bit_op, target = _operands(instr, 3)
        label = _label(target, instr.span)
        bit = self.get(bit_op, instr.span)
        if not isinstance(bit, Const) or not 0 <= bit.value < self.width(reg):
            raise UnsupportedError("expected a bit number of the register", instr.span)
        value = binop("&", binop(">>", self.get(reg, instr.span), bit), Const(1))
        cond = not_(value) if instr.mnemonic == "TBZ" else binop("!=", value, ZERO)
        self.branch(cond, label, instr)

    def b_cond(self, instr: Instr) -> None:
        (target,) = _operands(instr, 1)
        cond = self.condition(instr.mnemonic[2:], instr.span)
        self.branch(cond, _label(target, instr.span), instr)

    def b(self, instr: Instr) -> None:
        (target,) = _operands(instr, 1)
        label = _label(target, instr.span)
        if self.index in self.loops.cuts:
            if self.tb.reachable:
                self.tb.assume(ZERO)  # herd cuts the execution off: it is dropped
            return
        if self._backward(label, instr) or not self.tb.reachable:
            return
        self.tb.jump(label)

    def branch(self, cond: Expr, label: str, instr: Instr) -> None:
        """A conditional forward branch, or the exit of a retry loop."""
        if self._backward(label, instr):
            if not (isinstance(cond, Const) and cond.value == 0):
                raise UnsupportedError("retry loop whose exit does not depend only on the "
                                       "store-exclusive", instr.span)
            return
        if self.tb.reachable:
            self.tb.branch(cond, label)

    def _backward(self, label: str, instr: Instr) -> bool:
        """True for the branch closing a retry loop; other backward branches are refused."""
        if self.index in self.loops.branches:
            return True
        if self.loops.labels.get(label, self.index + 1) <= self.index:
            raise UnsupportedError(f"backward branch `{instr.mnemonic}` outside a "
                                   "store-exclusive retry loop", instr.span)
        return False




def _operands(instr: Instr, count: int) -> tuple[Operand, ...]:
    if len(instr.operands) != count:
        raise UnsupportedError(
            f"`{instr.mnemonic}` takes {count} operand(s), got {len(instr.operands)}",
            instr.span,
        )
    return instr.operands


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


def _label(op: Operand, span: Span) -> str:
    if not isinstance(op, LabelRef):
        raise UnsupportedError("expected a label", span)
    return op.name


def _memory(tags: frozenset[str], store: bool) -> Handler:
    if store:
        return lambda t, i: t.store(i, tags)
    return lambda t, i: t.load(i, tags)


def _sized(size: int, store: bool, signed: bool = False) -> Handler:
    if store:
        return lambda t, i: t.store(i, PLAIN, size)
    return lambda t, i: t.load(i, PLAIN, size, signed)


HANDLERS: dict[str, Handler] = {
    "LDR": _memory(PLAIN, store=False),
    "LDUR": _memory(PLAIN, store=False),
    "LDAR": _memory(frozenset({"A"}), store=False),
    "LDAPR": _memory(frozenset({"Q"}), store=False),
    "STR": _memory(PLAIN, store=True),
    "STUR": _memory(PLAIN, store=True),
    "STLR": _memory(frozenset({"L"}), store=True),
    **{f"LD{u}R{k}": _sized(size, store=False) for k, size in (("B", 8), ("H", 16))
       for u in ("", "U")},
    **{f"LD{u}RS{k}": _sized(size, store=False, signed=True)
       for k, size in (("B", 8), ("H", 16), ("W", 32)) for u in ("", "U")},
    **{f"ST{u}R{k}": _sized(size, store=True) for k, size in (("B", 8), ("H", 16))
       for u in ("", "U")},
    "DMB": A64Thread.barrier,
    "DSB": A64Thread.barrier,
    "ISB": A64Thread.isb,
    "NOP": A64Thread.nop,
    "CBZ": A64Thread.cbz,
    "CBNZ": A64Thread.cbz,
    "B": A64Thread.b,
    "TBZ": A64Thread.tbz,
    "TBNZ": A64Thread.tbz,
    **{f"B.{code}": A64Thread.b_cond for code in values.CONDITION_CODES},
    **alu.HANDLERS,
    **pairs.HANDLERS,
    **atomics.HANDLERS,
    **atomic_pairs.HANDLERS,
}

AARCH64 = AArch64Arch()


_SIMD = ("V", "B", "H", "S", "D", "Q")


def aarch64_reg_key(reg: str) -> RegKey:
    """herd's print order: ZR, then X0..X30 by number (W aliases alike), SIMD, the rest."""
    upper = reg.upper()
    if upper in ("XZR", "WZR"):
        return (0, 0, "")
    match = re.fullmatch(r"([XWVBHSDQ])([0-9]+)(\..*)?", upper)
    if match and match.group(1) in "XW" and not match.group(3):
        return (1, int(match.group(2)), "")
    if match and match.group(1) in _SIMD:
        return (3, int(match.group(2)), upper)
    return (5, 0, reg)


class AArch64Architecture(Architecture):
    """herd's `AArch64` (see docs/armv8.md)."""

    name = "AArch64"
    grammar = "aarch64.lark"
    start = "aarch64"
    transformer = AArch64Transformer
    front_end = AARCH64
    default_model = "armv8"
    default_type = "int"  # herd's default: a W-register value 0xffffffff shows as -1
    reg_sort_key = staticmethod(aarch64_reg_key)
    kernel_mapping = {"arm64": mapping("arm64"), "arm64-llsc": mapping("arm64-llsc")}
    herd_register_events = True  # herd's aarch64.cat computes its dependencies (catdep)
