"""The values a cat model computes, the environments binding them, and shared helpers.

Values are dynamically typed: event sets and relations (the algebra's opaque `S`/`R`,
wrapped in `SetV`/`RelV`), the polymorphic empty value (`0`, `{}`) and universe (`_`),
tags, sets of values, tuples, closures, primitives and procedures; and, for `map` over an
event set or relation, its elements (`ElemV`), the sets of values whose elements exist in
some executions only (`CondSetV`) and the choices `cross` makes among them (`CrossV`). An
environment (`Env`) maps names to `Thunk`s: a value, or an expression evaluated once, on
first use.

The helpers below are shared by every part of the interpreter: describing a value in a
type error, building a `CatError` that shows the source, capturing the free variables of
a closure, and binding parameter patterns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Algebra
from memlitmus.cat.parse import source_of
from memlitmus.errors import CatError, Span

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


class Poly:
    """The polymorphic empty value and universe: typed by the operations they meet."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


EMPTY = Poly("empty")
UNIV = Poly("universe")


@dataclass(frozen=True)
class TagV:
    """A tag `'name`."""

    name: str


@dataclass(frozen=True)
class ValSetV:
    """A set of values (tags, or sets/relations built by `map`), in insertion order."""

    elems: tuple[Value, ...]


@dataclass(frozen=True)
class ElemV:
    """An element of an event set (`kind` "event", `key` the algebra's event) or of a
    relation (`kind` "pair", `key` the pair): what `map f S` passes to f when S is an event
    set or a relation. `{e}` and `e ++ 0` make it a singleton set or relation."""

    key: Any
    kind: Literal["event", "pair"]


@dataclass(frozen=True, eq=False)
class CondSetV:
    """A set of values whose elements exist in some executions only: each value with the
    algebra's condition (`Algebra.elements`) under which it is in the set. `map f S` over
    an event set or relation S builds one, f(e) present when e is in S: herd evaluates the
    model once per execution, each with its own elements of S; memlitmus evaluates it once
    for all of them (docs/models.md, "sets of relations in some executions only")."""

    items: tuple[tuple[Value, Any], ...]


@dataclass(frozen=True, eq=False)
class CrossV:
    """`cross(S)` when S (or a member of S) is a `CondSetV`: herd's set of every union of
    one relation taken from each member of S that is present, symbolic. `members` holds,
    for each member of S, its condition and its candidate relations with theirs (a member
    present without a present candidate leaves no union: herd's empty cross product).
    Only `with x from` consumes it (`Algebra.choose_each`)."""

    members: tuple[tuple[Any, tuple[tuple[Any, Any], ...]], ...]


@dataclass(frozen=True)
class TupleV:
    """A tuple of values (function arguments, `let (a, b) = ...`)."""

    elems: tuple[Value, ...]


@dataclass(eq=False)
class OrdersV:
    """The set of relations ordering totally, location by location, the events of `events`
    while extending `base`: what herd's `generate_orders(s, pco)` (cross.cat) enumerates.

    Only `with x from` consumes it: x becomes the execution's own coherence order on
    `events`, constrained to extend `base` (see `Interp._with_from`).
    """

    events: Any
    base: Any


@dataclass(eq=False)
class Closure:
    """A function value: its parameter, body and captured environment."""

    param: A.Pattern
    body: A.Expr
    env: Env
    name: str


class Host(Protocol):
    """What a primitive sees of the interpreter that calls it (`core.Context` provides it)."""

    @property
    def alg(self) -> Algebra[Any, Any]:
        """The algebra the model is evaluated over."""
        ...

    def to_rel(self, v: Value, span: Span) -> Any:
        """Coerce to a relation, or raise a type error at `span`."""
        ...

    def to_set(self, v: Value, span: Span) -> Any:
        """Coerce to an event set, or raise a type error at `span`."""
        ...

    def apply(self, fn: Value, arg: Value, span: Span) -> Value:
        """Call a closure or primitive (for `map`)."""
        ...


