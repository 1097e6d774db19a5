"""Bounded time and memory per test, interruptions, and the messages of a run that fails:
the worker process of `memlitmus.worker` as the command line uses it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import memlitmus.worker as worker
from memlitmus.cli import EXIT_INTERRUPTED, main
from memlitmus.judge import Options
from memlitmus.results import FileError, Observation
from tests.conftest import ROOT, run

SB = "litmus/x86/SB.litmus"


def big_x86(path: Path, stores: int) -> Path:
    """Two threads: `stores` stores to x, and as many loads of x (slow to judge)."""
    rows = [f" MOV [x],${i + 1} | MOV EAX,[x] ;" for i in range(stores)]
    path.write_text("\n".join(["X86 big", "{ x=0; }", " P0 | P1 ;", *rows,
                               "exists (1:EAX=0)"]) + "\n", encoding="utf-8")
    return path


def big_c(path: Path, stores: int) -> Path:
    """The same in C: under the LKMM, encoding it (Python) takes minutes."""
    writes = "\n".join(f"\tWRITE_ONCE(*x, {i + 1});" for i in range(stores))
    reads = "\n".join(f"\tint r{i} = READ_ONCE(*x);" for i in range(stores))
    path.write_text(f"C big\n{{}}\nP0(int *x)\n{{\n{writes}\n}}\n\nP1(int *x)\n{{\n{reads}\n}}\n"
                    "exists (1:r0=2 /\\ 1:r1=1)\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "250")


# ---- time -----------------------------------------------------------------------------


def test_the_timeout_reason_reads_the_same_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = str(big_x86(tmp_path / "big.litmus", 60))
    reason = "solver timeout after 0.2 s"
    _, out, _ = run(capsys, "run", test, "--timeout", "0.2", "-f", "json")
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert (record["observation"], record["error"]) == ("Unknown", reason)
    _, out, _ = run(capsys, "run", test, "--timeout", "0.2", "-f", "herd")
    assert f"Reason big {reason}\n" in out and "canceled" not in out
    status, out, err = run(capsys, "run", test, "--timeout", "0.2")
    assert (status, err) == (3, "")  # a pair without a verdict: exit 3
    assert reason in out and "canceled" not in out


def test_the_timeout_bounds_the_encoding_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Encoding this test under the LKMM is Python work of minutes: no solver call yet."""
    test = str(big_c(tmp_path / "big.litmus", 200))
    began = time.perf_counter()
    small = "litmus/lkmm/ISA2+release+acquire.litmus"
    status, out, err = run(capsys, "run", test, small, "-m", "lkmm", "-m", "sc",
                           "--timeout", "1", "-f", "json")
    assert time.perf_counter() - began < 60
    assert (status, err) == (3, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["test"], r["model"], r["observation"], r["error"]) for r in records] == [
        ("big", "lkmm", "Unknown", "solver timeout after 1 s"),
        ("big", "sc", "Unknown", "solver timeout after 1 s"),
        ("ISA2+release+acquire", "lkmm", "Never", None),
        ("ISA2+release+acquire", "sc", "Never", None),
    ]


def _spin(*args: object, **kwargs: object) -> Iterator[object]:
    while True:  # Python code that never reaches the solver
        pass


def _hog(*args: object, **kwargs: object) -> Iterator[object]:
    hoard = []
    while True:
        hoard.append(bytearray(16 << 20))


