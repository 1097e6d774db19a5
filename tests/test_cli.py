"""The `memlitmus` command in-process (`memlitmus.cli.main`): exit statuses, rejected
inputs, model selection, output formats, and one run of the installed console script."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memlitmus.cli import EXIT_BROKEN_PIPE, main
from memlitmus.solve import Session, SolverGaveUp
from tests.conftest import LITMUS, ROOT, run
from tests.test_parse_errors import UNSUPPORTED

X86 = LITMUS / "x86"
X86_FILES = sorted(X86.glob("*.litmus"))
BAD = ROOT / "tests" / "bad_inputs"
JSON_KEYS = [
    "file", "test", "arch", "model", "kind", "observation", "ok", "states", "positive",
    "negative", "flags", "time_s", "error",
]

# SC written differently from the shipped sc.cat: from-read spelled out, another name
# for the axiom, atomicity through `ext` rather than fre/coe.
MY_SC = """\
"SC, written differently"
(* One total order: program order, reads-from, coherence and from-read (rf^-1;co)
   never form a cycle; no write of another thread between an RMW's read and write. *)
let from-read = rf^-1 ; co
let order = po | rf | co | from-read
acyclic order as sequential
empty rmw & ((from-read & ext) ; (co & ext)) as rmw-atomic
"""


def json_lines(out: str) -> list[dict[str, object]]:
    records = [json.loads(line) for line in out.splitlines()]
    assert all(list(r) == JSON_KEYS for r in records)
    return records


def sans_time(record: dict[str, object], *drop: str) -> dict[str, object]:
    return {k: v for k, v in record.items() if k not in ("time_s", *drop)}


def table_rows(out: str, edge: str = "│") -> list[list[str]]:
    """The cells of rich's table rows: body rows `│ ... │`, the header `┃ ... ┃`."""
    rows = [line for line in out.splitlines() if line.startswith(edge)]
    return [[cell.strip() for cell in row.strip(edge).split(edge)] for row in rows]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "250")  # rich: no truncated cells in the table


@pytest.fixture
def my_sc(tmp_path: Path) -> Path:
    path = tmp_path / "mysc.cat"
    path.write_text(MY_SC, encoding="utf-8")
    return path


# ---- exit statuses and rejected inputs ------------------------------------------------


def test_exit_0_when_every_file_is_judged(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "run", "litmus/x86", "-f", "json")
    assert (status, err) == (0, "")
    records = json_lines(out)
    # No -m: each file under its architecture's default model, x86tso.
    assert [r["file"] for r in records] == [p.relative_to(ROOT).as_posix() for p in X86_FILES]
    assert {r["model"] for r in records} == {"x86tso"}
    assert all(r["error"] is None and r["observation"] != "Unknown" for r in records)


# Syntax errors only: what counts as unsupported changes as front ends grow.
BAD_FILES = sorted(p for p in BAD.glob("*.litmus") if p.stem not in UNSUPPORTED)


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda p: p.stem)
def test_a_rejected_file_gives_exit_2_and_the_others_are_still_judged(
    bad: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(X86 / "SB.litmus", tmp_path / "a_good.litmus")
    copy = tmp_path / "b_bad.litmus"
    shutil.copy(bad, copy)
    status, out, err = run(capsys, "run", str(tmp_path), "-m", "x86tso", "-f", "herd")
    assert status == 2
    assert "Traceback" not in err and "internal error" not in err
    # The good file's block, in full.
    assert out.startswith("Test SB Allowed\nStates 4\n")
    assert "Observation SB Sometimes 1 3\n" in out
    # The bad one: `file:line:col: message` as in its .error file, then (when the file
    # has such a line) the line and a caret under the column.
    expected = bad.with_suffix(".error").read_text(encoding="utf-8").splitlines()[0]
    expected = expected.replace(bad.relative_to(ROOT).as_posix(), str(copy), 1)
    lines = err.splitlines()
    assert lines[0] == expected
    col = int(expected.removeprefix(str(copy)).split(":")[2])
    if len(lines) > 1:
        assert len(lines) == 3
        assert lines[2] == "  " + " " * (col - 1) + "^"


def test_the_rejected_file_shows_line_and_caret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "bad_operand.litmus"
    shutil.copy(BAD / "bad_operand.litmus", copy)
    status, out, err = run(capsys, "run", str(copy), "-f", "herd")
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{copy}:5:10: unexpected `$$1`, expected a memory operand (`[x]`), a name, "
        "a number or an immediate (`$1`)",
        "   MOV [x],$$1 | MOV [y],$1  ;",
        "           ^",
    ]


def test_a_rejected_file_is_a_json_record_with_its_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "bad_operand.litmus"
    shutil.copy(BAD / "bad_operand.litmus", copy)
    status, out, err = run(capsys, "run", str(copy), "-f", "json")
    assert status == 2
    (record,) = json_lines(out)
    assert record["file"] == str(copy)
    assert record["error"] == err.rstrip("\n")
    assert all(record[k] is None for k in JSON_KEYS if k not in ("file", "error"))


