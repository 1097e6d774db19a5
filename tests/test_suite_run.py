"""`memlitmus suite` end to end: statuses and exit codes, reports, --update, the result
cache (reruns, edits, corruption), worker crashes, and -j / Dask giving the same results."""

from __future__ import annotations

import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from memlitmus import worker
from memlitmus.cli import main
from memlitmus.judge import Options
from memlitmus.suite import Status, SuiteRun, discover, run_suite
from memlitmus.suite.cache import ResultCache
from tests.conftest import LITMUS

LKMM, X86 = LITMUS / "lkmm", LITMUS / "x86"

SELF_DEADLOCK = """\
C self-deadlock
(*
 * Result: DEADLOCK
 *)
{}

P0(spinlock_t *l, int *x)
{
\tspin_lock(l);
\tspin_lock(l);
\tWRITE_ONCE(*x, 1);
}

exists (x=1)
"""


def with_result(source: Path, line: str) -> str:
    """The test's text with a `Result:` comment after its header line."""
    header, rest = source.read_text(encoding="utf-8").split("\n", 1)
    return f"{header}\n(*\n{line}\n *)\n{rest}"


@pytest.fixture
def suite_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small kernel-style suite; the result cache lives under tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "tests"
    (folder / "sub").mkdir(parents=True)
    (folder / "MP+once.litmus").write_text(
        with_result(LKMM / "MP+once.litmus", " * Result: Sometimes"), encoding="utf-8")
    (folder / "sub" / "MP+once-wrong.litmus").write_text(
        with_result(LKMM / "MP+once.litmus", " * Result: Never"), encoding="utf-8")
    (folder / "self-deadlock.litmus").write_text(SELF_DEADLOCK, encoding="utf-8")
    (folder / "counter+plain.litmus").write_text(
        with_result(LKMM / "counter+plain.litmus", " * Result: Sometimes DATARACE"),
        encoding="utf-8")
    shutil.copy(LKMM / "MP+locks.litmus", folder / "no-comment.litmus")
    (folder / "broken.litmus").write_text("C broken\n * Result: Never\n{}\nP0(int *x) {\n",
                                          encoding="utf-8")
    return folder


def suite_main(*args: str) -> int:
    return main(["suite", "-j", "1", *args])


