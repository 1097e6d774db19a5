"""Golden herd output of the project's own kernel corpus: `memlitmus run FILE -m lkmm
-f herd --count` for every `litmus/lkmm/*.litmus`, compared byte for byte with
`litmus/lkmm/<stem>.lkmm.expected` (the `Time` line left out).

`pytest --update-goldens` rewrites the goldens; VERDICTS holds the verdicts checked by
hand (Observation, herd's execution counts, flags), so a wrong verdict cannot be blessed
silently.
"""

from __future__ import annotations

import re

import pytest

from memlitmus.cli import main
from tests.conftest import LITMUS

LKMM = LITMUS / "lkmm"
FILES = sorted(LKMM.glob("*.litmus"))
TIME_LINE = re.compile(r"Time \S+ [0-9]+\.[0-9]{2}\n")
OBSERVATION = re.compile(r"Observation \S+ (\w+) ([0-9]+) ([0-9]+)")

_NEVER_3 = ("Never", 0, 3, ())
VERDICTS: dict[str, tuple[str, int, int, tuple[str, ...]]] = {
    # Release/acquire chains and smp_wmb/smp_rmb pairs forbid the message without data.
    "MP+wmb+rmb": _NEVER_3,
    "MP+release+acquire": _NEVER_3,
    "ISA2+release+acquire": ("Never", 0, 7, ()),
    # Nothing orders marked accesses on their own.
    "MP+once": ("Sometimes", 1, 3, ()),
    # smp_mb() on both sides, or a grace period on both sides, or full-barrier xchg().
    "SB+mbs": _NEVER_3,
    "SB+rcu-sync": _NEVER_3,
    "SB+xchgs": _NEVER_3,
    # Release then acquire does not order W→R; xchg_relaxed orders nothing.
    "SB+release+acquire": ("Sometimes", 1, 3, ()),
    "SB+xchg-relaxed": ("Sometimes", 1, 3, ()),
    # The only outcome needing 1s is the out-of-thin-air cycle (ctrl + data); P0 reads
    # x=0 from the initial write or from P1's store of 0: 2 executions.
    "LB+ctrl+data": ("Never", 0, 2, ()),
    # The RCU guarantee and publication through rcu_assign_pointer/rcu_dereference.
    "MP+rcu": _NEVER_3,
    "MP+srcu": _NEVER_3,
    "RCU-publish": ("Never", 0, 2, ()),
    # Critical sections of one lock happen one after the other (2 lock orders).
    "MP+locks": ("Never", 0, 2, ()),
    "counter+locks": ("Always", 2, 0, ()),
    # Lost update: both read 0 (2 coherence orders), or one reads the other's 1.
    "counter+plain": ("Sometimes", 2, 2, ("data-race",)),
    # One cmpxchg wins, the other fails reading its value.
    "cmpxchg-once": ("Never", 0, 2, ()),
    "atomic-inc": ("Always", 2, 0, ()),
    # P1's trylock fails (reads P0's LKW) or succeeds before or after P0's section.
    "trylock": ("Sometimes", 1, 2, ()),
    # Plain copies in a cycle: the cycle's value is an unknown S1, never 42 (4 rf
    # choices; the cycle is one of them); plain accesses race.
    "LB+plain-copies": ("Never", 0, 4, ("data-race",)),
    # Path-sensitive dependencies: on the r1 = 1 path the write depends only on the
    # unordered plain read (herd7: C-JO-OOTA-3, Sometimes 1 7).
    "LB+once-joined-reg": ("Sometimes", 1, 7, ()),
}


def _run(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["run", path, "-m", "lkmm", "-f", "herd", "--count"]) == 0
    return TIME_LINE.sub("", capsys.readouterr().out)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: object, capsys: pytest.CaptureFixture[str], update_goldens: bool) -> None:
    out = _run(str(path), capsys)
    golden = LKMM / f"{path.stem}.lkmm.expected"  # type: ignore[attr-defined]
    if update_goldens:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden_verdict_is_the_hand_checked_one(path: object) -> None:
    stem = path.stem  # type: ignore[attr-defined]
    text = (LKMM / f"{stem}.lkmm.expected").read_text(encoding="utf-8")
    m = OBSERVATION.search(text)
    assert m is not None
    flags = tuple(line[5:] for line in text.splitlines() if line.startswith("Flag "))
    assert (m.group(1), int(m.group(2)), int(m.group(3)), flags) == VERDICTS[stem]
