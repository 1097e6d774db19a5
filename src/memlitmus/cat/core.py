"""The state one evaluation of a cat model shares: the algebra, names and coercions.

The interpreter is made of three parts that each hold a reference to this `Context`:

- `ExprEvaluator` (`exprs.py`): expressions, conditions, function calls, and forcing lazy
  bindings;
- `LetBinder` (`lets.py`): `let` and `let rec` bindings, with their fixpoints; it evaluates
  the bound expressions through the evaluator it is given;
- `Interp` (`instructions.py`): instructions, and the checks they record.

The context itself evaluates nothing (it calls functions for primitives such as `map`
through the evaluator's `apply`): it knows the algebra and the enabled variants, the
enums declared so far, how to coerce a value to an event set or a relation, and how to
resolve a name the model does not bind (a primitive, or one of the algebra's builtins).
It is also what primitives see of the interpreter (`values.Host`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from memlitmus.cat.algebra import Algebra
from memlitmus.cat.primitives import PRIMITIVES, UNSUPPORTED_PRIMITIVES
from memlitmus.cat.values import EMPTY, UNIV, RelV, SetV, Value, describe, err
from memlitmus.errors import Span

S = TypeVar("S")
R = TypeVar("R")


class Context(Generic[S, R]):
    """One evaluation of a model over one algebra: what every part of the interpreter
    shares."""

    def __init__(self, alg: Algebra[S, R], variants: frozenset[str]):
        self.alg = alg
        self.variants = variants
        self.globals: dict[str, Value] = dict(PRIMITIVES)
        self.tag_enum: dict[str, str] = {}
        """The enum each declared tag belongs to."""
        self.enums: dict[str, tuple[str, ...]] = {}
        """The tags of each enum, in declaration order."""
        self._full: Any = None
        self._id: Any = None
        self._apply: Callable[[Value, Value, Span], Value] | None = None

    def apply(self, fn: Value, arg: Value, span: Span) -> Value:
        """Call a closure or primitive, through the evaluator that `set_apply` gave (the
        context evaluates nothing itself; `map` calls its function this way)."""
        assert self._apply is not None, "no evaluator attached to this context"
        return self._apply(fn, arg, span)

    def set_apply(self, apply: Callable[[Value, Value, Span], Value]) -> None:
        """Attach the evaluator's function application (`ExprEvaluator.apply`)."""
        self._apply = apply

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
        raise err(f"type error: an event set was expected, found {describe(v)}", span)

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
        raise err(f"type error: a relation was expected, found {describe(v)}{hint}", span)

    # -- names
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
                if name in UNSUPPORTED_PRIMITIVES:
                    raise err(f"unsupported cat primitive `{name}`", span)
                raise err(f"unknown identifier `{name}`", span)
            v = SetV(st)
        self.globals[name] = v
        return v