def statuses(report: Path) -> dict[str, str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {Path(t["file"]).name: t["status"] for t in document["tests"]}


def test_statuses_reports_and_exit_code(suite_dir: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    status = suite_main(str(suite_dir), "--json", str(report), "--junit", str(junit))
    out = capsys.readouterr().out
    assert status == 1
    assert statuses(report) == {
        "MP+once.litmus": "pass", "MP+once-wrong.litmus": "fail",
        "self-deadlock.litmus": "pass", "counter+plain.litmus": "pass",
        "broken.litmus": "error",
    }
    assert json.loads(report.read_text())["summary"]["skipped_files"] == 1
    assert "FAIL " in out and "Result: Never but Sometimes" in out  # plain lines off a tty
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "1", "1")


def test_exit_0_when_everything_passes(suite_dir: Path) -> None:
    (suite_dir / "sub" / "MP+once-wrong.litmus").unlink()
    (suite_dir / "broken.litmus").unlink()
    assert suite_main(str(suite_dir)) == 0


def test_herd_expected_block_and_kinds_txt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "x86"
    folder.mkdir()
    for name in ("SB", "MP"):
        shutil.copy(X86 / f"{name}.litmus", folder / f"{name}.litmus")
    block = (X86 / "SB.x86tso.expected").read_text(encoding="utf-8")
    (folder / "SB.litmus.expected").write_text(
        block.rstrip("\n") + "\nTime SB 0.01\nHash=0123abcd\n\n", encoding="utf-8")
    (folder / "kinds.txt").write_text("SB Allowed\nMP Allowed\n", encoding="utf-8")
    report = tmp_path / "r.json"
    assert suite_main(str(folder), "--json", str(report)) == 1
    capsys.readouterr()
    runs = json.loads(report.read_text())["tests"]
    assert [(Path(r["file"]).name, r["model"], r["status"], r["reasons"]) for r in runs] == [
        ("MP.litmus", "x86tso", "fail", ["kinds.txt: Allowed but Never"]),
        ("SB.litmus", "x86tso", "pass", []),
    ]
    # -m judges the model-less expectations under the models named instead
    assert suite_main(str(folder / "SB.litmus"), "-m", "sc", "--json", str(report)) == 1
    (sc,) = json.loads(report.read_text())["tests"]
    assert sc["model"] == "sc" and sc["reasons"][0].startswith("herd block line 2")


def test_update_writes_a_tsv_that_the_next_run_passes(
    suite_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (suite_dir / "broken.litmus").unlink()
    assert suite_main(str(suite_dir), "--update") == 1  # the wrong Result: still fails
    tsv = (suite_dir / "memlitmus-expected.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "file\tmodel\tobservation\tflags\tstates"
    assert "no-comment.litmus\tlkmm\tNever\t\t" in "\n".join(tsv)  # untested file included
    assert "counter+plain.litmus\tlkmm\tSometimes\tdata-race\t[c]=1; | [c]=2;" in tsv
    (suite_dir / "sub" / "MP+once-wrong.litmus").unlink()
    capsys.readouterr()
    assert suite_main(str(suite_dir)) == 0
    assert "0 files without expectation skipped" in capsys.readouterr().out


def run_dir(folder: Path, **kwargs: object) -> SuiteRun:
    tests = discover([str(folder)])
    return run_suite(tests, Options(), **kwargs)  # type: ignore[arg-type]


def verdicts(run: SuiteRun) -> list[tuple[str, str, Status, tuple[str, ...], str]]:
    return [(r.file, r.model, r.status, r.reasons, r.observation) for r in run.runs]


def test_a_rerun_hits_the_cache_and_an_edit_judges_only_the_edited_test(
    suite_dir: Path, tmp_path: Path
) -> None:
    cache = ResultCache(tmp_path / "c.sqlite3")
    first = run_dir(suite_dir, cache=cache)
    assert (first.judged, first.cache_hits) == (5, 0)
    second = run_dir(suite_dir, cache=cache)
    assert (second.judged, second.cache_hits) == (0, 5)
    assert verdicts(second) == verdicts(first)
    edited = suite_dir / "MP+once.litmus"
    edited.write_text(edited.read_text().replace("Result: Sometimes", "Result: Always"))
    third = run_dir(suite_dir, cache=cache)
    assert (third.judged, third.cache_hits) == (1, 4)
    assert {r.file: r.status for r in third.runs}[str(edited)] is Status.FAIL
    # the rejected file is kept (its error is deterministic); --no-cache: no store at all
    assert run_dir(suite_dir).judged == 5


def test_a_corrupt_cache_is_rebuilt_not_trusted(suite_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    first = run_dir(suite_dir, cache=ResultCache(path))
    path.write_bytes(b"this is not an SQLite database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    cache = ResultCache(path)
    assert cache.rebuilt
    again = run_dir(suite_dir, cache=cache)
    assert (again.judged, verdicts(again)) == (5, verdicts(first))
    # a row whose payload was altered fails its digest: judged again, not believed
    with cache._conn:
        cache._conn.execute("UPDATE results SET payload = payload || ' '")
    assert run_dir(suite_dir, cache=cache).judged == 5


def test_results_are_the_same_for_every_number_of_jobs(suite_dir: Path) -> None:
    one, two = run_dir(suite_dir, jobs=1), run_dir(suite_dir, jobs=2)
    assert verdicts(one) == verdicts(two)
    assert [r.file for r in one.runs] == sorted(r.file for r in one.runs)


def test_a_test_that_kills_or_hangs_its_worker_costs_only_that_test(
    suite_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `memlitmus.worker.Judge`: a worker that dies is an ERROR, one stuck past
    --timeout an UNKNOWN, and the tests after them are judged (the patch reaches forked
    workers only)."""
    if "fork" not in worker.multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to patch the worker")
    real = worker.judge_each

    def sabotaged(test, models, options):  # type: ignore[no-untyped-def]
        if test.name == "counter+plain":
            os._exit(7)
        if test.name == "self-deadlock":
            while True:
                time.sleep(0.01)
        return real(test, models, options)

    monkeypatch.setattr(worker, "judge_each", sabotaged)
    tests = discover([str(suite_dir)])
    # 5 s, not less: the tests that are judged for real must finish inside it on a loaded
    # 2-core machine, and the stuck one is stopped at the same bound.
    run = run_suite(tests, Options(timeout_s=5), jobs=1)
    got = {Path(r.file).name: (r.status, r.reasons) for r in run.runs}
    assert got.pop("broken.litmus")[0] is Status.ERROR  # rejected, as without sabotage
    assert got == {
        "MP+once.litmus": (Status.PASS, ()),
        "counter+plain.litmus": (Status.ERROR, (
            f"{suite_dir / 'counter+plain.litmus'}: internal error: the judging process "
            "died (status 7)",)),
        "self-deadlock.litmus": (Status.UNKNOWN, ("solver timeout after 5 s",)),
        "MP+once-wrong.litmus": (Status.FAIL, ("Result: Never but Sometimes",)),
    }


def test_a_dask_cluster_gives_the_same_results_as_a_local_run(suite_dir: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = run_dir(suite_dir, jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        remote = run_dir(suite_dir, dask=cluster.scheduler_address)
    assert verdicts(remote) == verdicts(local)


def test_the_projects_model_goldens_are_expectations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "goldens"
    folder.mkdir()
    for source in [LKMM / "SB+mbs.litmus", LKMM / "SB+mbs.lkmm.expected",
                   *sorted(X86.glob("SB.*"))]:  # SB.sc.json.expected is not a herd block
        shutil.copy(source, folder / source.name)
    report = tmp_path / "r.json"
    assert suite_main(str(folder), "--json", str(report)) == 0
    runs = json.loads(report.read_text())["tests"]
    assert [(Path(r["file"]).name, r["model"], r["status"]) for r in runs] == [
        ("SB+mbs.litmus", "lkmm", "pass"), ("SB.litmus", "sc", "pass"),
        ("SB.litmus", "x86tso", "pass"),
    ]
    golden = folder / "SB.x86tso.expected"
    golden.write_text(golden.read_text().replace("Sometimes", "Never"), encoding="utf-8")
    assert suite_main(str(folder), "--json", str(report), "--no-cache") == 1
    capsys.readouterr()
    failed = [r for r in json.loads(report.read_text())["tests"] if r["status"] == "fail"]
    assert [(r["model"], r["reasons"]) for r in failed] == [
        ("x86tso", ["herd block line 11: 'Observation SB Sometimes 1 3' != expected "
                    "'Observation SB Never 1 3'"])]


def test_an_unparseable_file_without_expectation_is_an_error_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "suite"
    folder.mkdir()
    shutil.copy(LKMM / "MP+locks.litmus", folder / "no-comment.litmus")  # parses: skipped
    (folder / "broken.litmus").write_text("C broken\n{}\nP0(int *x) {\n", encoding="utf-8")
    report = tmp_path / "r.json"
    assert suite_main(str(folder), "--json", str(report)) == 1
    capsys.readouterr()
    document = json.loads(report.read_text())
    (run,) = document["tests"]
    assert (Path(run["file"]).name, run["model"], run["status"]) == (
        "broken.litmus", "lkmm", "error")
    assert run["reasons"][0].startswith(f"{folder / 'broken.litmus'}:3:13: unexpected end of file")
    assert document["summary"]["skipped_files"] == 1


def test_the_kernel_seeds_expected_lines_are_checked_under_each_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """litmus/kernel's `Expected: sc ..., lkmm ....` lines bind one verdict per model; a
    wrong one fails (a suite of those seeds used to skip every file and exit 0)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kernel = Path(__file__).resolve().parents[1] / "litmus" / "kernel"
    tests = discover([str(kernel)])
    assert len(tests) == len(list(kernel.glob("*.litmus"))) > 0
    assert {t.models for t in tests} == {("armv8", "lkmm", "sc", "x86tso")}
    folder = tmp_path / "seed"
    folder.mkdir()
    seed = kernel / "compound_head+rmb.litmus"
    text = seed.read_text(encoding="utf-8")
    assert "armv8 Never" in text
    (folder / seed.name).write_text(text.replace("armv8 Never", "armv8 Sometimes"))
    report = tmp_path / "r.json"
    assert suite_main(str(folder), "--json", str(report)) == 1
    capsys.readouterr()
    runs = json.loads(report.read_text())["tests"]
    assert [(r["model"], r["status"], r["reasons"]) for r in runs] == [
        ("armv8", "fail", ["Expected: armv8 Sometimes but Never"]),
        ("lkmm", "pass", []), ("sc", "pass", []), ("x86tso", "pass", [])]


KERNEL_FILES = LITMUS.parent / ".." / "shared" / "models" / "linux-kernel"
MP_RESULT_NEVER = """C MP

(*
 * Result: Never
 *)

{}

P0(int *x, int *y)
{
\tWRITE_ONCE(*x, 1);
\tsmp_store_release(y, 1);
}

P1(int *x, int *y)
{
\tint r0;
\tint r1;

\tr0 = smp_load_acquire(y);
\tr1 = READ_ONCE(*x);
}

exists (1:r0=1 /\\ 1:r1=0)
"""


@pytest.fixture
def kernel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the kernel's tools/memory-model files with one kernel-style test,
    as the working folder (`../shared/models/linux-kernel`)."""
    if not KERNEL_FILES.is_dir():
        pytest.skip("../shared/models absent")
    for file in KERNEL_FILES.iterdir():
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "MP.litmus").write_text(MP_RESULT_NEVER)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("options", [
    ["--conf", "linux-kernel.cfg"],
    ["-conf", "linux-kernel.cfg"],
    ["-m", "./linux-kernel.cat", "--bell", "linux-kernel.bell", "--macros",
     "linux-kernel.def", "--variant", "lkmmv2"],
    ["-I", "sub", "-m", "linux-kernel.cat", "-bell", "linux-kernel.bell", "-macros",
     "linux-kernel.def", "-variant", "lkmmv2"],
], ids=["--conf", "-conf", "bell-macros", "-I"])
def test_suite_runs_the_kernels_model_files(
    options: list[str], kernel_dir: Path, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    if "sub" in options:  # -I: the model found in a folder of the search path
        (kernel_dir / "sub").mkdir()
        for name in ("linux-kernel.cat", "lock.cat"):
            shutil.move(kernel_dir / name, kernel_dir / "sub" / name)
    json_out = tmp_path / "out.json"
    status = main(["suite", "--no-cache", "-j", "1", *options,
                   "--json", str(json_out), "MP.litmus"])
    capsys.readouterr()
    runs = json.loads(json_out.read_text())["tests"]
    assert status == 0
    assert [(r["status"], r["observation"]) for r in runs] == [("pass", "Never")]


def test_suite_reports_a_model_error_as_error_not_unknown(
    kernel_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The kernel's linux-kernel.cat without its bell cannot be evaluated: an ERROR with
    the model's position (Unknown is for the time and memory bounds)."""
    json_out = tmp_path / "out.json"
    status = main(["suite", "--no-cache", "-j", "1", "-m", "./linux-kernel.cat",
                   "--json", str(json_out), "MP.litmus"])
    capsys.readouterr()
    (run,) = json.loads(json_out.read_text())["tests"]
    assert status == 1
    assert run["status"] == "error"
    assert "linux-kernel.cat:" in run["reasons"][0]
    assert "unknown identifier `Marked`" in run["reasons"][0]
