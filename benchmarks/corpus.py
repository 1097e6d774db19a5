"""Judge a whole reference corpus: time per test and agreement with herd7.

    python benchmarks/corpus.py x86            # every row of ../shared/corpus/x86
    python benchmarks/corpus.py aarch64 --verdict-only
    python benchmarks/corpus.py lkmm --skip-large --timeout 40
    python benchmarks/corpus.py herd-instructions --under X86_64/   # one folder of a suite
    python benchmarks/corpus.py aarch64-pick
    python benchmarks/corpus.py herd-instructions --under AArch64/
    python benchmarks/corpus.py x86 --model-file x86tso=../shared/models/herd-libdir/x86tso.cat
    python benchmarks/corpus.py lkmm --conf ../shared/models/linux-kernel/linux-kernel.cfg
    python benchmarks/corpus.py x86 --worker     # as the command line judges: in a worker
    python benchmarks/corpus.py lkmm --skip-large -j 2   # two bounded worker processes

Judged with `memlitmus suite`'s runner against expected.tsv: in this process by default,
`--worker` (= `-j 1`) or `-j N` in bounded worker processes (memlitmus.worker), or
`--dask ADDRESS` on a Dask cluster.
Prints seconds in total, ms per test (one test = one file judged under all its models),
ms per test × model, herd7's own total from expected.tsv, the agreement figures, and the
slowest tests (with how many states each listed, and herd7's time for it).
`--skip-large` leaves out the tests of `large.tsv` (LKMM: 7 threads or more, or slow for
herd7), which `benchmarks/lkmm_large.py` times on their own.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from pathlib import Path

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.cat import load_cat
from memlitmus.herd_config import HerdConfig, read_config
from memlitmus.judge import Options
from memlitmus.models import ModelSetup
from memlitmus.suite import Status, TestRun, discover, run_suite

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", help="x86, aarch64 or lkmm")
    parser.add_argument("--verdict-only", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="judge only the first N files")
    parser.add_argument("--every", type=int, default=1,
                        help="judge every Nth file (sorted by name; before --limit)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per test and model (past it: Unknown, a disagreement)")
    parser.add_argument("--show", type=int, default=10, help="print up to N disagreements")
    parser.add_argument("--model", action="append", default=[],
                        help="judge only under these models (default: every model of a row)")
    parser.add_argument("--skip-large", action="store_true",
                        help="leave out the files listed in the suite's large.tsv")
    parser.add_argument("--slowest", type=int, default=5, help="list the N slowest tests")
    parser.add_argument("--conf", type=Path, default=None, metavar="FILE.cfg",
                        help="judge the lkmm rows with a herd configuration's model, bell, "
                             "macros and variants (e.g. the kernel's linux-kernel.cfg)")
    parser.add_argument("--macros", type=Path, default=None, metavar="FILE.def",
                        help="kernel primitives for C tests from a herd .def file (e.g. an "
                             "edited copy of the kernel's linux-kernel.def)")
    parser.add_argument("--model-file", action="append", default=[], metavar="NAME=FILE",
                        help="judge the rows of model NAME with cat file FILE (e.g. herd's "
                             "own x86tso.cat in place of the shipped x86tso)")
    parser.add_argument("--under", default="",
                        help="judge only the files whose path in the suite starts with this "
                             "(herd-instructions: X86_64/, AArch64/ or C/)")
    parser.add_argument("--worker", action="store_true",
                        help="judge in a worker process with the time and memory bounds, "
                             "as `memlitmus run` does (memlitmus.worker); same as -j 1")
    parser.add_argument("-j", "--jobs", type=int, default=0,
                        help="worker processes (default 0: judge in this process)")
    parser.add_argument("--dask", metavar="ADDRESS", help="judge on a Dask scheduler")
    args = parser.parse_args()
    files_for = dict(spec.split("=", 1) for spec in args.model_file)
    conf = read_config(args.conf) if args.conf is not None else HerdConfig()
    if conf.model is not None:
        files_for.setdefault("lkmm", str(conf.model))
    row_model = {path: name for name, path in files_for.items()}  # judged as -> row
    suite = CORPUS / args.suite
    tsv = suite / "expected.tsv"
    herd_times = _herd_times(tsv)
    large = _large_files(suite) if args.skip_large else set()
    files = sorted(f for f in herd_times if f not in large and f.startswith(args.under))
    files = files[:: max(args.every, 1)][: args.limit or None]
    tests = []
    for test in discover([str(suite / f) for f in files], tsv_files=[tsv],
                         conventions=frozenset({"tsv"})):
        kept = {files_for.get(m, m): e for m, e in test.expectations.items()
                if m in args.model or not args.model}
        if kept:
            tests.append(dataclasses.replace(test, expectations=kept))
    macros_path = args.macros or conf.macros
    macros = read_macros(macros_path) if macros_path is not None else None
    setup = ModelSetup((), load_cat(conf.bell) if conf.bell else None, frozenset(conf.variants))
    options = Options(verdict_only=args.verdict_only, timeout_s=args.timeout, macros=macros,
                      setup=setup)
    jobs = max(args.jobs, 1) if args.worker else args.jobs
    run = run_suite(tests, options, jobs=jobs, dask=args.dask)
    shown = 0
    per_file: dict[str, list[TestRun]] = {}
    for item in run.runs:
        per_file.setdefault(item.file, []).append(item)
        if item.status is Status.PASS or shown >= args.show:
            continue
        shown += 1
        name = Path(item.file).relative_to(suite)
        if item.status is Status.ERROR and item.error is not None and not item.error.internal:
            print(f"REJECTED {item.reasons[0]}")
        else:
            print(f"DISAGREE {name} {item.model}: {'; '.join(item.reasons)}")
    rows = len(run.runs)
    agree = run.count(Status.PASS)
    rejected = sum(1 for runs in per_file.values()
                   if runs[0].error is not None and not runs[0].error.internal)
    def herd(file: str) -> float:
        rel = str(Path(file).relative_to(suite))
        return max(herd_times[rel].get(row_model.get(r.model, r.model), 0.0)
                   for r in per_file[file])

    herd_time = sum(herd(f) for f in per_file)
    cpu = sum(runs[0].file_cpu_s for runs in per_file.values())
    judged = len(per_file)
    print(f"suite {args.suite}: {judged} tests, {rows} test×model rows"
          + (f", dask {args.dask}" if args.dask else f", {jobs} workers" if jobs else ""))
    print(f"agreement: {agree}/{rows} rows ({100 * agree / max(rows, 1):.2f}%), "
          f"{rejected} files rejected")
    per_test = 1000 * run.wall_s / max(judged, 1)
    print(f"memlitmus: {run.wall_s:.2f} s total (wall), {per_test:.2f} ms per test, "
          f"{1000 * run.wall_s / max(rows, 1):.2f} ms per test×model")
    print(f"memlitmus CPU{' (judging time in workers)' if jobs else ''}: {cpu:.2f} s, "
          f"{1000 * cpu / max(judged, 1):.2f} ms per test")
    print(f"herd7 (expected.tsv Time lines, max over models): {herd_time:.2f} s")
    timings = sorted(
        ((runs[0].file_wall_s, str(Path(f).relative_to(suite)),
          max(len(r.result.states) if r.result else 0 for r in runs),
          herd(f))
         for f, runs in per_file.items() if runs[0].error is None),
        reverse=True,
    )
    for seconds, file, states, herd in timings[: args.slowest]:
        print(f"slow: {seconds:7.2f} s  {states:6d} states  herd7 {herd:7.2f} s  {file}")
    return 0 if agree == rows else 1


def _herd_times(tsv: Path) -> dict[str, dict[str, float]]:
    """File -> model -> herd7's Time line, from expected.tsv."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    times: dict[str, dict[str, float]] = {}
    with tsv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            times.setdefault(row["file"], {})[row["model"]] = float(row["herd_time_s"] or 0)
    return times


def _large_files(suite: Path) -> set[str]:
    """The files listed in the suite's large.tsv (none when there is no such file)."""
    path = suite / "large.tsv"
    if not path.is_file():
        return set()
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["file"] for row in csv.DictReader(handle, delimiter="\t")}


if __name__ == "__main__":
    sys.exit(main())
