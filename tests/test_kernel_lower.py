"""`memlitmus lower` and the cross-model matrix.

`lower` prints what the judge runs: every printable test of litmus/kernel, litmus/lkmm and
a sample of ../shared/corpus/lkmm, parsed back by the assembly front end, gets the same
verdict and the same number of final states as the C test judged through the same
mapping; every instruction printed is one herd7 7.58's lexers know.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus.cli import main
from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.kernel.printer import lower
from memlitmus.litmus.parse import load_litmus, parse_litmus
from memlitmus.models import resolve
from memlitmus.report.matrix import disagreement
from memlitmus.results import ModelResult, Observation
from tests.conftest import LITMUS, ROOT

FILES = sorted((LITMUS / "kernel").glob("*.litmus")) + sorted((LITMUS / "lkmm").glob("*.litmus"))
CORPUS = ROOT.parent / "shared" / "corpus" / "lkmm"
CORPUS_SAMPLE = sorted(CORPUS.rglob("*.litmus"))[::100] if CORPUS.is_dir() else []
# What `lower` may still refuse: a grace period (a solver-placed fence in every other
# thread) and x86's `lock xaddq` (herd7 7.58's X86_64 has no xadd).
REFUSED = re.compile(r"a grace period puts a full fence|`lock xaddq`|allows `lock` only")

# herd7 7.58's mnemonics (lib/X86_64Lexer.mll and lib/AArch64Lexer.mll at tag 7.58) that
# `lower` may print; e.g. herd's X86_64 has `and` but no `andq`, `jgt` but no `jg`, and no
# `sub`, `xadd`, `setcc` or `movzb`.
HERD_X86_64 = {"movq", "addq", "orq", "xorq", "and", "cmpq", "jmp", "je", "jne", "jgt",
               "jge", "xchgq", "mfence", "lfence", "sfence", "lock addq",
               "lock xorq", "lock incq", "lock decq", "lock cmpxchgq"}
HERD_AARCH64 = {
    "MOV", "ADD", "SUB", "AND", "ORR", "EOR", "MUL", "NEG", "MVN", "CMP", "CSET", "CSEL", "B",
    "B.EQ", "B.NE", "B.LT", "B.LE", "B.GT", "B.GE", "CBZ", "CBNZ", "LDR", "STR", "LDAR",
    "STLR", "LDXR", "LDAXR", "STXR", "STLXR", "DMB", "DSB", "ISB", "SWP", "SWPA", "SWPL",
    "SWPAL", "CAS", "CASA", "CASL", "CASAL", "STADD", "STADDL", "STCLR", "STCLRL", "STSET",
    "STSETL", "STEOR", "STEORL", "LDADD", "LDADDA", "LDADDL", "LDADDAL", "LDCLR", "LDCLRA",
    "LDCLRL", "LDCLRAL", "LDSET", "LDSETA", "LDSETL", "LDSETAL", "LDEOR", "LDEORA", "LDEORL",
    "LDEORAL",
}
TARGETS = [("x86", None, "x86tso"), ("arm64", None, "armv8"), ("arm64", "arm64-llsc", "armv8")]

GOLDEN_ARM64 = """AArch64 MP+wmb+rmb
"AArch64 lowering of MP+wmb+rmb through the kernel mapping"
{
 0:X0=buf;
 0:X1=flag;
 1:X0=buf;
 1:X1=flag;
}
 P0           | P1           ;
 MOV X28,#1   | LDR X12,[X1] ;
 STR X28,[X0] | MOV X2,X12   ;
 DMB ISHST    | DMB ISHLD    ;
 MOV X28,#1   | LDR X12,[X0] ;
 STR X28,[X1] | MOV X3,X12   ;
