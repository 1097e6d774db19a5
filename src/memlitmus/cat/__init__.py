"""herd7's cat language: parser, AST, and an interpreter over an abstract relation algebra.

Typical use::

    model = load_cat(shipped_model("x86tso.cat"))
    outcomes = evaluate(model, algebra)     # algebra: any Algebra[S, R]
"""

from memlitmus.cat.algebra import Algebra, Event, SetAlgebra
from memlitmus.cat.ast import CatModel
from memlitmus.cat.interp import CheckOutcome, evaluate
from memlitmus.cat.parse import MODELS_DIR, load_cat, parse_cat, resolve_includes, shipped_model

__all__ = [
    "MODELS_DIR",
    "Algebra",
    "CatModel",
    "CheckOutcome",
    "Event",
    "SetAlgebra",
    "evaluate",
    "load_cat",
    "parse_cat",
    "resolve_includes",
    "shipped_model",
]
