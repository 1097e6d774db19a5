"""The Z3 backend: symbolic closures and fixpoints give the same verdicts as plain models."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus import solve
from memlitmus.encode import algebra
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import default_model_for, resolve
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


SAMPLE_FILES = X86_FILES + sorted((LITMUS / "aarch64").glob("*.litmus"))[:12] + sorted(
    (LITMUS / "lkmm").glob("*.litmus")
)[:8]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_tree_search_lists_the_same_states(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past a few states, enumeration switches to a depth-first search over the observed
    terms; force the switch after one state and compare with plain blocking clauses."""
    test = load_litmus(path)
    model = [resolve(default_model_for(test.arch))]
    (blocking,) = judge(test, model, Options())
    monkeypatch.setattr(solve, "BLOCKING_LIMIT", 1)
    (tree,) = judge(test, model, Options())
    assert tree.states == blocking.states
    assert tree.observation == blocking.observation
