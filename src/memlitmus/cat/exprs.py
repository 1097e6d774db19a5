"""Evaluating cat expressions and `if` conditions.

Each AST expression type has a handler, in `ExprEvaluator.eval`'s dispatch table. The
operators follow herd's typing: they work on event sets, relations and sets of tags, and
the polymorphic empty value and universe take the type of what they meet (`_` absorbs a
union and is neutral for an intersection). Function application calls closures and
primitives; `let`/`let rec` expressions bind their names through a `LetBinder`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.core import Context
from memlitmus.cat.lets import LetBinder
from memlitmus.cat.primitives import PRIMITIVES
from memlitmus.cat.values import (
    EMPTY,
    UNIV,
    Closure,
    ElemV,
    Env,
    Prim,
    RelV,
    SetV,
    TagV,
    Thunk,
    TupleV,
    ValSetV,
    Value,
    bind,
    dedupe,
    describe,
    elements,
    err,
    make_closure,
    tag_names,
    unsupported,
)
from memlitmus.errors import CatError, Span

S = TypeVar("S")
R = TypeVar("R")


# Each call takes several Python frames; herd's own libraries nest a few (a `map` over a
# list of fences). Deeper is almost surely a recursion without end: an error, not a
# RecursionError (see memlitmus.nesting).
MAX_CALL_DEPTH = 50


class ExprEvaluator(Generic[S, R]):
    """Evaluates expressions and conditions in an environment, over `ctx`'s algebra."""

    def __init__(self, ctx: Context[S, R]):
        self.ctx = ctx
        self.alg = ctx.alg
        self.lets: LetBinder[S, R] = LetBinder(ctx, self.eval)
        self.calls = 0  # closures being applied, one inside the other
        ctx.set_apply(self.apply)
        self._eval: dict[type, Callable[[Any, Env], Value]] = {
            A.Var: self._var, A.Tag: self._tag, A.Konst: self._konst,
            A.ExplicitSet: self._explicit_set, A.TupleExp: self._tuple, A.Op1: self._op1,
            A.Op: self._op, A.App: self._app, A.Fun: make_closure, A.Bind: self._bind,
            A.BindRec: self._bind_rec, A.Try: self._try, A.If: self._if,
            A.Match: self._match, A.MatchSet: self._match_set,
        }

    def eval(self, e: A.Expr, env: Env) -> Value:
        """The value of expression `e` in environment `env`."""
        return self._eval[type(e)](e, env)

    def force(self, t: Thunk, span: Span) -> Value:
        """The value of a binding, evaluating it on first use."""
        if t.value is not None:
            return t.value
        if t.busy:
            raise err("this definition depends on itself (use `let rec`)", span)
        t.busy = True
        try:
            if t.fn is not None:
                value = t.fn()
            else:
                assert t.expr is not None and t.env is not None
                value = self.eval(t.expr, t.env)
        finally:
            t.busy = False
        t.value, t.expr, t.env, t.fn = value, None, None, None
        return value

    # -- expressions
    def _var(self, e: A.Var, env: Env) -> Value:
        t = env.get(e.name)
        if t is not None:
            return self.force(t, e.span)
        return self.ctx.lookup_global(e.name, e.span)

    def _tag(self, e: A.Tag, env: Env) -> Value:
        if e.name not in self.ctx.tag_enum:
            raise err(f"tag '{e.name} is undefined (declare it with `enum`)", e.span)
        return TagV(e.name)

    def _konst(self, e: A.Konst, env: Env) -> Value:
        return EMPTY if e.kind == "empty" else UNIV

    def _explicit_set(self, e: A.ExplicitSet, env: Env) -> Value:
        if not e.elems:
            return EMPTY
        elems = []
        for sub in e.elems:
            v = self.eval(sub, env)
            if v is UNIV:
                raise err("the universe cannot be an element of an explicit set", sub.span)
            elems.append(v)
        if any(isinstance(v, ElemV) for v in elems):
            return self._elements_set(elems, e.span)
        return ValSetV(dedupe(elems))

    def _elements_set(self, elems: list[Value], span: Span) -> Value:
        """`{e1, …}` of events (or pairs) that `map` passed: an event set (a relation)."""
        kinds = {v.kind if isinstance(v, ElemV) else None for v in elems}
        if len(kinds) != 1:
            raise err("type error: an explicit set mixes events or pairs with other "
                      "values", span)
        acc: Value = EMPTY
        for v in elems:
            acc = self._add(v, acc, span)
        return acc

    def _tuple(self, e: A.TupleExp, env: Env) -> Value:
        return TupleV(tuple(self.eval(sub, env) for sub in e.elems))

    def _op1(self, e: A.Op1, env: Env) -> Value:
        v = self.eval(e.arg, env)
        op = e.op
        if op == "toid":
            if isinstance(v, RelV):
                raise err("type error: `[...]` takes an event set, found a relation", e.span)
            return RelV(self.alg.identity(self.ctx.to_set(v, e.arg.span)))
        if op == "comp":
            return self._complement(v, e.arg.span)
        if v is UNIV:
            return UNIV
        if v is EMPTY:
            return EMPTY if op in ("inv", "plus") else RelV(self.ctx.ident())
        r = self.ctx.to_rel(v, e.arg.span)
        if op == "inv":
            return RelV(self.alg.inverse(r))
        if op == "plus":
            return RelV(self.alg.plus(r))
        if op == "star":
            return RelV(self.alg.star(r))
        return RelV(self.alg.opt(r))

    def _complement(self, v: Value, span: Span) -> Value:
        if v is EMPTY:
            return UNIV
        if v is UNIV:
            return EMPTY
        if isinstance(v, SetV):
            return SetV(self.alg.set_complement(v.v))
        if isinstance(v, RelV):
            return RelV(self.alg.rel_complement(v.v))
        if isinstance(v, (TagV, ValSetV)):
            universe = self._tag_universe(v, span)
            present = tag_names(v)
            return ValSetV(tuple(TagV(t) for t in universe if t not in present))
        raise err(f"type error: cannot complement {describe(v)}", span)

    def _tag_universe(self, v: TagV | ValSetV, span: Span) -> tuple[str, ...]:
        names = tag_names(v)
        enums = {self.ctx.tag_enum.get(n) for n in names}
        if len(enums) != 1 or None in enums:
            raise err("cannot complement a set of tags from different enums", span)
        return self.ctx.enums[next(iter(enums))]  # type: ignore[index]

    def _op(self, e: A.Op, env: Env) -> Value:
        op = e.op
        if op == "union":
            return self._union(e, env)
        if op == "seq":
            return self._seq(e, env)
        if op == "inter":
            acc = self.eval(e.args[0], env)
            for sub in e.args[1:]:
                acc = self._inter(acc, self.eval(sub, env), sub.span)
            return acc
        left, right = self.eval(e.args[0], env), self.eval(e.args[1], env)
        if op == "diff":
            return self._diff(left, right, e.args[0].span, e.args[1].span)
        if op == "prod":
            return RelV(self.alg.product(
                self.ctx.to_set(left, e.args[0].span), self.ctx.to_set(right, e.args[1].span)))
        return self._add(left, right, e.args[1].span)

    def _union(self, e: A.Op, env: Env) -> Value:
        acc: Value = EMPTY
        for sub in e.args:
            v = self.eval(sub, env)
            if v is UNIV:
                return UNIV  # herd: anything | _ is the (polymorphic) universe
            if v is EMPTY:
                continue
            acc = v if acc is EMPTY else self._union2(acc, v, sub.span)
        return acc

    def _union2(self, a: Value, b: Value, span: Span) -> Value:
        if isinstance(a, SetV) and isinstance(b, SetV):
            return SetV(self.alg.set_union(a.v, b.v))
        if isinstance(a, RelV) and isinstance(b, RelV):
            return RelV(self.alg.rel_union(a.v, b.v))
        if isinstance(a, (TagV, ValSetV)) and isinstance(b, (TagV, ValSetV)):
            return ValSetV(dedupe(elements(a) + elements(b)))
        raise err(f"type error: union of {describe(a)} and {describe(b)}", span)

    def _seq(self, e: A.Op, env: Env) -> Value:
        rels: list[R] = []
        empty = False
        for sub in e.args:
            v = self.eval(sub, env)
            if v is EMPTY:
                empty = True  # still evaluate the rest, for their type errors
                continue
            rels.append(self.ctx.to_rel(v, sub.span))
        if empty:
            return RelV(self.alg.empty_rel())
        acc = rels[0]
        for r in rels[1:]:
            acc = self.alg.seq(acc, r)
        return RelV(acc)

    def _inter(self, a: Value, b: Value, span: Span) -> Value:
        if a is UNIV:
            return b
        if b is UNIV:
            return a
        if isinstance(a, SetV) and isinstance(b, SetV):
            return SetV(self.alg.set_inter(a.v, b.v))
        if isinstance(a, RelV) and isinstance(b, RelV):
            return RelV(self.alg.rel_inter(a.v, b.v))
        if a is EMPTY or b is EMPTY:
            return EMPTY
        if isinstance(a, (TagV, ValSetV)) and isinstance(b, (TagV, ValSetV)):
            keep = set(elements(b))
            return ValSetV(tuple(x for x in elements(a) if x in keep))
        raise err(f"type error: intersection of {describe(a)} and {describe(b)}", span)

    def _diff(self, a: Value, b: Value, span_a: Span, span_b: Span) -> Value:
        if isinstance(a, SetV) and isinstance(b, SetV):
            return SetV(self.alg.set_diff(a.v, b.v))
        if isinstance(a, RelV) and isinstance(b, RelV):
            return RelV(self.alg.rel_diff(a.v, b.v))
        if a is EMPTY or b is UNIV:
            return EMPTY
        if b is EMPTY:
            return a
        if a is UNIV:
            return self._complement(b, span_b)
        if isinstance(a, (TagV, ValSetV)) and isinstance(b, (TagV, ValSetV)):
            drop = set(elements(b))
            return ValSetV(tuple(x for x in elements(a) if x not in drop))
        raise err(f"type error: difference of {describe(a)} and {describe(b)}", span_a)

    def _add(self, elem: Value, rest: Value, span: Span) -> Value:
        """`e ++ S`: add element e to the set of values S; e an event (a pair) that `map`
        passed, S the empty value or an event set (a relation): S with e."""
        if isinstance(elem, ElemV) and (rest is EMPTY or isinstance(rest, (SetV, RelV))):
            if elem.kind == "event":
                one_set = self.alg.singleton_set(elem.key)
                return SetV(one_set if rest is EMPTY else self.alg.set_union(
                    self.ctx.to_set(rest, span), one_set))
            one_rel = self.alg.singleton_rel(elem.key)
            return RelV(one_rel if rest is EMPTY else self.alg.rel_union(
                self.ctx.to_rel(rest, span), one_rel))
        if rest is EMPTY:
            return ValSetV((elem,))
        if isinstance(rest, ValSetV):
            return ValSetV(dedupe([elem, *rest.elems]))
        if isinstance(rest, (SetV, RelV)):
            raise unsupported("++ on event sets or relations", span)
        raise err(f"type error: `++` expects a set on its right, found {describe(rest)}", span)

    def _app(self, e: A.App, env: Env) -> Value:
        fn = self.eval(e.fn, env)
        arg = self.eval(e.arg, env)
        return self.apply(fn, arg, e.span)

    def apply(self, fn: Value, arg: Value, span: Span) -> Value:
        """Call a closure or primitive on one (possibly tuple) argument."""
        if isinstance(fn, Closure):
            if fn.name == "generate_orders" and Path(fn.body.span.file).name == "cross.cat":
                # herd's library enumerates coherence orders in cat (partition by location,
                # linearise each class, cross the results): keep that set symbolic.
                return PRIMITIVES["linearisations-loc"].fn(self.ctx, arg, span)  # type: ignore[union-attr]
            local = dict(fn.env)
            bind(fn.param, arg, local, span)
            if self.calls >= MAX_CALL_DEPTH:
                raise err(f"function calls nested deeper than {MAX_CALL_DEPTH} levels "
                          "(unbounded recursion?)", span)
            self.calls += 1
            try:
                return self.eval(fn.body, local)
            except CatError as exc:
                raise _called_from(exc, span) from None
            finally:
                self.calls -= 1
        if isinstance(fn, Prim):
            return fn.fn(self.ctx, arg, span)
        raise err(f"type error: a function was expected, found {describe(fn)}", span)

    def _bind(self, e: A.Bind, env: Env) -> Value:
        local = dict(env)
        local.update(self.lets.let_bindings(e.bindings, env))
        return self.eval(e.body, local)

    def _bind_rec(self, e: A.BindRec, env: Env) -> Value:
        local = dict(env)
        local.update(self.lets.let_rec(e.bindings, env, e.span))
        return self.eval(e.body, local)

    def _try(self, e: A.Try, env: Env) -> Value:
        try:
            return self.eval(e.body, env)
        except CatError:
            return self.eval(e.handler, env)

    def _if(self, e: A.If, env: Env) -> Value:
        return self.eval(e.then if self.cond(e.cond, env) else e.else_, env)

    def _match(self, e: A.Match, env: Env) -> Value:
        v = self.eval(e.scrutinee, env)
        if not isinstance(v, TagV):
            raise err(f"type error: match on tags, found {describe(v)}", e.scrutinee.span)
        for tag, body in e.clauses:
            if tag == v.name:
                return self.eval(body, env)
        if e.default is None:
            raise err(f"no clause matches '{v.name}", e.span)
        return self.eval(e.default, env)

    def _match_set(self, e: A.MatchSet, env: Env) -> Value:
        if e.before is not None:
            raise unsupported("match ... with x | y ++ s", e.span)
        v = self.eval(e.scrutinee, env)
        if v is EMPTY or (isinstance(v, ValSetV) and not v.elems):
            return self.eval(e.empty_case, env)
        if isinstance(v, (SetV, RelV)) and self.alg.known_empty(v.v):
            # An event set or relation empty in every execution: herd's `{}` case.
            return self.eval(e.empty_case, env)
        if not isinstance(v, ValSetV):
            raise unsupported(f"set matching on {describe(v)}", e.scrutinee.span)
        local = dict(env)
        if e.elem is not None:
            local[e.elem] = Thunk(v.elems[0])
        if e.rest is not None:
            local[e.rest] = Thunk(ValSetV(v.elems[1:]))
        return self.eval(e.elem_case, local)

    # -- conditions
    def cond(self, c: A.Cond, env: Env) -> bool:
        """The truth of an `if` condition."""
        if isinstance(c, A.CondVariant):
            return c.name in self.ctx.variants
        if isinstance(c, A.CondNot):
            return not self.cond(c.arg, env)
        if isinstance(c, A.CondBin):
            if c.op == "or":
                return self.cond(c.left, env) or self.cond(c.right, env)
            return self.cond(c.left, env) and self.cond(c.right, env)
        left = self._key(self.eval(c.left, env), c.left.span)
        right = self._key(self.eval(c.right, env), c.right.span)
        if c.op == "eq":
            return left == right
        if not isinstance(right, frozenset):
            raise err("type error: a set of tags was expected", c.right.span)
        if c.op == "in":
            return left in right
        if not isinstance(left, frozenset):
            raise err("type error: a set of tags was expected", c.left.span)
        return left <= right

    def _key(self, v: Value, span: Span) -> object:
        """A comparable Python value for tags, sets of tags and tuples of them."""
        if isinstance(v, TagV):
            return v.name
        if v is EMPTY:
            return frozenset()
        if isinstance(v, ValSetV):
            return frozenset(self._key(x, span) for x in v.elems)
        if isinstance(v, TupleV):
            return tuple(self._key(x, span) for x in v.elems)
        raise unsupported(f"comparison of {describe(v)}", span)


def _called_from(exc: CatError, call: Span) -> CatError:
    """`exc`, raised in a function of another file (a library's `map`, say), with the
    place of the call added once: the user's own line is the one to look at."""
    span = exc.span
    if span is None or span.file == call.file or "(called from " in exc.message:
        return exc
    return CatError(f"{exc.message} (called from {call})", span, exc.source)
