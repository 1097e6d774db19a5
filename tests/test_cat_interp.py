"""Evaluating cat models with the set-based algebra (and a symbolic one)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from memlitmus.cat import (
    MODELS_DIR,
    CheckOutcome,
    Event,
    SetAlgebra,
    evaluate,
    load_cat,
    parse_cat,
)
from memlitmus.cat.algebra import BUILTIN_RELS, Kind
from memlitmus.errors import CatError, Span

CAT_DIR = Path(__file__).parent / "cat"
SC = load_cat(MODELS_DIR / "sc.cat")
TSO = load_cat(MODELS_DIR / "x86tso.cat")

Outcomes = list[CheckOutcome[frozenset[int], frozenset[tuple[int, int]]]]


def allowed(alg: SetAlgebra, outcomes: Outcomes) -> bool:
    """herd's verdict: every plain (non-flag) check holds."""
    return all(
        alg.holds(o.kind, o.negated, o.value)
        for o in outcomes
        if not o.flag and not o.undefined_unless
    )


def failing(alg: SetAlgebra, outcomes: Outcomes) -> list[str | None]:
    return [o.name for o in outcomes if not o.flag and not alg.holds(o.kind, o.negated, o.value)]


def run(src: str, alg: SetAlgebra, **kw: object) -> Outcomes:
    return evaluate(parse_cat(src, "t.cat"), alg, **kw)  # type: ignore[arg-type]


