"""The `memlitmus` command: judge litmus files under memory models, list the models.

`run` takes our options and herd7's spellings beside them (`-model NAME|FILE.cat`,
`-conf FILE.cfg`, `-I`, `-bell`, `-macros`, `-variant`, `-speedcheck fast`, `-timeout S`);
`herd7` takes herd7's own command line and prints herd7's text (`herd_cli`). The judging
loop is `runner`'s.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path

from memlitmus import __version__, cli_suite, herd_cli
from memlitmus.arch.kernel_macros import read_macros
from memlitmus.cli_options import add_herd_model_options
from memlitmus.errors import MemlitmusError, error_line
from memlitmus.herd_config import herd_setup
from memlitmus.kernel.lowering import known_mappings
from memlitmus.kernel.printer import lower
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import SHIPPED, other_names
from memlitmus.options import Options
from memlitmus.outcome_commands import COMMANDS, add_outcome_commands
from memlitmus.runner import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    QuietPipeConsole,
    model_specs,
    run_files,
    seconds,
    silence_stdout,
)
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["herd7"]:
            status = herd_cli.main(argv[1:])
        else:
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
        silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(error_line("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


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
    run.add_argument("-m", "--model", "-model", "--cat", dest="models", action="append",
                     default=[], metavar="MODEL",
                     help="model name, herd7 file name (x86tso.cat) or .cat file "
                          "(repeatable); default: the architecture's model")
    run.add_argument("-f", "--format", choices=("table", "matrix", "herd", "json"),
                     default=None, help="default: a table, or with several models the "
                     "matrix (one row per test, one column per model, disagreements marked)")
    run.add_argument("--mapping", default=None, metavar="MAPPING",
                     help="kernel mapping for C tests on hardware models, in place of the "
                     f"default one (known: {', '.join(known_mappings())})")
    run.add_argument("--verdict-only", action="store_true",
                     help="decide the Observation with two solver calls, list no states")
    run.add_argument("-speedcheck", choices=("fast", "true", "false"), default=None,
                     help="herd7's spelling: fast or true is --verdict-only")
    run.add_argument("--timeout", "-timeout", type=seconds, default=None, metavar="S",
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
    add_herd_model_options(run)
    sub.add_parser("models", help="list the shipped models, their names and what they judge")
    sub.add_parser("herd7", add_help=False,
                   help="herd7's command line (memlitmus herd7 [herd7 options] FILE...)")
    cli_suite.add_parser(sub, seconds, _megabytes)
    add_outcome_commands(sub)
    low = sub.add_parser("lower", help="print a C test as the X86_64 or AArch64 litmus test "
                         "the kernel's mapping makes of it")
    low.add_argument("path", help="a C litmus file")
    low.add_argument("--arch", required=True, help="x86 or arm64")
    low.add_argument("--mapping", default=None, help="another table of that architecture "
                     "(arm64-llsc)")
    low.add_argument("--macros", "-macros", type=Path, default=None, metavar="FILE.def",
                     help="herd's kernel macro file: the C test's primitives")
    return parser


def _list_models() -> int:
    console = QuietPipeConsole(highlight=False)
    width = min(console.width, 100)
    for info in SHIPPED:
        judges = ", ".join(sorted(info.judges)) if info.judges else "every architecture"
        lines = [
            f"{info.name}: {info.description}",
            f"names: {', '.join((info.name, *other_names(info)))}",
            f"judges: {judges}",
        ]
        for number, line in enumerate(lines):
            indent = "" if number == 0 else "    "
            console.print(textwrap.fill(line, width, initial_indent=indent,
                                        subsequent_indent=indent + "    "),
                          markup=False)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    try:  # an unknown model, a missing cat file, a bad -conf/-bell/-macros stop the run
        herd = herd_setup(args.conf, args.include, args.bell, args.macros, args.variant)
        # as in herd, a model on the command line wins over the configuration's
        specs = args.models or ([herd.conf_model] if herd.conf_model is not None else [])
        models = model_specs(herd.setup, specs)
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
        return EXIT_REJECTED
    except Exception:  # noqa: BLE001 — a bug reading a model: exit 1, as for a test
        print(error_line(f"internal error\n{traceback.format_exc()}"), file=sys.stderr)
        return EXIT_INTERNAL
    # the command line wins over the configuration's `speedcheck` and `timeout` keys
    speedcheck = args.speedcheck or herd.speedcheck
    verdict_only = args.verdict_only or speedcheck in ("fast", "true")
    timeout = args.timeout if args.timeout is not None else herd.timeout_s
    options = Options(verdict_only=verdict_only, timeout_s=timeout, count=args.count,
                      macros=herd.macros, setup=herd.setup.with_labels(models),
                      executions=args.executions, forbidden=args.forbidden,
                      mapping=args.mapping)
    fmt = args.format or ("matrix" if len(models) > 1 else "table")
    return run_files(args.paths, models, fmt, options, args.max_memory)


def _lower(args: argparse.Namespace) -> int:
    """`memlitmus lower FILE --arch x86|arm64 [--mapping M]`: print the lowered test."""
    try:
        try:
            test = load_litmus(args.path)
        except OSError as err:
            print(error_line(f"{args.path}: cannot read: {err.strerror or err}"),
                  file=sys.stderr)
            return EXIT_REJECTED
        macros = read_macros(args.macros) if args.macros is not None else None
        print(lower(test, args.arch, args.mapping, macros), end="")
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
