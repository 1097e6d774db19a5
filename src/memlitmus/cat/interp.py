"""Evaluating a cat model over an abstract `Algebra`, like herd's interpreter.

Values are dynamically typed: event sets and relations (the algebra's opaque `S`/`R`,
wrapped in `SetV`/`RelV`), the polymorphic empty value (`0`, `{}`) and universe (`_`),
tags, sets of values, tuples, closures, primitives and procedures.

Scoping is lexical, as in herd: a closure or a lazy `let` binding captures the bindings
of its free variables when it is created, so a later `let po = ...` does not change what
an earlier definition meant. Top-level `let`s are lazy (herd's are too): the stdlib defines
many relations a model never uses, and a symbolic algebra should not build them.

Names are resolved in this order: the model's bindings, the primitives `domain`/`range`,
then the algebra's `builtin_rel`/`builtin_set`; anything else is an unknown identifier.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Algebra, Kind
from memlitmus.cat.parse import MODELS_DIR, load_cat, source_of
from memlitmus.errors import CatError, Span

S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class CheckOutcome(Generic[S, R]):
    """One check executed by a model, with the value it constrains.

    `flag` checks (`flag ~empty e as name`) do not constrain executions but are reported
    when they hold; `undefined_unless` checks mark executions as undefined when they fail.
    An execution is allowed by the model when every plain check holds (`negated` inverts
    the test). `value` is a relation for acyclic/irreflexive; `empty` also takes sets,
    see `value_kind`.
    """

    kind: A.CheckKind
    negated: bool
    flag: bool
    name: str | None
    value: S | R
    span: Span
    value_kind: Kind = "rel"
    undefined_unless: bool = False


def evaluate(
    model: A.CatModel,
    algebra: Algebra[S, R],
    *,
    variants: Collection[str] = (),
    stdlib: bool = True,
) -> list[CheckOutcome[S, R]]:
    """Run `model`'s instructions over `algebra` and return its checks, in order.

    The shipped stdlib.cat is run first (herd includes its stdlib implicitly) unless
    `stdlib` is False. `variants` are the enabled herd variants, tested by `if "name"`.
    Raises `CatError` (with a span) on type errors, unknown identifiers and unsupported
    constructs.
    """
    interp: _Interp[S, R] = _Interp(algebra, frozenset(variants))
    try:
        if stdlib and Path(model.file).resolve() != _STDLIB_PATH:
            interp.run(load_cat(_STDLIB_PATH).instructions, interp.top)
        interp.run(model.instructions, interp.top)
    except RecursionError:
        raise CatError("cat evaluation recursed too deeply (unbounded recursion?)") from None
    return interp.outcomes


_STDLIB_PATH = (MODELS_DIR / "stdlib.cat").resolve()


# ---------------------------------------------------------------- values


class SetV:
    """An event set of the algebra."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v


class RelV:
    """A relation of the algebra."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v


class _Poly:
    """The polymorphic empty value and universe: typed by the operations they meet."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


EMPTY = _Poly("empty")
UNIV = _Poly("universe")


@dataclass(frozen=True)
class TagV:
    """A tag `'name`."""

    name: str


@dataclass(frozen=True)
class ValSetV:
    """A set of values (tags, or sets/relations built by `map`), in insertion order."""

    elems: tuple[Value, ...]


@dataclass(frozen=True)
class TupleV:
    """A tuple of values (function arguments, `let (a, b) = ...`)."""

    elems: tuple[Value, ...]


@dataclass(eq=False)
class Closure:
    """A function value: its parameter, body and captured environment."""

    param: A.Pattern
    body: A.Expr
    env: Env
    name: str


@dataclass(eq=False)
class Prim:
    """A primitive function implemented in Python."""

    name: str
    fn: Callable[[_Interp[Any, Any], Value, Span], Value]


@dataclass(eq=False)
class Proc:
    """A procedure: instructions run by `call`."""

    param: A.Pattern
    body: tuple[A.Ins, ...]
    env: Env


Value = SetV | RelV | _Poly | TagV | ValSetV | TupleV | Closure | Prim | Proc


