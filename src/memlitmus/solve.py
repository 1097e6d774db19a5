"""The only place that asks Z3 for satisfiability. `unknown` is a result, never a crash."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

import z3
from z3 import z3core, z3types

# Z3 "compacts" models by default, which costs more than every other part of reading a
# final state back; memlitmus only evaluates a few terms per model.
z3.set_param("model.compact", False)


class Status(Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


class SolverGaveUp(Exception):
    """Z3 answered `unknown` (timeout, resource limit): the verdict is UNKNOWN."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def timeout_reason(timeout_s: float) -> str:
    """The one wording of a run out of time, in every output format."""
    return f"solver timeout after {timeout_s:g} s"


def memory_reason(max_memory_mb: int) -> str:
    """The one wording of a test that outgrew its memory ceiling."""
    return f"memory ceiling of {max_memory_mb} MB exceeded"


def set_memory_ceiling(max_memory_mb: int) -> None:
    """Bound Z3's own allocations (process-wide): past it a check answers `unknown`."""
    z3.set_param("memory_max_size", max_memory_mb)


@dataclass
class Session:
    """One Z3 solver for one test, shared by every model judged on it (push/pop)."""

    solver: z3.Solver
    timeout_s: float | None = None
    checks: int = 0
    deadline: float | None = None

    @classmethod
    def create(cls, timeout_s: float | None) -> Session:
        """A fresh solver; `timeout_s` bounds the solving time of each model on the test
        (see `start_clock`), None for no bound."""
        return cls(z3.Solver(), timeout_s)

    def start_clock(self, since: float | None = None) -> None:
        """Start the time budget of one model's judgement, at `since` (a
        `time.perf_counter()` reading, so that the encoding counts) or now."""
        if self.timeout_s is not None:
            began = time.perf_counter() if since is None else since
            self.deadline = began + self.timeout_s

    def _arm_timeout(self) -> None:
        """Give Z3 what is left of the budget; none left is a timeout already."""
        if self.deadline is None:
            return
        left = self.deadline - time.perf_counter()
        if left <= 0:
            raise SolverGaveUp(timeout_reason(self.timeout_s or 0))
        self.solver.set("timeout", max(1, int(left * 1000)))

    def add(self, constraints: Sequence[z3.BoolRef]) -> None:
        """Assert constraints at the current scope."""
        if constraints:
            self.solver.add(*constraints)

    def check(self, *assumptions: z3.BoolRef) -> Status:
        """Is the current problem satisfiable? Raises SolverGaveUp on `unknown`."""
        self.checks += 1
        self._arm_timeout()
        try:
            answer = self.solver.check(*assumptions)
        except z3.Z3Exception as exc:  # Z3 raises rather than answers on some limits
            raise SolverGaveUp(self._reason(str(exc))) from None
        if answer == z3.sat:
            return Status.SAT
        if answer == z3.unsat:
            return Status.UNSAT
        raise SolverGaveUp(self._reason(self.solver.reason_unknown()))

    def _reason(self, said: str) -> str:
        """Z3's reason for `unknown`, in memlitmus's words: Z3 says `timeout` or
        `canceled` for a spent budget, `max. memory exceeded` for its memory ceiling."""
        spent = self.deadline is not None and time.perf_counter() >= self.deadline - 0.01
        if self.timeout_s is not None and (spent or said in ("timeout", "canceled")):
            return timeout_reason(self.timeout_s)
        if "memory" in said:
            limit = int(z3.get_param("memory_max_size") or 0)
            return memory_reason(limit) if limit else "solver out of memory"
        return said or "solver returned unknown"

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
    return value.as_long()  # type: ignore[no-any-return]


