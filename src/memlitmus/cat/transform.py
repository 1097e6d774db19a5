"""Lark parse tree of a cat file -> the AST of `memlitmus.cat.ast`.

`Builder` has one method per grammar rule or alias of `cat.lark`; the private dataclasses
below carry the pieces (tests, patterns, match clauses) that a parent rule assembles.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lark import Token, Transformer, v_args

from memlitmus.cat import ast as A
from memlitmus.errors import Span

__all__ = ["Builder"]


@dataclasses.dataclass(frozen=True)
class _Test:
    kind: A.CheckKind
    negated: bool
    expr: A.Expr
    name: str | None
    span: Span


@dataclasses.dataclass(frozen=True)
class _Pat:
    name: str | None
    span: Span


@dataclasses.dataclass(frozen=True)
class _Clause:
    tag: str | None  # None: the default clause `_ -> ...`
    body: Any


@dataclasses.dataclass(frozen=True)
class _ElemClause:
    before: str | None
    elem: str | None
    rest: str | None
    body: A.Expr


def _tuple_pat(pats: list[_Pat], span: Span) -> A.Pattern:
    """herd's rule: one formal is a plain variable, otherwise a tuple pattern."""
    if len(pats) == 1:
        return A.PVar(pats[0].name, pats[0].span)
    return A.PTuple(tuple(p.name for p in pats), span)


def _flatten(op: A.OpKind, args: list[A.Expr]) -> tuple[A.Expr, ...]:
    """`a | (b | c)` -> one n-ary union, like herd's `do_op`."""
    out: list[A.Expr] = []
    for a in args:
        if isinstance(a, A.Op) and a.op == op:
            out.extend(a.args)
        else:
            out.append(a)
    return tuple(out)


def _strip_quotes(tok: Token) -> str:
    return str(tok)[1:-1]


