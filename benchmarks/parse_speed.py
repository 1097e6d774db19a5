"""Time the litmus parser over a reference suite (ms per file, best of N passes).

These figures used to be timed unit tests, which fail under load; speed is measured here.

    python benchmarks/parse_speed.py [SUITE] [--passes N]

SUITE is a folder of ../shared/corpus (default: x86). Parser construction (grammar tables)
is one-time and excluded, as it is per process, not per file.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from memlitmus.errors import MemlitmusError
from memlitmus.litmus.parse import parse_litmus

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("suite", nargs="?", default="x86")
    args.add_argument("--passes", type=int, default=3)
    opts = args.parse_args()
    files = sorted((CORPUS / opts.suite).rglob("*.litmus"))
    texts = [(str(path), path.read_text(encoding="utf-8", errors="replace")) for path in files]
    if not texts:
        raise SystemExit(f"no .litmus files under {CORPUS / opts.suite}")
    parse_litmus(texts[0][1], texts[0][0])  # warm-up: grammar tables are built once
    best = float("inf")
    for _ in range(opts.passes):
        start = time.perf_counter()
        for name, text in texts:
            with contextlib.suppress(MemlitmusError):  # a refused file still costs its parse
                parse_litmus(text, name)
        best = min(best, (time.perf_counter() - start) / len(texts))
    print(f"{opts.suite}: {len(texts)} files, {best * 1000:.3f} ms per file (best of "
          f"{opts.passes})")


if __name__ == "__main__":
    main()
