"""The AST of herd7's cat language.

Every node is a frozen dataclass carrying the `span` where it starts. Expression nodes
also expose `fv`, their free variables (computed once, on first use): the interpreter
uses it to capture only what a closure or a lazy `let` needs from its environment, which
keeps evaluation both lexically scoped (like herd) and cheap.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from memlitmus.errors import Span

Op1Kind = Literal["comp", "inv", "plus", "star", "opt", "toid"]
OpKind = Literal["union", "seq", "inter", "diff", "prod", "add"]
CheckKind = Literal["acyclic", "irreflexive", "empty"]
CheckMode = Literal["check", "flag", "undefined_unless", "assert"]


# ---------------------------------------------------------------- patterns


@dataclass(frozen=True)
class PVar:
    """A single parameter or binder; `name` None is the wildcard `_`."""

    name: str | None
    span: Span

    @property
    def names(self) -> tuple[str, ...]:
        return () if self.name is None else (self.name,)


@dataclass(frozen=True)
class PTuple:
    """A tuple of binders: `(x, y)` in `let f(x, y) = ...` or `let (a, b) = ...`."""

    items: tuple[str | None, ...]
    span: Span

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in self.items if n is not None)


Pattern = PVar | PTuple


# ---------------------------------------------------------------- expressions


class _FreeVars:
    """Mixin: `fv` is computed from `_fv()` once per node."""

    @cached_property
    def fv(self) -> frozenset[str]:
        return self._fv()

    def _fv(self) -> frozenset[str]:
        return frozenset()


def _union_fv(exprs: tuple[Expr, ...]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for e in exprs:
        out = out | e.fv
    return out


@dataclass(frozen=True)
class Var(_FreeVars):
    """A variable reference: a user binding, a primitive or an execution builtin."""

    name: str
    span: Span

    def _fv(self) -> frozenset[str]:
        return frozenset((self.name,))


@dataclass(frozen=True)
class Tag(_FreeVars):
    """A tag constant `'name` (declared by an `enum`)."""

    name: str
    span: Span


@dataclass(frozen=True)
class Konst(_FreeVars):
    """`0` (empty, polymorphic) or `_` (universe, polymorphic)."""

    kind: Literal["empty", "universe"]
    span: Span


@dataclass(frozen=True)
class ExplicitSet(_FreeVars):
    """`{e1, e2, ...}`: a set of values (usually tags)."""

    elems: tuple[Expr, ...]
    span: Span

    def _fv(self) -> frozenset[str]:
        return _union_fv(self.elems)


@dataclass(frozen=True)
class TupleExp(_FreeVars):
    """`(e1, e2, ...)` or `()`."""

    elems: tuple[Expr, ...]
    span: Span

    def _fv(self) -> frozenset[str]:
        return _union_fv(self.elems)


@dataclass(frozen=True)
class Op1(_FreeVars):
    """A unary operator: `~e`, `e^-1`, `e+`, `e*`, `e?`, `[e]` (toid)."""

    op: Op1Kind
    arg: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.arg.fv


@dataclass(frozen=True)
class Op(_FreeVars):
    """An n-ary operator; `|`, `;` and `&` are flattened, `\\`, `*`, `++` are binary."""

    op: OpKind
    args: tuple[Expr, ...]
    span: Span

    def _fv(self) -> frozenset[str]:
        return _union_fv(self.args)


@dataclass(frozen=True)
class App(_FreeVars):
    """Function application `f(e)` or `f e` (one argument; several make a tuple)."""

    fn: Expr
    arg: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.fn.fv | self.arg.fv


@dataclass(frozen=True)
class Fun(_FreeVars):
    """`fun x -> e`, `fun (x, y) -> e`, or the right side of `let f(x) = e`."""

    param: Pattern
    body: Expr
    name: str
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.body.fv - frozenset(self.param.names)


@dataclass(frozen=True)
class Binding:
    """One `pattern = expr` of a `let` (functions are bound to a `Fun`)."""

    pattern: Pattern
    expr: Expr
    span: Span


def _bindings_fv(bindings: tuple[Binding, ...], recursive: bool) -> frozenset[str]:
    out = _union_fv(tuple(b.expr for b in bindings))
    if recursive:
        for b in bindings:
            out = out - frozenset(b.pattern.names)
    return out


def _bound(bindings: tuple[Binding, ...]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for b in bindings:
        out = out | frozenset(b.pattern.names)
    return out


@dataclass(frozen=True)
class Bind(_FreeVars):
    """`let x = e1 and ... in e2`."""

    bindings: tuple[Binding, ...]
    body: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return _bindings_fv(self.bindings, False) | (self.body.fv - _bound(self.bindings))


@dataclass(frozen=True)
class BindRec(_FreeVars):
    """`let rec x = e1 and ... in e2` (least fixpoint, or recursive functions)."""

    bindings: tuple[Binding, ...]
    body: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return _bindings_fv(self.bindings, True) | (self.body.fv - _bound(self.bindings))


@dataclass(frozen=True)
class Try(_FreeVars):
    """`try e1 with e2`: e2 if evaluating e1 fails (e.g. an unknown identifier)."""

    body: Expr
    handler: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.body.fv | self.handler.fv


@dataclass(frozen=True)
class If(_FreeVars):
    """`if cond then e1 else e2`."""

    cond: Cond
    then: Expr
    else_: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.cond.fv | self.then.fv | self.else_.fv


@dataclass(frozen=True)
class Match(_FreeVars):
    """`match e with 'a -> e1 || 'b -> e2 || _ -> e3 end` (matching on tags)."""

    scrutinee: Expr
    clauses: tuple[tuple[str, Expr], ...]
    default: Expr | None
    span: Span

    def _fv(self) -> frozenset[str]:
        out = self.scrutinee.fv | _union_fv(tuple(e for _, e in self.clauses))
        return out if self.default is None else out | self.default.fv


@dataclass(frozen=True)
class MatchSet(_FreeVars):
    """`match s with {} -> e1 || x ++ rest -> e2 end` (set decomposition).

    `before` is set for herd's rarer `x | y ++ rest` clause (refused at evaluation).
    """

    scrutinee: Expr
    empty_case: Expr
    elem: str | None
    rest: str | None
    elem_case: Expr
    span: Span
    before: str | None = None

    def _fv(self) -> frozenset[str]:
        bound = frozenset(n for n in (self.elem, self.rest, self.before) if n is not None)
        return self.scrutinee.fv | self.empty_case.fv | (self.elem_case.fv - bound)


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class CondVariant(_FreeVars):
    """`"name"`: true when the variant `name` is enabled."""

    name: str
    span: Span


@dataclass(frozen=True)
class CondNot(_FreeVars):
    """`not c`."""

    arg: Cond
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.arg.fv


@dataclass(frozen=True)
class CondBin(_FreeVars):
    """`c1 || c2` (op "or") or `c1 && c2` (op "and")."""

    op: Literal["or", "and"]
    left: Cond
    right: Cond
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.left.fv | self.right.fv


@dataclass(frozen=True)
class CondCmp(_FreeVars):
    """`e1 = e2`, `e1 subset e2`, `e1 in e2`."""

    op: Literal["eq", "subset", "in"]
    left: Expr
    right: Expr
    span: Span

    def _fv(self) -> frozenset[str]:
        return self.left.fv | self.right.fv


Cond = CondVariant | CondNot | CondBin | CondCmp

Expr = (
    Var | Tag | Konst | ExplicitSet | TupleExp | Op1 | Op | App | Fun | Bind | BindRec | Try
    | If | Match | MatchSet
)


# ---------------------------------------------------------------- instructions


@dataclass(frozen=True)
class LetIns:
    """Top-level `let x = e and ...`."""

    bindings: tuple[Binding, ...]
    span: Span


@dataclass(frozen=True)
class LetRecIns:
    """Top-level `let rec x = e and ... [when test]`."""

    bindings: tuple[Binding, ...]
    when: CheckIns | None
    span: Span


@dataclass(frozen=True)
class CheckIns:
    """`[flag|undefined_unless|assert] [~](acyclic|irreflexive|empty) e [as name]`."""

    kind: CheckKind
    negated: bool
    mode: CheckMode
    expr: Expr
    name: str | None
    span: Span


@dataclass(frozen=True)
class ShowIns:
    """`show a, b` (or `unshow a, b` when `unshow`): display only, ignored."""

    names: tuple[str, ...]
    unshow: bool
    span: Span


@dataclass(frozen=True)
class ShowAsIns:
    """`show e as name`: display only, ignored (not even evaluated)."""

    expr: Expr
    name: str
    span: Span


@dataclass(frozen=True)
class IncludeIns:
    """`include "file.cat"`; `resolved` holds the file's instructions once loaded."""

    path: str
    span: Span
    resolved: tuple[Ins, ...] | None = None