@pytest.mark.parametrize(
    ("instruction", "col"), [("LOCK NEG [x]", 2), ("PAUSE", 2)], ids=["LOCK-NEG", "PAUSE"]
)
def test_an_unsupported_instruction_is_rejected_with_its_position(
    instruction: str, col: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "unsupported.litmus"
    path.write_text(
        "X86 U\n{ x=0; }\n"
        " P0         | P1          ;\n"
        " MOV [x],$1 | MOV EAX,[x] ;\n"
        f" {instruction:<10} | MOV EBX,[x] ;\n"
        "exists (1:EAX=1 /\\ 1:EBX=0)\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "run", str(path), "-f", "herd")
    assert (status, out) == (2, "")
    mnemonic = instruction.split(" [")[0]
    assert err.splitlines()[0] == f"{path}:5:{col}: unsupported X86 instruction `{mnemonic}`"
    assert err.splitlines()[2] == "  " + " " * (col - 1) + "^"
    assert "Traceback" not in err


def test_a_missing_file_is_rejected_not_an_internal_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "run", "no/such/file.litmus", "litmus/x86/SB.litmus",
                           "-f", "herd")
    assert status == 2
    assert err == "memlitmus: no/such/file.litmus: cannot read: No such file or directory\n"
    assert out.startswith("Test SB Allowed\n")


def test_an_unknown_model_is_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "run", "litmus/x86/SB.litmus", "-m", "foo")
    assert (status, out) == (2, "")
    assert err == (
        "memlitmus: unknown model `foo`; the shipped models and their names:\n"
        "  sc:     sc.cat\n"
        "  x86tso: tso, x86, x86tso.cat\n"
        "  armv8:  aarch64, aarch64.cat\n"
        "  lkmm:   linux, linux-kernel.cat, -conf linux-kernel.cfg\n"
    )


def test_a_missing_cat_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "run", "litmus/x86/SB.litmus", "--cat", "no/such.cat")
    assert (status, out) == (2, "")
    assert err == "memlitmus: no such cat file: no/such.cat\n"


@pytest.mark.parametrize("bound", ["0", "-1", "nan", "soon"])
def test_a_timeout_must_be_a_positive_number_of_seconds(
    bound: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "litmus/x86/SB.litmus", "--timeout", bound])
    assert exit_info.value.code == 2
    assert "argument --timeout" in capsys.readouterr().err


# ---- models ---------------------------------------------------------------------------


def test_a_users_cat_file_gives_the_same_verdicts_as_sc(
    my_sc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "run", "litmus/x86", "-m", "sc", "--cat", str(my_sc),
                           "-f", "json", "--count")
    assert (status, err) == (0, "")
    records = json_lines(out)
    shipped, mine = records[0::2], records[1::2]
    assert len(shipped) == len(X86_FILES)
    assert {r["model"] for r in shipped} == {"sc"}
    assert {r["model"] for r in mine} == {"mysc"}  # a cat file is named by its stem
    assert [sans_time(r, "model") for r in mine] == [sans_time(r, "model") for r in shipped]


def test_several_models_give_one_result_per_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "run", "litmus/x86/SB.litmus", "litmus/x86/R.litmus",
                         "-m", "sc", "-m", "x86tso", "-f", "json")
    assert status == 0
    records = json_lines(out)
    assert [(r["test"], r["model"], r["observation"]) for r in records] == [
        ("SB", "sc", "Never"), ("SB", "x86tso", "Sometimes"),
        ("R", "sc", "Never"), ("R", "x86tso", "Sometimes"),
    ]


def test_models_lists_names_aliases_and_what_each_judges(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "models")
    assert (status, err) == (0, "")
    heads = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert heads == ["sc", "x86tso", "armv8", "lkmm"]
    assert "    names: x86tso, tso, x86, x86tso.cat\n    judges: X86, X86_64\n" in out
    assert "    names: lkmm, linux, linux-kernel.cat, -conf linux-kernel.cfg\n" in out
    assert "    judges: every architecture\n" in out
    assert max(len(line) for line in out.splitlines()) <= 100


# ---- formats and options --------------------------------------------------------------


def test_verdict_only_gives_the_full_runs_observations_and_no_states(
    capsys: pytest.CaptureFixture[str],
) -> None:
    models = ["-m", "sc", "-m", "x86tso"]
    _, full, _ = run(capsys, "run", "litmus/x86", *models, "-f", "json")
    status, quick, err = run(capsys, "run", "litmus/x86", *models, "-f", "json",
                             "--verdict-only")
    assert (status, err) == (0, "")
    full_records, quick_records = json_lines(full), json_lines(quick)
    assert len(full_records) == 2 * len(X86_FILES)
    assert [(r["test"], r["model"], r["observation"], r["ok"]) for r in quick_records] == [
        (r["test"], r["model"], r["observation"], r["ok"]) for r in full_records
    ]
    assert all(r["states"] is None for r in quick_records)
    _, herd, _ = run(capsys, "run", "litmus/x86", *models, "-f", "herd", "--verdict-only")
    assert herd.count("\nObservation ") + herd.startswith("Observation ") == len(full_records)
    assert "States" not in herd


