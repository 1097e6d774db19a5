"""herd's catalogue of AArch64 "pick" dependencies (`../shared/corpus/aarch64-pick`): every
row of herd7's expected.tsv agrees (Observation and final states) under armv8 and sc, and
the case `../shared/cases/MP+rel+CAS-both-addr` gives herd7's output.

What the suite pins (docs/armv8.md, *Dependencies*): a value selected by CSEL's condition
or by a CAS's comparison pick-depends on the reads behind it, which orders later writes but
not, by itself, a later read, and does not compose with `lrs` as a real dependency does.
"""

from __future__ import annotations

import pytest

from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from tests.conftest import CORPUS, ROOT

SUITE = CORPUS / "aarch64-pick"
EXPECTED = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}
CASES = ROOT / ".." / "shared" / "cases"


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(EXPECTED), ids=str)
def test_agrees_with_herd(file: str) -> None:
    expected = EXPECTED[file]
    models = [resolve(m) for m in sorted(expected)]
    results = judge(load_litmus(SUITE / file), models, Options())
    problems = {r.model: disagreements(r, expected[r.model]) for r in results}
    assert problems == {m: [] for m in sorted(expected)}


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases absent")
def test_case_mp_rel_cas_both_addr() -> None:
    """herd builds a successful CAS's Rs from memory *or* from the old Rs: in each
    alternative the final load has a real address dependency, on the CAS's read or on the
    first load, so the outcome is forbidden; and every state herd lists is listed."""
    (result,) = judge(load_litmus(CASES / "MP+rel+CAS-both-addr.litmus"), [resolve("armv8")],
                      Options())
    assert result.observation.value == "Never"
    assert {s.herd_line() for s in result.states} == {
        "1:X1=2; 1:X7=2; 1:X9=0; [w]=2;",
        "1:X1=2; 1:X7=2; 1:X9=2; [w]=6;",
        "1:X1=4; 1:X7=0; 1:X9=0; [w]=2;",
        "1:X1=4; 1:X7=0; 1:X9=2; [w]=2;",
        "1:X1=4; 1:X7=2; 1:X9=0; [w]=2;",
        "1:X1=4; 1:X7=2; 1:X9=2; [w]=2;",
    }