@dataclass(frozen=True)
class ProcedureIns:
    """`procedure [rec] name(params) = instructions end`."""

    name: str
    param: Pattern
    body: tuple[Ins, ...]
    rec: bool
    span: Span


@dataclass(frozen=True)
class CallIns:
    """`call name arg [as check_name]`: runs a procedure's checks."""

    name: str
    arg: Expr
    as_name: str | None
    span: Span


@dataclass(frozen=True)
class EnumIns:
    """`enum Name = 'a || 'b`: declares tags and binds `Name` to their set."""

    name: str
    tags: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class DebugIns:
    """`debug e`: ignored."""

    expr: Expr
    span: Span


@dataclass(frozen=True)
class ForallIns:
    """`forall x in e do instructions end` (e a set of tags)."""

    var: str
    expr: Expr
    body: tuple[Ins, ...]
    span: Span


@dataclass(frozen=True)
class WithFromIns:
    """`with x from e`: nondeterministic choice among candidate values (refused)."""

    var: str
    expr: Expr
    span: Span


@dataclass(frozen=True)
class EventsIns:
    """Bell `instructions R[Accesses]` (or `default ...`): declares annotations."""

    kind: Literal["instructions", "default"]
    name: str
    args: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class MatchIns:
    """Instruction-level `match e with 'a -> instructions || _ -> instructions end`."""

    scrutinee: Expr
    clauses: tuple[tuple[str, tuple[Ins, ...]], ...]
    default: tuple[Ins, ...] | None
    span: Span


@dataclass(frozen=True)
class IfIns:
    """Instruction-level `if cond [then] instructions [else instructions] end`."""

    cond: Cond
    then: tuple[Ins, ...]
    else_: tuple[Ins, ...]
    span: Span


Ins = (
    LetIns | LetRecIns | CheckIns | ShowIns | ShowAsIns | IncludeIns | ProcedureIns | CallIns
    | EnumIns | DebugIns | ForallIns | WithFromIns | EventsIns | MatchIns | IfIns
)


@dataclass(frozen=True)
class CatModel:
    """A parsed cat file: optional model name, herd's legacy options, instructions."""

    name: str | None
    options: tuple[str, ...]
    instructions: tuple[Ins, ...]
    file: str


def mentions(model: CatModel, names: frozenset[str]) -> bool:
    """Does any expression of `model` (its includes resolved) refer to one of `names`?
    A syntactic check: a name bound by the model itself counts too."""
    stack: list[object] = list(model.instructions)
    while stack:  # iterative: nesting depth is the input's
        node = stack.pop()
        if isinstance(node, Var):
            if node.name in names:
                return True
        elif isinstance(node, tuple | list):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, Span | type):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return False
