"""AArch64 program sections: callbacks of `grammars/aarch64.lark` that build the AST.

The `AArch64` architecture (`memlitmus.arch.aarch64`) names this transformer. Operands keep
herd's order (destination first). A bare name is a `Reg` when it names a general-purpose
register (`W0`, `X30`, `WZR`, `SP`), and a `LabelRef` otherwise: a branch target, or a word
the instruction itself interprets (a condition code such as `EQ`, an extension such as
`SXTW`).
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token

from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Mem, Operand, Reg, Stmt
from memlitmus.litmus.syntax_errors import span_of, syntax_error, unsupported
from memlitmus.litmus.transform import SectionTransformer, assemble_table

REGISTER = re.compile(r"(?:[WX](?:[0-9]|[12][0-9]|30)|[WX]ZR|W?SP)", re.IGNORECASE)


def is_register(name: str) -> bool:
    """Whether `name` is a general-purpose register name (any case)."""
    return REGISTER.fullmatch(name) is not None


def _imm_value(tok: Token) -> int:
    text = str(tok).lstrip("#").strip()
    negative = text.startswith("-")
    digits = text.lstrip("-")
    value = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits, 10)
    return -value if negative else value


class Shift:
    """`LSL #3` and friends, an operand only `_mem` and `ADD` look at."""

    def __init__(self, kind: str, amount: int, tok: Token):
        self.kind = kind
        self.amount = amount
        self.tok = tok


class AArch64Transformer(SectionTransformer):
    """Callbacks of `aarch64.lark`."""

    def aarch64(self, children: list[Any]) -> tuple[AsmThread, ...]:
        return assemble_table(children)

    def cell(self, children: list[Any]) -> tuple[Stmt, ...]:
        return tuple(c for c in children if c is not None)

    def label(self, children: list[Any]) -> Label:
        return Label(str(children[0]), span_of(children[0]))

    def instr(self, children: list[Any]) -> Instr:
        first: Token = children[0]
        operands = tuple(part for op in children[1:] for part in _operand(op))
        return Instr(first.upper(), operands, span_of(first))

    def pre_indexed(self, children: list[Any]) -> tuple[Mem, LabelRef]:
        """`[Xn,#imm]!`: the memory operand, then the word `!` (write the address back)."""
        return self.mem(children), LabelRef("!")

    def rel(self, children: list[Any]) -> LabelRef:
        """`.+8`: a branch target given as a byte offset from the instruction."""
        return LabelRef(str(children[0]))

    def imm(self, children: list[Any]) -> Imm:
        return Imm(_imm_value(children[0]))

    def sym_reg(self, children: list[Any]) -> Operand:
        return _symbolic(children[0])

    def bare(self, children: list[Any]) -> Operand:
        name = str(children[0])
        return Reg(name.upper()) if is_register(name) else LabelRef(name)

    def shift(self, children: list[Any]) -> Shift:
        kind, amount = children
        return Shift(str(kind).upper(), _imm_value(amount), kind)

    def mem(self, children: list[Any]) -> Mem:
        """`[X1]`, `[X1,#4]`, `[X1,X2]`, `[X1,W2,SXTW]`, `[X1,X2,LSL #0]`."""
        first: Token = children[0]
        if first.type == "MEM_REG":
            return _mem_base(first[1:-1].strip(), first)
        if first.type == "SYM_REG":
            mem = Mem(base=_symbolic(first).name)
        else:
            mem = _mem_base(str(first), first)
        rest = children[1:]
        if not rest:
            return mem
        if len(rest) == 1 and isinstance(rest[0], Imm):
            return Mem(base=mem.base, offset=int(rest[0].value))
        return _indexed(mem, rest, first)


def _operand(op: Any) -> tuple[Operand, ...]:
    """Instruction operands: a shift or extension is kept as its word followed by its
    amount (`ADD X1,X2,X3,LSL #2` → …, `LSL`, `#2`)."""
    if isinstance(op, Shift):
        return LabelRef(op.kind), Imm(op.amount)
    if isinstance(op, tuple):
        return op
    assert isinstance(op, Reg | Imm | Mem | LabelRef)
    return (op,)


def _symbolic(tok: Token) -> Reg:
    """A symbolic register `%P0_x`, also written `X%P0_x` (its 64-bit view)."""
    if str(tok).startswith("W"):
        raise unsupported(f"the 32-bit view of a symbolic register (`{tok}`)", tok)
    return Reg(str(tok).lstrip("X"))


def _mem_base(name: str, tok: Token) -> Mem:
    if re.fullmatch(r"CSP|csp", name):
        raise unsupported(f"Morello capability register `{name}` (`Variant=morello`)", tok)
    if re.fullmatch(r"[Cc]([0-9]|[12][0-9]|30)", name):
        # Morello's capability view of Xn; the front end takes it under
        # `Variant=morello` only, as herd's lexer (aarch64_morello)
        return Mem(base=name.upper())
    if not is_register(name):
        raise syntax_error(f"expected a base register in `[{name}]`", tok)
    return Mem(base=name.upper())


def _indexed(mem: Mem, rest: list[Any], tok: Token) -> Mem:
    """`[Xn,Rm]`, `[Xn,Wm,SXTW]`, `[Xn,Xm,LSL #3]`, `[Xn,Wm,SXTW #2]` (index scaled by
    2^amount)."""
    index = rest[0]
    if not isinstance(index, Reg):
        raise syntax_error("expected an immediate or an index register after the base", tok)
    extend: str | None = None
    scale = 1
    if len(rest) == 2:
        ext = rest[1]
        if isinstance(ext, Shift):
            if not 0 <= ext.amount <= 4:
                raise unsupported(f"scaled index `{ext.kind} #{ext.amount}`", ext.tok)
            extend, scale = ext.kind, 1 << ext.amount
        elif isinstance(ext, LabelRef):
            extend = ext.name.upper()
        else:
            raise syntax_error("expected an extension such as SXTW after the index", tok)
    elif len(rest) > 2:
        raise syntax_error("too many parts in a memory operand", tok)
    return Mem(base=mem.base, index=index.name, extend=extend, scale=scale)
