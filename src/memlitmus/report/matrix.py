"""The cross-model matrix: one row per test, one column per model, disagreements marked.

`memlitmus run litmus/kernel -m sc -m x86tso -m armv8 -m lkmm` prints it: each cell is
the model's Observation; the last column says where the models part ways, in terms of
the final condition's outcome: "forbidden on sc, x86tso; allowed on armv8, lkmm"
(Never = forbidden, Sometimes = allowed, Always = always, Unknown = unknown). A model
that cannot judge a test (a `PairError`) shows `error` in its cell (the message is on
stderr) and takes no part in the comparison; a test every model failed on still has its
row.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from memlitmus.results import ModelResult, Observation, PairError

__all__ = ["build_matrix", "disagreement"]

_WORDS = {
    Observation.NEVER: "forbidden",
    Observation.SOMETIMES: "allowed",
    Observation.ALWAYS: "always",
    Observation.UNKNOWN: "unknown",
}
_STYLES = {
    Observation.NEVER: "green",
    Observation.SOMETIMES: "yellow",
    Observation.ALWAYS: "cyan",
    Observation.UNKNOWN: "bold magenta",
}


def build_matrix(results: Sequence[ModelResult | PairError], title: str | None = None) -> Table:
    """The matrix of `results` (tests in the order first met, models likewise)."""
    models: list[str] = []
    rows: dict[tuple[str, str], dict[str, ModelResult | PairError]] = {}
    for result in results:
        if result.model not in models:
            models.append(result.model)
        rows.setdefault((result.file, result.test), {})[result.model] = result
    table = Table(title=title)
    table.add_column("test")
    for model in models:
        table.add_column(model)
    table.add_column("models disagree")
    for (file, test), by_model in rows.items():
        stem = file.rsplit("/", 1)[-1].removesuffix(".litmus")
        name = file if stem == test else f"{file} ({test})"
        cells: list[Text | str] = [name]
        for model in models:
            found = by_model.get(model)
            if found is None:
                cells.append("-")
            elif isinstance(found, PairError):
                cells.append(Text("error", style="bold red"))
            else:
                cells.append(Text(found.observation.value, style=_STYLES[found.observation]))
        mark = disagreement([r for m in models if isinstance(r := by_model.get(m), ModelResult)])
        cells.append(Text(mark, style="bold red") if mark else "")
        table.add_row(*cells)
    return table


def disagreement(results: Sequence[ModelResult]) -> str:
    """"forbidden on sc, x86tso; allowed on armv8" when the models' observations differ,
    else the empty string."""
    groups: dict[Observation, list[str]] = {}
    for result in results:
        groups.setdefault(result.observation, []).append(result.model)
    if len(groups) < 2:
        return ""
    order = [Observation.NEVER, Observation.SOMETIMES, Observation.ALWAYS,
             Observation.UNKNOWN]
    return "; ".join(f"{_WORDS[obs]} on {', '.join(groups[obs])}"
                     for obs in order if obs in groups)
