"""Per-pair errors in every output format, a user's broken cat file as a per-pair error,
the error-line rule, and the exit statuses of `run` and `herd7` (README, "Exit status")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memlitmus.errors import error_line, has_position
from tests.conftest import ROOT, rows, run

SB = "litmus/x86/SB.litmus"
MP = "litmus/x86/MP.litmus"
NOT_JUDGED = f"{SB}:1:1: model `armv8` does not judge X86 tests (it judges AArch64)"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "250")


def test_the_matrix_shows_an_errored_column_and_the_judged_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "run", SB, MP, "-m", "sc", "-m", "armv8", "-m", "x86tso")
    assert status == 2
    assert "┃ sc " in out and "┃ armv8 " in out and "┃ x86tso " in out
    assert [r[:4] for r in rows(out)] == [
        [SB, "Never", "error", "Sometimes"],
        [MP, "Never", "error", "Never"],
    ]
    # the disagreement column compares the verdicts only
    assert rows(out)[0][4] == "forbidden on sc; allowed on x86tso"
    assert err.splitlines()[0] == NOT_JUDGED


@pytest.mark.parametrize("fmt", ["table", "matrix", "json"])
def test_a_run_where_every_pair_errors_still_prints_every_pair(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "run", SB, "-m", "armv8", "-m", "lkmm", "-f", fmt)
    assert status == 2
    assert err.count(f"{SB}:1:1: model ") == 2
    if fmt == "json":
        records = [json.loads(line) for line in out.splitlines()]
        assert [(r["model"], r["error"].splitlines()[0]) for r in records] == [
            ("armv8", NOT_JUDGED),
            ("lkmm", f"{SB}:1:1: model `lkmm` does not judge X86 tests (it judges C)"),
        ]
    elif fmt == "matrix":
        assert rows(out) == [[SB, "error", "error", ""]]
    else:
        assert [r[1:4] for r in rows(out)] == [
            ["armv8", "error", NOT_JUDGED],
            ["lkmm", "error", f"{SB}:1:1: model `lkmm` does not judge X86 tests (it judges C)"],
        ]


def test_under_f_herd_an_errored_pair_is_herds_warning_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """herd7 prints nothing on stdout for a test it gives up on, and its warning on
    stderr, one line: so does `-f herd`, the other pairs' blocks in full."""
    status, out, err = run(capsys, "run", SB, "-m", "armv8", "-m", "sc", "-f", "herd")
    assert status == 2
    assert out.startswith("Test SB Allowed\nStates 3\n") and out.count("Test SB") == 1
    assert err == f"Warning: {NOT_JUDGED} (User error)\n"


def test_a_cat_syntax_error_is_that_pairs_error_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.cat"
    broken.write_text('"broken"\nacyclic po | com as sc\nlet x = (po\n', encoding="utf-8")
    unknown = tmp_path / "unknown.cat"
    unknown.write_text('"unknown"\nacyclic po | comx as sc\n', encoding="utf-8")
    status, out, err = run(capsys, "run", SB, MP, "-m", "sc", "--cat", str(broken),
                           "-m", str(unknown), "-f", "json")
    assert status == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["test"], r["model"], r["observation"]) for r in records] == [
        ("SB", "sc", "Never"), ("SB", "broken", None), ("SB", "unknown", None),
        ("MP", "sc", "Never"), ("MP", "broken", None), ("MP", "unknown", None),
    ]
    syntax = f"{broken}:3:12: syntax error: unexpected end of file; expected `)`"
    identifier = f"{unknown}:2:14: unknown identifier `comx`"
    assert [r["error"].splitlines()[0] for r in records if r["error"]] == [
        syntax, identifier, syntax, identifier]
    # the same rule on stderr: the position first, the source line and a caret below
    assert err.splitlines()[:3] == [syntax, "  let x = (po", "             ^"]


def test_a_missing_cat_file_or_an_unknown_model_stops_the_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "run", SB, "-m", "sc", "--cat", "no/such.cat")
    assert (status, out) == (2, "")
    assert err == "memlitmus: no such cat file: no/such.cat\n"


def test_error_lines_start_with_a_position_or_with_memlitmus() -> None:
    assert error_line("SB.litmus:1:1: bad\n  X86 SB\n  ^") == "SB.litmus:1:1: bad\n  X86 SB\n  ^"
    assert error_line("unknown model `x`") == "memlitmus: unknown model `x`"
    assert error_line("a b:1:1: not a position") == "memlitmus: a b:1:1: not a position"
    assert has_position("x.cat:3:12: syntax error") and not has_position("x.cat: 3:12")


@pytest.mark.parametrize("command", [
    ["explain", "no/such.litmus"],
    ["report", "no/such.litmus", "-o", "/dev/null"],
    ["lower", "no/such.litmus", "--arch", "x86"],
    ["run", "no/such.litmus"],
])
def test_every_command_words_a_missing_file_alike(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, *command)
    assert status == 2
    assert err.splitlines()[0] == (
        "memlitmus: no/such.litmus: cannot read: No such file or directory")


def test_the_html_report_shows_a_pairs_error_beside_the_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.cat"
    broken.write_text('"broken"\nlet x = (po\n', encoding="utf-8")
    page = tmp_path / "r.html"
    status, _, err = run(capsys, "report", SB, "-m", "sc", "-m", "armv8", "-m",
                         str(broken), "-o", str(page))
    assert status == 2
    assert err.splitlines()[0] == NOT_JUDGED
    html = page.read_text(encoding="utf-8")
    # the index: one cell per model, `error` where the model could not judge the file
    assert html.count('<span class="pair-error">error</span>') == 2
    # the verdicts table: sc's row, then a row per error with its message
    assert '<tr data-model="sc"><td>sc</td><td class="Never">Never' in html
    assert ('<tr data-model="armv8" class="pair-error"><td>armv8</td><td class="pair-error">'
            f'error</td><td colspan="5"><pre class="error">{NOT_JUDGED}') in html
    assert f'<pre class="error">{broken}:2:12: syntax error' in html