exists (1:X2=1 /\\ 1:X3=0)
"""


def test_lower_prints_an_aarch64_litmus_test(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["lower", str(LITMUS / "lkmm" / "MP+wmb+rmb.litmus"), "--arch", "arm64"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == GOLDEN_ARM64


def test_lower_x86_uses_the_locked_add_for_smp_mb(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lower", str(LITMUS / "lkmm" / "SB+mbs.litmus"), "--arch", "x86"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("X86_64 SB+mbs\n")
    assert "lock addq $0,(%rbp)" in out and " 0:rbp=stack0;" in out


def test_lower_refuses_a_grace_period(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["lower", str(LITMUS / "kernel" / "SB+po+sync-rcu.litmus"), "--arch", "x86"])
    err = capsys.readouterr().err
    assert status == 2
    assert (":30:2: `synchronize_rcu`: a grace period puts a full fence in every other thread "
            "at a point the solver chooses (docs/kernel-mappings.md), which no herd7 "
            "instruction expresses; `memlitmus run -m x86tso` judges it") in err


def test_lower_refuses_xadd_on_x86(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["lower", str(LITMUS / "lkmm" / "atomic-inc.litmus"), "--arch", "x86"])
    err = capsys.readouterr().err
    assert status == 2
    assert "lowers to `lock xaddq` on x86, an instruction herd7's X86_64 does not have" in err


def test_lower_rejects_an_unknown_architecture_or_mapping(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(LITMUS / "lkmm" / "SB+mbs.litmus")
    assert main(["lower", path, "--arch", "ppc"]) == 2
    assert "unknown architecture `ppc` for `lower` (known: x86, arm64)" in capsys.readouterr().err
    assert main(["lower", path, "--arch", "x86", "--mapping", "arm64-llsc"]) == 2
    assert "the x86 architecture has no kernel mapping `arm64-llsc`" in capsys.readouterr().err


def _round_trip(path: Path, arch: str, mapping: str | None, model: str) -> str:
    """The lowered text, after checking it judges like the C test; skips a refusal."""
    test = load_litmus(path)
    try:
        text = lower(test, arch, mapping)
    except MemlitmusError as err:
        assert REFUSED.search(err.message), err.message
        pytest.skip("not printable: " + err.message)
    asm = parse_litmus(text, f"{path.stem}.lowered")
    (printed,) = judge(asm, [resolve(model)], Options())
    (direct,) = judge(test, [resolve(model)], Options(mapping=mapping))
    assert printed.observation == direct.observation
    assert len(printed.states) == len(direct.states)
    return text


def _mnemonics(text: str) -> set[str]:
    """Every instruction's mnemonic (with `lock`) in a printed test's thread columns."""
    found = set()
    for row in text.split("\n}\n", 1)[1].splitlines():
        if not row.endswith(";"):
            continue
        for cell in (c.strip() for c in row[:-1].split("|")):
            if cell and not cell.endswith(":") and not re.fullmatch(r"P\d+", cell):
                words = cell.split()
                found.add(" ".join(words[:2]) if words[0] == "lock" else words[0])
    return found


def _herd_mnemonics(text: str, arch: str) -> None:
    assert _mnemonics(text) <= (HERD_X86_64 if arch == "x86" else HERD_AARCH64)


@pytest.mark.parametrize(("arch", "mapping", "model"), TARGETS, ids=lambda t: str(t))
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_lowered_text_is_judged_like_the_c_test(
    path: Path, arch: str, mapping: str | None, model: str,
) -> None:
    _herd_mnemonics(_round_trip(path, arch, mapping, model), arch)


@pytest.mark.parametrize(("arch", "mapping", "model"), TARGETS, ids=lambda t: str(t))
@pytest.mark.parametrize("path", CORPUS_SAMPLE, ids=lambda p: p.stem)
def test_lowered_corpus_sample_is_judged_like_the_c_test(
    path: Path, arch: str, mapping: str | None, model: str,
) -> None:
    _herd_mnemonics(_round_trip(path, arch, mapping, model), arch)


CONSTRUCTS = """C lower-constructs
{ x=0; y=0; }
P0(int *x, int *y)
{
\tint r0 = READ_ONCE(*x);
\tint r1 = (r0 == 1) && (r0 != 2);
\tint r2 = r0 > 0 ? 3 : r1;
\tWRITE_ONCE(*y, r2 - r1);
}
P1(int *x, int *y)
{
\tint r0 = READ_ONCE(*y);
\tint r1 = !r0 || -r0 < ~r0;
\tWRITE_ONCE(*x, 1);
}
P2(int *x, int *y)
{
\tint r0 = 0;
\twhile (READ_ONCE(*y) == 0)
\t\tr0 = r0 + 1;
\tint r1 = spin_trylock(x);
}
exists (0:r1=1 /\\ 1:r1=1 /\\ 2:r0=1)
"""


@pytest.mark.parametrize(("arch", "mapping", "model"), TARGETS, ids=lambda t: str(t))
def test_truth_values_conditionals_and_loops_print_and_judge_alike(
    tmp_path: Path, arch: str, mapping: str | None, model: str,
) -> None:
    path = tmp_path / "lower-constructs.litmus"
    path.write_text(CONSTRUCTS, encoding="utf-8")
    text = _round_trip(path, arch, mapping, model)
    _herd_mnemonics(text, arch)
    if arch == "x86":  # truth values by branches; the loop's exit, then herd's cut-off
        assert "jgt" in text and "subq" not in text
    else:
        assert "CSET" in text and "CSEL" in text
    loop = re.search(r"(L2x\d+):\s*;\n.*\| (jmp|B) \1 ", text)
    assert loop, text  # the self-loop that ends the unrolled `while`


def _result(model: str, observation: Observation) -> ModelResult:
    return ModelResult(file="t.litmus", test="t", arch="C", model=model, kind="Allowed",
                       condition="", observation=observation)


def test_disagreements_are_named_by_model() -> None:
    never, sometimes = Observation.NEVER, Observation.SOMETIMES
    rows = [_result("sc", never), _result("x86tso", never), _result("armv8", sometimes),
            _result("lkmm", sometimes)]
    assert disagreement(rows) == "forbidden on sc, x86tso; allowed on armv8, lkmm"
    assert disagreement(rows[:2]) == ""


def test_several_models_print_the_matrix(capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    files = [str(LITMUS / "kernel" / f"{n}.litmus") for n in ("compound_head+normb",
                                                               "compound_head+rmb")]
    status = main(["run", *files, "-m", "sc", "-m", "x86tso", "-m", "armv8", "-m", "lkmm",
                   "--verdict-only"])
    out = capsys.readouterr().out
    assert status == 0
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()
            if line.startswith("│")]
    assert [r[1:] for r in rows] == [
        ["Never", "Never", "Sometimes [Assuming-common-inner-shareable-domain]", "Sometimes",
         "forbidden on sc, x86tso; allowed on armv8, lkmm"],
        ["Never", "Never", "Never [Assuming-common-inner-shareable-domain]", "Never", ""],
    ]