def value(src: str, alg: SetAlgebra, **kw: object) -> frozenset[object]:
    """The value of the last check of `src` (a handy way to observe an expression)."""
    result: frozenset[object] = run(src, alg, **kw)[-1].value
    return result


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` starting with `text`."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


def init(*locs: str) -> list[Event]:
    return [Event(i, None, "W", loc) for i, loc in enumerate(locs)]


# ---------------------------------------------------------------- classic tests


def sb(fenced: bool = False) -> SetAlgebra:
    """SB, outcome r0=0 r1=0: both reads read the initial values."""
    tags = frozenset({"MFENCE"})
    events = [
        *init("x", "y"),
        Event(2, 0, "W", "x"), Event(3, 0, "F", tags=tags), Event(4, 0, "R", "y"),
        Event(5, 1, "W", "y"), Event(6, 1, "F", tags=tags), Event(7, 1, "R", "x"),
    ]
    if not fenced:
        events = [e for e in events if e.kind != "F"]
    return SetAlgebra.from_events(events, rf=[(1, 4), (0, 7)], co=[(0, 2), (1, 5)])


def mp() -> SetAlgebra:
    """MP, outcome r0=1 r1=0: the flag is seen but not the data."""
    events = [
        *init("x", "y"),
        Event(2, 0, "W", "x"), Event(3, 0, "W", "y"),
        Event(4, 1, "R", "y"), Event(5, 1, "R", "x"),
    ]
    return SetAlgebra.from_events(events, rf=[(3, 4), (0, 5)], co=[(0, 2), (1, 3)])


def sb_xchg(locked: bool) -> SetAlgebra:
    """SB where each write is an xchg (a locked RMW on x86 when `locked`)."""
    x = frozenset({"X"}) if locked else frozenset()
    events = [
        *init("x", "y"),
        Event(2, 0, "R", "x", x), Event(3, 0, "W", "x", x), Event(4, 0, "R", "y"),
        Event(5, 1, "R", "y", x), Event(6, 1, "W", "y", x), Event(7, 1, "R", "x"),
    ]
    return SetAlgebra.from_events(
        events, rf=[(0, 2), (1, 5), (1, 4), (0, 7)], co=[(0, 3), (1, 6)],
        rmw=[(2, 3), (5, 6)], known_tags=["X"],
    )


def test_sb_forbidden_under_sc_allowed_under_tso() -> None:
    alg = sb()
    sc = evaluate(SC, alg)
    assert not allowed(alg, sc) and failing(alg, sc) == ["sc"]
    assert allowed(alg, evaluate(TSO, alg))


def test_sb_with_mfences_forbidden_under_tso() -> None:
    alg = sb(fenced=True)
    assert failing(alg, evaluate(TSO, alg)) == ["tso"]


def test_locked_rmws_act_as_fences_under_tso() -> None:
    assert failing(sb_xchg(True), evaluate(TSO, sb_xchg(True))) == ["tso"]
    assert allowed(sb_xchg(False), evaluate(TSO, sb_xchg(False)))


def test_mp_forbidden_under_sc_and_tso() -> None:
    alg = mp()
    assert failing(alg, evaluate(SC, alg)) == ["sc"]
    assert failing(alg, evaluate(TSO, alg)) == ["tso"]


def test_corr_violates_uniproc_under_tso() -> None:
    events = [*init("x"), Event(1, 0, "W", "x"), Event(2, 1, "R", "x"), Event(3, 1, "R", "x")]
    alg = SetAlgebra.from_events(events, rf=[(1, 2), (0, 3)], co=[(0, 1)])
    outcomes = evaluate(TSO, alg)
    assert failing(alg, outcomes) == [None, "tso"]  # uniproc is unnamed, as in herd
    assert outcomes[0].span == Span(str(MODELS_DIR / "x86tso.cat"),
                                    line_of(MODELS_DIR / "x86tso.cat", "acyclic po-loc"), 1)


def test_broken_atomicity_is_caught() -> None:
    events = [*init("x"), Event(1, 0, "R", "x"), Event(2, 0, "W", "x"), Event(3, 1, "W", "x")]
    alg = SetAlgebra.from_events(events, rf=[(0, 1)], co=[(0, 3), (3, 2)], rmw=[(1, 2)])
    assert "atomic" in failing(alg, evaluate(SC, alg))


def test_outcome_fields() -> None:
    alg = sb()
    domain_flag, sc_check, atomic = evaluate(SC, alg)  # sc.cat includes aarch64barriers.cat
    assert (domain_flag.kind, domain_flag.negated, domain_flag.flag, domain_flag.name) == (
        "empty", True, True, "Assuming-common-inner-shareable-domain")
    assert domain_flag.value == frozenset()  # no AArch64 barrier in this execution
    assert (sc_check.kind, sc_check.negated, sc_check.flag, sc_check.name) == (
        "acyclic", False, False, "sc")
    assert sc_check.value_kind == "rel" and (4, 5) in sc_check.value  # fr from R y to W y
    assert atomic.kind == "empty" and atomic.value == frozenset()
    assert sc_check.span == Span(str(MODELS_DIR / "sc.cat"),
                                 line_of(MODELS_DIR / "sc.cat", "acyclic po"), 1)


# ---------------------------------------------------------------- language features

RANDOM_EVENTS = range(6)


def random_alg(seed: int) -> SetAlgebra:
    rng = random.Random(seed)
    pairs = [(a, b) for a in RANDOM_EVENTS for b in RANDOM_EVENTS if rng.random() < 0.2]
    return SetAlgebra(RANDOM_EVENTS, {"R": {0, 1, 2}, "W": {3, 4, 5}, "F": set(), "IW": set(),
                                      "FW": set()}, {"r": pairs, "po": pairs})


@pytest.mark.parametrize("seed", range(8))
def test_let_rec_transitive_closure_equals_plus(seed: int) -> None:
    alg = random_alg(seed)
    out = run("let rec t = r | (t ; t)\nempty t as t\nempty r^+ as p\nempty r+ as q", alg)
    assert out[0].value == out[1].value == out[2].value == alg.plus(alg.relations["r"])


@pytest.mark.parametrize("seed", range(4))
def test_let_rec_closure_in_any_union_order(seed: int) -> None:
    """herd's aarch64.cat writes `let rec ob = hw-reqs | obs | ob; ob`: any union order
    and nesting is the closure of the other terms; a term that mentions the name again
    makes it an ordinary fixpoint, with the same value."""
    alg = random_alg(seed)
    r, po = alg.relations["r"], alg.relations["po"]
    both = alg.plus(alg.rel_union(r, po))
    assert value("let rec t = (t ; t) | r | po\nempty t", alg) == both
    assert value("let rec t = r | ((t ; t) | po)\nempty t", alg) == both
    other = value("let rec t = r | (t ; t) | (t ; po)\nempty t", alg)
    assert other == alg.seq(r, alg.star(alg.rel_union(r, po)))


def test_mutual_recursion_mixing_sets_and_relations() -> None:
    alg = random_alg(3)
    src = (
        "let rec reach = [start] | (reach ; r)\n"
        "and start = R \\ range(reach ; [W])\n"
        "empty reach as reach\n"
    )
    got = value(src, alg)
    assert isinstance(got, frozenset)
    assert all(isinstance(p, tuple) for p in got)


def test_recursive_functions_and_closures() -> None:
    alg = random_alg(1)
    r = alg.relations["r"]
    src = (
        "let rec pow(x, n) = match n with || 'zero -> x || 'one -> x ; x end\n"
        "enum N = 'zero || 'one\n"
        "empty pow(r, 'one) as p\n"
    )
    assert value(src, alg) == alg.seq(r, r)
    assert value("let twice f = fun x -> f(f(x))\nempty twice(fun s -> s ; s)(r)", alg) == (
        alg.seq(alg.seq(r, r), alg.seq(r, r)))


def test_scoping_is_lexical() -> None:
    alg = random_alg(2)
    src = "let base = po\nlet f(x) = x | base\nlet base = 0\nempty f(0) as lexical"
    assert value(src, alg) == alg.relations["po"]
    # a lazy let sees the bindings of its own definition point too
    assert value("let a = po\nlet b = a\nlet a = 0\nempty b", alg) == alg.relations["po"]


def test_tuple_arguments_and_patterns() -> None:
    alg = random_alg(4)
    r = alg.relations["r"]
    src = "let f(x, y) = x ; y\nlet (a, b) = (r, r^-1)\nempty f(a, b)"
    assert value(src, alg) == alg.seq(r, alg.inverse(r))
    with pytest.raises(CatError, match="a tuple of 2 was expected"):
        run("let f(x, y) = x\nempty f(r)", alg)


def test_stdlib_functions() -> None:
    alg = sb(fenced=True)
    assert value("empty fencerel(MFENCE)", alg) == frozenset(
        {(2, 4), (5, 7)})
    assert value("empty singlestep(po)", alg) == frozenset({(2, 3), (3, 4), (5, 6), (6, 7)})
    assert value("empty po-loc", alg) == frozenset()
    assert value("empty fr", alg) == frozenset({(4, 5), (7, 2)})


def test_polymorphic_empty_and_universe() -> None:
    alg = sb()
    universe = alg.universe()
    assert value("empty 0 | po", alg) == alg.relations["po"]
    assert value("empty ~0", alg) == frozenset(itertools.product(universe, universe))
    assert value("empty _ * W", alg) == frozenset(itertools.product(universe, alg.sets["W"]))
    assert value("empty domain(0) | R", alg) == alg.sets["R"]
    assert value("empty 0 ; po", alg) == frozenset()
    assert value("empty {} \\ R", alg) == frozenset()
    assert value("empty 0*", alg) == alg._id


def test_sets_and_set_checks() -> None:
    alg = sb()
    (out,) = run("flag ~empty R \\ IW as reads", alg)
    assert out.flag and out.negated and out.value_kind == "set" and out.value == {4, 7}
    assert value("empty ~W", alg) == alg.sets["R"]
    assert value("empty [R] ; po ; [W]", alg) == frozenset()


def test_try_with_falls_back_on_errors() -> None:
    alg = sb()
    assert value("let x = try NOT-DEFINED with po\nempty x", alg) == alg.relations["po"]
    assert value("empty try fencerel(MFENCE) with 0", alg) == frozenset()  # no MFENCE tag


def test_variants_select_branches() -> None:
    alg = sb()
    src = 'let v = if "fast" then po else if not "slow" || "x" then rf else co\nempty v'
    assert value(src, alg, variants={"fast"}) == alg.relations["po"]
    assert value(src, alg) == alg.relations["rf"]
    assert value(src, alg, variants={"slow"}) == alg.relations["co"]
    ins_if = 'if "fast" then let v = po else let v = rf end\nempty v'
    assert value(ins_if, alg, variants=["fast"]) == alg.relations["po"]


def test_tags_enums_match_and_conditions() -> None:
    alg = sb()
    src = (
        "enum Mode = 'a || 'b || 'c\n"
        "let m = match 'b with || 'a -> po || 'b -> rf || _ -> 0 end\n"
        "let s = if {'a, 'b} subset Mode then m else 0\n"
        "let t = if 'c in ~{'a} then s else 0\n"
        "let u = if Mode = map (fun x -> x) Mode then t else 0\n"
        "empty u\n"
    )
    assert value(src, alg) == alg.relations["rf"]
    with pytest.raises(CatError, match="tag 'zz is undefined"):
        run("empty match 'zz with _ -> 0 end", alg)


def test_bell_annotations_define_capitalised_sets() -> None:
    events = [*init("x"), Event(1, 0, "W", "x", annotations=frozenset({"once"})),
              Event(2, 1, "R", "x", annotations=frozenset({"rcu-lock"}))]
    alg = SetAlgebra.from_events(events, rf=[(1, 2)], co=[(0, 1)])
    src = (
        "enum Acc = 'once || 'release || 'rcu-lock\ninstructions W[Acc]\n"
        "empty Once | Rcu-lock as a\nempty Release as b\n"
    )
    a, b = run(src, alg)
    assert a.value == {1, 2} and b.value == frozenset()


def test_procedures_calls_and_forall() -> None:
    alg = sb()
    src = (
        "procedure chk(r, s) =\n  acyclic r | s\n  empty r & s as inner\nend\n"
        "call chk(po, rf) as outer\n"
        "enum E = 'a || 'b\nforall t in E do empty 0 end\n"
    )
    out = run(src, alg)
    assert [o.name for o in out] == ["outer", "inner", None, None]
    assert out[0].value == alg.relations["po"] | alg.relations["rf"]


def test_includes_are_evaluated() -> None:
    model = load_cat(CAT_DIR / "includes.cat", search_dirs=[CAT_DIR / "extra"])
    alg = sb()
    (out,) = evaluate(model, alg)
    assert out.name == "both" and out.value == alg.relations["po"] | alg.relations["rf"]


def test_different_values_uses_event_values() -> None:
    events = [Event(0, None, "W", "x", value=0), Event(1, 0, "W", "x", value=1),
              Event(2, 1, "R", "x", value=1), Event(3, 1, "R", "x", value=0)]
    alg = SetAlgebra.from_events(events, rf=[(1, 2), (0, 3)], co=[(0, 1)])
    assert value("empty different-values(loc & ext)", alg) == {
        (0, 1), (1, 0), (0, 2), (2, 0), (1, 3), (3, 1)}
    assert (2, 1) in value("empty same-value(loc)", alg)
    with pytest.raises(CatError, match="unsupported cat primitive `different-values`"):
        run("empty different-values(po)", sb())


def test_the_whole_syntax_file_evaluates_until_with_from() -> None:
    alg = sb()
    with pytest.raises(CatError) as info:
        evaluate(load_cat(CAT_DIR / "all_syntax.cat"), alg, variants={"other"})
    assert "unsupported cat construct `with co2 from a set of 2 candidates" in info.value.message
    assert info.value.span is not None and info.value.span.line == 80