class Thunk:
    """A binding: a value, or an expression (or Python function) evaluated once on demand."""

    __slots__ = ("expr", "env", "fn", "value", "busy")

    def __init__(
        self,
        value: Value | None = None,
        expr: A.Expr | None = None,
        env: Env | None = None,
        fn: Callable[[], Value] | None = None,
    ):
        self.value = value
        self.expr = expr
        self.env = env
        self.fn = fn
        self.busy = False


Env = dict[str, Thunk]


def _describe(v: Value) -> str:
    if isinstance(v, SetV):
        return "an event set"
    if isinstance(v, RelV):
        return "a relation"
    if isinstance(v, _Poly):
        return "the empty value" if v is EMPTY else "the universe"
    if isinstance(v, TagV):
        return f"tag '{v.name}"
    if isinstance(v, ValSetV):
        return "a set of tags/values"
    if isinstance(v, TupleV):
        return f"a tuple of {len(v.elems)}"
    if isinstance(v, (Closure, Prim)):
        return "a function"
    return "a procedure"


# herd primitives memlitmus does not implement: named so the error says so.
_UNSUPPORTED_PRIMITIVES = frozenset({
    "classes-loc", "partition", "linearisations", "cross", "fromto", "tag2events",
    "tag2scope", "tag2level", "tag2fenceset", "narrower", "wider", "fail",
})


def _prim_domain(interp: _Interp[Any, Any], v: Value, span: Span) -> Value:
    if isinstance(v, _Poly):
        return v
    return SetV(interp.alg.domain(interp.to_rel(v, span)))


def _prim_range(interp: _Interp[Any, Any], v: Value, span: Span) -> Value:
    if isinstance(v, _Poly):
        return v
    return SetV(interp.alg.range(interp.to_rel(v, span)))


def _rel_primitive(name: str) -> Prim:
    """A relation -> relation primitive implemented by the algebra, if it can."""

    def call(interp: _Interp[Any, Any], v: Value, span: Span) -> Value:
        result = interp.alg.rel_primitive(name, interp.to_rel(v, span))
        if result is None:
            raise _err(f"unsupported cat primitive `{name}` (for this algebra)", span)
        return RelV(result)

    return Prim(name, call)


_PRIMITIVES: dict[str, Value] = {
    "domain": Prim("domain", _prim_domain),
    "range": Prim("range", _prim_range),
    "different-values": _rel_primitive("different-values"),
    "same-value": _rel_primitive("same-value"),
}


def _err(message: str, span: Span) -> CatError:
    return CatError(message, span, source_of(span.file))


def _unsupported(what: str, span: Span) -> CatError:
    return _err(f"unsupported cat construct `{what}`", span)


# ---------------------------------------------------------------- interpreter


