"""What README.md, docs/herd7-command-line.md and docs/kernel-mappings.md say the tool does,
checked against the tool."""

from __future__ import annotations

import pytest

from memlitmus.cli import main
from memlitmus.kernel.tables import mapping
from tests.conftest import LITMUS, ROOT

SB = str(LITMUS / "x86" / "SB.litmus")
KERNEL_MODEL = ROOT.parent / "shared" / "models" / "linux-kernel"


def test_a_missing_litmus_file_is_its_own_error_and_the_others_are_judged(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", SB, "no/such.litmus"]) == 2
    captured = capsys.readouterr()
    assert "SB.litmus" in captured.out and "Sometimes" in captured.out
    assert ("memlitmus: no/such.litmus: cannot read: No such file or directory"
            in captured.err)


@pytest.mark.skipif(not (KERNEL_MODEL / "lock.cat").is_file(),
                    reason="../shared/models/linux-kernel absent")
def test_the_kernels_lock_cat_runs_under_its_own_configuration(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(KERNEL_MODEL)
    tests = {"invalidate_inode_pages2+do_no_page+page_lock": "Never",
             "rmap_walk+vma_adjust+anon_vma_lock": "Never"}
    files = [str(LITMUS / "kernel" / f"{name}.litmus") for name in tests]
    assert main(["herd7", "-conf", "linux-kernel.cfg", *files]) == 0
    captured = capsys.readouterr()
    assert "Warning" not in captured.err
    for name, verdict in tests.items():
        assert f"Observation {name} {verdict} " in captured.out
    for name, verdict in tests.items():  # the built-in LKMM agrees
        assert main(["herd7", "-model", "lkmm", str(LITMUS / "kernel" / f"{name}.litmus")]) == 0
        assert f"Observation {name} {verdict} " in capsys.readouterr().out


@pytest.mark.parametrize("table", ["arm64", "arm64-llsc"])
def test_smp_store_mb_on_arm64_is_a_store_then_a_full_barrier(table: str) -> None:
    # include/asm-generic/barrier.h __smp_store_mb (arm64 defines none); docs/kernel-mappings.md
    assert mapping(table).lines["smp_store_mb"].instructions == ("STR {v},[{x}]", "DMB ISH")
    assert mapping("x86").lines["smp_store_mb"].instructions == (
        "movq {v},{r}", "xchgq {r},({x})")