@v_args(meta=True)
class Builder(Transformer[Token, Any]):
    """Build AST nodes from Lark's parse tree, one method per grammar rule or alias."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1)
        return Span(self.file, meta.line, meta.column)

    def _tok_span(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1)

    # -- model
    def start(self, meta: Any, ch: list[Any]) -> A.CatModel:
        name = next((c[1] for c in ch if isinstance(c, tuple) and c[0] == "name"), None)
        options = tuple(c[1] for c in ch if isinstance(c, tuple) and c[0] == "option")
        body = tuple(c for c in ch if not isinstance(c, tuple))
        return A.CatModel(name, options, body, self.file)

    def model_name(self, meta: Any, ch: list[Token]) -> tuple[str, str]:
        parts = [_strip_quotes(t) if t.type == "STRING" else str(t) for t in ch]
        return ("name", " ".join(parts))

    def model_option(self, meta: Any, ch: list[Token]) -> tuple[str, str]:
        return ("option", str(ch[0]))

    # -- instructions
    def let_ins(self, meta: Any, ch: list[Any]) -> A.LetIns:
        return A.LetIns(ch[0], self._span(meta))

    def let_rec_ins(self, meta: Any, ch: list[Any]) -> A.LetRecIns:
        when = ch[2] if len(ch) > 2 else None
        return A.LetRecIns(ch[1], when, self._span(meta))

    def when_clause(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return self._check(ch[0], "check")

    def _check(self, t: _Test, mode: A.CheckMode) -> A.CheckIns:
        return A.CheckIns(t.kind, t.negated, mode, t.expr, t.name, t.span)

    def check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return self._check(ch[0], "check")

    def flag_check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return dataclasses.replace(self._check(ch[0], "flag"), span=self._span(meta))

    def assert_check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return dataclasses.replace(self._check(ch[0], "assert"), span=self._span(meta))

    def undefined_unless_check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        check = self._check(ch[0], "undefined_unless")
        return dataclasses.replace(check, span=self._span(meta))

    def check_test(self, meta: Any, ch: list[Any]) -> _Test:
        name = ch[2] if len(ch) > 2 else None
        return _Test(ch[0], False, ch[1], name, self._span(meta))

    def neg_check_test(self, meta: Any, ch: list[Any]) -> _Test:
        return dataclasses.replace(self.check_test(meta, ch), negated=True)

    def check_name(self, meta: Any, ch: list[Token]) -> str:
        return str(ch[0])

    def acyclic(self, meta: Any, ch: list[Any]) -> str:
        return "acyclic"

    def irreflexive(self, meta: Any, ch: list[Any]) -> str:
        return "irreflexive"

    def empty(self, meta: Any, ch: list[Any]) -> str:
        return "empty"

    def show_as(self, meta: Any, ch: list[Any]) -> A.ShowAsIns:
        return A.ShowAsIns(ch[0], str(ch[1]), self._span(meta))

    def show(self, meta: Any, ch: list[Token]) -> A.ShowIns:
        return A.ShowIns(tuple(str(t) for t in ch), False, self._span(meta))

    def unshow(self, meta: Any, ch: list[Token]) -> A.ShowIns:
        return A.ShowIns(tuple(str(t) for t in ch), True, self._span(meta))

    def include(self, meta: Any, ch: list[Token]) -> A.IncludeIns:
        return A.IncludeIns(_strip_quotes(ch[0]), self._span(meta))

    def _procedure(self, meta: Any, ch: list[Any], tuple_params: bool) -> A.ProcedureIns:
        rec = isinstance(ch[0], Token) and ch[0].type == "REC"
        rest = ch[1:] if rec else ch
        name, params, body = str(rest[0]), rest[1], tuple(rest[2:])
        span = self._span(meta)
        param = _tuple_pat(params, span) if tuple_params else A.PVar(params.name, params.span)
        return A.ProcedureIns(name, param, body, rec, span)

    def procedure_tuple(self, meta: Any, ch: list[Any]) -> A.ProcedureIns:
        return self._procedure(meta, ch, True)

    def procedure_single(self, meta: Any, ch: list[Any]) -> A.ProcedureIns:
        return self._procedure(meta, ch, False)

    def call(self, meta: Any, ch: list[Any]) -> A.CallIns:
        as_name = ch[2] if len(ch) > 2 else None
        return A.CallIns(str(ch[0]), ch[1], as_name, self._span(meta))

    def enum_ins(self, meta: Any, ch: list[Token]) -> A.EnumIns:
        tags = tuple(str(t)[1:] for t in ch[1:])
        return A.EnumIns(str(ch[0]), tags, self._span(meta))

    def debug_ins(self, meta: Any, ch: list[Any]) -> A.DebugIns:
        return A.DebugIns(ch[0], self._span(meta))

    def forall_ins(self, meta: Any, ch: list[Any]) -> A.ForallIns:
        return A.ForallIns(str(ch[0]), ch[1], tuple(ch[2:]), self._span(meta))

    def with_ins(self, meta: Any, ch: list[Any]) -> A.WithFromIns:
        return A.WithFromIns(str(ch[0]), ch[1], self._span(meta))

    def instructions_ins(self, meta: Any, ch: list[Any]) -> A.EventsIns:
        args = tuple(ch[1]) if len(ch) > 1 else ()
        return A.EventsIns("instructions", str(ch[0]), args, self._span(meta))

    def default_ins(self, meta: Any, ch: list[Any]) -> A.EventsIns:
        args = tuple(ch[1]) if len(ch) > 1 else ()
        return A.EventsIns("default", str(ch[0]), args, self._span(meta))

    def match_ins(self, meta: Any, ch: list[Any]) -> A.MatchIns:
        clauses, default = ch[1]
        return A.MatchIns(ch[0], clauses, default, self._span(meta))

    def ins_clauses(self, meta: Any, ch: list[_Clause]) -> tuple[Any, Any]:
        return self._split_clauses(ch)

    def ins_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(str(ch[0])[1:], tuple(ch[1:]))

    def ins_default(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(None, tuple(ch))

    def if_ins(self, meta: Any, ch: list[Any]) -> A.IfIns:
        else_ = ch[2] if len(ch) > 2 else ()
        return A.IfIns(ch[0], ch[1], else_, self._span(meta))

    def ins_block(self, meta: Any, ch: list[Any]) -> tuple[A.Ins, ...]:
        return tuple(ch)

    def else_block(self, meta: Any, ch: list[Any]) -> tuple[A.Ins, ...]:
        return tuple(ch)

    # -- bindings
    def bindings(self, meta: Any, ch: list[A.Binding]) -> tuple[A.Binding, ...]:
        return tuple(ch)

    def bind_pattern(self, meta: Any, ch: list[Any]) -> A.Binding:
        span = self._span(meta)
        return A.Binding(_tuple_pat(ch[0], span), ch[1], span)

    def bind_tuple(self, meta: Any, ch: list[Any]) -> A.Binding:
        span = self._span(meta)
        pats: list[_Pat] = ch[0]
        pattern: A.Pattern = A.PTuple(tuple(p.name for p in pats), span)
        if len(pats) == 1:
            pattern = A.PVar(pats[0].name, pats[0].span)
        return A.Binding(pattern, ch[1], span)

    def bind_fun(self, meta: Any, ch: list[Any]) -> A.Binding:
        span, name, param = self._span(meta), str(ch[0]), ch[1]
        fun = A.Fun(A.PVar(param.name, param.span), ch[2], name, span)
        return A.Binding(A.PVar(name, self._tok_span(ch[0])), fun, span)

    def bind_fun_tuple(self, meta: Any, ch: list[Any]) -> A.Binding:
        span, name = self._span(meta), str(ch[0])
        params: list[_Pat] = ch[1]
        fun = A.Fun(self._params(params, span), ch[2], name, span)
        return A.Binding(A.PVar(name, self._tok_span(ch[0])), fun, span)

    @staticmethod
    def _params(pats: list[_Pat], span: Span) -> A.Pattern:
        # `f(x)` takes its argument whole; `f(x, y)` and `f()` destructure a tuple.
        return _tuple_pat(pats, span)

    def formals_n(self, meta: Any, ch: list[_Pat]) -> list[_Pat]:
        return list(ch)

    def formals(self, meta: Any, ch: list[_Pat]) -> list[_Pat]:
        return list(ch)

    def pat0(self, meta: Any, ch: list[Token]) -> _Pat:
        return _Pat(str(ch[0]), self._tok_span(ch[0]))

    def wildcard(self, meta: Any, ch: list[Any]) -> _Pat:
        return _Pat(None, self._span(meta))

    # -- expressions
    def let_in(self, meta: Any, ch: list[Any]) -> A.Bind:
        return A.Bind(ch[0], ch[1], self._span(meta))

    def let_rec_in(self, meta: Any, ch: list[Any]) -> A.BindRec:
        return A.BindRec(ch[1], ch[2], self._span(meta))

    def fun_single(self, meta: Any, ch: list[Any]) -> A.Fun:
        return A.Fun(A.PVar(ch[0].name, ch[0].span), ch[1], "*fun*", self._span(meta))

    def fun_tuple(self, meta: Any, ch: list[Any]) -> A.Fun:
        span = self._span(meta)
        return A.Fun(self._params(ch[0], span), ch[1], "*fun*", span)

    def try_with(self, meta: Any, ch: list[Any]) -> A.Try:
        return A.Try(ch[0], ch[1], self._span(meta))

    def if_exp(self, meta: Any, ch: list[Any]) -> A.If:
        return A.If(ch[0], ch[1], ch[2], self._span(meta))

    def match_exp(self, meta: Any, ch: list[Any]) -> A.Expr:
        span, body = self._span(meta), ch[1]
        if isinstance(body, tuple):
            clauses, default = body
            return A.Match(ch[0], clauses, default, span)
        empty_case, elem = body
        return A.MatchSet(
            ch[0], empty_case, elem.elem, elem.rest, elem.body, span, before=elem.before
        )

    def tag_clauses(self, meta: Any, ch: list[_Clause]) -> tuple[Any, Any]:
        return self._split_clauses(ch)

    @staticmethod
    def _split_clauses(ch: list[_Clause]) -> tuple[Any, Any]:
        clauses = tuple((c.tag, c.body) for c in ch if c.tag is not None)
        default = next((c.body for c in ch if c.tag is None), None)
        return clauses, default

    def tag_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(str(ch[0])[1:], ch[1])

    def default_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(None, ch[0])

    def set_clauses(self, meta: Any, ch: list[Any]) -> list[Any]:
        first, second = ch
        if isinstance(first, _ElemClause):
            return [second, first]
        return [first, second]

    def empty_clause(self, meta: Any, ch: list[Any]) -> A.Expr:
        expr: A.Expr = ch[0]
        return expr

    def elem_clause(self, meta: Any, ch: list[Any]) -> _ElemClause:
        return _ElemClause(None, ch[0].name, ch[1].name, ch[2])

    def elem_clause3(self, meta: Any, ch: list[Any]) -> _ElemClause:
        return _ElemClause(ch[0].name, ch[1].name, ch[2].name, ch[3])

    def tuple_exp(self, meta: Any, ch: list[A.Expr]) -> A.TupleExp:
        return A.TupleExp(tuple(ch), self._span(meta))

    def _nary(self, op: A.OpKind, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op(op, _flatten(op, ch), self._span(meta))

    def union(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("union", meta, ch)

    def seq(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("seq", meta, ch)

    def inter(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("inter", meta, ch)

    def add(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("add", tuple(ch), self._span(meta))

    def diff_op(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("diff", tuple(ch), self._span(meta))

    def product(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("prod", tuple(ch), self._span(meta))

    def _op1(self, op: A.Op1Kind, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return A.Op1(op, ch[0], self._span(meta))

    def comp(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("comp", meta, ch)

    def star(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("star", meta, ch)

    def plus(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("plus", meta, ch)

    def opt(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("opt", meta, ch)

    def inv(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("inv", meta, ch)

    def toid(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("toid", meta, ch)

    def app(self, meta: Any, ch: list[A.Expr]) -> A.App:
        return A.App(ch[0], ch[1], self._span(meta))

    def var(self, meta: Any, ch: list[Token]) -> A.Var:
        return A.Var(str(ch[0]), self._tok_span(ch[0]))

    def empty_const(self, meta: Any, ch: list[Any]) -> A.Konst:
        return A.Konst("empty", self._span(meta))

    def universe(self, meta: Any, ch: list[Any]) -> A.Konst:
        return A.Konst("universe", self._span(meta))

    def tag(self, meta: Any, ch: list[Token]) -> A.Tag:
        return A.Tag(str(ch[0])[1:], self._tok_span(ch[0]))

    def explicit_set(self, meta: Any, ch: list[Any]) -> A.ExplicitSet:
        elems = tuple(ch[0]) if ch else ()
        return A.ExplicitSet(elems, self._span(meta))

    def unit(self, meta: Any, ch: list[Any]) -> A.TupleExp:
        return A.TupleExp((), self._span(meta))

    def args(self, meta: Any, ch: list[A.Expr]) -> list[A.Expr]:
        return list(ch)

    # -- conditions
    def cond_or_op(self, meta: Any, ch: list[A.Cond]) -> A.CondBin:
        return A.CondBin("or", ch[0], ch[1], self._span(meta))

    def cond_and_op(self, meta: Any, ch: list[A.Cond]) -> A.CondBin:
        return A.CondBin("and", ch[0], ch[1], self._span(meta))

    def cond_not_op(self, meta: Any, ch: list[A.Cond]) -> A.CondNot:
        return A.CondNot(ch[0], self._span(meta))

    def cond_variant(self, meta: Any, ch: list[Token]) -> A.CondVariant:
        return A.CondVariant(_strip_quotes(ch[0]), self._tok_span(ch[0]))

    def cond_eq(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("eq", ch[0], ch[1], self._span(meta))

    def cond_subset(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("subset", ch[0], ch[1], self._span(meta))

    def cond_in(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("in", ch[0], ch[1], self._span(meta))
