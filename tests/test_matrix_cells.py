"""The cross-model matrix (`run FILE -m M1 -m M2 ...`): a model's flags show in its cell and
count as a disagreement; a test's name is never cut (folded on a narrow terminal, in full
off one)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from memlitmus.cli import main
from memlitmus.report.matrix import build_matrix, disagreement
from memlitmus.results import ModelResult, Observation
from tests.conftest import LITMUS

RACE = ("C DR\n{}\nP0(int *x)\n{\n\t*x = 1;\n}\nP1(int *x)\n{\n\tint r0;\n\tr0 = *x;\n}\n"
        "exists (1:r0=1)\n")


def _result(model: str, flags: tuple[str, ...] = (), file: str = "t.litmus") -> ModelResult:
    return ModelResult(file=file, test=Path(file).stem, arch="C", model=model, kind="Allowed",
                       condition="", observation=Observation.SOMETIMES, flags=flags)


def test_a_flag_difference_is_a_disagreement() -> None:
    same = [_result("lkmm", ("data-race",)), _result("lkmm2", ("data-race",))]
    assert disagreement(same) == ""
    assert disagreement([_result("x86tso"), _result("lkmm", ("data-race",))]) == (
        "allowed on x86tso; allowed [data-race] on lkmm")
    # a flag on the model's own assumption shows in the cell, but is no disagreement
    assert disagreement([_result("lkmm"),
                         _result("armv8", ("Assuming-common-inner-shareable-domain",))]) == ""


def test_the_matrix_shows_the_lkmm_data_race_flag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "DR.litmus"
    src.write_text(RACE)
    assert main(["run", str(src), "-m", "lkmm", "-m", "x86tso", "-m", "armv8"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "DR.litmus" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells[1:] == ["Sometimes [data-race]", "Sometimes", "Sometimes",
                         "allowed on x86tso, armv8; allowed [data-race] on lkmm"]


def _long_names(tmp_path: Path) -> list[str]:
    deep = tmp_path / ("a_very_long_directory_name_for_the_matrix_" * 2) / "and_one_more_level"
    deep.mkdir(parents=True)
    for path in sorted((LITMUS / "kernel").glob("invalidate_inode_pages2+do_no_page*.litmus")):
        shutil.copy(path, deep)
    return sorted(str(p) for p in deep.glob("*.litmus"))


def test_off_a_terminal_the_matrix_prints_full_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = _long_names(tmp_path)
    assert len(names) == 3 and min(len(n) for n in names) > 160
    assert main(["run", *names, "-m", "lkmm", "-m", "x86tso"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    for name in names:
        assert name in out


def test_a_narrow_terminal_folds_names_instead_of_cutting_them(tmp_path: Path) -> None:
    names = _long_names(tmp_path)
    matrix = build_matrix([_result(m, file=n) for n in names for m in ("lkmm", "x86tso")])
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(matrix)
    text = buffer.getvalue()
    assert "…" not in text
    column = "".join(line.split("│")[1].strip() for line in text.splitlines()
                     if line.startswith("│"))
    for name in names:
        assert f"{name} ({Path(name).stem})" in column or name in column
