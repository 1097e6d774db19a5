"""Golden herd output: `memlitmus run FILE -m MODEL -f herd --count` for every
`litmus/x86/*.litmus` under `sc` and `x86tso`, compared byte for byte with
`litmus/x86/<stem>.<model>.expected` (the `Time` line, which varies, left out); and one
`-f json --count` line per model for SB (`SB.<model>.json.expected`, `time_s` left out).

`pytest --update-goldens` rewrites the golden files from the current output. It cannot
bless a wrong verdict silently: `VERDICTS` below holds the verdicts checked by hand, and
`test_golden_verdict_is_the_hand_checked_one` compares every golden with it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from memlitmus.cli import main
from tests.conftest import LITMUS, ROOT

X86 = LITMUS / "x86"
MODELS = ("sc", "x86tso")
FILES = sorted(X86.glob("*.litmus"))
CASES = [(path, model) for path in FILES for model in MODELS]
JSON_MODELS = MODELS
JSON_KEYS = [
    "file", "test", "arch", "model", "kind", "observation", "ok", "states", "positive",
    "negative", "flags", "time_s", "error",
]
TIME_LINE = re.compile(r"Time \S+ [0-9]+\.[0-9]{2}")

# Verdicts checked by hand: stem -> {model: (Observation, positive, negative)}, the counts
# being herd's (candidate executions the model accepts, satisfying / not satisfying the
# proposition). x86-TSO relaxes only a write followed by a read of another location (the
# store buffer); MFENCE and locked instructions (LOCK-prefixed, XCHG) forbid even that;
# it is multicopy atomic. SC relaxes nothing.
_NEVER_3 = ("Never", 0, 3)
VERDICTS: dict[str, dict[str, tuple[str, int, int]]] = {
    # co x × co y = 4 candidates; x=1 ∧ y=1 is the cycle Wx1 po Wy2 co Wy1 po Wx2 co Wx1
    # of W→W order (kept by TSO).
    "2+2W": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    "2+2W+mfences": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # 2 × 2 reads of x; reading 1 then 0 breaks coherence (uniproc) under any model.
    "CoRR": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # forall: co of x in 2 orders; R after Wx1 reads Wx1, or Wx2 only if co Wx1<Wx2;
    # the 3 remaining executions all satisfy the proposition: Always, Required, Ok.
    "CoWR": {"sc": ("Always", 3, 0), "x86tso": ("Always", 3, 0)},
    # 16 rf choices; the relaxed outcome needs the two writes seen in both orders, which
    # a multicopy-atomic TSO forbids (R→R kept).
    "IRIW": {"sc": ("Never", 0, 15), "x86tso": ("Never", 0, 15)},
    # ISA2 and WRC: 8 rf choices, the cycle uses only W→W, R→W, R→R and rfe: forbidden.
    "ISA2": {"sc": ("Never", 0, 7), "x86tso": ("Never", 0, 7)},
    "WRC": {"sc": ("Never", 0, 7), "x86tso": ("Never", 0, 7)},
    # R→W kept by TSO: reading both stores requires a cycle.
    "LB": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # The branch skips the load of x when EAX=0 (EBX keeps 0): 2 executions remain.
    "MP+lock-add": {"sc": ("Never", 0, 2), "x86tso": ("Never", 0, 2)},
    "MP": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    "MP+mfences": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # y=2 ∧ EAX=0 needs P1's Wy2→Rx reordered: TSO only. 4 candidates, SC keeps 3.
    "R": {"sc": _NEVER_3, "x86tso": ("Sometimes", 1, 3)},
    # W→W and R→W both kept: forbidden.
    "S": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # The store buffer: each load passes the thread's own earlier store, TSO only.
    "SB": {"sc": _NEVER_3, "x86tso": ("Sometimes", 1, 3)},
    # The cmpxchg succeeds (x is 0, EAX is 0) and is locked: a fence, like P1's MFENCE.
    "SB+cmpxchg+mfence": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    "SB+lock-xadds": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    "SB+mfences": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    "SB+xchgs": {"sc": _NEVER_3, "x86tso": _NEVER_3},
    # filter 0:EAX=0 keeps, under SC, only 1:EAX=1; under TSO also 1:EAX=0.
    "SB+filter": {"sc": ("Never", 0, 1), "x86tso": ("Sometimes", 1, 1)},
    # forall (0:EAX=1 \/ 1:EAX=1): holds under SC (Ok), fails on SB's outcome under TSO.
    "SB-forall": {"sc": ("Always", 3, 0), "x86tso": ("Sometimes", 3, 1)},
    # ~exists SB's outcome: Ok under SC, No under TSO (Positive/Negative swapped by herd).
    "SB-not-exists": {"sc": _NEVER_3, "x86tso": ("Sometimes", 1, 3)},
    # Two locked fetch-and-adds of 1 on x: atomicity forbids both reading 0; x ends at 2.
    "XADD-counter": {"sc": ("Never", 0, 2), "x86tso": ("Never", 0, 2)},
}


def golden_path(path: Path, model: str, suffix: str = "expected") -> Path:
    return path.with_name(f"{path.stem}.{model}.{suffix}")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`memlitmus ARGS` in-process from the project root: (status, stdout)."""
    status = main(list(args))
    captured = capsys.readouterr()
    assert captured.err == ""
    return status, captured.out


