"""Soundness of the LKMM against the kernel mappings, over ../shared/corpus/lkmm.

    python benchmarks/kernel_soundness.py                 # every test the LKMM decides
    python benchmarks/kernel_soundness.py --skip-large    # without the 7- to 19-thread ones
    python benchmarks/kernel_soundness.py --limit 200 --mapping arm64-llsc
    python benchmarks/kernel_soundness.py --only-large --timeout 60   # the 715 large tests

For every test whose LKMM verdict (herd7's, from expected.tsv; for the large tests
large.tsv's, which also takes the tests' own `Result:` comments) is Never or Always, judge
it under x86tso and armv8 through the kernel mappings (verdicts only) and list the tests
where the hardware verdict differs (an LKMM stronger than the hardware), the Unknowns,
the time in total and per test × model, and the slowest tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from memlitmus.corpus import by_file, read_expected
from memlitmus.judge import Options
from memlitmus.kernel.soundness import HARDWARE_MODELS, Outcome, outcomes
from memlitmus.results import FileError
from memlitmus.worker import Judge

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "lkmm"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="judge every N-th test")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--mapping", default=None, help="e.g. arm64-llsc")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--verbose", action="store_true",
                        help="print each judgement (seconds, model, verdict, file)")
    parser.add_argument("--only-large", action="store_true",
                        help="judge only the tests listed in large.tsv (7 to 19 threads)")
    args = parser.parse_args()
    grouped = by_file(read_expected(CORPUS / "expected.tsv"))
    # large.tsv: the 7- to 19-thread tests herd7 judged too slowly to keep in expected.tsv,
    # with the LKMM verdict herd7 gave or the test's Result: comment states.
    rows = (CORPUS / "large.tsv").read_text(encoding="utf-8").splitlines()[1:]
    large = {cols[0]: cols[2] for cols in (line.split("\t") for line in rows)}
    small = {f: grouped[f]["lkmm"].observation for f in grouped
             if "lkmm" in grouped[f] and f not in large}
    # the small tests first, then the large ones (each group in file order)
    verdicts = {} if args.only_large else dict(sorted(small.items()))
    if not args.skip_large:
        verdicts.update(sorted(large.items()))
    files = [f for f in verdicts if verdicts[f] in ("Never", "Always")
             ][:: args.every][: args.limit or None]
    start = time.perf_counter()
    tests: dict[str, int] = {}
    seconds: dict[str, float] = {}
    found: list[Outcome] = []
    errors: list[str] = []
    # each test in the bounded worker: --timeout bounds encoding as well as solving
    options = Options(verdict_only=True, timeout_s=args.timeout, mapping=args.mapping)
    with Judge(options) as worker:
        for i, file in enumerate(files):
            path = str(CORPUS / file)
            began = time.perf_counter()
            results = worker.judge_file(path, list(HARDWARE_MODELS))
            group = "large" if file in large else "small"
            tests[group] = tests.get(group, 0) + 1
            seconds[group] = seconds.get(group, 0.0) + time.perf_counter() - began
            if isinstance(results, FileError):
                errors.append(f"{file}: {results.message}")
            else:
                judged = outcomes(path, verdicts[file], results)
                found += judged
                for o in judged:  # as they come: a long run is read while it runs
                    if args.verbose or o.unknown or not o.sound:
                        print(f"{o.seconds:.2f} s {o.model} {o.hardware} (lkmm {o.lkmm}) "
                              f"{file}", flush=True)
            if (i + 1) % 100 == 0:
                print(f"... {i + 1}/{len(files)} {time.perf_counter() - start:.0f} s",
                      flush=True)
    total = time.perf_counter() - start
    print(f"{len(files)} tests, {len(found)} judgements in {total:.1f} s "
          f"({1000 * total / max(len(found), 1):.0f} ms per test x model)")
    for group in sorted(tests):
        print(f"{group}: {tests[group]} tests in {seconds[group]:.1f} s "
              f"({1000 * seconds[group] / (len(HARDWARE_MODELS) * tests[group]):.0f} ms per "
              f"test x model)")
    for outcome in found:
        if not outcome.sound and not outcome.unknown:
            print(f"UNSOUND {outcome.file} {outcome.model}: lkmm {outcome.lkmm}, "
                  f"hardware {outcome.hardware}")
    for outcome in found:
        if outcome.unknown:
            print(f"UNKNOWN {outcome.file} {outcome.model}")
    for error in errors:
        print(f"ERROR {error}")
    for outcome in sorted(found, key=lambda o: -o.seconds)[:5]:
        print(f"slow {outcome.seconds:.2f} s {outcome.file} {outcome.model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
