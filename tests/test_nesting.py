"""No input, however deep, reaches Python's recursion limit: deep nesting ends in a clean
`file:line:col` error or in a result (memlitmus.nesting, the lazy-depth bounds of
encode/relations.py and cat/lets.py, and cat's call-depth bound)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memlitmus.cli import main
from memlitmus.nesting import MAX_NESTING
from tests.conftest import ROOT

SB = str(ROOT / "litmus" / "x86" / "SB.litmus")


def run_json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, object]], str]:
    status = main(["run", *args, "-f", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return status, [json.loads(line) for line in captured.out.splitlines()], captured.err


def c_sum(path: Path, terms: int) -> Path:
    total = " + ".join(["r0"] * terms)
    path.write_text(
        f"C sum\n{{ x=1; }}\nP0(int *x)\n{{\n\tint r0 = READ_ONCE(*x);\n\tint r1 = {total};\n"
        "}\nexists (0:r1=0)\n", encoding="utf-8")
    return path


def x86_adds(path: Path, adds: int) -> Path:
    rows = [" ADD EAX,1 ;"] * adds
    path.write_text("\n".join(["X86 adds", "{ x=0; }", " P0 ;", " MOV EAX,[x] ;", *rows,
                               "exists (0:EAX=0)"]) + "\n", encoding="utf-8")
    return path


def aarch64_adds(path: Path, adds: int) -> Path:
    rows = [" ADD W0,W0,#1 ;"] * adds
    path.write_text("\n".join(["AArch64 adds", "{ 0:X1=x; }", " P0 ;", " LDR W0,[X1] ;", *rows,
                               "exists (0:X0=0)"]) + "\n", encoding="utf-8")
    return path


def x86_condition(path: Path, conjuncts: int, parens: int = 0) -> Path:
    prop = " /\\ ".join(["0:EAX=0"] * conjuncts)
    path.write_text(f"X86 cond\n{{ x=0; }}\n P0 ;\n MOV EAX,[x] ;\n"
                    f"exists {'(' * parens}({prop}){')' * parens}\n", encoding="utf-8")
    return path


def assert_too_deep(status: int, records: list[dict[str, object]], err: str, path: Path,
                    what: str) -> None:
    assert status == 2
    assert [r["error"] is not None for r in records] == [True]
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:") and first.endswith(
        f": {what} nested deeper than {MAX_NESTING} levels"
        + (" (a register computed from itself too many times)" if what == "a computed value"
           else ""))
    line, col = first.removeprefix(f"{path}:").split(":")[:2]
    assert int(line) >= 1 and int(col) >= 1


def test_a_c_expression_summing_3000_terms_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = c_sum(tmp_path / "sum.litmus", 3000)
    status, records, err = run_json(capsys, str(path))
    assert_too_deep(status, records, err, path, "code")


def test_a_sum_just_under_the_bound_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = c_sum(tmp_path / "sum.litmus", 90)
    status, records, _ = run_json(capsys, str(path))
    assert status == 0
    assert [(r["observation"], r["states"]) for r in records] == [
        ("Never", [{"0:r1": 90}])
    ]


@pytest.mark.parametrize("make", [x86_adds, aarch64_adds], ids=["X86", "AArch64"])
def test_a_register_computed_from_itself_3000_times_is_a_clean_error(
    make: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert callable(make)
    path = make(tmp_path / "adds.litmus", 3000)
    status, records, err = run_json(capsys, str(path))
    assert_too_deep(status, records, err, path, "a computed value")


def test_a_register_computed_from_itself_90_times_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, records, _ = run_json(capsys, str(x86_adds(tmp_path / "adds.litmus", 90)))
    assert status == 0
    assert [r["states"] for r in records] == [[{"0:EAX": 90}]]


def test_a_condition_of_3000_conjuncts_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = x86_condition(tmp_path / "cond.litmus", 3000)
    status, records, err = run_json(capsys, str(path))
    assert_too_deep(status, records, err, path, "a condition")


@pytest.mark.parametrize("operator", ["/\\", "\\/"])
def test_a_flat_condition_of_200_atoms_is_judged(
    operator: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chain of one operator is no nesting (nesting.CHAIN_LINK): herd's conditions of a
    few hundred atoms are judged, on two threads as a trial's SB variant had them."""
    atoms = f" {operator} ".join(f"{t}:EAX=0" for t in (0, 1) * 100)
    path = tmp_path / "sb.litmus"
    path.write_text("X86 SBbig\n{ x=0; y=0; }\n P0          | P1          ;\n"
                    " MOV [x],$1  | MOV [y],$1  ;\n MOV EAX,[y] | MOV EAX,[x] ;\n"
                    f"exists ({atoms})\n", encoding="utf-8")
    status, records, _ = run_json(capsys, str(path), "-m", "x86tso")
    assert status == 0
    assert [r["observation"] for r in records] == ["Sometimes"]


