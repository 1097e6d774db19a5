"""`let` and `let rec` bindings, shared by the expression and instruction forms.

A plain `let` binds lazily: each name gets a `Thunk` capturing the free variables of its
expression, evaluated on first use (functions become closures at once). `let rec` binds
mutually recursive closures, each seeing all of them, and computes the least fixpoint of
the other bindings (event sets or relations) through the algebra's `fixpoint`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Kind
from memlitmus.cat.core import Context
from memlitmus.cat.values import (
    EMPTY,
    Env,
    Poly,
    RelV,
    SetV,
    Thunk,
    Value,
    bind,
    capture,
    describe,
    err,
    make_closure,
)
from memlitmus.errors import CatError, Span

S = TypeVar("S")
R = TypeVar("R")


Evaluate = Callable[[A.Expr, Env], Value]
"""How the binder evaluates an expression in an environment (`ExprEvaluator.eval`)."""


# A binding is evaluated on first use, so 3000 `let`s each built on the previous one would
# be evaluated one inside the other (one Python recursion per `let`) when the last is used.
# A binding that would sit deeper than this in such a chain is evaluated at once, as herd
# (a strict interpreter) evaluates every binding; see memlitmus.nesting.
MAX_LAZY_DEPTH = 50


class LetBinder(Generic[S, R]):
    """Binds the names of `let` and `let rec`, evaluating through `evaluate`."""

    def __init__(self, ctx: Context[S, R], evaluate: Evaluate):
        self.ctx = ctx
        self.eval = evaluate

    def let_bindings(self, bindings: tuple[A.Binding, ...], env: Env) -> Env:
        """New bindings of a `let ... and ...`, all evaluated in the outer `env`."""
        out: Env = {}
        for b in bindings:
            if isinstance(b.pattern, A.PVar):
                if b.pattern.name is None:
                    continue
                if isinstance(b.expr, A.Fun):
                    out[b.pattern.name] = Thunk(make_closure(b.expr, env))
                else:
                    thunk = Thunk(expr=b.expr, env=capture(b.expr.fv, env))
                    if thunk.depth > MAX_LAZY_DEPTH:  # evaluate now: see MAX_LAZY_DEPTH
                        assert thunk.env is not None
                        thunk = Thunk(self.eval(b.expr, thunk.env))
                    out[b.pattern.name] = thunk
            else:
                local: Env = {}
                bind(b.pattern, self.eval(b.expr, env), local, b.span)
                out.update(local)
        return out

    def _rec_closures(self, funs: list[A.Binding], env: Env) -> Env:
        """Mutually recursive closures: each one's environment holds all of them."""
        out: Env = {}
        closures = []
        for b in funs:
            assert isinstance(b.pattern, A.PVar) and b.pattern.name is not None
            fun = b.expr
            assert isinstance(fun, A.Fun)
            clo = make_closure(fun, env)
            closures.append(clo)
            out[b.pattern.name] = Thunk(clo)
        for clo in closures:
            clo.env.update(out)
        return out

    def let_rec(self, bindings: tuple[A.Binding, ...], env: Env, span: Span) -> Env:
        """Bindings of a `let rec`: recursive functions, and a fixpoint for the rest."""
        funs, vals, names = [], [], []
        for b in bindings:
            if not isinstance(b.pattern, A.PVar) or b.pattern.name is None:
                raise err("`let rec` can only bind names", b.span)
            if isinstance(b.expr, A.Fun):
                funs.append(b)
            else:
                vals.append(b)
                names.append(b.pattern.name)
        if not vals:
            return self._rec_closures(funs, env)
        base = _closure_base(vals[0], names[0]) if len(vals) == 1 and not funs else None
        if base is not None:
            # `let rec r = E | r; r`: the least fixpoint is E+ (Kleene iteration from the
            # empty relation gives E, E | E;E, …). As a closure, `acyclic`/`irreflexive`
            # checks of r become acyclicity of E, without a variable per pair of r.
            rel = self.ctx.to_rel(self.eval(base, env), vals[0].span)
            return {names[0]: Thunk(RelV(self.ctx.alg.plus(rel)))}

        def run(values: list[Value]) -> list[Value]:
            # One round in herd's order: each binding sees the ones updated before it.
            local = dict(env)
            local.update((n, Thunk(v)) for n, v in zip(names, values, strict=True))
            local.update(self._rec_closures(funs, local))
            out = []
            for name, b in zip(names, vals, strict=True):
                v = self.eval(b.expr, local)
                local[name] = Thunk(v)
                out.append(v)
            return out

        kinds = [self._rec_kind(v, b.span) for v, b in zip(run([EMPTY] * len(vals)), vals,
                                                         strict=True)]

        def step(current: list[S | R]) -> list[S | R]:
            values = [_wrap(k, x) for k, x in zip(kinds, current, strict=True)]
            new = run(values)
            return [self._unwrap(k, v, b.span) for k, v, b in zip(kinds, new, vals,
                                                                    strict=True)]

        try:
            result = self.ctx.alg.fixpoint(names, kinds, step)
        except CatError as exc:
            if exc.span is None:
                raise err(exc.message, span) from None
            raise
        final = {n: Thunk(_wrap(k, x)) for n, k, x in zip(names, kinds, result, strict=True)}
        local = dict(env)
        local.update(final)
        final.update(self._rec_closures(funs, local))
        return final

    def _rec_kind(self, v: Value, span: Span) -> Kind:
        if isinstance(v, SetV):
            return "set"
        if isinstance(v, (RelV, Poly)):
            return "rel"
        raise err(f"illegal recursion on {describe(v)} (sets and relations only)", span)

    def _unwrap(self, kind: Kind, v: Value, span: Span) -> S | R:
        return self.ctx.to_set(v, span) if kind == "set" else self.ctx.to_rel(v, span)


def _closure_base(b: A.Binding, name: str) -> A.Expr | None:
    """E when the binding reads `name = E | name; name` (the union in any order and
    nesting, E not mentioning name), else None."""
    terms: list[A.Expr] = []

    def flatten(e: A.Expr) -> None:
        if isinstance(e, A.Op) and e.op == "union":
            for arg in e.args:
                flatten(arg)
        else:
            terms.append(e)

    flatten(b.expr)

    def is_self_seq(e: A.Expr) -> bool:
        return (isinstance(e, A.Op) and e.op == "seq" and len(e.args) == 2
                and all(isinstance(a, A.Var) and a.name == name for a in e.args))

    loops = [t for t in terms if is_self_seq(t)]
    rest = [t for t in terms if not is_self_seq(t)]
    if len(loops) != 1 or not rest or any(name in t.fv for t in rest):
        return None
    return rest[0] if len(rest) == 1 else A.Op("union", tuple(rest), b.expr.span)


def _wrap(kind: Kind, x: Any) -> Value:
    return SetV(x) if kind == "set" else RelV(x)
