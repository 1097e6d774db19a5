"""The base of the cat interpreter: its state, lazy bindings, coercions and global names.

The interpreter is one class built up in layers, each in its own module and each using
only the ones below it:

- `Core` (here): the algebra and enabled variants, the enums declared so far, expression
  dispatch (`eval`, filled in by `ExprEval`), forcing lazy bindings, coercing values to
  event sets and relations, and resolving names that are not bound by the model;
- `LetEval` (`lets.py`): `let` and `let rec` bindings, with their fixpoints;
- `ExprEval` (`exprs.py`): expressions and `if` conditions;
- `Interp` (`instructions.py`): instructions, and the checks they record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Algebra
from memlitmus.cat.primitives import PRIMITIVES, UNSUPPORTED_PRIMITIVES
from memlitmus.cat.values import EMPTY, UNIV, Env, RelV, SetV, Thunk, Value, describe, err
from memlitmus.errors import Span

S = TypeVar("S")
R = TypeVar("R")


class Core(Generic[S, R]):
    """One evaluation of a model over one algebra: the state every layer shares."""

    def __init__(self, alg: Algebra[S, R], variants: frozenset[str]):
        self.alg = alg
        self.variants = variants
        self.globals: dict[str, Value] = dict(PRIMITIVES)
        self.tag_enum: dict[str, str] = {}
        self.enums: dict[str, tuple[str, ...]] = {}
        self._full: Any = None
        self._id: Any = None
        # Expression handlers by AST node type, registered by `ExprEval`.
        self._eval: dict[type, Callable[[Any, Env], Value]] = {}

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