def test_a_flat_sum_of_200_terms_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, records, _ = run_json(capsys, str(c_sum(tmp_path / "sum.litmus", 200)))
    assert status == 0
    assert [(r["observation"], r["states"]) for r in records] == [
        ("Never", [{"0:r1": 200}])
    ]


def test_nested_operators_still_count_each_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alternating operators nest: 150 levels of `a /\\ (b \\/ (...))` are refused."""
    prop, ops = "0:EAX=0", ("\\/", "/\\")
    for level in range(150):
        prop = f"0:EAX=0 {ops[level % 2]} ({prop})"
    path = tmp_path / "cond.litmus"
    path.write_text(f"X86 cond\n{{ x=0; }}\n P0 ;\n MOV EAX,[x] ;\nexists ({prop})\n",
                    encoding="utf-8")
    status, records, err = run_json(capsys, str(path))
    assert_too_deep(status, records, err, path, "a condition")


def test_3000_parentheses_nest_nothing_and_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = x86_condition(tmp_path / "cond.litmus", 90, parens=3000)
    status, records, _ = run_json(capsys, str(path))
    assert status == 0
    assert [r["observation"] for r in records] == ["Always"]


def cat(tmp_path: Path, body: str) -> str:
    path = tmp_path / "deep.cat"
    path.write_text(f'"deep"\n{body}\n', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "body",
    [
        "acyclic " + " | ".join(["po"] * 3000) + " | rf | co | fr",
        "acyclic (" + " ; ".join(["po"] * 3000) + ") | po | rf | co | fr",
        "\n".join(["let a0 = po | rf | co | fr"]
                  + [f"let a{i} = a{i - 1} | po" for i in range(1, 3000)]) + "\nacyclic a2999",
        "acyclic " + "(" * 3000 + "po | rf | co | fr" + ")" * 3000,
    ],
    ids=["3000-unions", "3000-sequences", "3000-lets", "3000-parentheses"],
)
def test_long_cat_chains_give_sc_s_verdict(
    body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, records, err = run_json(capsys, SB, "--cat", cat(tmp_path, body))
    assert (status, err) == (0, "")
    assert [r["observation"] for r in records] == ["Never"]  # SB under SC


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("acyclic " + "~" * 3000 + "po", f"an expression nested deeper than {MAX_NESTING} levels"),
        ("let b = " + "let a = po in " * 3000 + "a\nacyclic b",
         f"an expression nested deeper than {MAX_NESTING} levels"),
        ("let rec f(x) = f(x)\nacyclic f(po)",
         "function calls nested deeper than 50 levels (unbounded recursion?)"),
    ],
    ids=["3000-complements", "3000-let-ins", "endless-recursion"],
)
def test_deep_cat_nesting_is_a_clean_error(
    body: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cat(tmp_path, body)
    status, records, err = run_json(capsys, SB, "--cat", path)
    assert status == 2
    first = err.splitlines()[0]
    assert first.removeprefix("memlitmus: ").startswith(f"{path}:")
    assert first.endswith(message)
