"""Every AArch64 row of herd7's expected.tsv: same Observation and same set of final states,
under armv8 and sc.

The diy7-atomics rows where a failed CAS writes back the value it read (herd 7.58 lists
such states under sc) are the ones that need `cas` to offer the write-back alternative;
docs/armv8.md explains it.
"""

from __future__ import annotations

import pytest

from memlitmus.judge import Options
from memlitmus.suite import SuiteTest
from tests.conftest import CORPUS, corpus_tests, problems_of

SUITE = CORPUS / "aarch64"
EXPECTED: dict[str, SuiteTest] = corpus_tests(SUITE)


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(EXPECTED), ids=str)
def test_agrees_with_herd(file: str) -> None:
    test = EXPECTED[file]
    assert problems_of(test, Options()) == {m: [] for m in test.models}
