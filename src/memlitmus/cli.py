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

from memlitmus import __version__, cli_suite
from memlitmus.arch.kernel_macros import read_macros
from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.cat import load_cat
from memlitmus.errors import MemlitmusError, ModelError
from memlitmus.herd_config import HerdConfig, read_config
from memlitmus.judge import Options
from memlitmus.kernel.lowering import known_mappings
from memlitmus.kernel.printer import lower
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import SHIPPED, ModelSetup
from memlitmus.outcome_commands import COMMANDS, add_outcome_commands
from memlitmus.report.herd import format_herd
from memlitmus.report.json import format_json
from memlitmus.report.matrix import build_matrix
from memlitmus.report.outcomes import forbidden_lines, format_json_outcomes
from memlitmus.report.table import print_table
from memlitmus.results import FileError, ModelResult
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB, Judge

EXIT_OK, EXIT_INTERNAL, EXIT_REJECTED = 0, 1, 2
# The reader closed the pipe (`memlitmus run ... | head`): as a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + 13
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C, as a shell reports a process killed by SIGINT


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "suite":
            status = cli_suite.run(args)
        elif args.command == "models":
            status = _list_models()
        elif args.command == "lower":
            status = _lower(args)
        elif args.command in COMMANDS:
            status = COMMANDS[args.command](args)
        else:
            status = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the flush at exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("memlitmus: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


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


_UNITS = {"": 1, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}


def _megabytes(text: str) -> int:
    """A memory size in megabytes: `4096`, `512M`, `8G`, `8GB` (argparse type)."""
    spelled = text.strip().lower().removesuffix("b").removesuffix("i")
    unit = spelled[-1:] if spelled[-1:].isalpha() else ""
    try:
        value = float(spelled[: len(spelled) - len(unit)]) * _UNITS[unit]
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a memory size: {text!r}") from None
    if not (math.isfinite(value) and value >= 64):
        raise argparse.ArgumentTypeError(f"must be at least 64 MB: {text!r}")
    return int(value)


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
    run.add_argument("-f", "--format", choices=("table", "matrix", "herd", "json"),
                     default=None, help="default: a table, or with several models the "
                     "matrix (one row per test, one column per model, disagreements marked)")
    run.add_argument("--mapping", default=None, metavar="MAPPING",
                     help="kernel mapping for C tests on hardware models, in place of the "
                     f"default one (known: {', '.join(known_mappings())})")
    run.add_argument("--verdict-only", action="store_true",
                     help="decide the Observation with two solver calls, list no states")
    run.add_argument("--timeout", type=_seconds, default=None, metavar="S",
                     help="seconds per test and model, reading and encoding included; "
                          "past it the verdict is Unknown")
    run.add_argument("--max-memory", type=_megabytes, default=DEFAULT_MAX_MEMORY_MB,
                     metavar="SIZE",
                     help="memory per test (MB, or with a unit: 512M, 8G); past it the "
                          f"verdict is Unknown (default {DEFAULT_MAX_MEMORY_MB} MB)")
    run.add_argument("--count", action="store_true",
                     help="count executions (herd's Positive/Negative), slower")
    run.add_argument("--executions", action="store_true",
                     help="keep one witness execution per final state (JSON `executions`)")
    run.add_argument("--forbidden", action="store_true",
                     help="list the candidate outcomes each model forbids, with the checks "
                          "they violate and a cycle (bounded)")
    herd = run.add_argument_group("herd's model options")
    herd.add_argument("-I", dest="include", action="append", default=[], type=Path,
                      metavar="DIR", help="a folder to look for included cat files in")
    herd.add_argument("--conf", "-conf", type=Path, metavar="FILE.cfg",
                      help="a herd configuration: its model, bell, macros and variant keys")
    herd.add_argument("--bell", "-bell", type=Path, metavar="FILE",
                      help="a bell file, run before the model")
    herd.add_argument("--macros", "-macros", type=Path, metavar="FILE.def",
                      help="kernel primitives for C tests, in place of the built-in table")
    herd.add_argument("--variant", "-variant", action="append", default=[], metavar="NAME",
                      help="enable a model variant (`if \"NAME\"` in cat files)")
    sub.add_parser("models", help="list the shipped models")
    cli_suite.add_parser(sub, _seconds, _megabytes)
    add_outcome_commands(sub)
    low = sub.add_parser("lower", help="print a C test as the X86_64 or AArch64 litmus test "
                         "the kernel's mapping makes of it")
    low.add_argument("path", help="a C litmus file")
    low.add_argument("--arch", required=True, help="x86 or arm64")
    low.add_argument("--mapping", default=None, help="another table of that architecture "
                     "(arm64-llsc)")
    return parser


def _list_models() -> int:
    console = _Console()
    for info in SHIPPED:
        aliases = f" (aliases: {', '.join(info.aliases)})" if info.aliases else ""
        console.print(f"[bold]{info.name}[/bold]{aliases}: {info.description}")
    return EXIT_OK


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


def _run(args: argparse.Namespace) -> int:
    specs = [*args.model, *args.cat]
    try:
        setup, macros, conf_model = _herd_setup(args)
        if not specs and conf_model is not None:
            specs = [conf_model]
        for spec in specs:  # an unknown model or a broken cat file stops the run here
            setup.resolve(spec)
        if args.mapping is not None and args.mapping not in known_mappings():
            raise ModelError(f"unknown kernel mapping `{args.mapping}` "
                             f"(known: {', '.join(known_mappings())})")
    except MemlitmusError as err:
        print(f"memlitmus: {err.render()}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception:  # noqa: BLE001 — a bug reading a model: exit 1, as for a test
        print(f"memlitmus: internal error\n{traceback.format_exc()}", file=sys.stderr)
        return EXIT_INTERNAL
    options = Options(verdict_only=args.verdict_only, timeout_s=args.timeout, count=args.count,
                      macros=macros, setup=setup, executions=args.executions,
                      forbidden=args.forbidden, mapping=args.mapping)
    if args.format is None:
        args.format = "matrix" if len(specs) > 1 else "table"
    # Off a terminal rich assumes 80 columns and would cut file names: give it room.
    console = _Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    results: list[ModelResult | FileError] = []
    status = EXIT_OK
    with Judge(options, args.max_memory) as judge:
        for file in litmus_files(args.paths):
            outcome = file if isinstance(file, FileError) else judge.judge_file(file, specs)
            if isinstance(outcome, FileError):
                print(outcome.message, file=sys.stderr)
                status = max(status, EXIT_INTERNAL if outcome.internal else EXIT_REJECTED)
                outcome_list: list[ModelResult | FileError] = [outcome]
            else:
                outcome_list = list(outcome)
            _emit(args, outcome_list)
            results.extend(outcome_list)
    judged = [r for r in results if isinstance(r, ModelResult)]
    if args.format == "table" and judged:  # no empty table when every file failed
        print_table(judged, console)
    elif args.format == "matrix" and judged:
        console.print(build_matrix(judged))
    return status


def _herd_setup(
    args: argparse.Namespace,
) -> tuple[ModelSetup, dict[str, Primitive] | None, str | None]:
    """herd's `-I`, `-conf`, `-bell`, `-variant` and `-macros`: how to load every model,
    the kernel primitives (None: built-in), and the configuration's model. As in herd, a
    model on the command line wins over the configuration's `model` key, and a
    command-line bell or macro file over the configuration's."""
    conf = read_config(args.conf, args.include) if args.conf is not None else HerdConfig()
    bell_path = args.bell or conf.bell
    macros_path = args.macros or conf.macros
    setup = ModelSetup(
        tuple(args.include),
        load_cat(bell_path, args.include) if bell_path is not None else None,
        frozenset((*conf.variants, *args.variant)),
    )
    macros = read_macros(macros_path) if macros_path is not None else None
    return setup, macros, None if conf.model is None else str(conf.model)


def _lower(args: argparse.Namespace) -> int:
    """`memlitmus lower FILE --arch x86|arm64 [--mapping M]`: print the lowered test."""
    try:
        try:
            test = load_litmus(args.path)
        except OSError as err:
            print(f"{args.path}: cannot read: {err.strerror or err}", file=sys.stderr)
            return EXIT_REJECTED
        print(lower(test, args.arch, args.mapping), end="")
    except MemlitmusError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _emit(args: argparse.Namespace, outcomes: list[ModelResult | FileError]) -> None:
    fmt = args.format
    for outcome in outcomes:
        if fmt == "json" and (args.executions or args.forbidden):
            print(format_json_outcomes(
                outcome, executions=args.executions, forbidden=args.forbidden))
        elif fmt == "json":
            print(format_json(outcome), flush=False)
        elif fmt == "herd" and isinstance(outcome, ModelResult):
            print(format_herd(outcome), end="")
        if fmt != "json" and args.forbidden and isinstance(outcome, ModelResult):
            for line in forbidden_lines(outcome):
                print(line)


if __name__ == "__main__":
    sys.exit(main())
