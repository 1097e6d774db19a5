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

This module is the front end (`AArch64Arch`, on `arch.base.AsmFrontEnd`): the handler
table, retry loops, herd's register order and the descriptor. A thread's state, its
operand decoding and the plain loads, stores, barriers and branches are in
`aarch64_runner`; arithmetic in `aarch64_alu`, pairs in `aarch64_pairs`, atomics
(exclusives, CAS, SWP, LD<op>/ST<op>) in `aarch64_atomics`. A backward
branch is accepted only when it closes a store-exclusive retry loop (`Loop: LDXR …;
STXR W5,…; CBNZ W5,Loop`): the iteration that exits is the one whose store succeeds, so the
store is made to succeed and the branch falls through. Failed iterations add no final
state (their events only add constraints), which is why herd's unrolled run lists the same
states.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from memlitmus.arch import aarch64_alu as alu
from memlitmus.arch import aarch64_atomic_pairs as atomic_pairs
from memlitmus.arch import aarch64_atomics as atomics
from memlitmus.arch import aarch64_control as control
from memlitmus.arch import aarch64_faults as faults
from memlitmus.arch import aarch64_morello as morello
from memlitmus.arch import aarch64_pairs as pairs
from memlitmus.arch import aarch64_sysregs as sysregs
from memlitmus.arch import aarch64_values as values
from memlitmus.arch.aarch64_runner import (
    BARRIER_OPTIONS,
    PLAIN,
    A64Thread,
    Handler,
    RetryLoops,
    canonical_reg,
)
from memlitmus.arch.base import AsmFrontEnd, is_self_loop
from memlitmus.arch.descriptor import Architecture, RegKey
from memlitmus.builder import ThreadBuilder
from memlitmus.events import not_
from memlitmus.kernel.tables import mapping
from memlitmus.litmus.ast import AsmThread, Instr, Label, LabelRef, Reg, Stmt
from memlitmus.litmus.parse_aarch64 import AArch64Transformer

__all__ = ["AARCH64", "HANDLERS", "AArch64Architecture", "canonical_reg", "retry_loops"]

TAGS = frozenset(
    {"A", "Q", "L", "X", "NoRet", "ISB"}
    | {f"{kind}.{opt}" for kind in ("DMB", "DSB") for opt in BARRIER_OPTIONS}
    | faults.FAULT_TAGS
)


def is_branch(instr: Instr) -> bool:
    """B, B.cond, CBZ, CBNZ, TBZ, TBNZ: executed even in unreachable code, to record their
    targets."""
    return instr.mnemonic in ("B", "CBZ", "CBNZ", "TBZ", "TBNZ") or instr.mnemonic.startswith("B.")


# --- retry loops -----------------------------------------------------------------------


def retry_loops(code: Sequence[Stmt]) -> RetryLoops:
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
    return RetryLoops(labels, frozenset(branches), frozenset(stores))


def _status_writer(code: Sequence[Stmt], start: int, end: int, reg: str) -> int | None:
    """The store-exclusive whose status register `reg` the branch at `end` tests."""
    for k in range(end - 1, start, -1):
        stmt = code[k]
        if not isinstance(stmt, Instr) or not stmt.operands:
            continue
        dest = stmt.operands[0]
        if isinstance(dest, Reg) and canonical_reg(dest.name) == reg:
            return k if stmt.mnemonic in atomics.STORE_EXCLUSIVES else None
    return None


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
    **control.HANDLERS,
    **sysregs.HANDLERS,
    **faults.HANDLERS,
}


