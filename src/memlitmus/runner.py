"""Judge many litmus files and print their results: shared by `memlitmus run` and `memlitmus
herd7`.

Every (file, model) pair gets an output: a verdict, or an error that names why the model
cannot judge the file (`PairError`: a row of the table or `error` in JSON, and its
message on stderr; herd7's `Warning:` line on stderr under `-f herd`). A file no model
can read (`FileError`) goes to stderr. Whenever the status is 2, stderr says why. Exit
status: 0 when every pair has a verdict, 2 when an input or a pair was rejected, 1 for an
internal error.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rich.console import Console

from memlitmus.judge import Options
from memlitmus.models import Model
from memlitmus.report.herd import format_herd, herd_warning
from memlitmus.report.json import format_json
from memlitmus.report.matrix import build_matrix
from memlitmus.report.outcomes import forbidden_lines, format_json_outcomes
from memlitmus.report.table import print_table
from memlitmus.results import FileError, ModelResult, PairError
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB, Judge

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "QuietPipeConsole",
    "litmus_files",
    "run_files",
    "seconds",
    "silence_stdout",
    "unique_models",
]

EXIT_OK, EXIT_INTERNAL, EXIT_REJECTED = 0, 1, 2
# The reader closed the pipe (`memlitmus run ... | head`): as a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + 13
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C, as a shell reports a process killed by SIGINT

Outcome = ModelResult | PairError | FileError
_POSITION = re.compile(r"[^\s:]+:\d+:\d+: ")


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


def unique_models(models: Iterable[Model]) -> list[Model]:
    """The models in order, each once (`-m tso -m x86` names one model twice): a model
    is known by its `spec`, the shipped name or the user's file path whatever name found it.
    """
    seen: set[str] = set()
    kept = []
    for model in models:
        if model.spec not in seen:
            seen.add(model.spec)
            kept.append(model)
    return kept


def run_files(
    paths: Sequence[str], models: Sequence[Model], fmt: str, options: Options,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
) -> int:
    """Judge every file under `models` (none: each file's default model) in a worker
    process (`worker.Judge`), print the results as `fmt`, and return the exit status."""
    specs = [model.spec for model in models]
    # Off a terminal rich assumes 80 columns and would cut file names: give it room.
    console = QuietPipeConsole(highlight=False, width=None if sys.stdout.isatty() else 160)
    rows: list[ModelResult | PairError] = []
    status = EXIT_OK
    with Judge(options, max_memory_mb) as judge:
        for file in litmus_files(paths):
            outcome = file if isinstance(file, FileError) else judge.judge_file(file, specs)
            outcomes: list[Outcome] = [outcome] if isinstance(outcome, FileError) else [
                *outcome]
            for one in outcomes:
                if isinstance(one, FileError):
                    print(one.message, file=sys.stderr)
                    status = max(status, EXIT_INTERNAL if one.internal else EXIT_REJECTED)
                elif isinstance(one, PairError):
                    status = max(status, EXIT_REJECTED)
                    rows.append(one)
                else:
                    rows.append(one)
            _emit(fmt, outcomes, options)
    judged = [r for r in rows if isinstance(r, ModelResult)]
    if fmt == "table" and rows:  # no empty table when every file failed
        print_table(rows, console)
    elif fmt == "matrix" and judged:  # a pair's error is on stderr
        console.print(build_matrix(judged))
    return status


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
    """A pair's error on stderr: its message as is when it names a position already
    (`deep.cat:2:16: ...`), else prefixed with the test file."""
    if _POSITION.match(error.message):
        return error.message
    return f"{error.file}: {error.message}"
