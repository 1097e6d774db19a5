"""Time small tests whose read-modify-writes are bitwise (LDCLR/LDSET/LDEOR, the kernel's
atomic_andnot/or/xor), next to the same shapes with additions.

    python benchmarks/bitwise.py              # every shape, its models, 60 s bound each
    python benchmarks/bitwise.py --timeout 20

Prints, per shape and model, the observation, the number of states and the CPU
milliseconds (reading, encoding and solving). Bitwise operations on values known to lie
in a small set are case tables (docs/architecture.md, "Bitwise operations"); before them
the shapes below ran into the solver timeout.
"""

from __future__ import annotations

import argparse
import time

from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import resolve
from memlitmus.results import ModelResult


def _a64(p0: list[str], p1: list[str]) -> str:
    height = max(len(p0), len(p1))
    rows = [f" {a:<18}| {b:<18};" for a, b in zip(p0 + [""] * (height - len(p0)),
                                                     p1 + [""] * (height - len(p1)),
                                                     strict=True)]
    return ("AArch64 T\n{ 0:X1=y; 1:X1=y; }\n P0                 | P1                 ;\n"
            + "\n".join(rows) + "\nexists ([y]=0)\n")


def _c(p0: str, p1: str) -> str:
    return ("C T\n{ atomic_t y = ATOMIC_INIT(0); }\n"
            f"P0(atomic_t *y) {{ {p0} }}\nP1(atomic_t *y) {{ {p1} }}\nexists (y=0)\n")


A64 = ("sc", "armv8")
C = ("sc", "lkmm")
SHAPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "LDCLR | STR, LDEOR": (_a64(["MOV X2,#3", "LDCLR X2,X3,[X1]"],
                                ["MOV X2,#9", "STR X2,[X1]", "MOV X4,#1",
                                 "LDEOR X4,X5,[X1]"]), A64),
    "LDADD | STR, LDADD": (_a64(["MOV X2,#3", "LDADD X2,X3,[X1]"],
                                ["MOV X2,#9", "STR X2,[X1]", "MOV X4,#1",
                                 "LDADD X4,X5,[X1]"]), A64),
    "LDCLR, LDCLR | STR, LDSET": (_a64(["MOV X2,#3", "LDCLR X2,X3,[X1]", "LDCLR X2,X4,[X1]"],
                                       ["MOV X2,#9", "STR X2,[X1]", "MOV X4,#1",
                                        "LDSET X4,X5,[X1]"]), A64),
    "andnot, andnot | set, xor": (_c("atomic_andnot(3, y); atomic_andnot(3, y);",
                                     "atomic_set(y, 9); atomic_xor(1, y);"), C),
    "inc, inc | set, inc": (_c("atomic_inc(y); atomic_inc(y);",
                               "atomic_set(y, 9); atomic_inc(y);"), C),
    "or, andnot, xor | xor, or, andnot": (
        _c("atomic_or(6, y); atomic_andnot(3, y); atomic_xor(5, y);",
           "atomic_xor(1, y); atomic_or(8, y); atomic_andnot(12, y);"), C),
    "add x3 | add x3": (_c("atomic_add(6, y); atomic_add(3, y); atomic_add(5, y);",
                           "atomic_add(1, y); atomic_add(8, y); atomic_add(12, y);"), C),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per model")
    args = parser.parse_args()
    # warm up once (grammars, the cat models) so that the first figure is the test's own
    judge(parse_litmus(SHAPES["LDADD | STR, LDADD"][0], "t.litmus"), [resolve("sc")],
          Options())
    for name, (text, models) in SHAPES.items():
        for model in models:
            start = time.process_time()
            (result,) = judge(parse_litmus(text, "t.litmus"), [resolve(model)],
                              Options(timeout_s=args.timeout))
            ms = (time.process_time() - start) * 1000
            assert isinstance(result, ModelResult)
            print(f"{name:<36} {model:<6} {result.observation.value:<10} "
                  f"{len(result.states):>3} states {ms:>9.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
