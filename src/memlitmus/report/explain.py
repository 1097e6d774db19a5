"""`memlitmus explain` in the terminal, with rich: whether a final state is allowed under
a model, and why, in the field's terms.

An allowed state is shown with one execution reaching it (events per thread, then each
base relation's edges and those of the model's relations its checks name); a forbidden
one with the checks every execution reaching it violates and, for one such execution,
the violating cycle (acyclic) or edge (irreflexive, empty), each edge with the relations
containing it and, for a composite edge, a path of base edges it can be read along.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from memlitmus.explain import explain_result
from memlitmus.litmus.ast import LitmusTest
from memlitmus.models import Model
from memlitmus.report.outcomes import (
    edge_name,
    event_names,
    path_text,
    state_text,
    violation_text,
)
from memlitmus.results import ModelResult, Observation, PairError
from memlitmus.witness import Execution, ForbiddenOutcome

__all__ = ["print_execution", "print_explanation"]


def print_explanation(
    test: LitmusTest, model: Model, result: ModelResult | PairError,
    wanted: dict[str, str] | None, console: Console,
) -> int:
    """Print the answer for the state `wanted` (`explain.parse_state`; None: the
    condition's witness) from `result` (`explain.judge_for_explain`); the exit status, as
    `run`'s: 0 when answered, 2 when the model does not judge the test, 3 when the
    answer is Unknown (past the timeout). Raises StateSyntaxError for a `wanted` state
    naming a location the test does not show or a value no state has."""
    header = f"{test.name} under {model.name}"
    if isinstance(result, PairError):  # the model does not judge this architecture
        console.print(f"{header}: [red]error[/] ({result.message})", markup=True)
        return 2
    if result.observation is Observation.UNKNOWN:
        console.print(f"{header}: [magenta]Unknown[/] ({result.unknown_reason})")
        return 3  # as `run`: no verdict
    answer = explain_result(result, wanted)
    if answer.state is None:
        what = "the requested state" if wanted is not None else "no state satisfies the condition"
        bound = " (among the candidates enumerated)" if result.forbidden_bounded else ""
        console.print(f"{header}: {what} is not a candidate outcome{bound}: no execution "
                      "of the program reaches it, whatever the model.")
        return 0
    shown = state_text(answer.state)
    if answer.allowed:
        console.print(Text.assemble(header, ": ", (shown, "bold"), " is ",
                                    ("allowed", "bold green")))
    else:
        console.print(Text.assemble(header, ": ", (shown, "bold"), " is ",
                                    ("forbidden", "bold red")))
    if answer.matches > 1:
        console.print(f"({answer.matches} states match; showing the first)")
    if answer.forbidden is not None:
        _print_forbidden(answer.forbidden, console)
    if answer.execution is not None:
        title = "Witness execution" if answer.allowed else "One execution reaching it"
        print_execution(answer.execution, console, title)
    return 0


def _print_forbidden(outcome: ForbiddenOutcome, console: Console) -> None:
    if outcome.violated:
        console.print("Every execution reaching it violates:")
        for check in outcome.violated:
            console.print(f"  [bold]{check}[/]")
    else:
        console.print("No single check fails in every execution reaching it; this one "
                      "fails only the following (every other check holds):")
    execution = outcome.execution
    if execution is None:
        return
    for v in outcome.violations:
        kind = "cycle" if v.kind == "acyclic" else "edge" if v.edges else "event"
        console.print(f"  {kind} of [bold]{v.check}[/]:")
        console.print(f"    {violation_text(v, execution).split(': ', 1)[1]}")
        names = event_names(execution)
        for edge in v.edges:
            within = ", ".join(edge.relations) or "?"
            console.print(f"      {names[edge.source]} -{edge_name(edge)}-> "
                          f"{names[edge.target]}   [dim](in {within})[/]")
            if edge.via:
                console.print(f"        [dim]{edge_name(edge)} here: "
                              f"{path_text(edge.via, names)}[/]")


def print_execution(execution: Execution, console: Console, title: str) -> None:
    """Events in a table with one column per thread, then the edges of each base relation
    and of the relations the model's checks name (self-loops left out)."""
    threads = sorted({e.thread for e in execution.events if not e.is_init})
    table = Table(title=title, title_justify="left")
    table.add_column("init")
    for t in threads:
        table.add_column(f"P{t}")
    names = event_names(execution)
    columns: list[list[str]] = [[e.label for e in execution.events if e.is_init]]
    for t in threads:
        ordered = sorted((e for e in execution.events if e.thread == t), key=lambda e: e.index)
        columns.append([_event_cell(e.label, e.tags) for e in ordered])
    for row in range(max(len(c) for c in columns)):
        table.add_row(*[c[row] if row < len(c) else "" for c in columns])
    console.print(table)
    checked = [(n, tuple(p for p in execution.model_relations[n] if p[0] != p[1]))
               for n in execution.checked]
    for name, pairs in [*execution.relations.items(), *checked]:
        if pairs:
            console.print(f"  [bold]{name}[/]: " + ", ".join(
                f"{names[a]}->{names[b]}" for a, b in _shown_pairs(name, pairs)))


def _event_cell(label: str, tags: Sequence[str]) -> str:
    shown = [t for t in tags if not label.lower().endswith(t.lower())]
    return f"{label} [dim]{' '.join(shown)}[/]" if shown else label


def _shown_pairs(name: str, pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """po and co as their immediate edges (they are transitive); others as they are."""
    if name not in ("po", "co"):
        return list(pairs)
    return immediate(pairs)


def immediate(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The transitive reduction of a strict order given as all its pairs."""
    succ: dict[int, set[int]] = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
    return [(a, b) for a, b in pairs
            if not any(b in succ.get(c, ()) for c in succ.get(a, ()) if c != b)]
