"""Transformer of the X86 (Intel syntax) and X86_64 (AT&T syntax) program sections.

The `X86` and `X86_64` architectures (`memlitmus.arch.x86`) name this transformer, both
with the grammar `x86.lark`. Instructions keep Intel operand order (destination first).
"""

from __future__ import annotations

from typing import Any

from lark import Token

from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Mem, Operand, Reg, Stmt
from memlitmus.litmus.syntax_errors import span_of, syntax_error
from memlitmus.litmus.transform import SectionTransformer, assemble_table, herd_int

__all__ = ["X86MappingTransformer", "X86Transformer"]


# Register names of Intel syntax; a bare name that is not one is a branch target.
_X86_REGS = frozenset(
    [f"{p}{r}X" for p in ("", "E", "R") for r in "ABCD"]
    + [f"{p}{r}" for p in ("", "E", "R") for r in ("SI", "DI", "BP", "SP", "IP")]
    + [f"{r}{h}" for r in "ABCD" for h in "LH"]
    + ["SIL", "DIL", "BPL", "SPL"]
    + [f"R{n}{s}" for n in range(8, 16) for s in ("", "D", "W", "B")]
)


class X86Transformer(SectionTransformer):
    """Callbacks of `x86.lark`: X86 (Intel) and X86_64 (AT&T) thread tables."""

    # X86_64 input: refuse a `lock` prefix herd parses but will not run (herd/X86_64Sem.ml
    # I_LOCK: only add, xor, inc, dec, xchg, cmpxchg; else "Illegal lock prefix on
    # instruction") and `xadd`, which herd's X86_64 lacks. The kernel mapping's lines
    # (`kernel.templates`) keep the hardware's `lock orq`/`lock andq`/`lock xaddq` and
    # read them with `X86MappingTransformer`.
    herd_locks = True

    def x86(self, children: list[Any]) -> tuple[AsmThread, ...]:
        return assemble_table(children)

    def x86_64(self, children: list[Any]) -> tuple[AsmThread, ...]:
        return assemble_table(children)

    def intel_cell(self, children: list[Any]) -> tuple[Stmt, ...]:
        return tuple(children)

    def att_cell(self, children: list[Any]) -> tuple[Stmt, ...]:
        return tuple(children)

    def label(self, children: list[Any]) -> Label:
        return Label(str(children[0]), span_of(children[0]))

    def intel_instr(self, children: list[Any]) -> Instr:
        return _instr(children, reverse=False)

    def att_instr(self, children: list[Any]) -> Instr:
        # AT&T writes the destination last; the AST keeps Intel order (destination first).
        name = children[1] if children[0].type == "LOCK" else children[0]
        if self.herd_locks and str(name).lower().rstrip("bwlq") in _HERD_ABSENT:
            # herd7 7.58's X86_64 lexer (lib/X86_64Lexer.mll) has no such mnemonic: herd
            # stops on it with a syntax error, so a test using it is refused by name
            raise syntax_error(f"herd7's X86_64 has no instruction `{str(name).lower()}` "
                               "(lib/X86_64Lexer.mll)", name)
        if self.herd_locks and children[0].type == "LOCK":
            base = str(children[1]).lower()
            if base.rstrip("bwlq") in _HERD_UNLOCKABLE or base in _HERD_UNLOCKABLE:
                raise syntax_error(f"Illegal lock prefix on instruction {base} (herd7's X86_64 "
                                   "runs `lock` only on add, xor, inc, dec, xchg, cmpxchg)",
                                   children[0])
        return _instr(children, reverse=True)

    def imm(self, children: list[Any]) -> Imm:
        text = str(children[0]).removeprefix("$")
        if text[:1].isalpha() or text[:1] == "_":
            return Imm(text)
        return Imm(herd_int(text))

    def bare(self, children: list[Any]) -> Operand:
        name = str(children[0])
        return Reg(name) if name.upper() in _X86_REGS else LabelRef(name)

    def label_ref(self, children: list[Any]) -> Operand:
        return LabelRef(str(children[0]))

    def att_reg(self, children: list[Any]) -> Operand:
        return Reg(str(children[0])[1:])

    def intel_mem(self, children: list[Any]) -> Mem:
        """`[x]`, `[EAX]`, `[x+EAX]`, `[EAX+4]`, `[EAX+EBX-8]`."""
        if children[0].type == "INTEL_MEM_NAME":
            name = children[0][1:-1].strip()
            return Mem(base=name) if name.upper() in _X86_REGS else Mem(symbol=name)
        symbol: str | None = None
        regs: list[str] = []
        offset = 0
        sign = 1
        for tok in children:
            if tok.type == "MEM_SIGN":
                sign = -1 if tok == "-" else 1
                continue
            if tok.type == "NUM":
                offset += sign * herd_int(tok)
            elif sign < 0:
                raise syntax_error(f"cannot subtract `{tok}` in a memory operand", tok)
            elif tok.upper() in _X86_REGS:
                regs.append(str(tok))
            elif symbol is None:
                symbol = str(tok)
            else:
                raise syntax_error("a memory operand names at most one location", tok)
            sign = 1
        if len(regs) > 2:
            raise syntax_error("a memory operand has at most two registers", children[0])
        base = regs[0] if regs else None
        index = regs[1] if len(regs) > 1 else None
        return Mem(symbol=symbol, base=base, index=index, offset=offset)

    def att_mem(self, children: list[Any]) -> Mem:
        """`(x)`, `(%rax)`, `8(%rax)`, `x(%rip)`, `(%rax,%rbx)`, `(%rax,%rbx,1)`."""
        if children[0].type == "ATT_MEM_NAME":
            name = children[0][1:-1].strip()
            return Mem(base=name[1:]) if name[0] == "%" else Mem(symbol=name)
        symbol: str | None = None
        offset = 0
        at = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "LPAREN")
        if at == 1:
            disp = children[0]
            if disp.type == "NUM":
                offset = herd_int(disp)
            else:
                symbol = str(disp)
        base: str | None = None
        index: str | None = None
        scale = 1
        for item in children[at + 1 :]:
            if isinstance(item, tuple):
                index, scale = item
            elif item.type == "ATT_REG":
                base = str(item)[1:]
            elif symbol is None:
                symbol = str(item)
            else:
                raise syntax_error("a memory operand names at most one location", item)
        if base is not None and base.lower() == "rip" and symbol is not None:
            base = None  # `x(%rip)` is the address of x
        return Mem(symbol=symbol, base=base, index=index, offset=offset, scale=scale)

    def att_index(self, children: list[Any]) -> tuple[str, int]:
        """`,%rbx` or `,%rbx,8`: the index register and its scale."""
        reg = str(children[0])[1:]
        return reg, herd_int(children[1]) if len(children) > 1 else 1

    def att_segment_mem(self, children: list[Any]) -> Mem:
        mem: Mem = children[-1]
        return mem


class X86MappingTransformer(X86Transformer):
    """`X86Transformer` for the kernel mapping's lines: any `lock` prefix the hardware has."""

    herd_locks = False


# Mnemonics memlitmus runs (the kernel mapping's `lock xaddq`) that herd7 7.58's X86_64
# does not have (lib/X86_64Lexer.mll, X86_64Parser.mly): refused in X86_64 tests.
_HERD_ABSENT = frozenset({"xadd"})

# herd7 7.58 X86_64 mnemonics (lib/X86_64Lexer.mll) that its semantics refuses under `lock`.
_HERD_UNLOCKABLE = frozenset({"or", "and", "shl", "mov", "cmp", "cmovc", "setnb", "movnti"})


def _instr(children: list[Any], reverse: bool) -> Instr:
    """An instruction from [LOCK?, mnemonic, operands...]."""
    first: Token = children[0]
    if first.type == "LOCK":
        mnemonic = f"LOCK {str(children[1]).upper()}"
        operands = children[2:]
    else:
        mnemonic = first.upper()
        operands = children[1:]
    if reverse:
        operands = operands[::-1]
    return Instr(mnemonic, tuple(operands), span_of(first))