def _values_and_block(
    model: z3.ModelRef, terms: Sequence[z3.ArithRef]
) -> tuple[list[int], z3.BoolRef]:
    """The terms' values in `model` and the clause "some term differs from its value".

    This is the innermost loop of state enumeration, so it talks to Z3's C API directly
    and skips z3py's argument coercion (each object is still wrapped, for reference
    counting).
    """
    ctx = model.ctx
    ref = ctx.ref()
    values, numerals = _read_values(model, terms)
    differs: list[z3.BoolRef] = []
    for term, value in zip(terms, numerals, strict=True):
        equal = z3.BoolRef(z3core.Z3_mk_eq(ref, term.as_ast(), value.as_ast()), ctx)
        differs.append(z3.BoolRef(z3core.Z3_mk_not(ref, equal.as_ast()), ctx))
    return values, (differs[0] if len(differs) == 1 else z3.Or(*differs))


def _read_values(
    model: z3.ModelRef, terms: Sequence[z3.ArithRef]
) -> tuple[list[int], list[z3.ArithRef]]:
    """The terms' values in `model`, as Python ints and as Z3 numerals."""
    ctx = model.ctx
    ref = ctx.ref()
    numerals = [z3.ArithRef(_eval_ast(ref, model, term), ctx) for term in terms]
    values = [int(z3core.Z3_get_numeral_string(ref, n.as_ast())) for n in numerals]
    return values, numerals


def _eval_ast(ref: object, model: z3.ModelRef, term: z3.ArithRef) -> z3types.Ast:
    out = (z3types.Ast * 1)()
    if not z3core.Z3_model_eval(ref, model.model, term.as_ast(), True, out):
        raise SolverGaveUp("model evaluation failed")
    return out[0]


BLOCKING_LIMIT = 256  # states found by blocking clauses before switching to tree search


def enumerate_values(
    session: Session, terms: Sequence[int | z3.ArithRef]
) -> list[tuple[int, ...]]:
    """Every distinct tuple of values the terms take in satisfying assignments.

    Blocking clauses mention only the observed terms, so each check finds a new final
    state rather than a new execution. Thousands of clauses make every check slow, so past
    `BLOCKING_LIMIT` states the rest are found by `_tree_search`. Constraints are added
    at the caller's current scope: call this last inside a scope of its own.
    """
    dynamic = [t for t in terms if not isinstance(t, int)]
    if not dynamic:
        return [tuple(terms)] if session.check() is Status.SAT else []
    rows: list[list[int]] = []
    while len(rows) < BLOCKING_LIMIT and session.check() is Status.SAT:
        values, block = _values_and_block(session.model(), dynamic)
        rows.append(values)
        session.add([block])
    if len(rows) == BLOCKING_LIMIT and session.check() is Status.SAT:
        rows.extend(_tree_search(session, dynamic))
    return [_merge_row(terms, values) for values in rows]


def _merge_row(terms: Sequence[int | z3.ArithRef], values: list[int]) -> tuple[int, ...]:
    known = iter(values)
    return tuple(t if isinstance(t, int) else next(known) for t in terms)


def _tree_search(session: Session, terms: Sequence[z3.ArithRef]) -> list[list[int]]:
    """The remaining states, depth first over the terms: fix the first term to each of its
    values in turn, then the next… Each check carries only the current prefix (as
    assumption literals) and the exclusions at one level, so checks stay as cheap as the
    first one however many states there are. The last SAT model already gives the first
    child of every level, so a branch costs one check."""
    literals: dict[tuple[int, int], z3.BoolRef] = {}

    def literal(depth: int, value: int) -> z3.BoolRef:
        key = (depth, value)
        if key not in literals:
            literals[key] = z3.FreshBool("obs")
            session.add([literals[key] == (terms[depth] == value)])
        return literals[key]

    found: list[list[int]] = []

    def explore(prefix: list[z3.BoolRef], depth: int, values: list[int]) -> None:
        excluded: list[z3.BoolRef] = []
        while True:
            chosen = literal(depth, values[depth])
            excluded.append(z3.Not(chosen))
            if depth == len(terms) - 1:
                found.append(values)
            else:
                explore([*prefix, chosen], depth + 1, values)
            if session.check(*prefix, *excluded) is not Status.SAT:
                return
            values = _read_values(session.model(), terms)[0]

    session.check()
    explore([], 0, _read_values(session.model(), terms)[0])
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
