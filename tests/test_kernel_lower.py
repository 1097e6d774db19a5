"""`memlitmus lower` and the cross-model matrix.

`lower` prints what the judge runs: every printable test of litmus/kernel and litmus/lkmm,
parsed back by the assembly front end, gets the same verdict and the same number of
final states as the C test judged through the same mapping.
"""

from __future__ import annotations

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
from tests.conftest import LITMUS

FILES = sorted((LITMUS / "kernel").glob("*.litmus")) + sorted((LITMUS / "lkmm").glob("*.litmus"))
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
 MOV X10,#1   | LDR X12,[X1] ;
 STR X10,[X0] | MOV X2,X12   ;
 DMB ISHST    | DMB ISHLD    ;
 MOV X10,#1   | LDR X12,[X0] ;
 STR X10,[X1] | MOV X3,X12   ;
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
    assert ":30:2: `synchronize_rcu`: a grace period puts a fence in every other thread" in err


def test_lower_rejects_an_unknown_architecture_or_mapping(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(LITMUS / "lkmm" / "SB+mbs.litmus")
    assert main(["lower", path, "--arch", "ppc"]) == 2
    assert "unknown architecture `ppc` for `lower` (known: x86, arm64)" in capsys.readouterr().err
    assert main(["lower", path, "--arch", "x86", "--mapping", "arm64-llsc"]) == 2
    assert "the x86 architecture has no kernel mapping `arm64-llsc`" in capsys.readouterr().err


@pytest.mark.parametrize(("arch", "mapping", "model"), TARGETS, ids=lambda t: str(t))
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_lowered_text_is_judged_like_the_c_test(
    path: Path, arch: str, mapping: str | None, model: str,
) -> None:
    test = load_litmus(path)
    try:
        text = lower(test, arch, mapping)
    except MemlitmusError:
        pytest.skip("not printable (grace period or a truth value)")
    asm = parse_litmus(text, f"{path.stem}.lowered")
    try:
        (printed,) = judge(asm, [resolve(model)], Options())
    except MemlitmusError as err:
        assert "backward" in err.message  # herd unrolls spin loops; our front ends refuse
        pytest.skip("a spin or cmpxchg loop")
    (direct,) = judge(test, [resolve(model)], Options(mapping=mapping))
    assert printed.observation == direct.observation
    assert len(printed.states) == len(direct.states)


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
        ["Never", "Never", "Sometimes", "Sometimes",
         "forbidden on sc, x86tso; allowed on armv8, lkmm"],
        ["Never", "Never", "Never", "Never", ""],
    ]
