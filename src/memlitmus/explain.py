"""What `memlitmus explain FILE -m MODEL [--state '0:r0=1; 1:r1=0;']` answers: is one
final state allowed, and why (the data; `report/explain.py` prints it).

The test is judged with its witness executions and forbidden outcomes (`judge_for_
explain`); the state asked for (`parse_state`), or by default the condition's witness (a
final state satisfying the condition's proposition, an allowed one when there is one), is
looked up among them (`explain_result`): allowed with one execution reaching it, or
forbidden with the checks every execution reaching it violates and, for one such
execution, the violating cycle (acyclic) or edge (irreflexive, empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.litmus.ast import LitmusTest
from memlitmus.models import Model, ModelSetup
from memlitmus.results import ModelResult, PairError
from memlitmus.witness import Execution, ForbiddenOutcome

Bindings = tuple[tuple[str, str], ...]

_BINDING = re.compile(r"\s*([^=;\s]+)\s*=\s*([^;\s]+)\s*")


class StateSyntaxError(MemlitmusError):
    """A `--state` argument that is not `name=value; ...`."""


def parse_state(text: str) -> dict[str, str]:
    """`'0:r0=1; 1:r1=0;'` as {name: value}; `x=1` also names `[x]`. Raises
    StateSyntaxError on anything else."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _BINDING.fullmatch(part)
        if match is None:
            raise StateSyntaxError(f"--state: expected `name=value`, got `{part.strip()}`")
        name, value = match.groups()
        if ":" not in name and not name.startswith("["):
            name = f"[{name}]"
        out[name] = value
    if not out:
        raise StateSyntaxError("--state: no `name=value` given")
    return out


@dataclass(frozen=True)
class Answer:
    """The state explained: allowed with its witness, forbidden with its outcome, or not
    a candidate at all (`allowed` None)."""

    state: Bindings | None
    allowed: bool | None
    execution: Execution | None = None
    forbidden: ForbiddenOutcome | None = None
    matches: int = 0  # how many states the requested bindings matched


def judge_for_explain(
    test: LitmusTest, model: Model, timeout_s: float | None = None, mapping: str | None = None,
    setup: ModelSetup | None = None,
) -> ModelResult | PairError:
    """`test` under `model` with a witness execution per allowed state and the forbidden
    outcomes with their reasons (a PairError when the model does not judge the test);
    `mapping` is the kernel mapping a C test takes on a hardware model (`run --mapping`),
    `setup` herd's `-variant`s (`explain --variant mixed`)."""
    setup = setup or ModelSetup()
    options = Options(timeout_s=timeout_s, executions=True, forbidden=True, mapping=mapping,
                      setup=setup)
    return judge(test, [setup.apply(model)], options)[0]


def explain_result(result: ModelResult, wanted: dict[str, str] | None) -> Answer:
    """Find the requested state (or the condition's witness) among `result`'s allowed
    states and forbidden outcomes (judged with executions and forbidden outcomes)."""
    allowed = [(s.bindings, w, e) for s, w, e in zip(
        result.states, result.witnesses, result.executions or [None] * len(result.states),
        strict=True)]
    if wanted is None:
        for bindings, satisfies, execution in allowed:
            if satisfies:
                return Answer(bindings, True, execution, matches=1)
        for outcome in result.forbidden:
            if outcome.satisfies:
                return Answer(outcome.state, False, outcome.execution, outcome, matches=1)
        return Answer(None, None)
    names = {n for b, _, _ in allowed for n, _ in b} | {
        n for f in result.forbidden for n, _ in f.state}
    unknown = sorted(set(wanted) - names)
    if unknown:
        raise StateSyntaxError(
            f"--state: no such location `{unknown[0]}` (the test shows: "
            f"{', '.join(sorted(names))})")
    symbols = {v for b, _, _ in allowed for _, v in b} | {
        v for f in result.forbidden for _, v in f.state}
    symbols = {v for v in symbols if _integer(v) is None}
    wanted = dict(wanted)
    for name, value in wanted.items():
        number = _integer(value)
        if number is not None:
            wanted[name] = str(number)  # herd prints values in decimal
        elif value not in symbols:
            shown = f", or one of: {', '.join(sorted(symbols))}" if symbols else ""
            raise StateSyntaxError(
                f"--state: `{name}={value}`: `{value}` is not a value (a number{shown})")
    found_allowed = [(b, e) for b, _, e in allowed if _agrees(b, wanted)]
    found_forbidden = [f for f in result.forbidden if _agrees(f.state, wanted)]
    count = len(found_allowed) + len(found_forbidden)
    if found_allowed:
        bindings, execution = found_allowed[0]
        return Answer(bindings, True, execution, matches=count)
    if found_forbidden:
        outcome = found_forbidden[0]
        return Answer(outcome.state, False, outcome.execution, outcome, matches=count)
    return Answer(None, None)


def _integer(text: str) -> int | None:
    """`text` as an integer literal (`1`, `-1`, `0x10`), else None."""
    try:
        return int(text, 0)
    except ValueError:
        return None


def _agrees(bindings: Bindings, wanted: dict[str, str]) -> bool:
    values = dict(bindings)
    return all(values.get(name) == value for name, value in wanted.items())


