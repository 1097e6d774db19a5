"""What a suite run shows and writes: progress, a summary table, JUnit XML, JSON, and the
expectation TSV of `suite --update`."""

from __future__ import annotations

import csv
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from memlitmus.suite.expectations import read_tsv
from memlitmus.suite.runner import Status, SuiteRun, TestRun

__all__ = ["plain_line", "progress_reporter", "summary_table", "write_json", "write_junit",
           "write_tsv"]

_STYLE = {Status.PASS: "green", Status.FAIL: "red", Status.UNKNOWN: "yellow",
          Status.ERROR: "magenta"}


def plain_line(run: TestRun) -> str:
    """`PASS file model Observation [cached] [-- reason; reason]`, one per test × model."""
    parts = [run.status.name, run.file, run.model, run.observation]
    if run.cached:
        parts.append("(cached)")
    line = " ".join(parts)
    return f"{line} -- {'; '.join(run.reasons)}" if run.reasons else line


@contextmanager
def progress_reporter(
    console: Console, total: int, rich: bool
) -> Iterator[Any]:
    """A callback for `run_suite(progress=...)`: a rich bar with counts and ETA when
    `rich`, else one plain line per test × model.  Non-passing ones are printed above
    the bar as they come."""
    if not rich:
        def plain(run: TestRun) -> None:
            console.print(plain_line(run), markup=False, highlight=False, soft_wrap=True)
        yield plain
        return
    counts: Counter[Status] = Counter()
    columns = (
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("suite", total=total, counts="")

        def update(run: TestRun) -> None:
            counts[run.status] += 1
            if run.status is not Status.PASS:
                bar.console.print(plain_line(run), style=_STYLE[run.status], markup=False,
                                  highlight=False, soft_wrap=True)
            text = " ".join(f"[{_STYLE[s]}]{counts[s]} {s.value}[/]" for s in Status
                            if counts[s])
            bar.update(task, advance=1, counts=text)
        yield update


def summary_table(suite: SuiteRun, skipped: int, limit: int = 50) -> Group:
    """The non-passing tests (up to `limit`), the counts per status, and the run's line."""
    parts: list[RenderableType] = []
    bad = [r for r in suite.runs if r.status is not Status.PASS]
    if bad:
        failures = Table(title="not passing")
        for column in ("status", "file", "model", "observation", "why"):
            failures.add_column(column)
        for run in bad[:limit]:
            failures.add_row(f"[{_STYLE[run.status]}]{run.status.name}[/]", run.file,
                             run.model, run.observation, "; ".join(run.reasons))
        if len(bad) > limit:
            failures.add_row("…", f"{len(bad) - limit} more (see --json/--junit)", "", "", "")
        parts.append(failures)
    counts = Table(title="memlitmus suite")
    counts.add_column("status")
    counts.add_column("test×model", justify="right")
    for status in Status:
        counts.add_row(f"[{_STYLE[status]}]{status.value}[/]", str(suite.count(status)))
    counts.add_row("total", str(len(suite.runs)))
    parts.append(counts)
    parts.append(
        f"{skipped} files without expectation skipped; {suite.cache_hits} test×model "
        f"from the cache, {suite.judged} judged; {suite.wall_s:.1f} s"
    )
    return Group(*parts)


def _record(run: TestRun) -> dict[str, Any]:
    return {
        "file": run.file, "model": run.model, "status": run.status.value,
        "observation": run.observation, "reasons": list(run.reasons),
        "flags": list(run.result.flags) if run.result is not None else [],
        "states": len(run.result.states) if run.result is not None else None,
        "cached": run.cached, "time_s": round(run.time_s, 3),
    }


def write_json(suite: SuiteRun, path: Path, skipped: int) -> None:
    """The run as one JSON document: `summary` (counts, wall time, cache hits) and
    `tests` (one object per test × model, in suite order)."""
    summary: dict[str, Any] = {s.value: suite.count(s) for s in Status}
    summary.update(total=len(suite.runs), skipped_files=skipped, cache_hits=suite.cache_hits,
                   judged=suite.judged, wall_s=round(suite.wall_s, 3))
    document = {"summary": summary, "tests": [_record(r) for r in suite.runs]}
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def write_junit(suite: SuiteRun, path: Path) -> None:
    """JUnit XML as CI servers read it: one `testcase` per test × model; FAIL and
    UNKNOWN are `failure`s (type `fail`/`unknown`), ERROR an `error`."""
    root = ET.Element("testsuites")
    cases = ET.SubElement(root, "testsuite", {
        "name": "memlitmus", "tests": str(len(suite.runs)),
        "failures": str(suite.count(Status.FAIL) + suite.count(Status.UNKNOWN)),
        "errors": str(suite.count(Status.ERROR)), "time": f"{suite.wall_s:.3f}",
    })
    for run in suite.runs:
        case = ET.SubElement(cases, "testcase", {
            "classname": os.path.dirname(run.file).replace(os.sep, ".") or ".",
            "name": f"{os.path.basename(run.file)} [{run.model}]",
            "time": f"{run.time_s:.3f}",
        })
        message = "; ".join(run.reasons)
        if run.status in (Status.FAIL, Status.UNKNOWN):
            ET.SubElement(case, "failure", {"type": run.status.value, "message": message})
        elif run.status is Status.ERROR:
            error = ET.SubElement(case, "error", {"message": message})
            error.text = run.error.message if run.error is not None else message
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


_TSV_COLUMNS = ("file", "model", "observation", "flags", "states")


def write_tsv(suite: SuiteRun, path: Path) -> int:
    """Merge the run's verdicts into the expectation TSV at `path` (rows of other tests
    kept; Unknown and errors not written; `*` for states not listed under --verdict-only);
    returns the number of rows written."""
    base = path.parent.resolve()
    rows: dict[tuple[str, str], dict[str, str]] = {}
    if path.is_file():
        for test, kept in read_tsv(path).items():
            for row in kept:
                rows[(_relative(test, base), row.model or "")] = {
                    "observation": row.observation,
                    "flags": ",".join(sorted(row.flags or ())),
                    "states": "*" if row.states is None else " | ".join(sorted(row.states)),
                }
    for run in suite.runs:
        if run.result is None or run.status is Status.UNKNOWN:
            continue
        rows[(_relative(Path(run.file).resolve(), base), run.model)] = {
            "observation": run.result.observation.value,
            "flags": ",".join(sorted(run.result.flags)),
            "states": (" | ".join(s.herd_line() for s in run.result.states)
                       if run.result.states_listed else "*"),
        }
    with path.open("w", newline="", encoding="utf-8") as handle:
        _write_rows(handle, rows)
    return len(rows)


def _write_rows(handle: TextIO, rows: dict[tuple[str, str], dict[str, str]]) -> None:
    writer = csv.writer(handle, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
    writer.writerow(_TSV_COLUMNS)
    for (file, model), row in sorted(rows.items()):
        writer.writerow([file, model, row["observation"], row["flags"], row["states"]])


def _relative(test: Path, base: Path) -> str:
    return os.path.relpath(test, base)