# ---------------------------------------------------------------- errors


def test_unknown_identifier_error_has_span() -> None:
    with pytest.raises(CatError) as info:
        evaluate(load_cat(CAT_DIR / "unknown_ident.cat"), sb())
    err = info.value
    assert err.message == "unknown identifier `no-such-relation`"
    assert err.span is not None and (err.span.line, err.span.col) == (3, 16)
    lines = err.render().splitlines()
    assert lines[0].endswith("unknown_ident.cat:3:16: unknown identifier `no-such-relation`")
    assert lines[2].strip() == "^"


def test_unsupported_construct_error() -> None:
    with pytest.raises(CatError) as info:
        evaluate(load_cat(CAT_DIR / "unsupported.cat"), sb())
    err = info.value
    assert err.message == ("unsupported cat construct `with chosen from a set of 2 candidates "
                           "(a choice among several)`")
    assert err.span is not None and (err.span.line, err.span.col) == (3, 1)


@pytest.mark.parametrize(
    ("src", "fragment"),
    [
        ("acyclic R", "a relation was expected, found an event set (write `[S]`"),
        ("empty po | R", "union of a relation and an event set"),
        ("empty [po]", "`[...]` takes an event set"),
        ("empty po * R", "an event set was expected, found a relation"),
        ("empty if 'a = 'a then 0 else 0", "tag 'a is undefined"),
        ("empty po(rf)", "a function was expected"),
        ("call nothing(po)", "`nothing` is not a procedure"),
        ("let rec f = fun x -> x and g = po\nempty g", None),
        ('include "x.cat"', "include `x.cat` is not resolved"),
        ("empty classes-loc(W)", "unsupported cat primitive `classes-loc`"),
        ("empty linearisations(W, po)", "unsupported cat primitive `linearisations`"),
        ("let rec x = {x}", "illegal recursion"),
        ("empty po ++ rf", "unsupported cat construct `++ on event sets or relations`"),
        ("let rec x = x ; po when acyclic x", "unsupported cat construct `let rec ... when`"),
    ],
)
def test_evaluation_errors(src: str, fragment: str | None) -> None:
    if fragment is None:
        run(src, sb())  # functions may be mixed into a value fixpoint
        return
    with pytest.raises(CatError) as info:
        run(src, sb())
    assert fragment in info.value.message
    assert info.value.span is not None and info.value.span.file == "t.cat"
    assert info.value.render().startswith("t.cat:")


