"""Judge a whole reference corpus in one process: time per test and agreement with herd7.

    python benchmarks/corpus.py x86            # every row of ../shared/corpus/x86
    python benchmarks/corpus.py aarch64 --verdict-only
    python benchmarks/corpus.py lkmm --skip-large --timeout 40
    python benchmarks/corpus.py herd-instructions --under X86_64/   # one folder of a suite
    python benchmarks/corpus.py aarch64-pick
    python benchmarks/corpus.py herd-instructions --under AArch64/
    python benchmarks/corpus.py x86 --model-file x86tso=../shared/models/herd-libdir/x86tso.cat
    python benchmarks/corpus.py x86 --worker     # as the command line judges: in a worker

Prints seconds in total, ms per test (one test = one file judged under all its models),
ms per test × model, herd7's own total from expected.tsv, the agreement figures, and the
slowest tests (with how many states each listed, and herd7's time for it).
`--skip-large` leaves out the tests of `large.tsv` (LKMM: 7 threads or more, or slow for
herd7), which `benchmarks/lkmm_large.py` times on their own.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from memlitmus.results import FileError, ModelResult
from memlitmus.worker import Judge

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", help="x86, aarch64 or lkmm")
    parser.add_argument("--verdict-only", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="judge only the first N files")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per test and model (past it: Unknown, a disagreement)")
    parser.add_argument("--show", type=int, default=10, help="print up to N disagreements")
    parser.add_argument("--model", action="append", default=[],
                        help="judge only under these models (default: every model of a row)")
    parser.add_argument("--macros", type=Path, default=None, metavar="FILE.def",
                        help="kernel primitives for C tests from a herd .def file (e.g. an "
                             "edited copy of the kernel's linux-kernel.def)")
    parser.add_argument("--model-file", action="append", default=[], metavar="NAME=FILE",
                        help="judge the rows of model NAME with cat file FILE (e.g. herd's "
                             "own x86tso.cat in place of the shipped x86tso)")
    parser.add_argument("--skip-large", action="store_true",
                        help="leave out the files listed in the suite's large.tsv")
    parser.add_argument("--slowest", type=int, default=5, help="list the N slowest tests")
    parser.add_argument("--under", default="",
                        help="judge only the files whose path in the suite starts with this "
                             "(herd-instructions: X86_64/, AArch64/ or C/)")
    parser.add_argument("--worker", action="store_true",
                        help="judge in a worker process with the time and memory bounds, "
                             "as `memlitmus run` does (memlitmus.worker)")
    args = parser.parse_args()
    files_for = dict(spec.split("=", 1) for spec in args.model_file)
    suite = CORPUS / args.suite
    grouped = by_file(read_expected(suite / "expected.tsv"))
    large = _large_files(suite) if args.skip_large else set()
    files = sorted(f for f in grouped if f not in large and f.startswith(args.under))
    files = files[: args.limit or None]
    timings: list[tuple[float, str, int, float]] = []  # seconds, file, states, herd7's
    macros = read_macros(args.macros) if args.macros is not None else None
    options = Options(verdict_only=args.verdict_only, timeout_s=args.timeout, macros=macros)
    agree = rows = rejected = 0
    herd_time = 0.0
    shown = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    isolated = Judge(options) if args.worker else None
    for file in files:
        expected = {m: e for m, e in grouped[file].items() if m in args.model or not args.model}
        if not expected:
            continue
        herd_time += max(e.herd_time_s for e in expected.values())
        began = time.perf_counter()
        specs = [files_for.get(m, m) for m in expected]
        outcome = _judge(suite / file, specs, options, isolated)
        if isinstance(outcome, FileError):
            rejected += 1
            rows += len(expected)
            if shown < args.show:
                print(f"REJECTED {outcome.message.splitlines()[0]}")
                shown += 1
            continue
        results = outcome
        states = max(len(r.states) for r in results)
        herd = max(e.herd_time_s for e in expected.values())
        timings.append((time.perf_counter() - began, file, states, herd))
        for result in results:
            rows += 1
            problems = disagreements(result, expected[_row_model(result.model, files_for)])
            agree += not problems
            if problems and shown < args.show:
                print(f"DISAGREE {file} {result.model}: {'; '.join(problems)}")
                shown += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    if isolated is not None:
        isolated.close()
    print(f"suite {args.suite}: {len(files)} tests, {rows} test×model rows")
    print(f"agreement: {agree}/{rows} rows ({100 * agree / max(rows, 1):.2f}%), "
          f"{rejected} files rejected")
    per_test = 1000 * elapsed / max(len(files), 1)
    print(f"memlitmus: {elapsed:.2f} s total, {per_test:.2f} ms per test, "
          f"{1000 * elapsed / max(rows, 1):.2f} ms per test×model")
    print(f"memlitmus CPU: {cpu:.2f} s, {1000 * cpu / max(len(files), 1):.2f} ms per test")
    print(f"herd7 (expected.tsv Time lines, max over models): {herd_time:.2f} s")
    for seconds, file, states, herd in sorted(timings, reverse=True)[: args.slowest]:
        print(f"slow: {seconds:7.2f} s  {states:6d} states  herd7 {herd:7.2f} s  {file}")
    return 0 if agree == rows else 1


def _row_model(name: str, files_for: dict[str, str]) -> str:
    """The expected.tsv model a result answers for (a model file judges NAME's rows)."""
    for row_name, path in files_for.items():
        if Path(path).stem == name:
            return row_name
    return name


def _judge(
    path: Path, models: list[str], options: Options, isolated: Judge | None
) -> list[ModelResult] | FileError:
    if isolated is not None:
        return isolated.judge_file(str(path), models)
    try:
        return judge(load_litmus(path), [resolve(m) for m in models], options)
    except MemlitmusError as err:
        return FileError(str(path), err.render())


def _large_files(suite: Path) -> set[str]:
    """The files listed in the suite's large.tsv (none when there is no such file)."""
    path = suite / "large.tsv"
    if not path.is_file():
        return set()
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["file"] for row in csv.DictReader(handle, delimiter="\t")}


if __name__ == "__main__":
    sys.exit(main())
