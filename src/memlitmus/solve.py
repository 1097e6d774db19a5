"""The only place that asks Z3 for satisfiability. `unknown` is a result, never a crash."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

import z3


class Status(Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


class SolverGaveUp(Exception):
    """Z3 answered `unknown` (timeout, resource limit): the verdict is UNKNOWN."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Session:
    """One Z3 solver for one test, shared by every model judged on it (push/pop)."""

    solver: z3.Solver
    checks: int = 0

    @classmethod
    def create(cls, timeout_s: float | None) -> Session:
        """A fresh solver; `timeout_s` bounds each check (None: no bound)."""
        solver = z3.Solver()
        if timeout_s is not None:
            solver.set("timeout", max(1, int(timeout_s * 1000)))
        return cls(solver)

    def add(self, constraints: Sequence[z3.BoolRef]) -> None:
        """Assert constraints at the current scope."""
        if constraints:
            self.solver.add(*constraints)

    def check(self, *assumptions: z3.BoolRef) -> Status:
        """Is the current problem satisfiable? Raises SolverGaveUp on `unknown`."""
        self.checks += 1
        answer = self.solver.check(*assumptions)
        if answer == z3.sat:
            return Status.SAT
        if answer == z3.unsat:
            return Status.UNSAT
        raise SolverGaveUp(self.solver.reason_unknown() or "solver returned unknown")

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Constraints added inside are dropped on exit (solver push/pop)."""
        self.solver.push()
        try:
            yield
        finally:
            self.solver.pop()

    def model(self) -> z3.ModelRef:
        """The model of the last satisfiable check."""
        return self.solver.model()


def evaluate_int(model: z3.ModelRef, term: int | z3.ArithRef) -> int:
    """The integer value of a term in a model (unconstrained terms read as 0)."""
    if isinstance(term, int):
        return term
    value = model.eval(term, model_completion=True)
    return value.as_long()  # type: ignore[no-any-return, attr-defined]


def enumerate_values(
    session: Session, terms: Sequence[int | z3.ArithRef]
) -> list[tuple[int, ...]]:
    """Every distinct tuple of values the terms take in satisfying assignments.

    Blocking clauses mention only the observed terms, so each check finds a new final
    state rather than a new execution. They live in a scope of their own.
    """
    found: list[tuple[int, ...]] = []
    dynamic = [(i, t) for i, t in enumerate(terms) if not isinstance(t, int)]
    with session.scope():
        while session.check() is Status.SAT:
            model = session.model()
            values = tuple(evaluate_int(model, t) for t in terms)
            found.append(values)
            if not dynamic:
                break
            session.add([z3.Or(*[t != values[i] for i, t in dynamic])])  # type: ignore
    return found


def count_executions(
    session: Session, atoms: Sequence[z3.BoolRef], satisfies: Callable[[z3.ModelRef], bool]
) -> tuple[int, int]:
    """(positive, negative): allowed executions whose final state satisfies / does not
    satisfy the proposition, as herd counts them. One check per execution: use sparingly.
    """
    positive = negative = 0
    with session.scope():
        while session.check() is Status.SAT:
            model = session.model()
            if satisfies(model):
                positive += 1
            else:
                negative += 1
            if not atoms:
                break
            values = [model.eval(a, model_completion=True) for a in atoms]
            session.add([z3.Or(*[a != v for a, v in zip(atoms, values, strict=True)])])
    return positive, negative
