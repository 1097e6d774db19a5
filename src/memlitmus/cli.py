"""The `memlitmus` command: judge litmus files under memory models, list the models."""

from __future__ import annotations

import argparse
import math
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console

from memlitmus import __version__
from memlitmus.arch.registry import default_model_for
from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import SHIPPED, Model, resolve
from memlitmus.report.herd import format_herd
from memlitmus.report.json import format_json
from memlitmus.report.table import print_table
from memlitmus.results import FileError, ModelResult

EXIT_OK, EXIT_INTERNAL, EXIT_REJECTED = 0, 1, 2
# The reader closed the pipe (`memlitmus run ... | head`): as a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + 13


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    try:
        status = _list_models() if args.command == "models" else _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the flush at exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


class _Console(Console):
    """rich's Console, but a closed pipe is left to `main` (rich exits with status 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type of --timeout)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memlitmus", description="Judge litmus tests under weak memory models."
    )
    parser.add_argument("--version", action="version", version=f"memlitmus {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="judge litmus files (directories: every .litmus below)")
    run.add_argument("paths", nargs="+", help="litmus files or directories")
    run.add_argument("-m", "--model", action="append", default=[],
                     help="model name or .cat file (repeatable); default: the arch's model")
    run.add_argument("--cat", action="append", default=[], help="a user's .cat model file")
    run.add_argument("-f", "--format", choices=("table", "herd", "json"), default="table")
    run.add_argument("--verdict-only", action="store_true",
                     help="decide the Observation with two solver calls, list no states")
    run.add_argument("--timeout", type=_seconds, default=None, metavar="S",
                     help="seconds of solving per test and model; past it the verdict is Unknown")
    run.add_argument("--count", action="store_true",
                     help="count executions (herd's Positive/Negative), slower")
    sub.add_parser("models", help="list the shipped models")
    return parser


def _list_models() -> int:
    console = _Console()
    for info in SHIPPED:
        aliases = f" (aliases: {', '.join(info.aliases)})" if info.aliases else ""
        console.print(f"[bold]{info.name}[/bold]{aliases}: {info.description}")
    return EXIT_OK


def litmus_files(paths: Sequence[str]) -> Iterator[str]:
    """Files as given, and every `.litmus` file below each directory, sorted."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from (str(p) for p in sorted(path.rglob("*.litmus")) if p.is_file())
        else:
            yield raw


def _run(args: argparse.Namespace) -> int:
    options = Options(verdict_only=args.verdict_only, timeout_s=args.timeout, count=args.count)
    try:
        explicit = [resolve(m) for m in [*args.model, *args.cat]]
    except MemlitmusError as err:
        print(f"memlitmus: {err.render()}", file=sys.stderr)
        return EXIT_REJECTED
    # Off a terminal rich assumes 80 columns and would cut file names: give it room.
    console = _Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    results: list[ModelResult | FileError] = []
    status = EXIT_OK
    for file in litmus_files(args.paths):
        outcome = _judge_file(file, explicit, options)
        if isinstance(outcome, FileError):
            print(outcome.message, file=sys.stderr)
            status = max(status, EXIT_REJECTED if outcome.internal is False else EXIT_INTERNAL)
            outcome_list: list[ModelResult | FileError] = [outcome]
        else:
            outcome_list = list(outcome)
        _emit(args.format, outcome_list)
        results.extend(outcome_list)
    if args.format == "table":
        print_table([r for r in results if isinstance(r, ModelResult)], console)
    return status


def _judge_file(
    file: str, explicit: list[Model], options: Options
) -> list[ModelResult] | FileError:
    try:
        try:
            test = load_litmus(file)
        except OSError as err:  # missing, unreadable, a directory...
            return FileError(file, f"{file}: cannot read: {err.strerror or err}")
        models = explicit or [resolve(default_model_for(test.arch))]
        return judge(test, models, options)
    except MemlitmusError as err:
        return FileError(file, err.render())
    except Exception:  # noqa: BLE001 — one broken file must not stop a suite
        return FileError(file, f"{file}: internal error\n{traceback.format_exc()}",
                         internal=True)


def _emit(fmt: str, outcomes: list[ModelResult | FileError]) -> None:
    for outcome in outcomes:
        if fmt == "json":
            print(format_json(outcome), flush=False)
        elif fmt == "herd" and isinstance(outcome, ModelResult):
            print(format_herd(outcome), end="")


if __name__ == "__main__":
    sys.exit(main())
