"""Witness executions of allowed final states, and the candidate final states a model
forbids with the checks they violate.

Candidate outcomes are the final states of the candidate executions: the program's
semantics with well-formed rf and co (`ExecutionEncoding`), before any check of the model.
A candidate outcome the model does not allow is forbidden; for each of the model's checks
the solver is asked whether the outcome stays reachable while satisfying that check
alone: when it does not, every execution reaching the outcome violates the check. Flags
constrain nothing and are left apart. All of this runs only on request (`run
--executions` / `--forbidden`, `explain`, `report`), so plain judging costs what it did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import z3

from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.model import EncodedCheck, ModelEncoding
from memlitmus.models import Model
from memlitmus.outcomes.checks import check_label, violation
from memlitmus.outcomes.extract import Concrete, read_execution
from memlitmus.solve import Session, SolverGaveUp, Status, evaluate_int
from memlitmus.witness import Execution, ForbiddenOutcome, Violation

Row = tuple[int, ...]
Bindings = tuple[tuple[str, str], ...]

# At most this many candidate outcomes are enumerated per test and model; past it the
# list of forbidden outcomes is marked as bounded.
CANDIDATE_LIMIT = 128
# Pairs of checks are tried as the explanation of an outcome only for models with at most
# this many checks (a pair costs one solver call).
PAIR_LIMIT = 8


@dataclass(frozen=True)
class Probe:
    """What the search needs of a judged test: its solver, executions and final terms.

    `terms` are the observed final-value terms in herd's print order; `state_of` turns a
    row of their values into the printed state and whether it satisfies the condition.
    """

    session: Session
    enc: ExecutionEncoding
    terms: Sequence[int | z3.ArithRef]
    known_tags: frozenset[str]
    state_of: Callable[[Row], tuple[Bindings, bool]]


def witness(probe: Probe, model: Model, row: Row) -> Concrete | None:
    """One execution reaching the final state `row` under the solver's current
    constraints (call inside the model's scope for an allowed one), None if none."""
    if probe.session.check(*_fix(probe.terms, row)) is not Status.SAT:
        return None
    return read_execution(probe.enc, probe.session.model(), model, probe.known_tags)


def witnesses(probe: Probe, model: Model, rows: Sequence[Row]) -> tuple[Execution, ...]:
    """One witness execution per allowed final state, in the order of `rows`."""
    out = []
    for row in rows:
        found = witness(probe, model, row)
        if found is None:  # cannot happen: the row came from this very solver
            raise SolverGaveUp("a listed final state has no execution")
        out.append(found.execution)
    return tuple(out)


def forbidden_outcomes(
    probe: Probe, model: Model, axioms: ModelEncoding, allowed: set[Bindings],
    limit: int | None = None,
) -> tuple[tuple[ForbiddenOutcome, ...], bool]:
    """The candidate outcomes outside `allowed` (printed states), each with its violated
    checks and one violating execution; and whether the enumeration stopped at `limit`
    candidates (or the time budget) before listing them all; `limit` defaults to
    `CANDIDATE_LIMIT`. Call outside the model's scope: the model's checks must not be
    asserted."""
    session = probe.session
    limit = CANDIDATE_LIMIT if limit is None else limit
    found: list[ForbiddenOutcome] = []
    with session.scope():
        session.add(axioms.side_constraints)
        try:
            rows, bounded = _candidates(session, probe.terms, limit)
        except SolverGaveUp:
            return (), True
        seen: set[Bindings] = set(allowed)
        try:
            for row in rows:
                state, satisfies = probe.state_of(row)
                if state in seen:
                    continue
                seen.add(state)
                found.append(_explain(probe, model, axioms, row, state, satisfies))
        except SolverGaveUp:
            bounded = True
    return tuple(found), bounded


def _candidates(session: Session, terms: Sequence[int | z3.ArithRef],
                limit: int) -> tuple[list[Row], bool]:
    """Up to `limit` distinct rows of final values of candidate executions."""
    dynamic = [t for t in terms if not isinstance(t, int)]
    rows: list[Row] = []
    with session.scope():
        while len(rows) < limit and session.check() is Status.SAT:
            model = session.model()
            rows.append(tuple(evaluate_int(model, t) for t in terms))
            if not dynamic:
                return rows, False
            session.add([z3.Or(*[t != evaluate_int(model, t) for t in dynamic])])
        bounded = len(rows) == limit and session.check() is Status.SAT
    return rows, bounded


def _explain(
    probe: Probe, model: Model, axioms: ModelEncoding, row: Row, state: Bindings,
    satisfies: bool,
) -> ForbiddenOutcome:
    """The checks every execution reaching `row` violates, and one such execution: one
    that satisfies every other check when there is one, so the cycle shown is the reason.
    When no check is violated by every execution, the execution shown violates as few as
    can be found: the first check whose violation alone reaches the outcome."""
    session = probe.session
    fix = _fix(probe.terms, row)
    violated: list[EncodedCheck] = []
    for check in axioms.checks:
        with session.scope():
            session.add(list(check.constraints))
            if session.check(*fix) is Status.UNSAT:
                violated.append(check)
    labels = tuple(check_label(c.kind, c.name, c.span) for c in violated)
    for culprits in _culprit_sets(axioms.checks, violated):
        with session.scope():
            for check in axioms.checks:
                if check not in culprits:
                    session.add(list(check.constraints))
            concrete = witness(probe, model, row)
        if concrete is not None:
            return ForbiddenOutcome(state, satisfies, labels, concrete.execution,
                                    _violations(concrete, [c.index for c in culprits]))
    return ForbiddenOutcome(state, satisfies, labels)


def _culprit_sets(
    checks: Sequence[EncodedCheck], violated: Sequence[EncodedCheck]
) -> Iterator[list[EncodedCheck]]:
    """Sets of checks to let an execution violate, the others holding, smallest first:
    the always-violated ones when there are some, else each check, then each pair, then
    all of them (some execution reaches the outcome then: it is a candidate)."""
    if violated:
        yield list(violated)
    else:
        yield from ([c] for c in checks)
        if len(checks) <= PAIR_LIMIT:
            yield from (list(pair) for pair in combinations(checks, 2))
    yield list(checks)


def _violations(concrete: Concrete, culprits: Sequence[int]) -> tuple[Violation, ...]:
    """How the execution fails each plain check of `culprits` (indices among the model's
    checks) that it does fail."""
    found = []
    for i, check in enumerate(concrete.checks):
        if i not in culprits or check.flag or check.undefined_unless or check.assertion:
            continue
        value = check.value if isinstance(check.value, frozenset) else frozenset()
        broken = violation(
            check.kind, check.negated, value, check_label(check.kind, check.name, check.span),
            check.name, concrete.execution, concrete.algebra.relations,
        )
        if broken is not None:
            found.append(broken)
    return tuple(found)


def _fix(terms: Sequence[int | z3.ArithRef], row: Row) -> list[z3.BoolRef]:
    """Assumptions fixing each dynamic term to its value in `row`."""
    return [t == v for t, v in zip(terms, row, strict=True) if not isinstance(t, int)]
