"""herd's model files and memlitmus's own library (cos.cat, cross.cat, filters.cat...).

herd's own files (../shared/models) are reference data: the tests that read them skip when
the folder is absent. memlitmus's library files are written by the project to the meaning
herd's manual gives them; these tests check that meaning on explicit executions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.cat import (
    MODELS_DIR,
    CatModel,
    Event,
    SetAlgebra,
    evaluate,
    load_cat,
    parse_cat,
    resolve_includes,
)
from memlitmus.errors import CatError
from tests.test_cat_interp import allowed, failing, init, mp, sb

HERD_LIBDIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "models" / "herd-libdir"
needs_herd = pytest.mark.skipif(not HERD_LIBDIR.is_dir(), reason="../shared/models absent")

# Coherence generated as herd's cos.cat does, then sequential consistency.
SC_WITH_COS = 'include "cos.cat"\nacyclic po | rf | co | fr as sc\n'


def cat(src: str) -> CatModel:
    """A model from source text, its includes found in the library."""
    return resolve_includes(parse_cat(src, "t.cat"))


def value(src: str, alg: SetAlgebra) -> object:
    """The value of the last check of `src`."""
    return evaluate(cat(src), alg)[-1].value


def corr(order: list[tuple[int, int]]) -> SetAlgebra:
    """CoWW-like: thread 0 writes x twice (1 then 2); `order` is the execution's co."""
    events = [*init("x"), Event(1, 0, "W", "x"), Event(2, 0, "W", "x")]
    return SetAlgebra.from_events(events, co=order)


def test_with_co_from_generate_cos_binds_the_executions_co() -> None:
    alg = sb()
    outcomes = evaluate(cat(SC_WITH_COS), alg)
    assert failing(alg, outcomes) == ["sc"]
    (*_, with_co) = evaluate(cat('include "cos.cat"'), alg)
    assert with_co.name == "with co" and with_co.value == frozenset()


def test_generated_co_must_extend_its_base() -> None:
    # cos-opt's cobase holds po-loc on writes: a co against program order is no candidate.
    src = 'include "cos-opt.cat"\n'
    good, bad = corr([(0, 1), (1, 2)]), corr([(0, 2), (2, 1)])
    assert allowed(good, evaluate(cat(src), good))
    # (co0 puts the co-last write, FW, last: here it is the first write of the thread.)
    assert failing(bad, evaluate(cat(src), bad)) == ["ConsCo", "with co"]
    # Without the variant, cos.cat takes cos-no-opt.cat: co0 only, so both are candidates.
    plain = 'include "cos.cat"\n'
    assert allowed(bad, evaluate(cat(plain), bad))
    assert "with co" in failing(bad, evaluate(cat(plain), bad, variants={"cos-opt"}))


def test_co0_orders_initial_writes_first() -> None:
    alg = corr([(0, 1), (1, 2)])
    assert value("empty co0", alg) == frozenset({(0, 1), (0, 2), (1, 2)})


def test_cross_picks_one_relation_from_each_set() -> None:
    alg = sb()
    po, rf = alg.relations["po"], alg.relations["rf"]
    each = "forall p in picks do empty p end"
    src = f'include "cross.cat"\nlet picks = cross({{{{po, rf}}, {{0}}}})\n{each}'
    outcomes = evaluate(cat(src), alg)
    assert len(outcomes) == 2 and {o.value for o in outcomes} == {po, rf}
    empty_member = f'include "cross.cat"\nlet picks = cross({{{{po}}, {{}}}})\n{each}'
    assert evaluate(cat(empty_member), alg) == []


def test_filters_and_fences_library() -> None:
    alg = sb(fenced=True)
    assert value('include "filters.cat"\nempty WR(po)', alg) == frozenset(
        {(2, 4), (5, 7)})
    assert value('include "fences.cat"\nempty mfence', alg) == frozenset({(2, 4), (5, 7)})
    assert value('include "fences.cat"\nempty dmb.ish | sync', alg) == frozenset()


