"""Every x86 row of herd7's expected.tsv: same Observation and same set of final states,
under x86tso and sc."""

from __future__ import annotations

import pytest

from memlitmus.judge import Options
from memlitmus.suite import SuiteTest
from tests.conftest import CORPUS, corpus_tests, problems_of

SUITE = CORPUS / "x86"
EXPECTED: dict[str, SuiteTest] = corpus_tests(SUITE)


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(EXPECTED), ids=str)
def test_agrees_with_herd(file: str) -> None:
    test = EXPECTED[file]
    assert problems_of(test, Options()) == {m: [] for m in test.models}
