"""Models know what they judge: a (file, model) pair outside a model's architectures is a
clean per-pair error in every format, the other pairs are still judged; herd7's spellings
of models and options; the `memlitmus herd7` entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from memlitmus.arch.c import CArchitecture
from memlitmus.arch.registry import BY_NAME
from memlitmus.herd_cli import parse_herd_args
from memlitmus.herd_config import herd_setup
from memlitmus.judge import Options, judge, route_of
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from memlitmus.results import ModelResult, Observation, PairError
from tests.conftest import ROOT, rows, run

SB_X86 = "litmus/x86/SB.litmus"
SB_MBS = "litmus/lkmm/SB+mbs.litmus"  # C, smp_mb() on both sides
MP_ARM = "litmus/aarch64/MP.litmus"
HERD_LIBDIR = ROOT / ".." / "shared" / "models" / "herd-libdir"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "250")


# ---- which models judge what ------------------------------------------------------------


def test_shipped_models_declare_the_architectures_they_judge() -> None:
    assert resolve("sc").judges is None
    assert resolve("x86tso").judges == {"X86", "X86_64"}
    assert resolve("armv8").judges == {"AArch64"}
    assert resolve("lkmm").judges == {"C"}


def test_a_users_cat_file_is_tried_on_anything(tmp_path: Path) -> None:
    path = tmp_path / "mine.cat"
    path.write_text('"mine"\nacyclic po | rf | co | fr as sc\n', encoding="utf-8")
    model = resolve(str(path))
    assert model.judges is None and not model.shipped
    assert all(model.judges_arch(name) for name in BY_NAME)


def test_judge_keeps_the_other_models_verdicts() -> None:
    test = load_litmus(SB_X86)
    results = judge(test, [resolve("sc"), resolve("armv8"), resolve("x86tso")], Options())
    assert [type(r).__name__ for r in results] == ["ModelResult", "PairError", "ModelResult"]
    sc, armv8, tso = results
    assert isinstance(sc, ModelResult) and sc.observation is Observation.NEVER
    assert isinstance(tso, ModelResult) and tso.observation is Observation.SOMETIMES
    assert armv8 == PairError(
        SB_X86, "SB", "X86", "armv8",
        f"{SB_X86}:1:1: model `armv8` does not judge X86 tests (it judges AArch64)\n"
        "  X86 SB\n  ^")


def test_x86tso_judges_a_c_test_only_through_the_kernel_mapping() -> None:
    """`smp_mb()` reaches x86tso as the kernel's x86 code (a locked add), never dropped:
    SB with a full fence on each side is Never, not the Sometimes of plain accesses."""
    (result,) = judge(load_litmus(SB_MBS), [resolve("x86tso")], Options())
    assert isinstance(result, ModelResult) and result.observation is Observation.NEVER


def test_a_lowering_on_the_descriptor_routes_the_pair() -> None:
    lowering = CArchitecture.lowerings["x86tso"]
    assert route_of(CArchitecture, resolve("x86tso")) is lowering
    assert route_of(CArchitecture, resolve("lkmm")) is CArchitecture
    assert route_of(BY_NAME["X86"], resolve("armv8")) is None
    assert route_of(BY_NAME["X86"], resolve("sc")) is BY_NAME["X86"]


# ---- the mismatch runs of the issue, in each format --------------------------------------


def test_sc_and_armv8_on_an_x86_file_give_a_row_each(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "run", SB_X86, "-m", "sc", "-m", "armv8", "-f", "table")
    assert status == 2
    message = f"{SB_X86}:1:1: model `armv8` does not judge X86 tests (it judges AArch64)"
    assert err == f"{message}\n  X86 SB\n  ^\n"
    assert [r[:4] for r in rows(out)] == [
        [SB_X86, "sc", "Never", "No"],
        [SB_X86, "armv8", "error", message],
    ]


def test_a_mismatch_is_an_error_record_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "run", MP_ARM, "-m", "x86tso", "-m", "armv8", "-f", "json")
    assert status == 2 and err.startswith(f"{MP_ARM}:1:1: model `x86tso` does not judge AArch64")
    tso, armv8 = (json.loads(line) for line in out.splitlines())
    assert (tso["model"], tso["arch"], tso["observation"], tso["states"]) == (
        "x86tso", "AArch64", None, None)
    assert tso["error"] == (f"{MP_ARM}:1:1: model `x86tso` does not judge AArch64 tests (it "
                            "judges X86, X86_64)\n  AArch64 MP\n  ^")
    assert (armv8["observation"], armv8["error"]) == ("Sometimes", None)


def test_a_mismatch_is_a_herd_warning_under_f_herd(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "run", MP_ARM, "-m", "x86tso", "-m", "armv8", "-f", "herd")
    assert status == 2
    assert out.startswith("Test MP Allowed\n") and out.count("Test MP") == 1
    assert err == ("Warning: litmus/aarch64/MP.litmus:1:1: model `x86tso` does not judge "
                   "AArch64 tests (it judges X86, X86_64) (User error)\n")


def test_a_users_cat_error_on_one_test_is_that_pairs_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "needsdmb.cat"
    path.write_text('"needs DMB"\nacyclic po | rf | co | fr | DMB.NOPE as bad\n',
                    encoding="utf-8")
    status, out, _ = run(capsys, "run", SB_X86, "-m", "sc", "--cat", str(path), "-f", "json")
    assert status == 2
    sc, mine = (json.loads(line) for line in out.splitlines())
    assert sc["observation"] == "Never"
    assert mine["model"] == "needsdmb" and "DMB.NOPE" in mine["error"]


# ---- a C test under an architecture's model ---------------------------------------------

MISMATCH = ("is a model for AArch64 tests; this is a C test (judge it through the kernel's "
            "mapping with `memlitmus run -m armv8`, `--mapping` to pick the table)")


def _arch_model(tmp_path: Path) -> Path:
    """A user's AArch64 model: it includes an AArch64 library file of its own folder."""
    (tmp_path / "aarch64mine.cat").write_text('let mine = po\n', encoding="utf-8")
    path = tmp_path / "arm.cat"
    path.write_text('"arm"\ninclude "aarch64mine.cat"\nif "x" then let a = 0 '
                    'else let a = 0 end\nacyclic mine | rf | co | fr as sc\n',
                    encoding="utf-8")
    return path