@dataclass(frozen=True)
class AArch64Arch(AsmFrontEnd[A64Thread]):
    """The AArch64 front end (herd's `AArch64` header word)."""

    name: str = "AArch64"
    tags: frozenset[str] = TAGS
    handlers = HANDLERS

    def canonical_reg(self, reg: str) -> str:
        """The 64-bit register a name stands for."""
        return canonical_reg(reg)

    def runner(self, tb: ThreadBuilder, code: Sequence[Stmt]) -> A64Thread:
        """A thread's registers, with the retry loops of its code."""
        return A64Thread(tb, retry_loops(code))

    def run_thread(self, thread: AsmThread, tb: ThreadBuilder) -> None:
        """Execute the thread's code: *traced* when it has calls, jumps to registers, code
        labels as values, relative targets or loops the forward sweep cannot take
        (`aarch64_control`), else swept forward (`AsmFrontEnd.run_code`)."""
        code = thread.code
        loops = retry_loops(code)
        self_loops = frozenset(j for j in range(len(code))
                               if is_self_loop(code, j, loops.labels))
        if control.needs_trace(code, loops.branches | self_loops, tb.init_regs):
            runner = A64Thread(tb, RetryLoops(loops.labels))
            control.run_trace(self.execute, runner, tb, thread)
        else:
            self.run_code(A64Thread(tb, loops), code)

    def execute(self, runner: A64Thread, index: int, instr: Instr) -> None:
        """Dispatch one instruction; under `Variant=morello`, through `aarch64_morello`."""
        if morello.is_morello(runner.tb.variants):
            runner.index = index
            morello.execute(runner, instr, self.handlers)
            return
        super().execute(runner, index, instr)

    def prepare(self, runner: A64Thread, index: int, instr: Instr) -> str:
        """The runner notes the instruction's index (retry loops are known by index)."""
        runner.index = index
        runner.tb.construct = instr.mnemonic  # named if mixed-size mode refuses an access
        return instr.mnemonic

    def branch_target(self, instr: Instr) -> str | None:
        """The label a branch names (its last operand)."""
        target = instr.operands[-1] if instr.operands and is_branch(instr) else None
        return target.name if isinstance(target, LabelRef) else None

    def backward_branch(self, runner: A64Thread, index: int, instr: Instr, target: int,
                        inline: bool) -> int | None:
        """In a litmus test the branch's own handler decides (only a retry loop's may go
        back); in a kernel mapping's line, a backward branch other than a retry loop's
        is a loop the execution leaves: its condition is false."""
        if not inline or index in runner.loops.branches:
            return None
        runner.tb.assume(not_(runner.exit_condition(instr)))
        return index + 1

    def executes_unreachable(self, instr: Instr, inline: bool) -> bool:
        """Branches run in unreachable code too: they check their targets."""
        return is_branch(instr)


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


# 32-bit register names: herd 7.58's AArch64Base.parse_reg, which reads the registers of
# the init block, `locations`, the filter and the condition (lib/symbReg.ml `get_reg`),
# takes vector, X and system registers only
_W_REG = re.compile(r"W([0-9]+|ZR)", re.IGNORECASE)


def aarch64_state_reg_error(reg: str) -> str | None:
    """herd's refusal of a W register outside the code (`0:W0`): `W0 is not a register`."""
    if _W_REG.fullmatch(reg) is None:
        return None
    return (f"{reg} is not a register (herd7's AArch64 names a register outside the code "
            f"by its X name: `{{thread}}:X{reg[1:].upper()}`)")


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
    state_reg_error = staticmethod(aarch64_state_reg_error)
    kernel_mapping = {"arm64": mapping("arm64"), "arm64-llsc": mapping("arm64-llsc")}
    herd_register_events = True  # herd's aarch64.cat computes its dependencies (catdep)
    # Morello beyond what `aarch64_morello` models (herd reads registers in init and
    # conditions as X, W or V registers, and `perms:x:tag` as a capability)
    outside_dialect = (
        (r"(?<![\w%\"])[0-9]+\s*:\s*[Cc](?:[12][0-9]|30|[0-9])(?![\w.])",
         "a Morello capability register in the init block or a condition"),
        (r"(?<![\w%\":])(?:0[xX][0-9a-fA-F]+|[0-9]+)\s*:\s*[A-Za-z_]\w*\s*:\s*[0-9]+\b",
         "a Morello capability value (`perms:location:tag`)"),
    )