def test_stdlib_procedures() -> None:
    alg = sb()
    outcomes = evaluate(parse_cat("call total(co, W) as tot\ncall inclusion(rf, po)", "t.cat"),
                        alg)
    assert failing(alg, outcomes) == ["tot", None]


def test_assert_is_parsed_and_recorded() -> None:
    alg = sb()
    (check,) = evaluate(parse_cat("assert empty rmw as no-rmw", "t.cat"), alg)
    assert check.assertion and check.name == "no-rmw" and not check.flag


def test_include_search_path_ends_with_the_cwd(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here.cat").write_text("let from-cwd = po\n")
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    (model_dir / "m.cat").write_text('include "here.cat"\nempty from-cwd\n')
    monkeypatch.chdir(tmp_path)
    alg = sb()
    (out,) = evaluate(load_cat(model_dir / "m.cat"), alg)
    assert out.value == alg.relations["po"]


def test_with_from_an_explicit_set() -> None:
    alg = sb()
    # One candidate: it is x. None: the execution is no candidate (a check never holding).
    assert value("with x from {po}\nempty x", alg) == alg.relations["po"]
    (never,) = evaluate(cat("with x from {}"), alg)
    assert never.name == "with x" and failing(alg, [never]) == ["with x"]
    with pytest.raises(CatError) as info:
        evaluate(cat("let s = {po, rf}\nwith x from s"), sb())
    # the set algebra holds one concrete execution: no open choice (Z3's: a solver choice,
    # tests/test_herd_aarch64.py)
    assert info.value.message == ("unsupported cat construct `with x from a set of 2 "
                                  "candidates (a choice among several)`")
    assert info.value.span is not None and (info.value.span.line, info.value.span.col) == (2, 1)


def test_matching_an_empty_event_set_takes_the_empty_case() -> None:
    src = "let f x = {x}\nlet n = map f (W & R)\nempty if n = {} then po else rf"
    assert value(src, sb()) == sb().relations["po"]


@needs_herd
@pytest.mark.parametrize("name", ["sc.cat", "x86tso.cat"])
def test_herds_own_models_give_the_shipped_verdicts(name: str) -> None:
    herd = load_cat(HERD_LIBDIR / name)
    ours = load_cat(MODELS_DIR / name)
    for alg in (sb(), sb(fenced=True), mp()):
        assert allowed(alg, evaluate(herd, alg)) == allowed(alg, evaluate(ours, alg))


def test_an_error_inside_a_library_function_names_the_call() -> None:
    with pytest.raises(CatError) as info:
        evaluate(cat("let f x = x\nempty toid(po)"), sb())
    err = info.value
    assert err.span is not None and err.span.file.endswith("stdlib.cat")
    assert err.message == ("type error: `[...]` takes an event set, found a relation "
                           "(called from t.cat:2:7)")


# Each read's candidates for a chosen rf: one single-pair relation per write it may read.
RF_CANDIDATES = "let one e = map (fun p -> p ++ 0) ((W * {e}) & rf)\n"


def test_map_over_an_event_set_passes_its_events() -> None:
    alg = sb()
    # `{e}` of an event map passes is its singleton set; `p ++ 0` of a pair, a relation
    src = "let s = map (fun e -> [{e}]) R\nwith x from cross(map (fun r -> {r}) s)\nempty x"
    assert value(src, alg) == alg.identity(alg.sets["R"])
    assert value(RF_CANDIDATES + "with x from cross(map one R)\nempty x", alg) == \
        alg.relations["rf"]


def test_sets_from_event_sets_are_refused_where_not_supported() -> None:
    with pytest.raises(CatError) as info:
        evaluate(cat("let s = map (fun e -> {e}) W\n"
                      "let n = match s with {} -> 0 || x ++ r -> x end\nempty n"), sb())
    assert info.value.message == ("unsupported cat construct `set matching on a set of "
                                  "values present in some executions only`")
    with pytest.raises(CatError) as info:
        evaluate(cat("let s = map (fun e -> {e}) W\nforall e in s do empty e end"), sb())
    assert "forall over a set of values present in some executions only" in \
        info.value.message
