"""`memlitmus suite PATH...`: judge a directory of litmus tests against their expectations
(docs/suite.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from memlitmus.cli_options import add_herd_model_options
from memlitmus.errors import MemlitmusError, error_line
from memlitmus.herd_config import herd_setup
from memlitmus.options import Options
from memlitmus.output_paths import cannot_write, unwritable
from memlitmus.runner import QuietPipeConsole
from memlitmus.suite.cache import ResultCache
from memlitmus.suite.discover import OWN_TSV, discover, litmus_files
from memlitmus.suite.report import (
    progress_reporter,
    summary_table,
    write_json,
    write_junit,
    write_tsv,
)
from memlitmus.suite.runner import run_suite
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of jobs: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def default_jobs() -> int:
    """Every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    seconds: Callable[[str], float], megabytes: Callable[[str], int],
) -> None:
    """Add the `suite` subcommand; `seconds` and `megabytes` parse --timeout and
    --max-memory as `run` does."""
    suite = sub.add_parser(
        "suite", help="judge every test under the paths against its expectations",
        description="Judge litmus tests against the kernel's `Result:` comments, herd's "
        ".litmus.expected files and kinds.txt, and expectation TSVs (docs/suite.md).",
    )
    suite.add_argument("paths", nargs="+", help="litmus files or directories")
    suite.add_argument("-m", "--model", action="append", default=[],
                       help="model for expectations that name none (repeatable); "
                            "default: the arch's model")
    suite.add_argument("--expect", action="append", default=[], type=Path, metavar="TSV",
                       help=f"an expectation TSV (besides each directory's {OWN_TSV})")
    suite.add_argument("-j", "--jobs", type=_jobs, default=default_jobs(),
                       help="worker processes (default: all cores)")
    suite.add_argument("--timeout", type=seconds, default=None, metavar="S",
                       help="seconds per test and model, reading and encoding included; "
                            "past it: Unknown")
    suite.add_argument("--max-memory", type=megabytes, default=DEFAULT_MAX_MEMORY_MB,
                       metavar="SIZE", help="memory per test (MB, or 512M, 8G); past it: "
                       f"Unknown (default {DEFAULT_MAX_MEMORY_MB} MB)")
    suite.add_argument("--verdict-only", action="store_true",
                       help="decide the Observation only, list no states")
    suite.add_argument("--no-cache", action="store_true", help="judge every test anew")
    suite.add_argument("--dask", metavar="ADDRESS",
                       help="judge on a dask.distributed scheduler (tcp://host:8786 or a "
                            "scheduler file .json)")
    suite.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML")
    suite.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    add_herd_model_options(suite)
    suite.add_argument("--update", action="store_true",
                       help=f"write the verdicts to the expectation TSV (--expect or "
                            f"{OWN_TSV} in the first directory)")


def run(args: argparse.Namespace) -> int:
    """Run the `suite` subcommand; 0 only when every test × model passes."""
    try:  # an unknown model, a missing cat file, a bad -conf/-bell/-macros: usage errors
        herd = herd_setup(args.conf, args.include, args.bell, args.macros, args.variant)
        # as in `run`, a model on the command line wins over the configuration's
        models = args.model or ([herd.conf_model] if herd.conf_model is not None else [])
        for model in models:
            herd.setup.resolve(model)
        # `--update --expect NEW.tsv` writes a TSV that need not exist yet
        expect = [tsv for number, tsv in enumerate(args.expect)
                  if not (args.update and number == 0 and not tsv.exists())]
        tests = discover(args.paths, models, expect, include_unexpected=args.update)
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(error_line(f"{err.filename or err}: cannot read: {err.strerror or err}"),
              file=sys.stderr)
        return EXIT_USAGE
    except ValueError as err:
        print(error_line(str(err)), file=sys.stderr)
        return EXIT_USAGE
    target = _update_target(args) if args.update else None
    if args.update and target is None:
        print(error_line("--update needs --expect TSV or a directory"), file=sys.stderr)
        return EXIT_USAGE
    for named in (args.json, args.junit, target):  # before judging, not after
        if named is not None and (reason := unwritable(named)) is not None:
            print(cannot_write(named, reason), file=sys.stderr)
            return EXIT_USAGE
    skipped = len(litmus_files(args.paths)) - len(tests)
    verdict_only = args.verdict_only or herd.speedcheck in ("fast", "true")
    timeout = args.timeout if args.timeout is not None else herd.timeout_s
    options = Options(verdict_only=verdict_only, timeout_s=timeout, macros=herd.macros,
                      setup=herd.setup)
    console = QuietPipeConsole(highlight=False, width=None if sys.stdout.isatty() else 160)
    cache = None if args.no_cache else ResultCache()
    total = sum(len(t.models) for t in tests)
    try:
        with progress_reporter(console, total, rich=console.is_terminal) as progress:
            suite = run_suite(tests, options, jobs=args.jobs, dask=args.dask, cache=cache,
                              progress=progress, max_memory_mb=args.max_memory)
    finally:
        if cache is not None:
            cache.close()
    console.print(summary_table(suite, skipped))
    output: Path | None = None
    try:
        if (output := args.json) is not None:
            write_json(suite, output, skipped)
        if (output := args.junit) is not None:
            write_junit(suite, output)
        if (output := target) is not None:
            rows = write_tsv(suite, output)
            console.print(f"wrote {rows} rows to {output}")
    except OSError as err:  # checked before judging, but the disk may have changed since
        print(cannot_write(output or "", err), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if suite.passed else EXIT_FAILED


def _update_target(args: argparse.Namespace) -> Path | None:
    if args.expect:
        return Path(args.expect[0])
    folders = [Path(p) for p in args.paths if Path(p).is_dir()]
    return folders[0] / OWN_TSV if folders else None
