"""herd's own model files, run unmodified, give herd7's verdicts: a sample of each suite.

Every row is judged by `benchmarks/corpus.py SUITE --model-file NAME=FILE`; CI judges
every 20th file (sorted by name) of the x86 suite with herd's sc.cat and x86tso.cat.
"""

from __future__ import annotations

import pytest

from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from tests.conftest import CORPUS, ROOT

HERD_LIBDIR = ROOT / ".." / "shared" / "models" / "herd-libdir"
SUITE = CORPUS / "x86"
EXPECTED = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}
SAMPLE = sorted(EXPECTED)[::20]


@pytest.mark.skipif(not EXPECTED or not HERD_LIBDIR.is_dir(),
                    reason="../shared/corpus or ../shared/models absent")
@pytest.mark.parametrize("file", SAMPLE, ids=str)
def test_herds_x86_models_agree_with_herd(file: str) -> None:
    expected = EXPECTED[file]
    models = [resolve(str(HERD_LIBDIR / f"{m}.cat")) for m in sorted(expected)]
    results = judge(load_litmus(SUITE / file), models, Options())
    problems = {r.model: disagreements(r, expected[r.model]) for r in results}
    assert problems == {m: [] for m in sorted(expected)}