def test_a_users_model_including_an_architectures_library_judges_that_architecture(
    tmp_path: Path,
) -> None:
    assert resolve(str(_arch_model(tmp_path))).judges == {"AArch64"}
    if (HERD_LIBDIR / "aarch64.cat").is_file():  # herd's own, through aarch64hwreqs.cat
        assert resolve(str(HERD_LIBDIR / "aarch64.cat")).judges == {"AArch64"}
        assert resolve(str(HERD_LIBDIR / "x86tso.cat")).judges == {"X86", "X86_64"}
        assert resolve(str(HERD_LIBDIR / "sc.cat")).judges is None


@pytest.mark.parametrize("model", ["aarch64.cat", "-cat", "armv8"])
def test_herd7_refuses_a_c_test_under_an_aarch64_model(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """herd has no kernel mappings: `herd7 -model aarch64.cat C.litmus` is refused at the
    test's header, for the shipped model and for a user's AArch64 model alike."""
    args = ["-model", model] if model != "-cat" else ["-cat", str(_arch_model(tmp_path))]
    status, out, err = run(capsys, "herd7", *args, SB_MBS)
    shown = "arm.cat" if model == "-cat" else "armv8"
    assert (status, out) == (2, "")
    assert err == f"Warning: {SB_MBS}:1:1: `{shown}` {MISMATCH} (User error)\n"


def test_run_still_judges_a_c_test_through_the_kernel_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`memlitmus run -m armv8` lowers the C test (smp_mb() is a DMB ISH: Never); a
    user's AArch64 model is refused there too, in its own row."""
    status, out, err = run(capsys, "run", SB_MBS, "-m", "armv8", "--cat",
                           str(_arch_model(tmp_path)), "-f", "json")
    assert status == 2
    armv8, mine = (json.loads(line) for line in out.splitlines())
    assert (armv8["model"], armv8["observation"]) == ("armv8", "Never")
    assert mine["error"].startswith(f"{SB_MBS}:1:1: `arm.cat` {MISMATCH}\n")
    assert err.startswith(f"{SB_MBS}:1:1: `arm.cat` {MISMATCH}")


def test_herd7_still_judges_a_c_test_under_sc_and_lkmm(
    capsys: pytest.CaptureFixture[str]
) -> None:
    for model in ("sc", "lkmm"):
        status, out, _ = run(capsys, "herd7", "-model", model, SB_MBS)
        assert status == 0 and "\nObservation SB+mbs Never 0 3\n" in out


# ---- herd7's spellings -------------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "model"), [
    (["-model", "lkmm"], "lkmm"),
    (["-model", "linux-kernel.cat"], "lkmm"),
    (["-conf", "linux-kernel.cfg"], "lkmm"),
    (["-m", "linux"], "lkmm"),
])
def test_herd_spellings_of_the_kernel_model(
    spelling: list[str], model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "run", SB_MBS, *spelling, "-f", "json")
    assert (status, err) == (0, "")
    (record,) = (json.loads(line) for line in out.splitlines())
    assert (record["model"], record["observation"]) == (model, "Never")


