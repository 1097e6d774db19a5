"""The cross-model matrix: one row per test, one column per model, disagreements marked.

`memlitmus run litmus/kernel -m sc -m x86tso -m armv8 -m lkmm` prints it: each cell is
the model's Observation; the last column says where the models part ways, in terms of
the final condition's outcome: "forbidden on sc, x86tso; allowed on armv8, lkmm"
(Never = forbidden, Sometimes = allowed, Always = always, Unknown = unknown). A model's
flags (the LKMM's `data-race`, ...: the cat model's `flag` checks that hold in some
execution, as herd prints them) show in its cell, `Sometimes [data-race]`, and a flag
difference is a disagreement: "allowed on x86tso; allowed [data-race] on lkmm" — except a
flag that states the model's own assumption, named `Assuming-…` by herd's convention
(aarch64fences.cat's `Assuming-common-inner-shareable-domain`, raised by every DMB ISH):
it says nothing about the test, and would mark every arm64 row. A model
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
    # a narrow terminal folds the name over lines: cut, names that differ only at their
    # end would look alike
    table.add_column("test", overflow="fold")
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
                cells.append(Text(_verdict(found.observation.value, found.flags),
                                  style=_STYLES[found.observation]))
        mark = disagreement([r for m in models if isinstance(r := by_model.get(m), ModelResult)])
        cells.append(Text(mark, style="bold red") if mark else "")
        table.add_row(*cells)
    return table


def disagreement(results: Sequence[ModelResult]) -> str:
    """"forbidden on sc, x86tso; allowed on armv8" when the models' observations or flags
    differ ("allowed on x86tso; allowed [data-race] on lkmm"), else the empty string."""
    groups: dict[tuple[Observation, tuple[str, ...]], list[str]] = {}
    for result in results:
        flags = tuple(f for f in result.flags if not f.startswith(_ASSUMPTION))
        groups.setdefault((result.observation, flags), []).append(result.model)
    if len(groups) < 2:
        return ""
    order = [Observation.NEVER, Observation.SOMETIMES, Observation.ALWAYS,
             Observation.UNKNOWN]
    keys = sorted(groups, key=lambda k: (order.index(k[0]), k[1]))
    return "; ".join(f"{_verdict(_WORDS[obs], flags)} on {', '.join(groups[obs, flags])}"
                     for obs, flags in keys)


_ASSUMPTION = "Assuming-"  # herd's prefix for a flag on the model's own assumption


def _verdict(word: str, flags: Sequence[str]) -> str:
    """`word`, then the flags in brackets: `Sometimes [data-race]`."""
    return f"{word} [{', '.join(flags)}]" if flags else word
