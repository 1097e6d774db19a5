"""The LKMM's large tests (7 to 19 threads, `large.tsv`) with --verdict-only: the time of
each and whether it matches the expected Observation (herd7's where it finished, else the
file's `Result:` comment).

    python benchmarks/lkmm_large.py [--timeout 10] [--limit N] [--every K]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve

SUITE = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "lkmm"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per test")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--every", type=int, default=1, help="only every K-th row")
    parser.add_argument("--quiet", action="store_true", help="print the summary only")
    args = parser.parse_args()
    with (SUITE / "large.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = rows[:: args.every][: args.limit or None]
    model = resolve("lkmm")
    options = Options(verdict_only=True, timeout_s=args.timeout)
    tally = {"agree": 0, "disagree": 0, "unknown": 0, "rejected": 0}
    worst = 0.0
    for row in rows:
        start = time.perf_counter()
        try:
            (result,) = judge(load_litmus(SUITE / row["file"]), [model], options)
            verdict = result.observation.value
        except MemlitmusError as err:
            verdict = "rejected: " + err.message
        elapsed = time.perf_counter() - start
        worst = max(worst, elapsed)
        kind = ("agree" if verdict == row["result"] else "unknown" if verdict == "Unknown"
                else "rejected" if verdict.startswith("rejected") else "disagree")
        tally[kind] += 1
        if not args.quiet or kind != "agree":
            print(f"{row['threads']:>2} {elapsed:7.2f}s herd {row['herd_time_s']:>7} "
                  f"{verdict:<10} expected {row['result']:<9} {kind:<8} {row['file']}")
    print(f"{len(rows)} large tests: {tally}; slowest {worst:.2f} s")
    return 0 if tally["agree"] == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
