"""Seeded mutation fuzzer: memlitmus must never crash, hang or accept garbage silently.

    python benchmarks/fuzz.py --mutants 10000 --seed 1 --timeout 2
    python benchmarks/fuzz.py --only 4711 --seed 1 --keep fuzz-out   # replay one mutant

Each mutant is a litmus file (from `../shared/corpus/*`, the project's `litmus/`) or a
shipped cat model (`src/memlitmus/cat/models`) with one to three mutations: drop,
duplicate or swap tokens or lines, truncate, splice with another file of the same kind,
inject bytes (random bytes, NUL, invalid UTF-8, brackets, huge numbers). Mutant `i` of
seed `s` depends only on (s, i), so a failure replays alone with `--only i`.

Each mutant is judged by the real command line (`memlitmus.cli.main`, in this process)
with `--timeout`, in a random output format. A run is a *failure* when:

- its exit status is not 0, 2 or 3 (a pair left Unknown), or an exception escapes
  `main`, or stderr shows a Python traceback or an internal error;
- it exits 2 without a `file:line:col` position in its first error line;
- it runs longer than `--timeout` per model judged plus `--slack` seconds;
- a JSON record is Unknown with a reason that is not a timeout or a memory ceiling.

Prints the number of mutants, the exits by status, failures by kind (exception type and
innermost memlitmus frame), and the time taken; exit status 1 when there was a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
MODELS = ROOT / "src" / "memlitmus" / "cat" / "models"
# A litmus test to judge under each mutated model: one per model's architecture.
MODEL_TESTS = {
    "sc": "litmus/x86/SB.litmus",
    "x86tso": "litmus/x86/MP.litmus",
    "armv8": "litmus/aarch64/MP+dmb.st+addr.litmus",
    "lkmm": "litmus/lkmm/ISA2+release+acquire.litmus",
    "stdlib": "litmus/x86/SB.litmus",
}
POSITION = re.compile(r":\d+:\d+: ")
TOKEN = re.compile(rb"\s+|[A-Za-z_][A-Za-z0-9_.\-]*|\d+|.", re.S)
INTERESTING = [
    b"(", b")", b"{", b"}", b"[", b"]", b"|", b";", b"*", b"&", b"\\/", b"/\\", b"~",
    b"\x00", b"\xff\xfe", b"\xc3", b"\t", b"\r", b"\n", b"99999999999999999999999",
    b"-1", b"0x", b"P0", b"exists", b"let", b"rec", b"acyclic", b"(*", b"*)", b"\"",
    b"r0", b"X0", b"W0", b"[x]", b"%rax", b"EAX", b"int", b"->", b"::", b"\xe2\x88\x80",
]


@dataclass(frozen=True)
class Source:
    """A file to mutate: its bytes, its kind (`litmus` or `cat`) and where it came from."""

    path: Path
    kind: str


@dataclass
class Outcome:
    """What one mutant did."""

    status: int
    seconds: float
    failure: str | None = None  # the failure's kind, None when the run was fine
    detail: str = ""


@dataclass
class Tally:
    """Counts over a fuzzing run."""

    mutants: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, tuple[int, str]] = field(default_factory=dict)
    slowest: float = 0.0


def sources(include_corpus: bool = True) -> list[Source]:
    """Every file the fuzzer mutates (the reference corpora only when present)."""
    found = [Source(p, "litmus") for p in sorted((ROOT / "litmus").rglob("*.litmus"))]
    if include_corpus and CORPUS.is_dir():
        found += [Source(p, "litmus") for p in sorted(CORPUS.rglob("*.litmus"))]
    found += [Source(p, "cat") for p in sorted(MODELS.iterdir()) if p.suffix in (".cat", ".bell")]
    return found


def mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    """One to three random mutations of `data` (`donors`: files of the same kind)."""
    for _ in range(rng.choice((1, 1, 2, 3))):
        data = rng.choice(MUTATIONS)(data, rng, donors)
    return data


def _tokens(data: bytes) -> list[bytes]:
    return TOKEN.findall(data)


def _edit_units(units: list[bytes], rng: random.Random) -> list[bytes]:
    if not units:
        return units
    i = rng.randrange(len(units))
    op = rng.choice(("drop", "dup", "swap"))
    if op == "drop":
        del units[i : i + rng.choice((1, 1, 2, 5))]
    elif op == "dup":
        units[i:i] = units[i : i + rng.choice((1, 1, 3))] * rng.choice((1, 1, 2, 50))
    else:
        j = rng.randrange(len(units))
        units[i], units[j] = units[j], units[i]
    return units


def _on_tokens(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    return b"".join(_edit_units(_tokens(data), rng))


def _on_lines(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    return b"".join(_edit_units(data.splitlines(keepends=True), rng))


def _truncate(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _splice(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    other = rng.choice(donors)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


def _inject(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    if rng.random() < 0.3:
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
    else:
        junk = rng.choice(INTERESTING) * rng.choice((1, 1, 1, 2, 40))
    return data[:at] + junk + data[at:]


MUTATIONS = (_on_tokens, _on_tokens, _on_lines, _truncate, _splice, _inject, _inject)


def make_mutant(
    seed: int, index: int, pool: list[Source], cache: dict[Path, bytes]
) -> tuple[Source, bytes]:
    """Mutant `index` of `seed`: its source and its bytes (deterministic)."""
    rng = random.Random(seed * 1_000_003 + index)
    source = rng.choice(pool)
    same_kind = [s for s in pool if s.kind == source.kind]
    donors = [_read(rng.choice(same_kind).path, cache) for _ in range(2)]
    return source, mutate(_read(source.path, cache), rng, donors)


def _read(path: Path, cache: dict[Path, bytes]) -> bytes:
    if path not in cache:
        cache[path] = path.read_bytes()
    return cache[path]


def judge_mutant(
    source: Source, data: bytes, workdir: Path, rng: random.Random, timeout: float, slack: float
) -> Outcome:
    """Run the command line on one mutant and classify what it did."""
    from memlitmus.cli import main

    fmt = rng.choice(("json", "json", "herd", "table"))
    extra = rng.choice(([], [], ["--verdict-only"], ["--count"]))
    if source.kind == "litmus":
        path = workdir / source.path.name
        path.write_bytes(data)
        args = ["run", str(path)]
        models = 1
    else:
        for model in MODELS.iterdir():  # siblings, so that `include`s find the mutant's
            shutil.copy(model, workdir / model.name)
        path = workdir / source.path.name
        path.write_bytes(data)
        stem = source.path.stem
        test = MODEL_TESTS.get(stem, "litmus/x86/SB.litmus")
        cat = workdir / ("lkmm.cat" if stem == "lkmm" else source.path.name)
        if cat.suffix != ".cat":
            cat = workdir / f"{stem}.cat"
        args = ["run", str(ROOT / test), "--cat", str(cat)]
        models = 1
    args += ["--timeout", f"{timeout:g}", "-f", fmt, *extra]
    out, err = io.StringIO(), io.StringIO()
    began = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
    except BaseException as exc:  # noqa: BLE001 — an escaping exception is the finding
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Outcome(-1, time.perf_counter() - began, _kind_of(traceback.format_exc()),
                       traceback.format_exc())
    seconds = time.perf_counter() - began
    return _classify(status, seconds, out.getvalue(), err.getvalue(), fmt,
                     timeout * models + slack)


def _classify(status: int, seconds: float, out: str, err: str, fmt: str, bound: float) -> Outcome:
    if "Traceback" in err or "internal error" in err:
        return Outcome(status, seconds, _kind_of(err), err)
    if status not in (0, 2, 3):  # 3: a pair left Unknown (past --timeout), no verdict
        return Outcome(status, seconds, f"exit {status}", err)
    if status == 2 and not POSITION.search(err.splitlines()[0] if err else ""):
        return Outcome(status, seconds, "error without file:line:col", err)
    if seconds > bound:
        return Outcome(status, seconds, "past --timeout", f"{seconds:.1f} s")
    if fmt == "json":
        for line in out.splitlines():
            record = json.loads(line)
            reason = record.get("error") or ""
            if record.get("observation") == "Unknown" and not (
                reason.startswith("solver timeout after") or "memory" in reason
            ):
                return Outcome(status, seconds, f"Unknown reason {reason[:40]!r}", line)
    return Outcome(status, seconds)


def _kind_of(trace: str) -> str:
    """`ExceptionType at module.py:line` for the innermost memlitmus frame of a traceback."""
    frames = re.findall(r'File "([^"]*memlitmus[^"]*)", line (\d+)', trace)
    last = trace.strip().splitlines()[-1] if trace.strip() else "?"
    where = f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "?"
    return f"{last.split(':')[0][:60]} at {where}"


def run(
    mutants: int, seed: int, timeout: float, slack: float = 5.0, include_corpus: bool = True,
    only: int | None = None, keep: Path | None = None, progress: bool = False,
) -> Tally:
    """Fuzz `mutants` mutants of seed `seed` (or only mutant `only`)."""
    _warm_up()
    pool = sources(include_corpus)
    cache: dict[Path, bytes] = {}
    tally = Tally()
    indices = [only] if only is not None else list(range(mutants))
    started = time.perf_counter()
    for index in indices:
        source, data = make_mutant(seed, index, pool, cache)
        with tempfile.TemporaryDirectory(prefix="memlitmus-fuzz-") as tmp:
            rng = random.Random(seed * 7_919 + index)
            outcome = judge_mutant(source, data, Path(tmp), rng, timeout, slack)
        tally.mutants += 1
        tally.exits[outcome.status] += 1
        tally.slowest = max(tally.slowest, outcome.seconds)
        if outcome.failure is not None:
            tally.failures[outcome.failure] += 1
            tally.examples.setdefault(outcome.failure, (index, outcome.detail))
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"{index}-{source.path.name}").write_bytes(data)
        if progress and tally.mutants % 500 == 0:
            elapsed = time.perf_counter() - started
            print(f"... {tally.mutants} mutants, {sum(tally.failures.values())} failures, "
                  f"{elapsed:.0f} s", file=sys.stderr, flush=True)
    return tally


def _warm_up() -> None:
    """Build the parsers and load the shipped models in this process once, so that the
    worker each run forks inherits them (as one `memlitmus run` over many files would)."""
    from memlitmus.litmus.parse import load_litmus
    from memlitmus.models import SHIPPED, resolve

    for test in sorted(set(MODEL_TESTS.values())):
        load_litmus(ROOT / test)
    for info in SHIPPED:
        resolve(info.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=2.0, help="memlitmus --timeout S")
    parser.add_argument("--slack", type=float, default=5.0,
                        help="seconds a run may exceed its --timeout budget (process setup)")
    parser.add_argument("--only", type=int, default=None, help="run only mutant N")
    parser.add_argument("--keep", type=Path, default=None, help="save failing mutants here")
    parser.add_argument("--no-corpus", action="store_true",
                        help="mutate only the project's own files, not ../shared/corpus")
    args = parser.parse_args()
    began = time.perf_counter()
    tally = run(args.mutants, args.seed, args.timeout, args.slack, not args.no_corpus,
                args.only, args.keep, progress=True)
    elapsed = time.perf_counter() - began
    exits = ", ".join(f"{code}: {n}" for code, n in sorted(tally.exits.items()))
    pool = sources(not args.no_corpus)
    kinds = Counter(s.kind for s in pool)
    print(f"mutants: {tally.mutants} (seed {args.seed}, --timeout {args.timeout:g}) of "
          f"{kinds['litmus']} litmus files and {kinds['cat']} cat files")
    print(f"exits by status: {exits}")
    print(f"failures: {sum(tally.failures.values())}; slowest run {tally.slowest:.2f} s; "
          f"time {elapsed:.0f} s ({1000 * elapsed / max(tally.mutants, 1):.0f} ms per mutant)")
    for kind, count in tally.failures.most_common():
        index, detail = tally.examples[kind]
        print(f"  {count:5d}  {kind}  (e.g. mutant {index})")
        if args.only is not None:
            print(detail)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
