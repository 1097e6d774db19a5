"""The `explain` and `report` subcommands (kept out of cli.py, which only registers them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from memlitmus.arch.registry import default_model_for
from memlitmus.errors import MemlitmusError, error_line
from memlitmus.explain import judge_for_explain, parse_state
from memlitmus.judge import Options, judge
from memlitmus.kernel.lowering import known_mappings
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import Model, ModelSetup
from memlitmus.output_paths import cannot_write, unwritable
from memlitmus.report.explain import print_explanation
from memlitmus.results import FileError, ModelResult, PairError
from memlitmus.runner import QuietPipeConsole, exit_status

EXIT_OK, EXIT_REJECTED = 0, 2


def add_outcome_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `explain` and `report` on the CLI's subparsers."""
    ex = sub.add_parser("explain", help="is a final state allowed under a model, and why")
    ex.add_argument("file", help="a litmus file")
    ex.add_argument("-m", "--model", action="append", default=[],
                    help="model name or .cat file (repeatable: each model is explained in "
                         "turn); default: the arch's model")
    ex.add_argument("--mapping", default=None, metavar="MAPPING",
                    help="kernel mapping for C tests on hardware models (as `run`'s; known: "
                         f"{', '.join(known_mappings())})")
    ex.add_argument("--state", default=None, metavar="'0:r0=1; 1:r1=0;'",
                    help="the final state (some of its bindings); default: the condition's")
    ex.add_argument("--timeout", type=float, default=None, metavar="S",
                    help="seconds of solving; past it the answer is Unknown")
    ex.add_argument("--variant", "-variant", action="append", default=[], metavar="NAME",
                    help="a herd variant, as `run`'s (`mixed`: mixed-size accesses)")


    rep = sub.add_parser("report", help="a self-contained HTML report with execution graphs")
    rep.add_argument("paths", nargs="+", help="litmus files or directories")
    rep.add_argument("-o", "--output", required=True, help="the HTML file to write")
    rep.add_argument("-m", "--model", action="append", default=[],
                     help="model name or .cat file (repeatable); default: the arch's model")
    rep.add_argument("--timeout", type=float, default=None, metavar="S",
                     help="seconds of solving per test and model")
    rep.add_argument("--mapping", default=None, metavar="MAPPING",
                     help="kernel mapping for C tests on hardware models (as `run`'s; known: "
                          f"{', '.join(known_mappings())})")
    rep.add_argument("--max-graphs", type=int, default=None, metavar="N",
                     help="graphs per test, model and kind at most (default 6)")
    rep.add_argument("--graphs", choices=("all", "condition"), default="all",
                     help="draw every outcome, or only those satisfying the condition "
                          "(for a whole corpus: a much smaller page)")
    rep.add_argument("--variant", "-variant", action="append", default=[], metavar="NAME",
                     help="a herd variant, as `run`'s (`mixed`: mixed-size accesses)")


def _report(args: argparse.Namespace) -> int:
    # jinja2 and Pygments are loaded only for a report, so `run` starts as fast as before
    from memlitmus.report.html import MAX_GRAPHS, TestReport, anchor_of, render_report
    from memlitmus.runner import litmus_files  # the CLI's file walk

    explicit: list[Model] = []
    broken: dict[str, str] = {}  # a user's cat file that does not read, as in `run`
    setup = ModelSetup(variants=frozenset(args.variant)).with_labels(args.model)
    try:
        for spec in args.model:
            try:
                explicit.append(setup.resolve(spec))
            except MemlitmusError as err:
                if not Path(spec).is_file():
                    raise  # an unknown name, a missing file: nothing to report
                broken[setup.label(spec)] = err.render()
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
        return EXIT_REJECTED
    if (reason := unwritable(Path(args.output))) is not None:  # before judging
        print(cannot_write(args.output, reason), file=sys.stderr)
        return EXIT_REJECTED
    options = Options(timeout_s=args.timeout, executions=True, forbidden=True,
                      mapping=args.mapping, setup=setup)
    tests: list[TestReport] = []
    taken: set[str] = set()
    models: list[str] = [m.name for m in explicit] + list(broken)
    status = EXIT_OK
    for file in litmus_files(args.paths):
        if isinstance(file, FileError):  # a directory without litmus files
            print(error_line(file.message), file=sys.stderr)
            status = EXIT_REJECTED
            continue
        report = TestReport(file, Path(file).parent.name or ".", anchor_of(file, taken), "")
        try:
            report.source = Path(file).read_text(errors="replace")
            test = load_litmus(file)
            chosen = explicit or ([] if broken else [
                setup.resolve(default_model_for(test.arch))])
            judged = judge(test, chosen, options) + [
                PairError(file, test.name, test.arch, name, message)
                for name, message in broken.items()]
            report.results = [r for r in judged if isinstance(r, ModelResult)]
            report.pair_errors = [r for r in judged if isinstance(r, PairError)]
            for pair in report.pair_errors:
                print(error_line(pair.message), file=sys.stderr)
                status = EXIT_REJECTED
        except OSError as err:
            report.error = f"{file}: cannot read: {err.strerror or err}"
        except MemlitmusError as err:
            report.error = err.render()
        if report.error is not None:
            print(error_line(report.error), file=sys.stderr)
            status = EXIT_REJECTED
        named = [r.model for r in report.results] + [e.model for e in report.pair_errors]
        models += [name for name in dict.fromkeys(named) if name not in models]
        tests.append(report)
    max_graphs = MAX_GRAPHS if args.max_graphs is None else args.max_graphs
    page = render_report(tests, models, max_graphs, args.graphs == "condition")
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as err:
        print(cannot_write(args.output, err), file=sys.stderr)
        return EXIT_REJECTED
    print(f"wrote {args.output}: {len(tests)} tests, {len(page.encode()) / 1024:.0f} KiB",
          file=sys.stderr)
    return status


def _explain(args: argparse.Namespace) -> int:
    """Explain the state under each `-m` model in turn (the arch's model when none); the
    exit status is the worst of them, as `run`'s (`runner.exit_status`: 2 before 3)."""
    console = QuietPipeConsole(highlight=False, width=None if sys.stdout.isatty() else 120)
    try:
        test = load_litmus(args.file)
        setup = ModelSetup(variants=frozenset(args.variant)).with_labels(args.model)
        models = [setup.resolve(spec) for spec in args.model or [default_model_for(test.arch)]]
        wanted = parse_state(args.state) if args.state is not None else None
        status = EXIT_OK
        for number, model in enumerate(models):
            if number:
                console.print()
            result = judge_for_explain(test, model, args.timeout, args.mapping, setup)
            status = exit_status(
                [status, print_explanation(test, model, result, wanted, console)])
        return status
    except BrokenPipeError:  # the reader went away: `main` exits as `run` does
        raise
    except OSError as err:
        print(error_line(f"{args.file}: cannot read: {err.strerror or err}"),
              file=sys.stderr)
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
    return EXIT_REJECTED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "explain": _explain, "report": _report,
}