@dataclass(eq=False)
class Prim:
    """A primitive function implemented in Python."""

    name: str
    fn: Callable[[Host, Value, Span], Value]


@dataclass(eq=False)
class Proc:
    """A procedure: instructions run by `call`."""

    param: A.Pattern
    body: tuple[A.Ins, ...]
    env: Env


Value = (SetV | RelV | Poly | TagV | ValSetV | TupleV | OrdersV | Closure | Prim | Proc
         | ElemV | CondSetV | CrossV)


class Thunk:
    """A binding: a value, or an expression (or Python function) evaluated once on demand."""

    __slots__ = ("expr", "env", "fn", "value", "busy", "depth")

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
        # unevaluated bindings that evaluating this one would evaluate one inside the
        # other (see `LetBinder.let_bindings`)
        self.depth: int = 0 if expr is None else 1 + max(
            (t.depth for t in (env or {}).values() if t.value is None), default=0)


Env = dict[str, Thunk]


def describe(v: Value) -> str:
    """How a type error names the kind of `v`."""
    if isinstance(v, SetV):
        return "an event set"
    if isinstance(v, RelV):
        return "a relation"
    if isinstance(v, Poly):
        return "the empty value" if v is EMPTY else "the universe"
    if isinstance(v, TagV):
        return f"tag '{v.name}"
    if isinstance(v, ValSetV):
        return "a set of tags/values"
    if isinstance(v, TupleV):
        return f"a tuple of {len(v.elems)}"
    if isinstance(v, OrdersV):
        return "a set of coherence orders"
    if isinstance(v, ElemV):
        return "an event" if v.kind == "event" else "a pair of events"
    if isinstance(v, CondSetV):
        return "a set of values present in some executions only"
    if isinstance(v, CrossV):
        return "a set of choices of relations"
    if isinstance(v, (Closure, Prim)):
        return "a function"
    return "a procedure"


def err(message: str, span: Span) -> CatError:
    """A `CatError` at `span`, showing the source it points into."""
    return CatError(message, span, source_of(span.file))


def unsupported(what: str, span: Span) -> CatError:
    """The error for a cat construct memlitmus does not implement."""
    return err(f"unsupported cat construct `{what}`", span)


# ---------------------------------------------------------------- helpers


def capture(names: frozenset[str], env: Env) -> Env:
    """The part of `env` a closure or lazy binding with free variables `names` needs."""
    if len(names) < len(env):
        return {n: env[n] for n in names if n in env}
    return {n: t for n, t in env.items() if n in names}


def make_closure(e: A.Fun, env: Env) -> Closure:
    """The value of function expression `e` in `env`: it captures only its free variables."""
    return Closure(e.param, e.body, capture(e.fv, env), e.name)


def bind(pattern: A.Pattern, value: Value, env: Env, span: Span) -> None:
    """Bind a parameter pattern to an argument value."""
    if isinstance(pattern, A.PVar):
        if pattern.name is not None:
            env[pattern.name] = Thunk(value)
        return
    if not isinstance(value, TupleV) or len(value.elems) != len(pattern.items):
        raise err(f"type error: a tuple of {len(pattern.items)} was expected, "
                  f"found {describe(value)}", span)
    for name, v in zip(pattern.items, value.elems, strict=True):
        if name is not None:
            env[name] = Thunk(v)


def dedupe(values: Iterable[Value]) -> tuple[Value, ...]:
    """Distinct values, in order (tags compare by name; other values by identity)."""
    seen: set[object] = set()
    out = []
    for v in values:
        key: object = v if isinstance(v, (TagV, TupleV, ElemV)) else id(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)


def elements(v: TagV | ValSetV) -> tuple[Value, ...]:
    """The elements of a set of values, a single tag standing for itself."""
    return (v,) if isinstance(v, TagV) else v.elems


def tag_names(v: TagV | ValSetV) -> tuple[str, ...]:
    """The names of the tags among `elements(v)`."""
    return tuple(x.name for x in elements(v) if isinstance(x, TagV))
