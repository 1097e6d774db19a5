"""Every AArch64 row of herd7's expected.tsv: same Observation and same set of final states,
under armv8 and sc.

The diy7-atomics rows where a failed CAS writes back the value it read (herd 7.58 lists
such states under sc) are the ones that need `cas` to offer the write-back alternative;
docs/armv8.md explains it.
"""

from __future__ import annotations

import pytest

from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from tests.conftest import CORPUS

SUITE = CORPUS / "aarch64"
EXPECTED = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}


@pytest.mark.skipif(not EXPECTED, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(EXPECTED), ids=str)
def test_agrees_with_herd(file: str) -> None:
    expected = EXPECTED[file]
    models = [resolve(m) for m in sorted(expected)]
    results = judge(load_litmus(SUITE / file), models, Options())
    problems = {r.model: disagreements(r, expected[r.model]) for r in results}
    assert problems == {m: [] for m in sorted(expected)}
