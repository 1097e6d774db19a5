"""Faults a fresh user's trial found in the command line: models whose files share a stem
(one column each, distinct labels), output paths that cannot be written (one error line
before judging), `explain`'s exit statuses and `--state` values, a closed pipe under every
subcommand, and `suite` over the repository's own goldens."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memlitmus.cli import EXIT_BROKEN_PIPE, main
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import model_labels, resolve
from memlitmus.report.explain import print_explanation
from memlitmus.results import ModelResult, Observation
from memlitmus.runner import QuietPipeConsole
from tests.conftest import LITMUS, ROOT, run

SB = str(LITMUS / "x86" / "SB.litmus")
ANYTHING = '"anything"\nlet x = po\n'  # allows every candidate execution
SC = '"sc again"\nacyclic po | rf | co | fr as sc\n'


@pytest.fixture
def cats(tmp_path: Path) -> Path:
    """m/sc.cat (allows all), a/foo.cat (allows all), b/foo.cat (SC)."""
    for rel, text in [("m/sc.cat", ANYTHING), ("a/foo.cat", ANYTHING), ("b/foo.cat", SC)]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


# ---- models with the same stem --------------------------------------------------------


def test_labels_tell_apart_files_with_the_same_stem() -> None:
    assert model_labels(["sc", "/x/m/sc.cat"]) == {"sc": "sc", "/x/m/sc.cat": "m/sc.cat"}
    assert model_labels(["/x/a/foo.cat", "/x/b/foo.cat", "/x/bar.cat"]) == {
        "/x/a/foo.cat": "a/foo.cat", "/x/b/foo.cat": "b/foo.cat", "/x/bar.cat": "bar"}
    assert model_labels(["/p/a/foo.cat", "/q/a/foo.cat"]) == {
        "/p/a/foo.cat": "p/a/foo.cat", "/q/a/foo.cat": "q/a/foo.cat"}


def test_a_user_model_named_as_a_shipped_one_is_its_own_column(
    cats: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "run", "-m", "sc", "-m", str(cats / "m/sc.cat"), SB)
    header = next(line for line in out.splitlines() if "test" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == [
        "test", "sc", "m/sc.cat", "models disagree"]
    assert "forbidden on sc; allowed on m/sc.cat" in out
    assert status == 0


def test_two_files_with_one_stem_are_two_records(
    cats: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "run", "-m", str(cats / "a/foo.cat"),
                         "-m", str(cats / "b/foo.cat"), "-f", "json", SB)
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["model"], r["observation"]) for r in records] == [
        ("a/foo.cat", "Sometimes"), ("b/foo.cat", "Never")]
    assert status == 0


def test_explain_and_report_label_each_model(
    cats: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "explain", SB, "-m", "sc", "-m", str(cats / "m/sc.cat"))
    assert [line for line in out.splitlines() if " under " in line] == [
        "SB under sc: 0:EAX=0; 1:EAX=0; is forbidden",
        "SB under m/sc.cat: 0:EAX=0; 1:EAX=0; is allowed"]
    assert status == 0
    page = tmp_path / "r.html"
    status, _, _ = run(capsys, "report", SB, "-o", str(page), "-m", str(cats / "a/foo.cat"),
                       "-m", str(cats / "b/foo.cat"))
    text = page.read_text(encoding="utf-8")
    assert status == 0
    assert "<th>a/foo.cat</th>" in text and "<th>b/foo.cat</th>" in text
    assert "<th>foo</th>" not in text


# ---- output paths ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["report", SB, "-o", "{missing}/r.html"],
    ["suite", "-j", "1", "--no-cache", "--junit", "{missing}/j.xml", SB],
    ["suite", "-j", "1", "--no-cache", "--json", "{missing}/j.json", SB],
], ids=["report", "junit", "json"])
def test_an_unwritable_output_stops_before_judging(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nonexistent"
    argv = [a.replace("{missing}", str(missing)) for a in args]
    status, out, err = run(capsys, *argv)
    target = next(a for a in argv if "nonexistent" in a)
    assert (status, out, err) == (
        2, "", f"memlitmus: cannot write {target}: no such directory: {missing}\n")


def test_a_directory_is_not_an_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "report", SB, "-o", str(tmp_path))
    assert (status, err) == (2, f"memlitmus: cannot write {tmp_path}: is a directory\n")


def test_suite_update_creates_a_new_expectation_tsv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv = tmp_path / "new.tsv"
    status, out, _ = run(capsys, "suite", "-j", "1", "--no-cache", "--update",
                         "--expect", str(tsv), SB)
    assert status == 0 and f"wrote 2 rows to {tsv}" in out  # SB's goldens: sc, x86tso
    assert [line.split("\t")[1:3] for line in tsv.read_text(encoding="utf-8").splitlines()
            ] == [["model", "observation"], ["sc", "Never"], ["x86tso", "Sometimes"]]


def test_suite_names_an_expectation_tsv_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tsv = tmp_path / "none.tsv"
    assert run(capsys, "suite", "-j", "1", "--no-cache", "--expect", str(tsv), SB) == (
        2, "", f"memlitmus: {tsv}: cannot read: No such file or directory\n")


# ---- explain --------------------------------------------------------------------------


def test_explain_of_an_unknown_result_exits_3_as_run() -> None:
    test = load_litmus(SB)
    unknown = ModelResult(SB, "SB", "X86", "sc", "Allowed", "exists (...)",
                          observation=Observation.UNKNOWN, unknown_reason="timeout (3 s)")
    console = QuietPipeConsole(file=io.StringIO())
    assert print_explanation(test, resolve("sc"), unknown, None, console) == 3


@pytest.mark.parametrize("state, message", [
    ("0:EAX=abc;", "--state: `0:EAX=abc`: `abc` is not a value (a number)"),
    ("0:EBX=1;", "--state: no such location `0:EBX` (the test shows: 0:EAX, 1:EAX)"),
    ("0:EAX", "--state: expected `name=value`, got `0:EAX`"),
])
def test_explain_rejects_a_malformed_state(
    state: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "explain", SB, "--state", state) == (2, "", f"memlitmus: {message}\n")


def test_explain_reads_a_hexadecimal_value(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "explain", SB, "--state", "0:EAX=0x0; 1:EAX=0;")
    assert status == 0 and "SB under x86tso: 0:EAX=0; 1:EAX=0; is allowed" in out


# ---- a closed pipe --------------------------------------------------------------------


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("args", [
    ["suite", "-j", "1", "--no-cache", SB],
    ["explain", SB],
    ["lower", str(LITMUS / "lkmm" / "SB+mbs.litmus"), "--arch", "x86"],
], ids=["suite", "explain", "lower"])
def test_a_closed_pipe_ends_every_subcommand_as_run(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(args) == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_suite_with_workers_ends_quietly_when_the_reader_went_away() -> None:
    """`memlitmus suite -j 2 ... | head -1`: status 141 and nothing on stderr (no
    traceback from the worker threads' clean-up)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "memlitmus.cli", "suite", "-j", "2", "--no-cache",
             str(LITMUS / "x86")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300, check=False,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (EXIT_BROKEN_PIPE, "")


# ---- suite over the repository's goldens ----------------------------------------------


def test_suite_passes_the_repositorys_aarch64_goldens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The goldens are printed with `--count`, as suite checks them (docs/suite.md)."""
    report = tmp_path / "report.json"
    status, _, _ = run(capsys, "suite", "-j", "1", "--no-cache", "--json", str(report),
                       str(LITMUS / "aarch64"))
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    assert (summary["fail"], summary["error"], summary["unknown"]) == (0, 0, 0)
    assert summary["pass"] == len(list((LITMUS / "aarch64").glob("*.armv8.expected")))
    assert status == 0


# ---- flags, each once -----------------------------------------------------------------

HERD_LIBDIR = LITMUS.parent / ".." / "shared" / "models" / "herd-libdir"


@pytest.mark.skipif(not HERD_LIBDIR.is_dir(), reason="../shared/models is absent")
def test_a_flag_two_checks_raise_is_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """herd's aarch64.cat reaches the `Assuming-common-inner-shareable-domain` check of
    aarch64fences.cat twice; herd prints the flag once."""
    source = (LITMUS / "aarch64" / "MP+dmb.st+addr.litmus").read_text(encoding="utf-8")
    test = tmp_path / "MP+dmb.ishst+addr.litmus"
    test.write_text(source.replace("DMB ST ", "DMB ISHST").replace(
        "MP+dmb.st+addr", "MP+dmb.ishst+addr"), encoding="utf-8")
    model = str(HERD_LIBDIR / "aarch64.cat")
    status, out, _ = run(capsys, "herd7", "-model", model, str(test))
    assert status == 0
    assert [line for line in out.splitlines() if line.startswith("Flag ")] == [
        "Flag Assuming-common-inner-shareable-domain"]
    status, out, _ = run(capsys, "run", "-f", "json", "-m", model, str(test))
    assert json.loads(out)["flags"] == ["Assuming-common-inner-shareable-domain"]
