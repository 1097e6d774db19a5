"""`explain` with several `-m` explains each model in turn; `report` and `explain` take
`run`'s `--mapping` (README's synopsis)."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.cli import main
from tests.conftest import LITMUS

NORMB = str(LITMUS / "kernel" / "compound_head+normb.litmus")
STATE = "1:r0=1; 1:r1=2; 1:r2=1;"


def test_explain_explains_each_model_in_turn(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", NORMB, "-m", "sc", "-m", "armv8"]) == 0
    out = capsys.readouterr().out
    sc = out.index(f"compound_head+normb under sc: {STATE} is forbidden")
    armv8 = out.index(f"compound_head+normb under armv8: {STATE} is allowed")
    assert sc < armv8


def test_explain_and_report_pass_the_mapping_to_the_judge(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "r.html"
    assert main(["report", NORMB, "-m", "armv8", "--mapping", "arm64-llsc",
                 "-o", str(html)]) == 0
    assert html.is_file()
    capsys.readouterr()
    assert main(["report", NORMB, "-m", "armv8", "--mapping", "nosuch", "-o", str(html)]) == 2
    assert "unknown kernel mapping `nosuch` (known: x86, arm64, arm64-llsc, sc)" in (
        capsys.readouterr().err)
    assert main(["explain", NORMB, "-m", "armv8", "--mapping", "nosuch"]) == 2
    assert "unknown kernel mapping `nosuch`" in capsys.readouterr().out
    assert main(["explain", NORMB, "-m", "armv8", "--mapping", "arm64-llsc"]) == 0
    assert f"under armv8: {STATE} is allowed" in capsys.readouterr().out