def test_a_model_stuck_in_python_is_stopped_and_the_next_model_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The parent kills the worker at the budget, reports the model Unknown, and starts
    a new worker for the rest (the patch is inherited by forked workers only)."""
    if "fork" not in worker.multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to patch the worker")
    real = worker.judge_each

    def first_spins(test, models, options):  # type: ignore[no-untyped-def]
        if models[0].name == "sc":
            yield from _spin()
        yield from real(test, models, options)

    monkeypatch.setattr(worker, "judge_each", first_spins)
    with worker.Judge(Options(timeout_s=0.3)) as judge:
        results = judge.judge_file(SB, ["sc", "x86tso"])
        again = judge.judge_file(SB, ["x86tso"])
    assert not isinstance(results, FileError) and not isinstance(again, FileError)
    assert [(r.model, r.observation, r.unknown_reason) for r in results] == [
        ("sc", Observation.UNKNOWN, "solver timeout after 0.3 s"),
        ("x86tso", Observation.SOMETIMES, None),
    ]
    assert [r.observation for r in again] == [Observation.SOMETIMES]


def test_a_test_past_the_memory_ceiling_is_unknown_not_a_killed_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not Path("/proc/self/statm").exists() or "fork" not in (
        worker.multiprocessing.get_all_start_methods()
    ):
        pytest.skip("the memory ceiling is read from /proc")
    monkeypatch.setattr(worker, "judge_each", _hog)
    with worker.Judge(Options(), max_memory_mb=600) as judge:
        results = judge.judge_file(SB, ["sc"])
    assert not isinstance(results, FileError)
    assert [(r.model, r.observation, r.unknown_reason) for r in results] == [
        ("sc", Observation.UNKNOWN, "memory ceiling of 600 MB exceeded"),
    ]


def test_a_worker_that_dies_is_an_internal_error_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if "fork" not in worker.multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to patch the worker")

    def die(*args: object, **kwargs: object) -> Iterator[object]:
        os._exit(7)
        yield

    real = worker.judge_each

    def dies_on_sb(test, models, options):  # type: ignore[no-untyped-def]
        return die() if test.name == "SB" else real(test, models, options)

    monkeypatch.setattr(worker, "judge_each", dies_on_sb)
    status, out, err = run(capsys, "run", SB, "litmus/x86/MP.litmus", "-f", "json")
    assert status == 1
    assert err == f"memlitmus: {SB}: internal error: the judging process died (status 7)\n"
    assert [json.loads(line)["test"] for line in out.splitlines()] == [None, "MP"]


@pytest.mark.parametrize(
    ("text", "megabytes"), [("4096", 4096), ("512M", 512), ("8G", 8192), ("2gb", 2048),
                            ("1.5GiB", 1536)],
)
def test_max_memory_takes_megabytes_or_a_unit(text: str, megabytes: int) -> None:
    from memlitmus.cli import _megabytes

    assert _megabytes(text) == megabytes


@pytest.mark.parametrize("text", ["lots", "0", "10", "-1G", "nan", "5X"])
def test_a_bad_max_memory_is_a_usage_error(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", SB, "--max-memory", text])
    assert exit_info.value.code == 2
    assert "argument --max-memory" in capsys.readouterr().err


# ---- Ctrl-C ---------------------------------------------------------------------------


def _children(pid: int) -> list[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    test = big_x86(tmp_path / "big.litmus", 200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "memlitmus.cli", "run", str(test), "--timeout", "100"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # A process started with SIGINT ignored keeps ignoring it (Python installs its
        # KeyboardInterrupt handler only over the default): pytest-xdist's workers may
        # ignore it, so give the command line a terminal's default, as a shell would.
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the worker runs: main's handler is in place then
        (child,) = _children(proc.pid)
        # The worker ignores SIGINT once it has started; before that (a forked child still
        # unpickling its task) Python's default handler would print a traceback. Wait
        # until it has run a second of CPU, which a loaded machine may take long to give.
        deadline = time.monotonic() + 60
        while _cpu_seconds(child) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole group
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, out, err) == (EXIT_INTERRUPTED, "", "memlitmus: interrupted\n")
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text()


# ---- messages of a failed run ---------------------------------------------------------


def test_a_binary_file_is_reported_without_its_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "a.litmus"
    binary.write_bytes(b"X86 SB\n{ x=0; }\n\x7fELF\x02\x01\x01\x00\x00\x1b[31m\xff\xfe\n")
    status, out, err = run(capsys, "run", str(binary))
    assert (status, out) == (2, "")
    assert err == f"{binary}:3:1: binary data (character 0x7f): not a litmus file\n"


def test_a_binary_cat_file_is_reported_without_its_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "m.cat"
    binary.write_bytes(b'"m"\nlet a = po\x00\x01\x1b[2J\n')
    status, out, err = run(capsys, "run", SB, "--cat", str(binary), "-f", "json")
    message = f"{binary}:2:11: binary data (character 0x00): not a cat file"
    assert status == 2 and json.loads(out)["error"] == message  # that pair's error
    assert err == f"{message}\n"


def test_a_control_character_in_a_message_is_escaped(tmp_path: Path) -> None:
    from memlitmus.errors import LitmusSyntaxError, Span

    error = LitmusSyntaxError("unexpected `\x1b[2J`", Span("f", 1, 3), "ab\x1b[2J\n")
    assert error.render() == "f:1:3: unexpected `\\x1b[2J`\n  ab?[2J\n    ^"


def test_no_empty_table_when_every_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text("X86 bad\n{ x=0; }\n P0 ;\n MOV [x],$$1 ;\nexists (x=1)\n", encoding="utf-8")
    status, out, err = run(capsys, "run", str(bad), "no/such.litmus")
    assert (status, out) == (2, "")
    assert err.splitlines()[0].startswith(f"{bad}:4:")
    assert err.splitlines()[-1] == (
        "memlitmus: no/such.litmus: cannot read: No such file or directory")


def test_a_directory_without_litmus_files_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("no tests here\n", encoding="utf-8")
    status, out, err = run(capsys, "run", str(tmp_path), SB, "-f", "json")
    assert status == 2
    assert err == f"memlitmus: {tmp_path}: no .litmus file in this directory\n"
    assert [json.loads(line)["test"] for line in out.splitlines()] == [None, "SB"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_the_worker_dies_with_a_killed_command_line(tmp_path: Path) -> None:
    """SIGKILL leaves the command line no chance to stop its worker: the kernel does."""
    test = big_x86(tmp_path / "big.litmus", 200)
    proc = subprocess.Popen(
        [sys.executable, "-m", "memlitmus.cli", "run", str(test), "--timeout", "100"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = _children(proc.pid)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _cpu_seconds(pid: str) -> float:
    """User plus system CPU time of a process, from /proc/PID/stat (fields 14 and 15)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("inf")  # gone: nothing left to wait for
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alive(pid: str) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except OSError:
        return False