def _assert_unknown(herd: str, records: list[dict[str, object]]) -> None:
    # no Observation line: herd7 prints none for a test it times out on, and the kernel's
    # scripts (judgelitmus.sh, cmplitmushist.sh) read a missing one as a timeout
    assert herd.startswith("Test IRIW Allowed\nUnknown\n")
    assert "Observation" not in herd
    assert "States" not in herd and "Never" not in herd
    assert [r["observation"] for r in records] == ["Unknown"]
    assert records[0]["ok"] is None and records[0]["states"] is None
    assert isinstance(records[0]["error"], str)


def test_a_tiny_timeout_gives_unknown_not_a_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["run", "litmus/x86/IRIW.litmus", "-m", "x86tso", "--timeout", "0.000001"]
    status, herd, err = run(capsys, *args, "-f", "herd")
    assert (status, err) == (3, "")  # no verdict: exit 3, whatever the format
    _, out, _ = run(capsys, *args, "-f", "json")
    _assert_unknown(herd, json_lines(out))
    # herd7's command line exits 0 on a timeout, as herd7 does
    status, out, err = run(capsys, "herd7", "-model", "x86tso", "-timeout", "0.000001",
                           "litmus/x86/IRIW.litmus")
    assert (status, err) == (0, "")
    untimed = [[ln for ln in text.splitlines() if not ln.startswith("Time ")]
               for text in (out, herd)]
    assert untimed[0] == untimed[1]


def test_a_solver_that_gives_up_gives_unknown_not_a_verdict(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def give_up(self: Session, *assumptions: object) -> None:
        raise SolverGaveUp("timeout")

    monkeypatch.setattr(Session, "check", give_up)
    args = ["run", "litmus/x86/IRIW.litmus", "-m", "x86tso", "--timeout", "0.000001"]
    status, herd, err = run(capsys, *args, "-f", "herd")
    assert (status, err) == (3, "")
    assert "Reason IRIW timeout\n" in herd
    _, out, _ = run(capsys, *args, "-f", "json")
    _assert_unknown(herd, json_lines(out))
    status, table, _ = run(capsys, *args)
    assert status == 3
    assert [row[:3] for row in table_rows(table)] == [
        ["litmus/x86/IRIW.litmus", "x86tso", "Unknown"]
    ]


def test_the_table_format_has_a_row_per_test_and_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "run", "litmus/x86", "-m", "sc", "-m", "x86tso",
                           "-f", "table")
    assert (status, err) == (0, "")
    (header,) = table_rows(out, "┃")
    assert header[:3] == ["test", "model", "observation"]
    rows = table_rows(out)
    expected = [
        (p.relative_to(ROOT).as_posix(), m) for p in X86_FILES for m in ("sc", "x86tso")
    ]
    assert [(row[0], row[1]) for row in rows] == expected


def test_a_directory_means_the_litmus_files_below_it_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    shutil.copy(X86 / "SB.litmus", deep / "SB.litmus")
    shutil.copy(X86 / "MP.litmus", tmp_path / "MP.litmus")
    shutil.copy(BAD / "bad_operand.litmus", tmp_path / "notes.txt")
    shutil.copy(BAD / "bad_operand.litmus", tmp_path / "SB.litmus.orig")
    (tmp_path / "a" / "dir.litmus").mkdir()  # a directory, not a litmus file
    status, out, err = run(capsys, "run", str(tmp_path), "-f", "json")
    assert (status, err) == (0, "")
    assert [r["file"] for r in json_lines(out)] == [
        str(tmp_path / "MP.litmus"), str(deep / "SB.litmus")
    ]


# ---- a closed pipe --------------------------------------------------------------------


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("fmt", ["herd", "json", "table"])
def test_a_closed_pipe_ends_quietly(
    fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    status = main(["run", "litmus/x86/SB.litmus", "-f", fmt])
    assert status == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "args", [["run", "litmus/x86/SB.litmus", "-f", "herd"], ["run", "litmus/x86"], ["models"]],
    ids=["herd", "table", "models"],
)
def test_a_reader_that_went_away_gets_no_traceback(args: list[str]) -> None:
    """`memlitmus ... | head`: the reader is gone before memlitmus writes (deterministic)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "memlitmus.cli", *args],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (EXIT_BROKEN_PIPE, "")


# ---- the installed console script -----------------------------------------------------


@pytest.mark.skipif(shutil.which("memlitmus") is None, reason="memlitmus is not installed")
def test_the_installed_console_script_runs() -> None:
    script = shutil.which("memlitmus")
    assert script is not None
    proc = subprocess.run(
        [script, "run", "litmus/x86/SB.litmus", "-m", "sc", "-m", "x86tso", "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    records = json_lines(proc.stdout)
    assert [(r["model"], r["observation"]) for r in records] == [
        ("sc", "Never"), ("x86tso", "Sometimes")
    ]