class _Interp(Generic[S, R]):
    """One evaluation of a model over one algebra."""

    def __init__(self, alg: Algebra[S, R], variants: frozenset[str]):
        self.alg = alg
        self.variants = variants
        self.top: Env = {}
        self.outcomes: list[CheckOutcome[S, R]] = []
        self.globals: dict[str, Value] = dict(_PRIMITIVES)
        self.tag_enum: dict[str, str] = {}
        self.enums: dict[str, tuple[str, ...]] = {}
        self.call_name: str | None = None
        self._full: Any = None
        self._id: Any = None
        self._eval: dict[type, Callable[[Any, Env], Value]] = {
            A.Var: self._var, A.Tag: self._tag, A.Konst: self._konst,
            A.ExplicitSet: self._explicit_set, A.TupleExp: self._tuple, A.Op1: self._op1,
            A.Op: self._op, A.App: self._app, A.Fun: self._fun, A.Bind: self._bind,
            A.BindRec: self._bind_rec, A.Try: self._try, A.If: self._if,
            A.Match: self._match, A.MatchSet: self._match_set,
        }
        self._exec: dict[type, Callable[[Any, Env], None]] = {
            A.LetIns: self._let_ins, A.LetRecIns: self._let_rec_ins, A.CheckIns: self._check,
            A.ShowIns: _skip, A.ShowAsIns: _skip, A.DebugIns: _skip,
            A.IncludeIns: self._include, A.ProcedureIns: self._procedure,
            A.CallIns: self._call, A.EnumIns: self._enum, A.ForallIns: self._forall,
            A.WithFromIns: self._with_from, A.EventsIns: self._events,
            A.MatchIns: self._match_ins, A.IfIns: self._if_ins,
        }

    # -- running instructions
    def run(self, body: Iterable[A.Ins], env: Env) -> None:
        """Execute instructions in order, updating `env` with their bindings."""
        for ins in body:
            self._exec[type(ins)](ins, env)

    def eval(self, e: A.Expr, env: Env) -> Value:
        """The value of expression `e` in environment `env`."""
        return self._eval[type(e)](e, env)

    def force(self, t: Thunk, span: Span) -> Value:
        """The value of a binding, evaluating it on first use."""
        if t.value is not None:
            return t.value
        if t.busy:
            raise _err("this definition depends on itself (use `let rec`)", span)
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

    # -- coercions
    def full(self) -> R:
        """universe * universe, cached."""
        if self._full is None:
            univ = self.alg.universe()
            self._full = self.alg.product(univ, univ)
        result: R = self._full
        return result

    def ident(self) -> R:
        """The identity on the universe, cached."""
        if self._id is None:
            self._id = self.alg.identity(self.alg.universe())
        result: R = self._id
        return result

    def to_set(self, v: Value, span: Span) -> S:
        """Coerce to an event set, or raise a type error at `span`."""
        if isinstance(v, SetV):
            s: S = v.v
            return s
        if v is EMPTY:
            return self.alg.empty_set()
        if v is UNIV:
            return self.alg.universe()
        raise _err(f"type error: an event set was expected, found {_describe(v)}", span)

    def to_rel(self, v: Value, span: Span) -> R:
        """Coerce to a relation, or raise a type error at `span`."""
        if isinstance(v, RelV):
            r: R = v.v
            return r
        if v is EMPTY:
            return self.alg.empty_rel()
        if v is UNIV:
            return self.full()
        hint = " (write `[S]` for the identity on a set)" if isinstance(v, SetV) else ""
        raise _err(f"type error: a relation was expected, found {_describe(v)}{hint}", span)

    # -- expressions
    def _var(self, e: A.Var, env: Env) -> Value:
        t = env.get(e.name)
        if t is not None:
            return self.force(t, e.span)
        return self.lookup_global(e.name, e.span)

    def lookup_global(self, name: str, span: Span) -> Value:
        """A primitive or an algebra builtin; unknown names raise CatError."""
        v = self.globals.get(name)
        if v is not None:
            return v
        rel = self.alg.builtin_rel(name)
        if rel is not None:
            v = RelV(rel)
        else:
            st = self.alg.builtin_set(name)
            if st is None:
                if name in _UNSUPPORTED_PRIMITIVES:
                    raise _err(f"unsupported cat primitive `{name}`", span)
                raise _err(f"unknown identifier `{name}`", span)
            v = SetV(st)
        self.globals[name] = v
        return v

    def _tag(self, e: A.Tag, env: Env) -> Value:
        if e.name not in self.tag_enum:
            raise _err(f"tag '{e.name} is undefined (declare it with `enum`)", e.span)
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
                raise _err("the universe cannot be an element of an explicit set", sub.span)
            elems.append(v)
        return ValSetV(_dedupe(elems))

    def _tuple(self, e: A.TupleExp, env: Env) -> Value:
        return TupleV(tuple(self.eval(sub, env) for sub in e.elems))

    def _op1(self, e: A.Op1, env: Env) -> Value:
        v = self.eval(e.arg, env)
        op = e.op
        if op == "toid":
            if isinstance(v, RelV):
                raise _err("type error: `[...]` takes an event set, found a relation", e.span)
            return RelV(self.alg.identity(self.to_set(v, e.arg.span)))
        if op == "comp":
            return self._complement(v, e.arg.span)
        if v is UNIV:
            return UNIV
        if v is EMPTY:
            return EMPTY if op in ("inv", "plus") else RelV(self.ident())
        r = self.to_rel(v, e.arg.span)
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
            present = _tag_names(v)
            return ValSetV(tuple(TagV(t) for t in universe if t not in present))
        raise _err(f"type error: cannot complement {_describe(v)}", span)

    def _tag_universe(self, v: TagV | ValSetV, span: Span) -> tuple[str, ...]:
        names = _tag_names(v)
        enums = {self.tag_enum.get(n) for n in names}
        if len(enums) != 1 or None in enums:
            raise _err("cannot complement a set of tags from different enums", span)
        return self.enums[next(iter(enums))]  # type: ignore[index]

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
                self.to_set(left, e.args[0].span), self.to_set(right, e.args[1].span)))
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
            return ValSetV(_dedupe(_elements(a) + _elements(b)))
        raise _err(f"type error: union of {_describe(a)} and {_describe(b)}", span)

    def _seq(self, e: A.Op, env: Env) -> Value:
        rels: list[R] = []
        empty = False
        for sub in e.args:
            v = self.eval(sub, env)
            if v is EMPTY:
                empty = True  # still evaluate the rest, for their type errors
                continue
            rels.append(self.to_rel(v, sub.span))
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
            keep = set(_elements(b))
            return ValSetV(tuple(x for x in _elements(a) if x in keep))
        raise _err(f"type error: intersection of {_describe(a)} and {_describe(b)}", span)

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
            drop = set(_elements(b))
            return ValSetV(tuple(x for x in _elements(a) if x not in drop))
        raise _err(f"type error: difference of {_describe(a)} and {_describe(b)}", span_a)

    def _add(self, elem: Value, rest: Value, span: Span) -> Value:
        """`e ++ S`: add element e to the set of values S."""
        if rest is EMPTY:
            return ValSetV((elem,))
        if isinstance(rest, ValSetV):
            return ValSetV(_dedupe([elem, *rest.elems]))
        if isinstance(rest, (SetV, RelV)):
            raise _unsupported("++ on event sets or relations", span)
        raise _err(f"type error: `++` expects a set on its right, found {_describe(rest)}", span)

    def _app(self, e: A.App, env: Env) -> Value:
        fn = self.eval(e.fn, env)
        arg = self.eval(e.arg, env)
        return self.apply(fn, arg, e.span)

    def apply(self, fn: Value, arg: Value, span: Span) -> Value:
        """Call a closure or primitive on one (possibly tuple) argument."""
        if isinstance(fn, Closure):
            local = dict(fn.env)
            _bind(fn.param, arg, local, span)
            return self.eval(fn.body, local)
        if isinstance(fn, Prim):
            return fn.fn(self, arg, span)
        raise _err(f"type error: a function was expected, found {_describe(fn)}", span)

    def _fun(self, e: A.Fun, env: Env) -> Value:
        return Closure(e.param, e.body, _capture(e.fv, env), e.name)

    def _bind(self, e: A.Bind, env: Env) -> Value:
        local = dict(env)
        local.update(self._let_bindings(e.bindings, env))
        return self.eval(e.body, local)

    def _bind_rec(self, e: A.BindRec, env: Env) -> Value:
        local = dict(env)
        local.update(self._let_rec(e.bindings, env, e.span))
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
            raise _err(f"type error: match on tags, found {_describe(v)}", e.scrutinee.span)
        for tag, body in e.clauses:
            if tag == v.name:
                return self.eval(body, env)
        if e.default is None:
            raise _err(f"no clause matches '{v.name}", e.span)
        return self.eval(e.default, env)

    def _match_set(self, e: A.MatchSet, env: Env) -> Value:
        if e.before is not None:
            raise _unsupported("match ... with x | y ++ s", e.span)
        v = self.eval(e.scrutinee, env)
        if v is EMPTY or (isinstance(v, ValSetV) and not v.elems):
            return self.eval(e.empty_case, env)
        if not isinstance(v, ValSetV):
            raise _unsupported(f"set matching on {_describe(v)}", e.scrutinee.span)
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
            return c.name in self.variants
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
            raise _err("type error: a set of tags was expected", c.right.span)
        if c.op == "in":
            return left in right
        if not isinstance(left, frozenset):
            raise _err("type error: a set of tags was expected", c.left.span)
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
        raise _unsupported(f"comparison of {_describe(v)}", span)

    # -- let and let rec
    def _let_bindings(self, bindings: tuple[A.Binding, ...], env: Env) -> Env:
        """New bindings of a `let ... and ...`, all evaluated in the outer `env`."""
        out: Env = {}
        for b in bindings:
            if isinstance(b.pattern, A.PVar):
                if b.pattern.name is None:
                    continue
                if isinstance(b.expr, A.Fun):
                    out[b.pattern.name] = Thunk(self._fun(b.expr, env))
                else:
                    out[b.pattern.name] = Thunk(expr=b.expr, env=_capture(b.expr.fv, env))
            else:
                local: Env = {}
                _bind(b.pattern, self.eval(b.expr, env), local, b.span)
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
            clo = Closure(fun.param, fun.body, _capture(fun.fv, env), fun.name)
            closures.append(clo)
            out[b.pattern.name] = Thunk(clo)
        for clo in closures:
            clo.env.update(out)
        return out

    def _let_rec(self, bindings: tuple[A.Binding, ...], env: Env, span: Span) -> Env:
        """Bindings of a `let rec`: recursive functions, and a fixpoint for the rest."""
        funs, vals, names = [], [], []
        for b in bindings:
            if not isinstance(b.pattern, A.PVar) or b.pattern.name is None:
                raise _err("`let rec` can only bind names", b.span)
            if isinstance(b.expr, A.Fun):
                funs.append(b)
            else:
                vals.append(b)
                names.append(b.pattern.name)
        if not vals:
            return self._rec_closures(funs, env)

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
            result = self.alg.fixpoint(names, kinds, step)
        except CatError as exc:
            if exc.span is None:
                raise _err(exc.message, span) from None
            raise
        final = {n: Thunk(_wrap(k, x)) for n, k, x in zip(names, kinds, result, strict=True)}
        local = dict(env)
        local.update(final)
        final.update(self._rec_closures(funs, local))
        return final

    def _rec_kind(self, v: Value, span: Span) -> Kind:
        if isinstance(v, SetV):
            return "set"
        if isinstance(v, (RelV, _Poly)):
            return "rel"
        raise _err(f"illegal recursion on {_describe(v)} (sets and relations only)", span)

    def _unwrap(self, kind: Kind, v: Value, span: Span) -> S | R:
        return self.to_set(v, span) if kind == "set" else self.to_rel(v, span)

    # -- instructions
    def _let_ins(self, ins: A.LetIns, env: Env) -> None:
        env.update(self._let_bindings(ins.bindings, env))

    def _let_rec_ins(self, ins: A.LetRecIns, env: Env) -> None:
        if ins.when is not None:
            raise _unsupported("let rec ... when", ins.span)
        env.update(self._let_rec(ins.bindings, env, ins.span))

    def _check(self, ins: A.CheckIns, env: Env) -> None:
        v = self.eval(ins.expr, env)
        kind: Kind = "rel"
        if ins.kind == "empty" and isinstance(v, SetV):
            value: Any = v.v
            kind = "set"
        elif ins.kind == "empty" and isinstance(v, ValSetV):
            raise _unsupported("empty on a set of tags", ins.expr.span)
        else:
            value = self.to_rel(v, ins.expr.span)
        self.outcomes.append(CheckOutcome(
            ins.kind, ins.negated, ins.mode == "flag", ins.name or self.call_name, value,
            ins.span, kind, ins.mode == "undefined_unless"))

    def _include(self, ins: A.IncludeIns, env: Env) -> None:
        if ins.resolved is None:
            raise _err(f"include `{ins.path}` is not resolved (load models with load_cat)",
                       ins.span)
        self.run(ins.resolved, env)

    def _procedure(self, ins: A.ProcedureIns, env: Env) -> None:
        proc_env = dict(env)
        proc = Proc(ins.param, ins.body, proc_env)
        if ins.rec:
            proc_env[ins.name] = Thunk(proc)
        env[ins.name] = Thunk(proc)

    def _call(self, ins: A.CallIns, env: Env) -> None:
        t = env.get(ins.name)
        proc = self.force(t, ins.span) if t is not None else None
        if not isinstance(proc, Proc):
            raise _err(f"`{ins.name}` is not a procedure", ins.span)
        local = dict(proc.env)
        _bind(proc.param, self.eval(ins.arg, env), local, ins.span)
        saved, self.call_name = self.call_name, ins.as_name or self.call_name
        try:
            self.run(proc.body, local)
        finally:
            self.call_name = saved

    def _enum(self, ins: A.EnumIns, env: Env) -> None:
        for tag in ins.tags:
            self.tag_enum[tag] = ins.name
        self.enums[ins.name] = ins.tags
        env[ins.name] = Thunk(ValSetV(tuple(TagV(t) for t in ins.tags)))

    def _forall(self, ins: A.ForallIns, env: Env) -> None:
        v = self.eval(ins.expr, env)
        if v is EMPTY:
            return
        if not isinstance(v, ValSetV):
            raise _unsupported(f"forall over {_describe(v)}", ins.expr.span)
        for elem in v.elems:
            local = dict(env)
            local[ins.var] = Thunk(elem)
            self.run(ins.body, local)

    def _with_from(self, ins: A.WithFromIns, env: Env) -> None:
        raise _unsupported("with ... from", ins.span)

    def _events(self, ins: A.EventsIns, env: Env) -> None:
        """Bell `instructions X[tags]`: bind `Tag` (capitalised) to annotated events."""
        if ins.kind != "instructions":
            return
        for arg in ins.args:
            v = self.eval(arg, env)
            if not isinstance(v, (TagV, ValSetV, _Poly)):
                raise _err(f"type error: tags expected, found {_describe(v)}", arg.span)
            for tag in _tag_names(v) if not isinstance(v, _Poly) else ():
                name = tag[:1].upper() + tag[1:]
                if name not in env:
                    env[name] = Thunk(fn=self._annotation_fn(tag))

    def _annotation_fn(self, tag: str) -> Callable[[], Value]:
        return lambda: SetV(self.alg.annotation(tag))

    def _match_ins(self, ins: A.MatchIns, env: Env) -> None:
        v = self.eval(ins.scrutinee, env)
        if not isinstance(v, TagV):
            raise _err(f"type error: match on tags, found {_describe(v)}", ins.scrutinee.span)
        for tag, body in ins.clauses:
            if tag == v.name:
                self.run(body, env)
                return
        if ins.default is None:
            raise _err(f"no clause matches '{v.name}", ins.span)
        self.run(ins.default, env)

    def _if_ins(self, ins: A.IfIns, env: Env) -> None:
        self.run(ins.then if self.cond(ins.cond, env) else ins.else_, env)


