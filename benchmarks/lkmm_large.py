"""The LKMM's large tests (7 to 19 threads, `large.tsv`) with --verdict-only: the time of
each and whether it matches the expected Observation (herd7's where it finished, else the
file's `Result:` comment).

    python benchmarks/lkmm_large.py [--timeout 10] [--limit N] [--every K]
    python benchmarks/lkmm_large.py --conf ../shared/models/linux-kernel/linux-kernel.cfg

`--conf FILE.cfg` judges with a herd configuration's model, bell, macros and variants (the
kernel's own files) in place of the shipped lkmm. Prints the median and maximum seconds
per test and how many took more than 10 s.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.cat import load_cat
from memlitmus.errors import MemlitmusError
from memlitmus.herd_config import HerdConfig, read_config
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import ModelSetup

SUITE = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "lkmm"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per test")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--every", type=int, default=1, help="only every K-th row")
    parser.add_argument("--quiet", action="store_true", help="print the summary only")
    parser.add_argument("--conf", type=Path, default=None, metavar="FILE.cfg",
                        help="judge with a herd configuration's model, bell, macros and "
                             "variants (e.g. the kernel's linux-kernel.cfg)")
    args = parser.parse_args()
    with (SUITE / "large.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = rows[:: args.every][: args.limit or None]
    conf = read_config(args.conf) if args.conf is not None else HerdConfig()
    setup = ModelSetup((), load_cat(conf.bell) if conf.bell else None, frozenset(conf.variants))
    model = setup.resolve(str(conf.model) if conf.model is not None else "lkmm")
    macros = read_macros(conf.macros) if conf.macros is not None else None
    options = Options(verdict_only=True, timeout_s=args.timeout, macros=macros)
    times: list[float] = []  # wall seconds per test
    cpu_times: list[float] = []  # CPU seconds per test (this process)
    tally = {"agree": 0, "disagree": 0, "unknown": 0, "rejected": 0}
    worst = 0.0
    for row in rows:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            (result,) = judge(load_litmus(SUITE / row["file"]), [model], options)
            verdict = result.observation.value
        except MemlitmusError as err:
            verdict = "rejected: " + err.message
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        cpu_times.append(cpu)
        worst = max(worst, elapsed)
        times.append(elapsed)
        kind = ("agree" if verdict == row["result"] else "unknown" if verdict == "Unknown"
                else "rejected" if verdict.startswith("rejected") else "disagree")
        tally[kind] += 1
        if not args.quiet or kind != "agree":
            print(f"{row['threads']:>2} {elapsed:7.2f}s cpu {cpu:7.2f}s "
                  f"herd {row['herd_time_s']:>7} {verdict:<10} expected {row['result']:<9} "
                  f"{kind:<8} {row['file']}")
    print(f"{len(rows)} large tests: {tally}; slowest {worst:.2f} s")
    print(f"wall {_spread(times)}; CPU {_spread(cpu_times)}")
    return 0 if tally["agree"] == len(rows) else 1


def _spread(seconds: list[float]) -> str:
    """Median, maximum and how many of `seconds` exceed issue 13's 10 s bound."""
    if not seconds:
        return "no tests"
    over = sum(1 for t in seconds if t > 10.0)
    return (f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s, "
            f"{over} over 10 s")


if __name__ == "__main__":
    sys.exit(main())