@pytest.mark.parametrize(("name", "model"), [
    ("sc.cat", "sc"), ("x86tso.cat", "x86tso"), ("aarch64.cat", "armv8"),
    ("linux-kernel.cat", "lkmm"),
])
def test_herds_file_names_are_the_shipped_models(name: str, model: str) -> None:
    assert resolve(name) is resolve(model)


def test_an_existing_file_with_a_herd_name_is_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x86tso.cat").write_text('"mine"\nacyclic po | com as sc\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    model = resolve("x86tso.cat")
    assert model is not resolve("x86tso") and model.judges is None


def test_a_missing_linux_kernel_cfg_is_the_shipped_lkmm() -> None:
    assert herd_setup(Path("nowhere/linux-kernel.cfg")).conf_model == "lkmm"
    with pytest.raises(Exception, match="Cannot find file web.cfg"):
        herd_setup(Path("web.cfg"))


def test_repeated_models_are_judged_once(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "run", SB_X86, "-m", "tso", "-m", "x86", "-model",
                         "x86tso.cat", "-f", "json")
    assert status == 0
    assert [json.loads(line)["model"] for line in out.splitlines()] == ["x86tso"]


def test_speedcheck_fast_is_verdict_only_and_timeout_is_accepted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "run", SB_X86, "-speedcheck", "fast", "-timeout", "30",
                         "-f", "json")
    assert status == 0
    (record,) = (json.loads(line) for line in out.splitlines())
    assert (record["observation"], record["states"]) == ("Sometimes", None)


# ---- memlitmus herd7 ---------------------------------------------------------------------


def test_herd7_entry_point_prints_herds_block(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "herd7", "-conf", "linux-kernel.cfg", SB_MBS)
    assert (status, err) == (0, "")
    assert out.startswith("Test SB+mbs Allowed\nStates 3\n")
    assert "\nObservation SB+mbs Never 0 3\n" in out


def test_herd7_last_model_wins_and_reads_files_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SB_X86}\n"))
    status, out, _ = run(capsys, "herd7", "-model", "sc", "-model", "x86tso.cat",
                         "-speedcheck", "fast", "-q")
    assert status == 0
    # herd's top_herd.ml prints the States block under -speedcheck fast too
    assert "\nStates 4\n0:EAX=0; 1:EAX=0;\n" in out
    assert "\nObservation SB Sometimes 1 3\n" in out


def test_herd7_refuses_an_option_it_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "herd7", "-unroll", "3", SB_X86)
    assert (status, out) == (2, "")
    assert err == "memlitmus: herd7 option `-unroll` is not supported\n"


def test_herd7_options_parse_as_herd() -> None:
    request = parse_herd_args(["-set-libdir", "lib", "-model", "sc", "-I", "lk", "-conf",
                               "linux-kernel.cfg", "-timeout", "5", "a.litmus", "b.litmus"])
    assert (request.model, request.conf, request.conf_last) == (
        "sc", Path("linux-kernel.cfg"), True)
    assert request.include == [Path("lk")]
    assert (request.timeout_s, request.files) == (5.0, ["a.litmus", "b.litmus"])
