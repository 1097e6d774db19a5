"""`memlitmus lower` round trip over ../shared/corpus/lkmm: print, re-parse, judge, compare.

    python benchmarks/lower_roundtrip.py --every 10 --timeout 30
    python benchmarks/lower_roundtrip.py --limit 100 --max-threads 4

For each C test (the tests of large.tsv left out), under x86 → x86tso, arm64 → armv8 and
arm64-llsc → armv8: lower it, parse the text back through memlitmus's X86_64/AArch64 front
ends, judge it, and compare verdict and number of final states with the C test judged
through the same mapping. Prints the count of each outcome (same, different, refused with
the refusal's reason, Unknown) and the time; lists every difference (a bug).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.kernel.printer import lower
from memlitmus.litmus.parse import load_litmus, parse_litmus
from memlitmus.models import resolve
from memlitmus.results import ModelResult, Observation

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "lkmm"
TARGETS = (("x86", None, "x86tso"), ("arm64", None, "armv8"), ("arm64", "arm64-llsc", "armv8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="take every N-th test")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--max-threads", type=int, default=0, help="skip larger tests")
    args = parser.parse_args()
    large = {line.split("\t", 1)[0] for line in
             (CORPUS / "large.tsv").read_text(encoding="utf-8").splitlines()[1:]}
    files = [p for p in sorted(CORPUS.rglob("*.litmus"))
             if p.relative_to(CORPUS).as_posix() not in large][::args.every]
    if args.limit:
        files = files[:args.limit]
    counts: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()
    for path in files:
        try:
            test = load_litmus(path)
        except MemlitmusError:
            counts["C test rejected"] += 1
            continue
        if args.max_threads and len(test.threads) > args.max_threads:
            counts["skipped (threads)"] += 1
            continue
        for arch, mapping, model in TARGETS:
            target = mapping or arch
            try:
                text = lower(test, arch, mapping)
            except MemlitmusError as err:
                counts[f"{target}: refused: {err.message.split(':')[0]}"] += 1
                continue
            try:
                (printed,) = judge(parse_litmus(text, f"{path.stem}.lowered"),
                                   [resolve(model)], Options(timeout_s=args.timeout))
            except MemlitmusError as err:
                counts[f"{target}: PRINTED TEXT REJECTED"] += 1
                print(f"REJECTED {path} {target}: {err.render().splitlines()[0]}", flush=True)
                continue
            (direct,) = judge(test, [resolve(model)],
                              Options(timeout_s=args.timeout, mapping=mapping))
            assert isinstance(printed, ModelResult) and isinstance(direct, ModelResult)
            if Observation.UNKNOWN in (printed.observation, direct.observation):
                counts[f"{target}: unknown"] += 1
            elif (printed.observation, len(printed.states)) == (
                    direct.observation, len(direct.states)):
                counts[f"{target}: same"] += 1
            else:
                counts[f"{target}: DIFFERENT"] += 1
                print(f"DIFFERENT {path} {target}: printed {printed.observation.value} "
                      f"{len(printed.states)} states, C {direct.observation.value} "
                      f"{len(direct.states)} states", flush=True)
    for key in sorted(counts):
        print(f"{counts[key]:6d}  {key}")
    print(f"{len(files)} files, {time.perf_counter() - start:.0f} s")
    return 1 if any(("DIFFERENT" in key or "REJECTED" in key) for key in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
