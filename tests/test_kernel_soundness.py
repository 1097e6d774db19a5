"""Soundness of the LKMM against the kernel mappings, over ../shared/corpus/lkmm.

Every test whose LKMM verdict (herd7's, from expected.tsv) is Never must be Never on the
lowered x86tso and armv8 too, and every Always must be Always (the LKMM is no stronger
than the hardware it supports; `memlitmus.kernel.soundness`). The CI runs a sample:
every 60th such test that herd7 judged in under a second, and every 100th of the large
tests (large.tsv) the LKMM forbids; `MEMLITMUS_KERNEL_SOUNDNESS_FULL=1` runs every one
(timed in `benchmarks/kernel_soundness.py`, figures in docs/kernel-mappings.md).
EXCEPTIONS lists the documented differences, by file and model.
"""

from __future__ import annotations

import os

import pytest

from memlitmus.corpus import by_file, read_expected
from memlitmus.kernel.soundness import check
from tests.conftest import CORPUS

SUITE = CORPUS / "lkmm"
EXPECTED = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}
FULL = os.environ.get("MEMLITMUS_KERNEL_SOUNDNESS_FULL") == "1"

# file -> (model, why its verdict differs from the LKMM's), documented in
# docs/kernel-mappings.md
EXCEPTIONS: dict[str, tuple[str, str]] = {
    "paulmckrcu-litmus/manual/kernel/C-MPrelseq+o-r+rmwinc+a-o.litmus": (
        "x86tso",
        "herd's X86 semantics: a locked RMW's read and write are one instruction, related by "
        "neither po nor amo, so uniproc lets atomic_inc read the release store after its "
        "own write in coherence; the LKMM's RMW is atomic, real x86 too",
    ),
}


def _decided() -> list[str]:
    return sorted(f for f, rows in EXPECTED.items()
                  if rows["lkmm"].observation in ("Never", "Always"))


def _selected() -> list[str]:
    files = _decided()
    if FULL:
        return files
    return [f for f in files if EXPECTED[f]["lkmm"].herd_time_s < 1.0][::60]


def _large() -> dict[str, str]:
    """large.tsv: the 7- to 19-thread tests (herd7's LKMM verdict or the test's own
    `Result:` comment), file -> verdict."""
    if not SUITE.is_dir():
        return {}
    rows = (SUITE / "large.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cols[0]: cols[2] for cols in (row.split("\t") for row in rows)}


LARGE = _large()


def _large_selected() -> list[str]:
    """Every 100th large test the LKMM forbids (all of them when FULL): chains of up to
    11 grace periods over 19 threads."""
    files = sorted(f for f, verdict in LARGE.items() if verdict in ("Never", "Always"))
    return files if FULL else files[::100]


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", _selected(), ids=str)
def test_hardware_forbids_what_the_lkmm_forbids(file: str) -> None:
    _assert_sound(file, EXPECTED[file]["lkmm"].observation, None if FULL else 30)


@pytest.mark.skipif(not LARGE, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", _large_selected(), ids=str)
def test_hardware_forbids_what_the_lkmm_forbids_on_large_tests(file: str) -> None:
    _assert_sound(file, LARGE[file], None if FULL else 120)


def _assert_sound(file: str, lkmm: str, timeout_s: float | None) -> None:
    outcomes = check(str(SUITE / file), lkmm, timeout_s=timeout_s)
    excepted = EXCEPTIONS.get(file, ("", ""))[0]
    unsound = [f"{o.model}: lkmm {o.lkmm}, hardware {o.hardware}"
               for o in outcomes if not o.sound and not o.unknown and o.model != excepted]
    assert unsound == []
    if excepted:
        still = [o for o in outcomes if o.model == excepted and not o.sound]
        assert still, f"{file} is listed as an exception under {excepted} but is sound now"
