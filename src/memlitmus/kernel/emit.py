"""The instructions `memlitmus lower` writes for C's own code, in herd7 7.58's syntax.

One emitter per architecture, each using only instructions herd7 7.58 parses and runs:

* X86_64 (herdtools7 lib/X86_64Lexer.mll, lib/X86_64Parser.mly): `movq`, `addq`, `orq`,
  `xorq`, `and` (herd has no `andq`), `cmpq`, `jmp`, `je`, `jne`, `jgt`, `jge`, labels.
  herd has no `sub`, `neg`, `imul`, `setcc`, `movzb`, `cmov` on a condition, nor `xadd`:
  a difference is an addition of the two's complement (`xorq $-1` then `addq $1`), a
  truth value is a compare and branches around two `movq`s, `?:` likewise. Only `jgt`
  and `jge` are used for orderings (with the operands swapped for `<`, `<=`): herd's
  `jlt` reads its flags as `jle` does (herd/X86_64Sem.ml), unlike the hardware.
* AArch64 (lib/AArch64Lexer.mll, lib/AArch64Parser.mly): `MOV`, `ADD`, `SUB`, `AND`,
  `ORR`, `EOR`, `MUL`, `NEG`, `MVN`, `CMP`, `CSET`, `CSEL`, `B`, `B.cond`.

A loop's exit is followed by a self-loop (`L: B L`): herd discards an execution that
jumps back more often than its `-unroll` bound (herd/mem.ml `fetch_addr`: a cut-off
event, and herd/top_herd.ml drops executions that have one), which is what the C front
end's bounded unrolling does with the executions that would loop again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from memlitmus.errors import Span, UnsupportedError
from memlitmus.litmus.c_ast import CCall

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
SWAPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


@dataclass
class Emitter:
    """Appends instruction lines to `lines`; `fresh` gives a free register and `label`
    a fresh label name (both from the thread printer)."""

    lines: list[str]
    fresh: Callable[[Span], str]
    label: Callable[[], str]

    def emit(self, text: str) -> None:
        self.lines.append(text)

    def place(self, label: str) -> None:
        self.emit(f"{label}:")

    def immediate(self, operand: str) -> bool:
        return operand.startswith(("$", "#"))

    def in_register(self, operand: str, span: Span) -> str:
        """`operand`, moved to a fresh register first when it is an immediate."""
        if self.immediate(operand):
            reg = self.fresh(span)
            self.move(reg, operand)
            return reg
        return operand

    def cut(self) -> None:
        """A self-loop: herd cuts off the executions that reach it."""
        here = self.label()
        self.place(here)
        self.jump(here)

    # ---- per architecture -----------------------------------------------------------

    def imm(self, value: int) -> str:
        raise NotImplementedError

    def move(self, dst: str, src: str) -> None:
        raise NotImplementedError

    def load(self, dst: str, addr: str) -> None:
        raise NotImplementedError

    def store(self, src: str, addr: str) -> None:
        raise NotImplementedError

    def arith(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        """dst := left op right, op one of + - & | ^ *."""
        raise NotImplementedError

    def unary(self, op: str, dst: str, arg: str, span: Span) -> None:
        """dst := -arg (`-`) or ~arg (`~`)."""
        raise NotImplementedError

    def jump(self, target: str) -> None:
        raise NotImplementedError

    def branch(self, op: str, left: str, right: str, target: str, span: Span) -> None:
        """Jump to `target` when `left op right` (a C comparison)."""
        raise NotImplementedError

    def truth(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        """dst := 1 if `left op right` else 0."""
        raise NotImplementedError

    def select(self, dst: str, cond: str, then: str, other: str, span: Span) -> None:
        """dst := then if cond != 0 else other (C's `?:` without memory accesses)."""
        raise NotImplementedError


class X86Emitter(Emitter):
    """herd7 7.58's X86_64, AT&T operand order."""

    _OPS = {"+": "addq", "|": "orq", "^": "xorq", "&": "and"}
    _JCC = {"==": "je", "!=": "jne", ">": "jgt", ">=": "jge"}

    def imm(self, value: int) -> str:
        return f"${value}"

    def move(self, dst: str, src: str) -> None:
        if dst != src:
            self.emit(f"movq {src},{dst}")

    def load(self, dst: str, addr: str) -> None:
        self.emit(f"movq ({addr}),{dst}")

    def store(self, src: str, addr: str) -> None:
        self.emit(f"movq {src},({addr})")

    def arith(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        if op == "*":
            raise UnsupportedError("herd7's X86_64 has no multiply: `lower --arch x86` cannot "
                                   "print `*` of two values", span)
        if op == "-":
            if self.immediate(right):
                op, right = "+", self.imm(-int(right[1:]))
            else:
                negated = self.fresh(span)
                self.unary("-", negated, right, span)
                op, right = "+", negated
        self.move(dst, left)
        self.emit(f"{self._OPS[op]} {right},{dst}")

    def unary(self, op: str, dst: str, arg: str, span: Span) -> None:
        self.move(dst, arg)
        self.emit(f"xorq $-1,{dst}")
        if op == "-":
            self.emit(f"addq $1,{dst}")

    def jump(self, target: str) -> None:
        self.emit(f"jmp {target}")

    def branch(self, op: str, left: str, right: str, target: str, span: Span) -> None:
        if op in ("<", "<="):  # herd's jlt is not the hardware's: swap, use jgt/jge
            op, left, right = SWAPPED[op], right, left
        left = self.in_register(left, span)  # cmp's destination cannot be an immediate
        self.emit(f"cmpq {right},{left}")
        self.emit(f"{self._JCC[op]} {target}")

    def truth(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        true, end = self.label(), self.label()
        self.branch(op, left, right, true, span)
        self.move(dst, "$0")
        self.jump(end)
        self.place(true)
        self.move(dst, "$1")
        self.place(end)

    def select(self, dst: str, cond: str, then: str, other: str, span: Span) -> None:
        chosen, end = self.label(), self.label()
        self.branch("!=", cond, "$0", chosen, span)
        self.move(dst, other)
        self.jump(end)
        self.place(chosen)
        self.move(dst, then)
        self.place(end)


class A64Emitter(Emitter):
    """herd7 7.58's AArch64."""

    _OPS = {"+": "ADD", "-": "SUB", "&": "AND", "|": "ORR", "^": "EOR", "*": "MUL"}
    _COND = {"==": "EQ", "!=": "NE", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}

    def imm(self, value: int) -> str:
        return f"#{value}"

    def move(self, dst: str, src: str) -> None:
        if dst != src:
            self.emit(f"MOV {dst},{src}")

    def load(self, dst: str, addr: str) -> None:
        self.emit(f"LDR {dst},[{addr}]")

    def store(self, src: str, addr: str) -> None:
        self.emit(f"STR {src},[{addr}]")

    def arith(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        if op == "*":
            right = self.in_register(right, span)
        self.emit(f"{self._OPS[op]} {dst},{self.in_register(left, span)},{right}")

    def unary(self, op: str, dst: str, arg: str, span: Span) -> None:
        self.emit(f"{'NEG' if op == '-' else 'MVN'} {dst},{self.in_register(arg, span)}")

    def jump(self, target: str) -> None:
        self.emit(f"B {target}")

    def _compare(self, op: str, left: str, right: str, span: Span) -> str:
        if self.immediate(left) and not self.immediate(right):
            op, left, right = SWAPPED[op], right, left
        self.emit(f"CMP {self.in_register(left, span)},{right}")
        return self._COND[op]

    def branch(self, op: str, left: str, right: str, target: str, span: Span) -> None:
        self.emit(f"B.{self._compare(op, left, right, span)} {target}")

    def truth(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        self.emit(f"CSET {dst},{self._compare(op, left, right, span)}")

    def select(self, dst: str, cond: str, then: str, other: str, span: Span) -> None:
        then, other = self.in_register(then, span), self.in_register(other, span)
        self.emit(f"CSEL {dst},{then},{other},{self._compare('!=', cond, '#0', span)}")


def herd_x86(code: list[str], call: CCall, fresh: Callable[[Span], str]) -> list[str]:
    """A table line's X86_64 code in the instructions herd7 7.58 has (lib/X86_64Lexer.mll):
    `andq` is herd's `and`, `subq S,D` adds the two's complement of S (herd has no `sub`);
    `lock xaddq` has no herd equivalent that makes the same events, so it is refused, and
    so is a `lock` prefix herd does not run (herd/X86_64Sem.ml: only on add, xor, inc, dec,
    xchg and cmpxchg; "Illegal lock prefix"): `lock orq`, `lock and`. A cmpxchg loop would
    be accepted but adds a plain read and a retry, so it is not printed in their place."""
    out: list[str] = []
    for text in code:
        words = text.split(None, 2) if text.startswith("lock ") else text.split(None, 1)
        mnemonic = " ".join(words[:-1]) if len(words) > 1 else text
        operands = words[-1] if len(words) > 1 else ""
        if mnemonic.endswith("xaddq"):
            raise UnsupportedError(
                f"`{call.name}` lowers to `lock xaddq` on x86, an instruction herd7's X86_64 "
                "does not have; `memlitmus run -m x86tso` judges it", call.span)
        if mnemonic.endswith("andq"):
            out.append(f"{mnemonic[:-4]}and {operands}")
        elif mnemonic.endswith("subq"):
            src, dst = operands.split(",", 1)
            if src.startswith("$"):
                out.append(f"{mnemonic[:-4]}addq ${-int(src[1:])},{dst}")
            else:
                neg = fresh(call.span)
                out += [f"movq {src},{neg}", f"xorq $-1,{neg}", f"addq $1,{neg}",
                        f"{mnemonic[:-4]}addq {neg},{dst}"]
        else:
            out.append(text)
    for text in out:
        words = text.split()
        if words[0] == "lock" and words[1].rstrip("bwlq") not in HERD_LOCKABLE:
            raise UnsupportedError(
                f"`{call.name}` lowers to `{words[0]} {words[1]}` on x86, but herd7's X86_64 "
                "allows `lock` only on add, xor, inc, dec, xchg and cmpxchg (herd/X86_64Sem.ml: "
                "Illegal lock prefix); `memlitmus run -m x86tso` judges it", call.span)
    return out


# The instructions herd7 7.58 runs under a `lock` prefix (herd/X86_64Sem.ml, I_LOCK).
HERD_LOCKABLE = frozenset({"add", "xor", "inc", "dec", "xchg", "uxch", "cmpxchg"})
