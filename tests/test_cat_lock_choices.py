"""`map` over event sets whose elements exist in some executions only, `cross` of such
sets and `with x from` choosing one candidate per element, on the solver's executions.

The model, tests/cat/lock_reads_choose_rf.cat, gives each RL event (a spin_is_locked()
that read the lock held, herd's view) the rf of a lock write, as the kernel's lock.cat
does, and asks for sequential consistency with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus import cli
from tests.conftest import ROOT

MODEL = ROOT / "tests" / "cat" / "lock_reads_choose_rf.cat"

# P1 sees the lock held, then reads x: under SC with RL's rf from P0's lock write, x=1.
IS_LOCKED_THEN_READ = """C is-locked-then-read
{}
P0(spinlock_t *s, int *x)
{
	WRITE_ONCE(*x, 1);
	spin_lock(s);
}
P1(spinlock_t *s, int *x)
{
	int r0 = spin_is_locked(s);
	int r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> list[str]:
    test = tmp_path / "t.litmus"
    test.write_text(IS_LOCKED_THEN_READ, encoding="utf-8")
    assert cli.main(["run", str(test), "-m", str(MODEL), *options, "-f", "herd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("States "))
    return lines[start + 1:start + 1 + int(lines[start].split()[1])]


def test_the_chosen_rf_of_a_present_rl_event_orders(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # r0=1: P1's read is an RL event, whose one candidate is P0's lock write: with it in
    # the cycle, r1=0 is not SC. r0=0: no RL event, nothing chosen, both values of x.
    assert _run(tmp_path, capsys) == [
        "1:r0=0; 1:r1=0;", "1:r0=0; 1:r1=1;", "1:r0=1; 1:r1=1;"]


def test_a_present_element_without_a_candidate_leaves_no_execution(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # With variant "int" an RL event needs a lock write of its own thread: P1 has none,
    # so no execution where the read sees the lock held is a candidate (herd's empty
    # cross product); those where it does not are unaffected.
    assert _run(tmp_path, capsys, "-variant", "int") == ["1:r0=0; 1:r1=0;", "1:r0=0; 1:r1=1;"]


def test_without_the_choice_the_read_of_the_lock_orders_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The same model without `rf-rl` in the cycle: herd's rf has no edge to a lock read.
    model = tmp_path / "m.cat"
    model.write_text(MODEL.read_text(encoding="utf-8").replace("| rf-rl ", ""),
                     encoding="utf-8")
    test = tmp_path / "t.litmus"
    test.write_text(IS_LOCKED_THEN_READ, encoding="utf-8")
    assert cli.main(["run", str(test), "-m", str(model), "-I", str(MODEL.parent),
                     "-f", "herd"]) == 0
    assert "Observation is-locked-then-read Sometimes 1 " in capsys.readouterr().out


TRYLOCK_AND_IS_LOCKED = """C lock-reads
{}
P0(spinlock_t *s)
{
	spin_lock(s);
	spin_unlock(s);
}
P1(spinlock_t *s)
{
	int r0 = spin_trylock(s);
	int r1 = spin_is_locked(s);
}
exists (1:r0=0 /\\ 1:r1=0)
"""


def test_herds_rf_and_fr_never_reach_a_lock_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # herd's rf relates plain accesses only: lock.cat gives the lock reads theirs. Every
    # lock read reads some write in memlitmus's execution; none of that shows in `rf`.
    model = tmp_path / "m.cat"
    model.write_text('"no rf to lock reads"\nlet RL = try RL with emptyset\n'
                     "let RU = try RU with emptyset\nlet LOCK-READS = LKR | LF | RL | RU\n"
                     "empty rf ; [LOCK-READS] as rf\nempty [LOCK-READS] ; fr as fr\n",
                     encoding="utf-8")
    test = tmp_path / "t.litmus"
    test.write_text(TRYLOCK_AND_IS_LOCKED, encoding="utf-8")
    assert cli.main(["run", str(test), "-m", str(model), "-f", "herd"]) == 0
    out = capsys.readouterr().out
    # every combination: the trylock fails or not, spin_is_locked reads held or not
    assert "States 4\n" in out and "Observation lock-reads Sometimes 1 3" in out
