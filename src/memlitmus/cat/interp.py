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

This module is the entry point; the interpreter itself is split by concern:

- `values.py`: value types, environments and lazy bindings, shared helpers;
- `primitives.py`: the primitives implemented in Python;
- `core.py`: the `Context` every part shares: algebra, variants, enums, coercions, and
  the names the model does not bind;
- `exprs.py`: `ExprEvaluator`, expressions, conditions and forcing lazy bindings;
- `lets.py`: `LetBinder`, `let` and `let rec` (fixpoints), evaluating through the
  evaluator it is given;
- `instructions.py`: `Interp`, instructions and the `CheckOutcome`s they record.

The parts are composed, not layered by inheritance: `Interp` holds a `Context` and an
`ExprEvaluator`, which holds its `LetBinder`; each part reads only the ones it names.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Algebra
from memlitmus.cat.instructions import CheckOutcome, Interp
from memlitmus.cat.parse import MODELS_DIR, load_cat
from memlitmus.cat.values import Value
from memlitmus.errors import CatError

__all__ = ["CheckOutcome", "evaluate", "evaluate_with_bindings"]

S = TypeVar("S")
R = TypeVar("R")


def evaluate(
    model: A.CatModel,
    algebra: Algebra[S, R],
    *,
    variants: Collection[str] = (),
    stdlib: bool = True,
    bell: A.CatModel | None = None,
) -> list[CheckOutcome[S, R]]:
    """Run `model`'s instructions over `algebra` and return its checks, in order.

    The shipped stdlib.cat is run first (herd includes its stdlib implicitly) unless
    `stdlib` is False, then `bell` (herd's `-bell` file), whose bindings and checks the
    model sees and keeps. `variants` are the enabled herd variants, tested by `if "name"`.
    Raises `CatError` (with a span) on type errors, unknown identifiers and unsupported
    constructs.
    """
    return evaluate_with_bindings(
        model, algebra, variants=variants, stdlib=stdlib, bell=bell)[0]


def evaluate_with_bindings(
    model: A.CatModel,
    algebra: Algebra[S, R],
    *,
    variants: Collection[str] = (),
    stdlib: bool = True,
    bell: A.CatModel | None = None,
) -> tuple[list[CheckOutcome[S, R]], dict[str, Value]]:
    """As `evaluate`, and also the top-level bindings that evaluation forced, by name
    (lazy bindings nothing used are left out: evaluating them could fail or cost)."""
    interp: Interp[S, R] = Interp(algebra, frozenset(variants))
    try:
        if stdlib and Path(model.file).resolve() != _STDLIB_PATH:
            interp.run(load_cat(_STDLIB_PATH).instructions, interp.top)
        if bell is not None:
            interp.run(bell.instructions, interp.top)
        interp.run(model.instructions, interp.top)
    except RecursionError:
        raise CatError("cat evaluation recursed too deeply (unbounded recursion?)") from None
    forced = {name: t.value for name, t in interp.top.items() if t.value is not None}
    return interp.outcomes, forced


_STDLIB_PATH = (MODELS_DIR / "stdlib.cat").resolve()
