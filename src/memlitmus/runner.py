"""Judge many litmus files and print their results: shared by `memlitmus run` and `memlitmus
herd7`.

Every (file, model) pair gets an output: a verdict, or an error that names why the model
cannot judge the file (`PairError`: a row of the table or `error` in JSON, and its
message on stderr; herd7's `Warning:` line on stderr under `-f herd`). A file no model
can read (`FileError`) goes to stderr. Whenever the status is 2, stderr says why. Every
error line on stderr starts with `memlitmus: ` (`error_line`), herd's `Warning:` lines
under `-f herd` apart. Exit status (`exit_status`): 0 when every pair has a verdict, 3
when some pair has none (Unknown: past `--timeout` or `--max-memory`), 2 when an input or
a pair was rejected, 1 for an internal error; the first of 1, 2, 3 that applies wins.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rich.console import Console

from memlitmus.errors import MemlitmusError, error_line, has_position
from memlitmus.models import ModelSetup
from memlitmus.options import Options
from memlitmus.report.herd import (
    format_herd,
    herd_file_warning,
    herd_warning,
    herd_wording,
)
from memlitmus.report.json import format_json
from memlitmus.report.matrix import build_matrix
from memlitmus.report.outcomes import forbidden_lines, format_json_outcomes
from memlitmus.report.table import print_table
from memlitmus.results import FileError, ModelResult, Observation, PairError
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB, Judge

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_UNKNOWN",
    "QuietPipeConsole",
    "exit_status",
    "litmus_files",
    "run_files",
    "seconds",
    "silence_stdout",
    "model_specs",
]

EXIT_OK, EXIT_INTERNAL, EXIT_REJECTED, EXIT_UNKNOWN = 0, 1, 2, 3
# How bad each status is: a bug, then a rejected input, then a pair with no verdict.
_SEVERITY = {EXIT_OK: 0, EXIT_UNKNOWN: 1, EXIT_REJECTED: 2, EXIT_INTERNAL: 3}
# The reader closed the pipe (`memlitmus run ... | head`): as a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + 13
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C, as a shell reports a process killed by SIGINT

Outcome = ModelResult | PairError | FileError


class QuietPipeConsole(Console):
    """rich's Console, but a closed pipe is left to the caller (rich exits with status 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def silence_stdout() -> None:
    """Point stdout at /dev/null so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def exit_status(statuses: Iterable[int]) -> int:
    """The status of a run from its parts': internal error (1) before rejected input (2)
    before a pair left Unknown (3) before success (0)."""
    return max(statuses, key=lambda status: _SEVERITY.get(status, 0), default=EXIT_OK)


def seconds(text: str) -> float:
    """A positive, finite number of seconds (the argparse type of `--timeout`)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def litmus_files(paths: Sequence[str]) -> Iterator[str | FileError]:
    """Files as given, and every `.litmus` file below each directory, sorted; a
    directory with no `.litmus` file below it is an error."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [str(p) for p in sorted(path.rglob("*.litmus")) if p.is_file()]
            if not found:
                yield FileError(raw, f"{raw}: no .litmus file in this directory")
            yield from found
        else:
            yield raw


def model_specs(setup: ModelSetup, specs: Iterable[str]) -> list[str]:
    """The models to judge with, each once (`-m tso -m x86` names one model twice), as
    the specs the judging worker resolves: a shipped model's name, a user's file's path.

    Raises MemlitmusError for an unknown name or a `.cat` path that does not exist: the
    run cannot start. A user's cat file that exists but does not read (a syntax error) is
    kept: each of its pairs gets that error, `file:line:col` in the cat file, while the
    other models are judged, as for a cat file naming an unknown identifier.
    """
    seen: set[str] = set()
    kept = []
    for spec in specs:
        try:
            key = setup.resolve(spec).spec
        except MemlitmusError:
            if not Path(spec).is_file():
                raise
            key = str(Path(spec).resolve())
        if key not in seen:
            seen.add(key)
            kept.append(key)
    return kept


def run_files(
    paths: Sequence[str], specs: Sequence[str], fmt: str, options: Options,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
) -> int:
    """Judge every file under the models `specs` names (`model_specs`; none: each file's
    default model) in a worker process (`worker.Judge`), print the results as `fmt`, and
    return the exit status."""
    # Off a terminal rich assumes 80 columns and would cut file names: give it room.
    console = QuietPipeConsole(highlight=False, width=None if sys.stdout.isatty() else 160)
    rows: list[ModelResult | PairError] = []
    statuses = [EXIT_OK]
    with Judge(options, max_memory_mb) as judge:
        for file in litmus_files(paths):
            outcome = file if isinstance(file, FileError) else judge.judge_file(file, specs)
            outcomes: list[Outcome] = [outcome] if isinstance(outcome, FileError) else [
                *outcome]
            for one in outcomes:
                if isinstance(one, FileError):
                    # herd7's format: an error herd words its own way is herd's warning
                    # line (the kernel's judgelitmus.sh reads `Unknown macro NAME`)
                    herds = fmt == "herd" and herd_wording(one.message) != one.message
                    line = (herd_file_warning(one.file, one.message) if herds
                            else error_line(one.message))
                    print(line, file=sys.stderr)
                    statuses.append(EXIT_INTERNAL if one.internal else EXIT_REJECTED)
                    continue
                rows.append(one)
                if isinstance(one, PairError):
                    statuses.append(EXIT_REJECTED)
                elif one.observation is Observation.UNKNOWN:
                    statuses.append(EXIT_UNKNOWN)
            _emit(fmt, outcomes, options)
    if fmt == "table" and rows:  # no empty table when every file failed
        print_table(rows, console)
    elif fmt == "matrix" and rows:
        matrix = build_matrix(rows)
        if not sys.stdout.isatty():  # off a terminal: as wide as the full names need
            console.width = max(160, Console(width=100_000).measure(matrix).maximum)
        console.print(matrix)
    return exit_status(statuses)


def _emit(fmt: str, outcomes: list[Outcome], options: Options) -> None:
    extra = options.executions or options.forbidden
    for outcome in outcomes:
        if fmt == "json" and extra and not isinstance(outcome, PairError):
            print(format_json_outcomes(outcome, executions=options.executions,
                                       forbidden=options.forbidden))
        elif fmt == "json":
            print(format_json(outcome), flush=False)
        elif fmt == "herd" and isinstance(outcome, ModelResult):
            print(format_herd(outcome), end="")
        if fmt != "json" and options.forbidden and isinstance(outcome, ModelResult):
            for line in forbidden_lines(outcome):
                print(line)
        if isinstance(outcome, PairError):
            sys.stdout.flush()  # keep the order of stdout and stderr lines
            print(herd_warning(outcome) if fmt == "herd" else _pair_line(outcome),
                  file=sys.stderr)


def _pair_line(error: PairError) -> str:
    """A pair's error on stderr: its message, which names a position (`SB.litmus:1:1:`,
    `deep.cat:2:16:`), else prefixed with the test file."""
    if has_position(error.message):
        return error_line(error.message)
    return error_line(f"{error.file}: {error.message}")
