"""herd's variants reach the AArch64 front end from the command line as from the test's
own `Variant=` line: herd/parseTest.ml starts from `-variant`'s set and adds the test's
(lib/testVariant.ml), and `Variant.parse` reads names in any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.arch.base import variants_of
from memlitmus.litmus.parse import parse_litmus
from tests.conftest import ROOT, run

# herd-instructions A255's shape without its `Variant=NV2` line: P1's MRS of ELR_EL1 is a
# load at VNCR_EL2 + 0x230 under NV2 (P0 stores 1 there), else a plain register read.
NV2_TEST = (
    "AArch64 nv2\n{\n uint64_t nvmem[100];\n 0:X1=nvmem;\n 1:VNCR_EL2=nvmem;\n}\n"
    " P0              | P1              ;\n"
    " MOV X0,#1       | MRS X0,ELR_EL1  ;\n"
    " STR X0,[X1,560] |                 ;\n"
    "exists(1:X0=1)\n"
)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def nv2_file(tmp_path: Path) -> Path:
    path = tmp_path / "nv2.litmus"
    path.write_text(NV2_TEST, encoding="utf-8")
    return path


def test_variants_are_the_union_lower_cased() -> None:
    test = parse_litmus(NV2_TEST.replace("{\n", "Variant=telechat, NV2\n{\n", 1), "t")
    assert variants_of(test) == {"telechat", "nv2"}
    assert variants_of(test, ["Mixed,fatal", "nv2"]) == {"telechat", "nv2", "mixed", "fatal"}


@pytest.mark.parametrize(("args", "observation", "states"), [
    ((), "Never 0 1", ["1:X0=0;"]),
    (("-variant", "NV2"), "Sometimes 1 1", ["1:X0=0;", "1:X0=1;"]),
    (("-variant", "fatal,nv2"), "Sometimes 1 1", ["1:X0=0;", "1:X0=1;"]),
])
def test_herd7_variant_reaches_the_front_end(
    args: tuple[str, ...], observation: str, states: list[str], nv2_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "herd7", *args, str(nv2_file))
    assert status == 0
    lines = out.splitlines()
    assert lines[2:2 + len(states)] == states
    assert f"Observation nv2 {observation}" in lines


def test_run_variant_reaches_the_front_end(
    nv2_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "run", str(nv2_file), "-m", "armv8", "-variant", "NV2",
                         "-f", "herd")
    assert status == 0 and "Observation nv2 Sometimes 1 1" in out


def test_variant_self_refuses_an_access_to_code(capsys: pytest.CaptureFixture[str]) -> None:
    """herd's `-variant self` (its `ifetch`) fetches instructions from memory: a load of
    an instruction is then self-modifying code, refused at the load."""
    path = "litmus/aarch64/ADR+ldr-instr.litmus"
    status, out, err = run(capsys, "herd7", "-variant", "self", path)
    assert (status, out) == (2, "")
    assert err.startswith(f"{path}:9:2: an access to code under `-variant self`")