# ---------------------------------------------------------------- abstractness, speed


class StringAlgebra:
    """A symbolic algebra: values are formula strings, fixpoints are named variables."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.fixpoints: list[tuple[list[str], list[Kind], list[str]]] = []

    def empty_set(self) -> str:
        return "{}"

    def universe(self) -> str:
        return "U"

    def empty_rel(self) -> str:
        return "0"

    def set_union(self, a: str, b: str) -> str:
        return f"({a}|{b})"

    def set_inter(self, a: str, b: str) -> str:
        return f"({a}&{b})"

    def set_diff(self, a: str, b: str) -> str:
        return f"({a}\\{b})"

    rel_union = set_union
    rel_inter = set_inter
    rel_diff = set_diff

    def set_complement(self, a: str) -> str:
        return f"~{a}"

    rel_complement = set_complement

    def seq(self, a: str, b: str) -> str:
        return f"({a};{b})"

    def inverse(self, a: str) -> str:
        return f"{a}^-1"

    def plus(self, a: str) -> str:
        return f"{a}+"

    def star(self, a: str) -> str:
        return f"{a}*"

    def opt(self, a: str) -> str:
        return f"{a}?"

    def identity(self, s: str) -> str:
        return f"[{s}]"

    def product(self, a: str, b: str) -> str:
        return f"({a}*{b})"

    def domain(self, r: str) -> str:
        return f"dom({r})"

    def range(self, r: str) -> str:
        return f"rng({r})"

    def builtin_set(self, name: str) -> str | None:
        self.asked.append(name)
        return name if name in ("R", "W", "F", "IW", "FW", "X") else None

    def builtin_rel(self, name: str) -> str | None:
        self.asked.append(name)
        return name if name in BUILTIN_RELS else None

    def annotation(self, tag: str) -> str:
        return f"@{tag}"

    def rel_primitive(self, name: str, r: str) -> str | None:
        return None

    def fixpoint(
        self, names: Sequence[str], kinds: Sequence[Kind], step: Callable[[list[str]], list[str]]
    ) -> list[str]:
        fresh = [f"mu_{n}" for n in names]
        self.fixpoints.append((list(names), list(kinds), step(fresh)))
        return fresh


def test_interpreter_is_representation_independent() -> None:
    alg = StringAlgebra()
    outcomes = evaluate(SC, alg)  # type: ignore[arg-type, var-annotation]
    assert [o.value for o in outcomes] == [
        "0",  # the shareability flag: this algebra knows no AArch64 barrier tag
        "(po|(((rf|co)|fr);sm))",
        "(rmw&(fre;coe))",
    ]
    # laziness: stdlib definitions the model does not use are never built
    assert "addr" not in alg.asked and "ctrl" not in alg.asked


def test_symbolic_fixpoint_receives_kinds_and_step() -> None:
    alg = StringAlgebra()
    src = "let rec t = po | (t ; t) and s = R \\ domain(t)\nacyclic t\nempty s"
    outcomes = evaluate(parse_cat(src, "t.cat"), alg)  # type: ignore[arg-type, var-annotation]
    (names, kinds, stepped), = alg.fixpoints
    assert names == ["t", "s"] and kinds == ["rel", "set"]
    assert stepped == ["(po|(mu_t;mu_t))", "(R\\dom((po|(mu_t;mu_t))))"]
    assert [o.value for o in outcomes] == ["mu_t", "mu_s"]


def test_parse_then_resolve_includes(tmp_path: Path) -> None:
    from memlitmus.cat import resolve_includes

    (tmp_path / "defs.cat").write_text("let mine = po | rf\n")
    model = parse_cat('include "defs.cat"\nacyclic mine as m', str(tmp_path / "main.cat"))
    alg = sb()
    (out,) = evaluate(resolve_includes(model), alg)
    assert out.value == alg.relations["po"] | alg.relations["rf"]


def test_stdlib_can_be_left_out() -> None:
    with pytest.raises(CatError, match="unknown identifier `ca`"):
        evaluate(parse_cat("acyclic ca", "t.cat"), sb(), stdlib=False)
    (out,) = evaluate(parse_cat("acyclic po", "t.cat"), sb(), stdlib=False)
    assert out.value == sb().relations["po"]