def without_time(herd: str) -> str:
    """herd output without its `Time NAME t` lines (exactly one per block)."""
    lines = herd.split("\n")
    kept = [line for line in lines if not TIME_LINE.fullmatch(line)]
    assert len(lines) - len(kept) == herd.count("\nObservation "), herd
    return "\n".join(kept)


def check_or_update(golden: Path, actual: str, update: bool) -> None:
    if update:
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.is_file(), f"no golden {golden.name}: run `pytest --update-goldens`"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths as a user types them: `litmus/x86/SB.litmus`


@pytest.mark.parametrize(
    ("path", "model"), CASES, ids=[f"{p.stem}-{m}" for p, m in CASES]
)
def test_herd_output_matches_golden(
    path: Path, model: str, capsys: pytest.CaptureFixture[str], update_goldens: bool
) -> None:
    rel = path.relative_to(ROOT).as_posix()
    status, out = run_cli(capsys, "run", rel, "-m", model, "-f", "herd", "--count")
    assert status == 0
    check_or_update(golden_path(path, model), without_time(out), update_goldens)


@pytest.mark.parametrize("model", JSON_MODELS)
def test_json_line_matches_golden(
    model: str, capsys: pytest.CaptureFixture[str], update_goldens: bool
) -> None:
    sb = X86 / "SB.litmus"
    rel = sb.relative_to(ROOT).as_posix()
    status, out = run_cli(capsys, "run", rel, "-m", model, "-f", "json", "--count")
    assert status == 0
    assert out.endswith("\n") and out.count("\n") == 1
    record = json.loads(out)
    assert list(record) == JSON_KEYS
    time_s = record.pop("time_s")
    assert isinstance(time_s, float | int) and time_s >= 0
    actual = json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n"
    check_or_update(golden_path(sb, model, "json.expected"), actual, update_goldens)


def test_every_litmus_file_has_hand_checked_verdicts() -> None:
    assert sorted(VERDICTS) == sorted(p.stem for p in FILES)
    assert all(sorted(v) == sorted(MODELS) for v in VERDICTS.values())


@pytest.mark.parametrize(
    ("path", "model"), CASES, ids=[f"{p.stem}-{m}" for p, m in CASES]
)
def test_golden_verdict_is_the_hand_checked_one(path: Path, model: str) -> None:
    golden = golden_path(path, model)
    if not golden.is_file():
        pytest.fail(f"no golden {golden.name}: run `pytest --update-goldens`")
    text = golden.read_text(encoding="utf-8")
    found = re.search(rf"^Observation {re.escape(path.stem)} (\w+) (\d+) (\d+)$", text, re.M)
    assert found is not None, text
    observation, pos, neg = found.group(1), int(found.group(2)), int(found.group(3))
    assert (observation, pos, neg) == VERDICTS[path.stem][model]


def test_no_stray_golden_files() -> None:
    expected = {golden_path(p, m).name for p, m in CASES}
    expected |= {golden_path(X86 / "SB.litmus", m, "json.expected").name for m in JSON_MODELS}
    assert sorted(p.name for p in X86.glob("*.expected")) == sorted(expected)
