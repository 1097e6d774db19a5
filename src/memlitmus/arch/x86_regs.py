"""x86 register names, widths and the hardware's rules for partial registers.

Every register name stands for a part of a full register: X86_64 `rax` (64 bits), `eax`
(bits 0-31), `ax` (0-15), `al` (0-7), `ah` (8-15), and `r8`/`r8d`/`r8w`/`r8b`; X86 (32-bit)
`EAX`, `AX`, `AL`, `AH`. Symbolic execution keeps one value per full register.

Writes follow the Intel SDM (vol. 1, 3.4.1.1 "General-Purpose Registers in 64-Bit Mode"),
as herd's X86_64Sem.ml `write_reg` cites it: a 32-bit write zero-extends into the 64-bit
register, an 8- or 16-bit write leaves the other bits unchanged. Reads of a part keep its
bits (`ah` is bits 8-15 shifted down), as herd's `read_reg`/`mask_from_reg_part`.
"""

from __future__ import annotations

import re

from memlitmus.arch.descriptor import RegKey
from memlitmus.events import BinOp, Const, Expr, binop

FULL = "full"  # the whole register: 64 bits on X86_64, 32 on X86
LOW8 = "b"  # bits 0-7
HIGH8 = "h"  # bits 8-15
WORD16 = "w"
DWORD32 = "l"

_GPR64 = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"]

RegParts = dict[str, tuple[str, str]]


def x86_64_parts() -> RegParts:
    """Every X86_64 register name (lower case) → (its 64-bit register, part)."""
    parts: RegParts = {"rip": ("rip", FULL), "cs": ("cs", FULL)}
    for full in _GPR64:
        core = full[1:]  # "ax", "si"
        parts[full] = (full, FULL)
        parts["e" + core] = (full, DWORD32)
        parts[core] = (full, WORD16)
        if core.endswith("x"):
            parts[core[0] + "l"] = (full, LOW8)
            parts[core[0] + "h"] = (full, HIGH8)
        else:
            parts[core + "l"] = (full, LOW8)
    for i in range(8, 16):
        full = f"r{i}"
        parts.update({full: (full, FULL), f"{full}d": (full, DWORD32),
                      f"{full}w": (full, WORD16), f"{full}b": (full, LOW8)})
    return parts


def x86_parts() -> RegParts:
    """32-bit X86 (upper case): EAX is the full register; AX, AL, AH its parts."""
    parts: RegParts = {}
    for full in ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP"):
        core = full[1:]
        parts[full] = (full, FULL)
        parts[core] = (full, WORD16)
        if core.endswith("X"):
            parts[core[0] + "L"] = (full, LOW8)
            parts[core[0] + "H"] = (full, HIGH8)
    return parts


_BITS = {LOW8: 8, HIGH8: 8, WORD16: 16, DWORD32: 32}


def low_bits(value: Expr, bits: int | None) -> Expr:
    """The low `bits` bits of a value, zero-extended (None or 64: the value itself)."""
    if bits is None or bits >= 64:
        return value
    mask = (1 << bits) - 1
    if (isinstance(value, Const) and 0 <= value.value <= mask) or _masked_within(value, mask):
        return value
    return binop("&", value, Const(mask))


def _masked_within(value: Expr, mask: int) -> bool:
    """Is `value` already `x & m` with m within `mask` (so masking again changes nothing)?"""
    return (
        isinstance(value, BinOp) and value.op == "&" and isinstance(value.right, Const)
        and 0 <= value.right.value <= mask
    )


def read_part(full_value: Expr, part: str) -> Expr:
    """The value a part of a register reads, given the full register's value."""
    if part == FULL:
        return full_value
    if part == HIGH8:
        return low_bits(binop(">>", full_value, Const(8)), 8)
    return low_bits(full_value, _BITS[part])


def write_part(old: Expr, value: Expr, part: str) -> Expr:
    """The full register's value after `value` is written to one of its parts."""
    if part == FULL:
        return value
    if part == DWORD32:
        return low_bits(value, 32)  # zero-extended into the 64-bit register
    if part == HIGH8:
        kept = binop("&", old, Const(~0xFF00))
        return binop("|", kept, binop("<<", low_bits(value, 8), Const(8)))
    bits = _BITS[part]
    kept = binop("&", old, Const(~((1 << bits) - 1)))
    return binop("|", kept, low_bits(value, bits))


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
