"""A rich table summarising many verdicts: one row per test × model (or rejected file)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from memlitmus.report.herd import herd_ok
from memlitmus.results import FileError, ModelResult, Observation, PairError

__all__ = ["build_table", "print_table"]

_COLUMNS = ("test", "model", "observation", "verdict", "states", "time", "flags")
_STYLES = {
    Observation.NEVER: "green",
    Observation.SOMETIMES: "yellow",
    Observation.ALWAYS: "cyan",
    Observation.UNKNOWN: "bold magenta",
}


def print_table(
    results: Sequence[ModelResult | PairError | FileError],
    console: Console,
    title: str | None = None,
) -> None:
    """Print the summary table of `results` on `console`."""
    console.print(build_table(results, title))


def build_table(
    results: Sequence[ModelResult | PairError | FileError], title: str | None = None
) -> Table:
    """The summary table of `results`, one row each, in the order given."""
    table = Table(title=title)
    for column in _COLUMNS:
        if column in ("states", "time"):
            table.add_column(column, justify="right")
        else:
            table.add_column(column)
    for result in results:
        table.add_row(*_row(result))
    return table


def _row(result: ModelResult | PairError | FileError) -> tuple[Text | str, ...]:
    """The cells of one row (an error: `error` and the first line of its message, the
    `file:line:col: ...` line, in the verdict column; stderr has the source line too)."""
    if isinstance(result, FileError):
        return (result.file, "-", Text("error", style="bold red"),
                _first_line(result.message), "-", "-", "")
    if isinstance(result, PairError):
        return (_test_cell(result), result.model, Text("error", style="bold red"),
                Text(_first_line(result.message), style="red"), "-", "-", "")
    return (
        _test_cell(result),
        result.model,
        Text(result.observation.value, style=_STYLES[result.observation]),
        _verdict_cell(result),
        _states_cell(result),
        f"{result.time_s:.2f}",
        ", ".join(result.flags),
    )


def _first_line(message: str) -> str:
    return message.split("\n", 1)[0]


def _test_cell(result: ModelResult | PairError) -> str:
    """`file` and, when it differs from the file's stem, the test name."""
    stem = result.file.rsplit("/", 1)[-1].removesuffix(".litmus")
    return result.file if stem == result.test else f"{result.file} ({result.test})"


def _states_cell(result: ModelResult) -> str:
    """The number of final states, or `-` when not listed or the observation is Unknown."""
    if not result.states_listed or result.observation is Observation.UNKNOWN:
        return "-"
    return str(len(result.states))


def _verdict_cell(result: ModelResult) -> Text:
    """herd's Ok/No, or the reason when the observation is Unknown."""
    if result.observation is Observation.UNKNOWN:
        return Text(result.unknown_reason or "unknown", style="magenta")
    ok = herd_ok(result)
    return Text("Ok" if ok else "No", style="green" if ok else "red")
