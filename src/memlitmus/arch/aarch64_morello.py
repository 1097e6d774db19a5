"""Morello (`Variant=morello`): the subset memlitmus models, where every capability is
untagged, so every access faults, as herd 7.58 has it.

Under `morello`, herd (herd/AArch64Sem.ml `lift_memop` → `lift_morello`) checks every
load and store, whichever register names its address (`[C1]` is the capability view of
X1, `[X1]` the same register): the address's capability tag (`check_morello_tag`), then
that it is not sealed, then its permissions. A failed check is a fault (`mk_fault`: the
address as location, no fault type, message `CapTag`, `CapSeal` or `CapPerms`, an
exception entry) after which the thread exits (`B.Exit`, whatever the fault handling).

A value has a tag only when the init block writes a capability (`0:C1=0xffffc0000:x:1`,
herd's `perms:name:tag`) or a Morello instruction makes one; a location's address given
as `0:X1=x` has tag 0 (lib/constant.ml `cap = 0`). memlitmus reads neither form nor
instruction, so in the tests it accepts every access faults with `CapTag`: the thread's
first load or store is its last instruction, and memory keeps its initial values unless
another thread writes it (which also faults). Accepted, besides loads and stores of a W
or X register through `[Cn]` or `[Xn]` holding a location: NOP, barriers, UDF, SVC and
`MOV` of an immediate (their semantics do not change under Morello). Anything else is
refused by name: capability data registers (`STR C0,…`), offsets and indices (herd's
fault location would be the address computed), exclusives, atomics, pairs, arithmetic
(herd reads X registers through their capability, `read_reg_sz`), branches.
"""

from __future__ import annotations

from collections.abc import Mapping

from memlitmus.arch.aarch64_runner import A64Thread, Handler
from memlitmus.errors import UnsupportedError
from memlitmus.events import AddrOf, Fault
from memlitmus.litmus.ast import Imm, Instr, Mem, Reg

__all__ = ["execute", "is_morello"]

_LOADS = frozenset({"LDR", "LDUR", "LDAR", "LDAPR"}
                   | {f"LD{u}R{k}" for u in ("", "U") for k in ("B", "H", "SB", "SH", "SW")})
_STORES = frozenset({"STR", "STUR", "STLR"} | {f"ST{u}R{k}" for u in ("", "U") for k in "BH"})
_UNCHANGED = frozenset({"NOP", "DMB", "DSB", "ISB", "UDF", "SVC"})


def is_morello(variants: frozenset[str]) -> bool:
    """Does the test run under herd's `-variant morello`?"""
    return any(v.lower() == "morello" for v in variants)


def execute(t: A64Thread, instr: Instr, handlers: Mapping[str, Handler]) -> None:
    """Run one instruction under Morello (see the module); `handlers` is the front
    end's table, for the instructions Morello leaves unchanged."""
    name = instr.mnemonic
    if name in _LOADS or name in _STORES:
        _access(t, instr, store=name in _STORES)
    elif name in _UNCHANGED or (name == "MOV" and _moves_immediate(instr)):
        handlers[name](t, instr)
    else:
        raise UnsupportedError(
            f"`{name}` under `Variant=morello` (memlitmus models Morello's untagged "
            "capabilities only: loads and stores through them, which fault)", instr.span)


def _moves_immediate(instr: Instr) -> bool:
    return len(instr.operands) == 2 and isinstance(instr.operands[1], Imm)


def _access(t: A64Thread, instr: Instr, store: bool) -> None:
    """A load or store `Rt,[Cn]`: the address has no tag, so a `CapTag` fault, and the
    thread exits."""
    ops = instr.operands
    mem = ops[1] if len(ops) == 2 else None
    if not isinstance(mem, Mem):
        raise UnsupportedError(
            f"`{instr.mnemonic}` under `Variant=morello` with an operand other than "
            "`[Cn]` or `[Xn]`", instr.span)
    data = ops[0]
    if not (isinstance(data, Reg) and data.name.upper()[:1] in "WX"):
        shown = getattr(data, "name", data)  # `C0` parses as a name, not a register
        raise UnsupportedError(
            f"a capability-sized access (`{instr.mnemonic}` of `{shown}`) under "
            "`Variant=morello`", instr.span)
    if mem.base is None or mem.index is not None or mem.offset or mem.symbol is not None:
        raise UnsupportedError(
            "an address other than a base register (`[Cn]`, `[Xn]`) under "
            "`Variant=morello`", instr.span)
    base = mem.base.upper()
    if base[:1] == "C":
        base = "X" + base[1:]
    addr = t.tb.get(base)
    if not (isinstance(addr, AddrOf) and addr.offset == 0
            and not addr.name.startswith("label:")):
        raise UnsupportedError(
            f"a Morello access through `{mem.base}`, which holds no location's address "
            "known before running", instr.span)
    direction = "FAULT-WR" if store else "FAULT-RD"
    # herd: `mk_fault (Some a) dir an ii None (Some "CapTag") >>! B.Exit`; B.Exit ends
    # the thread whatever the fault handling, so "handled" is no refusal here
    t.tb.fault(Fault(t.tb.instr_labels, addr.name, None, "CapTag"),
               frozenset({"FAULT", direction, "EXC-ENTRY"}), instr.span)
    t.tb.stop()
