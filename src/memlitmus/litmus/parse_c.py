"""Callbacks of `grammars/c.lark`: the program section of C litmus files → `c_ast`.

The `C` architecture (`memlitmus.arch.c`) names this transformer; like the assembly
transformers it runs inline during the LALR parse, so spans are true file positions.
"""

from __future__ import annotations

from typing import Any

from lark import Token

from memlitmus.errors import Span
from memlitmus.litmus.c_ast import (
    CAddrOf,
    CAssign,
    CBinary,
    CBlock,
    CCall,
    CCast,
    CCond,
    CDecl,
    CDeref,
    CExpr,
    CExprStmt,
    CIf,
    CNum,
    CParam,
    CStmt,
    CThread,
    CUnary,
    CVar,
    CWhile,
)
from memlitmus.litmus.syntax_errors import span_of, syntax_error, syntax_error_at
from memlitmus.litmus.transform import SectionTransformer


def _span(item: Token | CExpr | CStmt) -> Span:
    """The position of a token or of an AST node."""
    if isinstance(item, Token):
        return span_of(item)
    return item.span


def _ctype(tok: Token, stars: list[Any]) -> str:
    """A type as written, blanks normalised: `struct srcu_struct *`."""
    words = " ".join(str(tok).split())
    return words + (" " + "*" * len(stars) if stars else "")


class CTransformer(SectionTransformer):
    """Rule callbacks of `c.lark` (names as in the grammar)."""

    def c(self, children: list[CThread]) -> tuple[CThread, ...]:
        seen: set[int] = set()
        for thread in children:
            if thread.proc in seen:
                raise syntax_error_at(f"thread `P{thread.proc}` declared twice", thread.span)
            seen.add(thread.proc)
        return tuple(sorted(children, key=lambda t: t.proc))

    def c_thread(self, children: list[Any]) -> CThread:
        proc: Token = children[0]
        params: tuple[CParam, ...] = children[1] or ()
        body = tuple(c for c in children[2:] if c is not None)
        return CThread(int(proc[1:]), params, body, span_of(proc))

    def params(self, children: list[CParam]) -> tuple[CParam, ...]:
        return tuple(children)

    def param(self, children: list[Any]) -> CParam:
        ctype, name = children[0], children[-1]
        return CParam(_ctype(ctype, children[1:-1]), str(name), span_of(name))

    # ---- statements ----

    def decl(self, children: list[Any]) -> CBlock | CDecl:
        ctype: Token = children[0]
        decls = [
            CDecl(_ctype(ctype, stars), str(name), init, span_of(name))
            for stars, name, init in children[1:]
        ]
        if len(decls) == 1:
            return decls[0]
        return CBlock(tuple(decls), span_of(ctype))

    def declarator(self, children: list[Any]) -> tuple[list[Token], Token, CExpr | None]:
        init = None if isinstance(children[-1], Token) else children[-1]
        toks = [c for c in children if isinstance(c, Token)]
        return toks[:-1], toks[-1], init

    def expr_stmt(self, children: list[Any]) -> CExprStmt:
        expr: CExpr = children[0]
        return CExprStmt(expr, expr.span)

    def if_stmt(self, children: list[Any]) -> CIf:
        if_tok, cond, then = children[0], children[1], children[2]
        other = children[4] if len(children) > 4 else None
        return CIf(cond, then, other, span_of(if_tok))

    def while_stmt(self, children: list[Any]) -> CWhile:
        return CWhile(children[1], children[2], span_of(children[0]))

    def block(self, children: list[Any]) -> CBlock:
        return CBlock(tuple(c for c in children[1:] if c is not None), span_of(children[0]))

    def empty_stmt(self, children: list[Any]) -> None:
        return None

    # ---- expressions ----

    def assign(self, children: list[Any]) -> CAssign:
        target, _, value = children
        if not isinstance(target, CVar | CDeref):
            raise syntax_error("cannot assign to this expression", children[1])
        return CAssign(target, value, target.span)

    def ternary(self, children: list[Any]) -> CCond:
        cond, then, other = children
        return CCond(cond, then, other, cond.span)

    def binary(self, children: list[Any]) -> CBinary:
        left, op, right = children
        return CBinary(str(op), left, right, left.span)

    def deref(self, children: list[Any]) -> CDeref:
        return CDeref(children[1], span_of(children[0]))

    def addr_of(self, children: list[Any]) -> CAddrOf:
        return CAddrOf(children[1], span_of(children[0]))

    def unop(self, children: list[Any]) -> CExpr:
        op, arg = children
        if str(op) == "+":
            return arg  # type: ignore[no-any-return]
        return CUnary(str(op), arg, span_of(op))

    def cast(self, children: list[Any]) -> CCast:
        lparen, ctype = children[0], children[1]
        return CCast(_ctype(ctype, children[2:-1]), children[-1], span_of(lparen))

    def call(self, children: list[Any]) -> CCall:
        name: Token = children[0]
        args = tuple(c for c in children[1:] if c is not None)
        return CCall(str(name), args, span_of(name))

    def num(self, children: list[Token]) -> CNum:
        text = str(children[0])
        value = int(text, 16) if text[:2] in ("0x", "0X") else int(text, 10)
        return CNum(value, span_of(children[0]))

    def var(self, children: list[Token]) -> CVar:
        return CVar(str(children[0]), span_of(children[0]))
