"""A cat model's checks, evaluated over one symbolic execution, as Z3 constraints."""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from memlitmus.cat.interp import CheckOutcome, evaluate
from memlitmus.encode import axioms
from memlitmus.encode.algebra import Z3Algebra
from memlitmus.encode.builtins import Builtins
from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.relations import ZRel, ZSet
from memlitmus.encode.terms import Cond, neg
from memlitmus.errors import CatError, ModelError, Span
from memlitmus.models import Model
from memlitmus.results import UNDEFINED_FLAG

HERD_EVENT_VARIANTS = {
    "vmsa": "page-table walks and their faults",
    "kvm": "page-table walks and their faults",
    "memtag": "tag checks (MTE)",
    "ifetch": "instruction fetches",
    "self": "instruction fetches",  # herd's Variant.parse: "ifetch"|"self" -> Ifetch
}
"""herd variants under which herd's AArch64 front end makes implicit events of its own:
refused for a herd model, whose verdicts would silently leave those events out."""


@dataclass(frozen=True)
class EncodedCheck:
    """One plain (non-flag) check of a model and the constraints that make it hold."""

    index: int  # position among the model's checks (flags included), as `CheckOutcome`s
    kind: str  # acyclic, irreflexive or empty
    name: str | None  # the `as` name
    span: Span  # where the check is written
    constraints: tuple[z3.BoolRef, ...]


@dataclass
class ModelEncoding:
    """What a model adds to a test's solver: constraints, and flags to test.

    `constraints` is every check's constraints followed by `side_constraints` (those of
    symbolic fixpoints, which the checks need to mean what they say); `checks` splits the
    former per check, so one can ask which check an outcome needs to violate.
    """

    constraints: list[z3.BoolRef] = field(default_factory=list)
    flags: list[tuple[str, Cond]] = field(default_factory=list)
    checks: list[EncodedCheck] = field(default_factory=list)
    side_constraints: list[z3.BoolRef] = field(default_factory=list)


def encode_model(model: Model, enc: ExecutionEncoding, known_tags: frozenset[str],
                 observed: frozenset[str] = frozenset(),
                 register_events: bool = False) -> ModelEncoding:
    """Evaluate the model symbolically and turn its checks into constraints. `observed`:
    the memory locations the test's final state shows (herd's FW, for a user's model);
    `register_events`: a user's model sees herd's register events (on AArch64, see
    `Builtins`)."""
    if register_events and model.herd_view:
        for variant in sorted(model.variants & HERD_EVENT_VARIANTS.keys()):
            raise ModelError(f"-variant {variant}: herd then makes {HERD_EVENT_VARIANTS[variant]}"
                             ", which memlitmus's AArch64 executions do not have")
    algebra = Z3Algebra(Builtins(enc, known_tags, herd_view=model.herd_view,
                                 observed=observed,
                                 register_events=register_events))
    out = ModelEncoding()
    for index, check in enumerate(evaluate(model.cat, algebra, variants=model.variants,
                                              bell=model.bell)):
        if check.undefined_unless:
            # herd: an allowed execution that fails the check is undefined (its flag
            # `*undef*`, herd's Flag.Undef), and the result line reads Undef.
            out.flags.append((UNDEFINED_FLAG, neg(_holds(check))))
            continue
        if check.assertion:
            # herd stops with "assertion failed, check input test" when one candidate
            # fails it; only assertions that hold in every execution are decided here.
            if _holds(check) is not True:
                raise CatError(f"`assert` {check.name or ''} may fail on this test: "
                               "assertions over the solver's executions are not supported",
                               check.span)
            continue
        if check.flag:
            out.flags.append((check.name or f"flag{index}", _holds(check)))
        else:
            constraints = _constraints(check, f"{model.name}{index}")
            out.checks.append(EncodedCheck(
                index, check.kind, check.name, check.span, tuple(constraints)))
            out.constraints.extend(constraints)
    out.side_constraints = algebra.side_constraints
    out.constraints.extend(algebra.side_constraints)
    return out


def _constraints(check: CheckOutcome[ZSet, ZRel], tag: str) -> list[z3.BoolRef]:
    value = check.value
    if not check.negated:
        if check.kind == "acyclic":
            return axioms.acyclic(_rel(check), tag)
        if check.kind == "irreflexive":
            return axioms.irreflexive(_rel(check))
        return axioms.empty(value)
    cond = _holds(check)
    if cond is True:
        return []
    return [z3.BoolVal(False) if cond is False else cond]


def _holds(check: CheckOutcome[ZSet, ZRel]) -> Cond:
    """The condition under which a check holds (used for flags and negated checks)."""
    value = check.value
    if check.kind == "empty":
        nonempty = axioms.nonempty_cond(value)
        return nonempty if check.negated else neg(nonempty)
    if check.kind == "irreflexive":
        reflexive = axioms.reflexive_cond(_rel(check), check.span)
        return reflexive if check.negated else neg(reflexive)
    raise CatError(f"`{'~' if check.negated else ''}acyclic` as a flag or negated check "
                   "is not supported", check.span)


def _rel(check: CheckOutcome[ZSet, ZRel]) -> ZRel:
    if not isinstance(check.value, ZRel):
        raise CatError(f"`{check.kind}` needs a relation", check.span)
    return check.value

