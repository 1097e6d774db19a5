"""Parsing herd's cat language: every syntax form, precedence, includes, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from memlitmus.cat import ast as A
from memlitmus.cat import parse as P
from memlitmus.cat.parse import MODELS_DIR, load_cat, parse_cat
from memlitmus.errors import CatError, Span
from memlitmus.grammar_files import grammar_path

CAT_DIR = Path(__file__).parent / "cat"


def parse_expr(src: str) -> A.Expr:
    """The expression bound by `let x = <src>`."""
    ins = parse_cat(f"let x = {src}", "t.cat").instructions[0]
    assert isinstance(ins, A.LetIns)
    return ins.bindings[0].expr


def show(e: A.Expr) -> str:
    """A fully parenthesised rendering, to compare parses compactly."""
    if isinstance(e, A.Var):
        return e.name
    if isinstance(e, A.Tag):
        return "'" + e.name
    if isinstance(e, A.Konst):
        return "0" if e.kind == "empty" else "_"
    if isinstance(e, A.Op):
        sym = {"union": "|", "seq": ";", "inter": "&", "diff": "\\", "prod": "*", "add": "++"}
        return "(" + f" {sym[e.op]} ".join(show(a) for a in e.args) + ")"
    if isinstance(e, A.Op1):
        return f"{e.op}({show(e.arg)})"
    if isinstance(e, A.App):
        return f"{show(e.fn)}<{show(e.arg)}>"
    if isinstance(e, A.TupleExp):
        return "(" + ", ".join(show(a) for a in e.elems) + ",)"
    if isinstance(e, A.ExplicitSet):
        return "{" + ", ".join(show(a) for a in e.elems) + "}"
    return type(e).__name__


# ---------------------------------------------------------------- the grammar


def test_grammar_file_is_found_in_the_checkout() -> None:
    path = grammar_path("cat.lark")
    assert path.name == "cat.lark" and path.is_file()


def test_parser_is_built_once() -> None:
    assert P._parser() is P._parser()


# ---------------------------------------------------------------- precedence

PRECEDENCE = [
    # herd (lib/modelParser.mly): | < ++ < ; < \ < & < * ~ postfix < ^
    ("a | b ; c", "(a | (b ; c))"),
    ("a ; b | c", "((a ; b) | c)"),
    ("a ; b \\ c", "(a ; (b \\ c))"),
    ("a \\ b ; c", "((a \\ b) ; c)"),
    ("a \\ b & c", "(a \\ (b & c))"),
    ("a & b \\ c", "((a & b) \\ c)"),
    ("a \\ b \\ c", "((a \\ b) \\ c)"),
    ("a | b | c", "(a | b | c)"),
    ("a ; (b ; c)", "(a ; b ; c)"),
    ("a & b & c", "(a & b & c)"),
    ("A * B & r", "((A * B) & r)"),
    ("r* ; s", "(star(r) ; s)"),
    ("r+ | s?", "(plus(r) | opt(s))"),
    ("r^-1 ; s", "(inv(r) ; s)"),
    ("r^+ ; r^* ; r^?", "(plus(r) ; star(r) ; opt(r))"),
    ("r^-1*", "star(inv(r))"),
    ("~a & b", "(comp(a) & b)"),
    ("~r^-1", "comp(inv(r))"),
    ("[R] ; po ; [W]", "(toid(R) ; po ; toid(W))"),
    ("po & (_ * B)", "(po & (_ * B))"),
    ("x ++ s | t", "((x ++ s) | t)"),
    ("x ++ s ; t", "(x ++ (s ; t))"),
    ("0 | _", "(0 | _)"),
    ("f(x) ; g x y", "(f<x> ; g<x><y>)"),
    ("domain 0", "domain<0>"),
    ("nodetour(a, b, c)", "nodetour<(a, b, c,)>"),
    ("{'a, 'b}", "{'a, 'b}"),
    ("a, b", "(a, b,)"),
]


@pytest.mark.parametrize(("src", "expected"), PRECEDENCE)
def test_operator_precedence_follows_herd(src: str, expected: str) -> None:
    assert show(parse_expr(src)) == expected


@pytest.mark.parametrize(
    "name", ["po-loc", "dmb.st", "rcu-link", "DMB.ISHLD", "x86'", "_hidden", "r1-2.x"]
)
def test_identifiers_may_contain_dashes_dots_digits(name: str) -> None:
    e = parse_expr(f"{name} | po")
    assert isinstance(e, A.Op) and e.args[0] == A.Var(name, Span("t.cat", 1, 9))


def test_star_is_a_product_only_before_an_operand() -> None:
    assert show(parse_expr("(po ; rf)* ; co")) == "(star((po ; rf)) ; co)"
    assert show(parse_expr("M * [W]")) == "(M * toid(W))"
    assert show(parse_expr("M * ~W")) == "(M * comp(W))"


# ---------------------------------------------------------------- forms


def test_model_name_forms() -> None:
    assert parse_cat('"Sequential consistency"\nacyclic po', "t").name == (
        "Sequential consistency"
    )
    assert parse_cat("X86 TSO\nacyclic po", "t").name == "X86 TSO"
    assert parse_cat("acyclic po", "t").name is None
    model = parse_cat("SC withoutco withinit\nacyclic po", "t")
    assert model.name == "SC" and model.options == ("withoutco", "withinit")


def test_nested_and_line_comments_keep_positions() -> None:
    src = "(* a (* nested *) comment *)\n// line\n# hash\n  acyclic (* x *) po"
    (ins,) = parse_cat(src, "t.cat").instructions
    assert isinstance(ins, A.CheckIns)
    assert ins.span == Span("t.cat", 4, 3)
    assert ins.expr == A.Var("po", Span("t.cat", 4, 19))


def test_let_forms() -> None:
    body = parse_cat(
        "let x = po\n"
        "let f(r) = r | po\n"
        "let g(r, s) = r ; s\n"
        "let h r = r\n"
        "let k() = 0\n"
        "let (a, b) = (po, rf)\n"
        "let c, _ = po, rf\n"
        "let u = po and v = rf in\n",
        "t.cat",
    ).instructions
    x, f, g, h, k, ab, c_, uv = (i.bindings for i in body)  # type: ignore[union-attr]
    assert x[0].pattern == A.PVar("x", Span("t.cat", 1, 5))
    assert isinstance(f[0].expr, A.Fun) and f[0].expr.param.names == ("r",)
    assert isinstance(f[0].expr.param, A.PVar) and f[0].expr.name == "f"
    assert isinstance(g[0].expr, A.Fun) and isinstance(g[0].expr.param, A.PTuple)
    assert g[0].expr.param.items == ("r", "s")
    assert isinstance(h[0].expr, A.Fun) and h[0].expr.param.names == ("r",)
    assert isinstance(k[0].expr, A.Fun) and k[0].expr.param == A.PTuple((), k[0].span)
    assert isinstance(ab[0].pattern, A.PTuple) and ab[0].pattern.items == ("a", "b")
    assert isinstance(c_[0].pattern, A.PTuple) and c_[0].pattern.items == ("c", None)
    assert [b.pattern.names for b in uv] == [("u",), ("v",)]


def test_let_rec_and_functions() -> None:
    body = parse_cat(
        "let rec hb = po | (hb ; hb)\n"
        "let rec even(x) = x and odd(x) = even(x)\n"
        "let rec fixed = po when acyclic fixed\n"
        "let inner = let rec w = po | (w ; w) in w\n"
        "let lam = fun x -> x\n"
        "let lam2 = fun (x, y) -> x | y\n",
        "t.cat",
    ).instructions
    assert isinstance(body[0], A.LetRecIns) and body[0].when is None
    assert [b.pattern.names for b in body[1].bindings] == [("even",), ("odd",)]  # type: ignore[union-attr]
    assert isinstance(body[2], A.LetRecIns) and body[2].when is not None
    assert isinstance(body[3], A.LetIns)
    assert isinstance(body[3].bindings[0].expr, A.BindRec)
    lam = body[4].bindings[0].expr  # type: ignore[union-attr]
    assert isinstance(lam, A.Fun) and lam.name == "*fun*" and lam.fv == frozenset()
    lam2 = body[5].bindings[0].expr  # type: ignore[union-attr]
    assert isinstance(lam2, A.Fun) and isinstance(lam2.param, A.PTuple)


def test_checks_with_names_negation_flags() -> None:
    body = parse_cat(
        "acyclic po | rf as sc\n"
        "irreflexive po\n"
        "empty rmw & (fre ; coe) as atomic\n"
        "~empty po as nonempty\n"
        "flag ~empty rf as rf-exists\n"
        "undefined_unless acyclic po as defined\n",
        "t.cat",
    ).instructions
    got = [(c.kind, c.negated, c.mode, c.name) for c in body]  # type: ignore[union-attr]
    assert got == [
        ("acyclic", False, "check", "sc"),
        ("irreflexive", False, "check", None),
        ("empty", False, "check", "atomic"),
        ("empty", True, "check", "nonempty"),
        ("empty", True, "flag", "rf-exists"),
        ("acyclic", False, "undefined_unless", "defined"),
    ]
    assert body[4].span == Span("t.cat", 5, 1)


def test_show_unshow_include_enum_instructions() -> None:
    body = parse_cat(
        'show po, rf\nshow po | rf as com\nunshow rf\ninclude "x.cat"\n'
        "enum Accesses = 'once || 'release\nenum S = || 'a\n"
        "instructions R[Accesses]\ndefault W[{'once}]\n",
        "t.cat",
    ).instructions
    assert body[0] == A.ShowIns(("po", "rf"), False, Span("t.cat", 1, 1))
    assert isinstance(body[1], A.ShowAsIns) and body[1].name == "com"
    assert body[2] == A.ShowIns(("rf",), True, Span("t.cat", 3, 1))
    assert body[3] == A.IncludeIns("x.cat", Span("t.cat", 4, 1))
    assert body[4] == A.EnumIns("Accesses", ("once", "release"), Span("t.cat", 5, 1))
    assert isinstance(body[5], A.EnumIns) and body[5].tags == ("a",)
    assert isinstance(body[6], A.EventsIns) and body[6].kind == "instructions"
    assert isinstance(body[7], A.EventsIns) and body[7].kind == "default"


def test_procedures_calls_forall_with_debug() -> None:
    body = parse_cat(
        "procedure chk(r, s) =\n  acyclic r | s\nend\n"
        "procedure rec one x = empty x end\n"
        "call chk (po, rf) as via-call\n"
        "forall m in Modes do let y = po end\n"
        "with co2 from {po}\n"
        "debug po\n",
        "t.cat",
    ).instructions
    proc, proc2, call, forall, with_, debug = body
    assert isinstance(proc, A.ProcedureIns) and isinstance(proc.param, A.PTuple)
    assert not proc.rec and len(proc.body) == 1
    assert isinstance(proc2, A.ProcedureIns) and proc2.rec and proc2.param.names == ("x",)
    assert isinstance(call, A.CallIns) and call.as_name == "via-call"
    assert isinstance(forall, A.ForallIns) and forall.var == "m"
    assert isinstance(with_, A.WithFromIns) and with_.var == "co2"
    assert isinstance(debug, A.DebugIns)


def test_match_if_try_begin_tags() -> None:
    e = parse_expr("match t with || 'a -> po || 'b -> rf || _ -> 0 end")
    assert isinstance(e, A.Match) and [c[0] for c in e.clauses] == ["a", "b"]
    assert e.default is not None
    s = parse_expr("match S with {} -> 0 || x ++ rest -> po end")
    assert isinstance(s, A.MatchSet) and (s.elem, s.rest) == ("x", "rest")
    s2 = parse_expr("match S with x ++ rest -> po || {} -> 0 end")
    assert isinstance(s2, A.MatchSet) and show(s2.empty_case) == "0"
    i = parse_expr('if not "a" || "b" && "c" then po else rf')
    assert isinstance(i, A.If) and isinstance(i.cond, A.CondBin) and i.cond.op == "or"
    assert isinstance(i.cond.left, A.CondNot)
    for op in ("=", "subset", "in"):
        c = parse_expr(f"if 'a {op} T then po else rf")
        assert isinstance(c, A.If) and isinstance(c.cond, A.CondCmp)
    t = parse_expr("try UNDEFINED with 0")
    assert isinstance(t, A.Try) and show(t.handler) == "0"
    assert show(parse_expr("begin po | rf end")) == "(po | rf)"
    assert show(parse_expr("()")) == "(,)"


def test_instruction_level_match_and_if() -> None:
    body = parse_cat(
        "match 'a with || 'a -> let m = po || _ -> let m = rf end\n"
        'if "v" then let y = po else let y = rf end\n'
        'if "w" include "x.cat" end\n',
        "t.cat",
    ).instructions
    assert isinstance(body[0], A.MatchIns) and body[0].default is not None
    assert isinstance(body[1], A.IfIns) and len(body[1].then) == len(body[1].else_) == 1
    assert isinstance(body[2], A.IfIns) and body[2].else_ == ()


def test_every_syntax_form_file_parses() -> None:
    model = load_cat(CAT_DIR / "all_syntax.cat")
    assert model.name == "every syntax form"
    kinds = {type(i).__name__ for i in model.instructions}
    assert kinds >= {
        "IncludeIns", "EnumIns", "EventsIns", "LetIns", "LetRecIns", "CheckIns", "ShowIns",
        "ShowAsIns", "ProcedureIns", "CallIns", "MatchIns", "IfIns", "ForallIns",
        "DebugIns", "WithFromIns",
    }


def test_free_variables() -> None:
    e = parse_expr("let y = po in fun z -> y | z | rf | w")
    assert e.fv == frozenset({"po", "rf", "w"})
    r = parse_expr("let rec t = t ; rf in t")
    assert r.fv == frozenset({"rf"})


def test_shipped_models_parse() -> None:
    for name in ("stdlib.cat", "sc.cat", "x86tso.cat"):
        model = load_cat(MODELS_DIR / name)
        assert model.instructions
    tso = load_cat(MODELS_DIR / "x86tso.cat")
    names = [i.name for i in tso.instructions if isinstance(i, A.CheckIns)]
    assert names == [None, None, "tso"]  # herd's x86tso.cat names only `tso`
    sc = load_cat(MODELS_DIR / "sc.cat")
    assert [i.name for i in sc.instructions if isinstance(i, A.CheckIns)] == ["sc", "atomic"]


@pytest.mark.skipif(
    not os.environ.get("MEMLITMUS_HERD_CATS"),
    reason="set MEMLITMUS_HERD_CATS to a folder of herd's .cat/.bell files to parse them",
)
def test_herd_model_files_parse() -> None:  # pragma: no cover - local only
    folder = Path(os.environ["MEMLITMUS_HERD_CATS"])
    files = sorted(folder.glob("*.cat")) + sorted(folder.glob("*.bell"))
    assert files
    for f in files:
        parse_cat(f.read_text(encoding="utf-8"), str(f))


# ---------------------------------------------------------------- includes


def test_includes_resolve_relative_then_search_dirs() -> None:
    model = load_cat(CAT_DIR / "includes.cat", search_dirs=[CAT_DIR / "extra"])
    incs = [i for i in model.instructions if isinstance(i, A.IncludeIns)]
    assert all(i.resolved is not None for i in incs)
    helper = incs[0].resolved
    assert helper is not None and isinstance(helper[0], A.LetIns)
    assert helper[0].span.file.endswith("helper.cat")


def test_include_falls_back_on_shipped_models(tmp_path: Path) -> None:
    f = tmp_path / "m.cat"
    f.write_text('include "sc.cat"\n')
    (inc,) = load_cat(f).instructions
    assert isinstance(inc, A.IncludeIns) and inc.resolved


def test_missing_include_is_an_error_at_its_span() -> None:
    with pytest.raises(CatError) as info:
        load_cat(CAT_DIR / "includes.cat")  # no search dir for from_search_dir.cat
    err = info.value
    assert err.span is not None and (err.span.line, err.span.col) == (3, 1)
    assert "cannot find included file `from_search_dir.cat`" in err.message


def test_recursive_include_is_an_error() -> None:
    with pytest.raises(CatError, match="recursive include"):
        load_cat(CAT_DIR / "cycle_a.cat")


def test_loaded_models_are_cached() -> None:
    a = load_cat(CAT_DIR / "all_syntax.cat")
    assert load_cat(CAT_DIR / "all_syntax.cat") is a


def test_missing_file_is_a_cat_error() -> None:
    with pytest.raises(CatError, match="cannot read cat file"):
        load_cat(CAT_DIR / "does-not-exist.cat")


# ---------------------------------------------------------------- errors


def test_syntax_error_has_position_and_expectation() -> None:
    with pytest.raises(CatError) as info:
        load_cat(CAT_DIR / "syntax_error.cat")
    err = info.value
    assert err.span is not None and err.span.file.endswith("syntax_error.cat")
    assert (err.span.line, err.span.col) == (4, 1)
    assert "unexpected `acyclic`" in err.message and "`)`" in err.message
    rendered = err.render()
    assert rendered.splitlines()[0].endswith("syntax_error.cat:4:1: " + err.message)
    assert rendered.splitlines()[1].strip() == "acyclic broken"


@pytest.mark.parametrize(
    ("src", "line", "col", "fragment"),
    [
        ("let x = a |\nlet y = b", 2, 1, "unexpected `let`; expected one of"),
        ("acyclic po as", 1, 14, "unexpected end of file; expected identifier"),
        ("let x = a % b", 1, 11, "unexpected character `%`"),
        ("(* never closed", 1, 1, "unterminated comment"),
        ("let = po", 1, 5, "unexpected `=`"),
        ("acyclic (po", 1, 12, "expected `)`"),
    ],
)
def test_syntax_errors(src: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(CatError) as info:
        parse_cat(src, "bad.cat")
    err = info.value
    assert err.span == Span("bad.cat", line, col)
    assert fragment in err.message
    assert err.render().startswith(f"bad.cat:{line}:{col}: ")