# ---------------------------------------------------------------- helpers


def _skip(ins: object, env: Env) -> None:
    """Instructions without effect on verdicts (show, unshow, debug)."""


def _capture(names: frozenset[str], env: Env) -> Env:
    """The part of `env` a closure or lazy binding with free variables `names` needs."""
    if len(names) < len(env):
        return {n: env[n] for n in names if n in env}
    return {n: t for n, t in env.items() if n in names}


def _bind(pattern: A.Pattern, value: Value, env: Env, span: Span) -> None:
    """Bind a parameter pattern to an argument value."""
    if isinstance(pattern, A.PVar):
        if pattern.name is not None:
            env[pattern.name] = Thunk(value)
        return
    if not isinstance(value, TupleV) or len(value.elems) != len(pattern.items):
        raise _err(f"type error: a tuple of {len(pattern.items)} was expected, "
                   f"found {_describe(value)}", span)
    for name, v in zip(pattern.items, value.elems, strict=True):
        if name is not None:
            env[name] = Thunk(v)


def _wrap(kind: Kind, x: Any) -> Value:
    return SetV(x) if kind == "set" else RelV(x)


def _elements(v: TagV | ValSetV) -> tuple[Value, ...]:
    return (v,) if isinstance(v, TagV) else v.elems


def _tag_names(v: TagV | ValSetV) -> tuple[str, ...]:
    return tuple(x.name for x in _elements(v) if isinstance(x, TagV))


def _dedupe(values: Iterable[Value]) -> tuple[Value, ...]:
    """Distinct values, in order (tags compare by name; other values by identity)."""
    seen: set[object] = set()
    out = []
    for v in values:
        key: object = v if isinstance(v, (TagV, TupleV)) else id(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)
