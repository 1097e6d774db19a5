"""The Z3 backend: symbolic closures and fixpoints give the same verdicts as plain models."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus import solve
from memlitmus.arch.registry import default_model_for
from memlitmus.builder import select
from memlitmus.corpus import canonical_symbols
from memlitmus.encode import algebra, thin_air
from memlitmus.events import Const, binop, dependency_conditions, not_, read_value
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


# ---- path-sensitive dependencies and thin-air values -------------------------------------


def test_dependency_conditions_follow_the_path_of_a_join() -> None:
    r1, r2, r3 = read_value(1), read_value(2), read_value(3)
    guard = binop("==", r1, Const(1))
    joined = select(guard, r2, binop("+", r3, Const(1)))
    conditions = dependency_conditions(joined)
    assert conditions == {2: guard, 3: not_(guard)}  # never the guard's own read 1
    # Syntactically `r3 ^ r3` depends on r3 (herd's data); its value does not.
    folded = binop("^", r3, r3)
    assert dependency_conditions(folded) == {3: Const(1)}
    assert dependency_conditions(folded, syntactic=False) == {}


def test_cyclic_reads_are_those_on_a_value_cycle() -> None:
    graph = {1: {2}, 2: {1}, 3: {1}, 4: {4}, 5: set()}
    assert thin_air._cyclic_reads(graph) == {1, 2, 4}


def test_herd_symbols_are_renamed_in_order_of_appearance() -> None:
    state = "0:r1=1; 0:r2=S23; 1:r2=S23; [b]=S7; [c]=Sx;"
    assert canonical_symbols(state) == "0:r1=1; 0:r2=S1; 1:r2=S1; [b]=S2; [c]=Sx;"
