"""Soundness of the LKMM against the kernel mappings, over ../shared/corpus/lkmm.

Every test whose LKMM verdict (herd7's, from expected.tsv) is Never must be Never on the
lowered x86tso and armv8 too, and every Always must be Always (the LKMM is no stronger
than the hardware it supports; `memlitmus.kernel.soundness`). The CI runs a sample:
every 60th such test that herd7 judged in under a second; `MEMLITMUS_KERNEL_SOUNDNESS_FULL=1`
runs every one (timed in `benchmarks/kernel_soundness.py`, figures in
docs/kernel-mappings.md). EXCEPTIONS lists the documented differences, by file and model.
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


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", _selected(), ids=str)
def test_hardware_forbids_what_the_lkmm_forbids(file: str) -> None:
    outcomes = check(str(SUITE / file), EXPECTED[file]["lkmm"].observation,
                     timeout_s=None if FULL else 30)
    excepted = EXCEPTIONS.get(file, ("", ""))[0]
    unsound = [f"{o.model}: lkmm {o.lkmm}, hardware {o.hardware}"
               for o in outcomes if not o.sound and not o.unknown and o.model != excepted]
    assert unsound == []
    if excepted:
        still = [o for o in outcomes if o.model == excepted and not o.sound]
        assert still, f"{file} is listed as an exception under {excepted} but is sound now"
