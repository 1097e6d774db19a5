"""The Z3 backend: symbolic closures and fixpoints give the same verdicts as plain models."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.encode import algebra
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from tests.conftest import LITMUS

X86_FILES = sorted((LITMUS / "x86").glob("*.litmus"))

# SC written three ways: a recursive happens-before, a closure used inside a sequence
# (not directly under `acyclic`), and herd's plain form.
REC_SC = """"SC via let rec"
let rec hb = po | rf | co | fr | (hb ; hb)
irreflexive hb as sc
empty rmw & (fre ; coe) as atomic
"""
SEQ_SC = """"SC via a closure in a sequence"
let hb = (po | rf | co | fr)+
irreflexive hb ; hb? as sc
empty rmw & (fre ; coe) as atomic
"""




@pytest.mark.parametrize("source", [REC_SC, SEQ_SC], ids=["let-rec", "closure-in-seq"])
@pytest.mark.parametrize("exact_nodes", [24, 0], ids=["formulas", "fresh-variables"])
@pytest.mark.parametrize("path", X86_FILES, ids=lambda p: p.name)
def test_recursive_sc_equals_sc(
    path: Path, source: str, exact_nodes: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(algebra, "EXACT_CLOSURE_NODES", exact_nodes)
    cat = tmp_path / "mine.cat"
    cat.write_text(source)
    test = load_litmus(path)
    (mine,) = judge(test, [resolve(str(cat))], Options())
    (sc,) = judge(test, [resolve("sc")], Options())
    assert (mine.observation, mine.states) == (sc.observation, sc.states)
