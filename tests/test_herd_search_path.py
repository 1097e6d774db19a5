"""`memlitmus herd7` as herd7 7.58: its search path for model files (-I, HERDLIB,
-set-libdir; lib/myLib.ml), its configuration keys (herd/lexConf_herd.mll), its wording
for an unknown macro (lib/CBase.ml), the States block under -speedcheck fast
(herd/top_herd.ml) and -help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus import cli
from memlitmus.cat.parse import MODELS_DIR
from tests.conftest import ROOT

SB = str(ROOT / "litmus" / "x86" / "SB.litmus")


def _herd7(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["herd7", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def _observation(out: str) -> str:
    found = re.search(r"^Observation SB (\w+)", out, re.M)
    assert found is not None, out
    return found.group(1)


@pytest.fixture
def strict_lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's library folder with an x86tso.cat that also requires SC (SB: Never),
    and a working folder without one."""
    lib = tmp_path / "mylib"
    lib.mkdir()
    text = (MODELS_DIR / "x86tso.cat").read_text()
    (lib / "x86tso.cat").write_text(text + "\nacyclic po | rf | co | fr as strict\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("HERDLIB", raising=False)
    return lib


def test_without_a_search_path_x86tso_cat_is_the_shipped_model(
    strict_lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _herd7(capsys, "-model", "x86tso.cat", SB)
    assert status == 0 and _observation(out) == "Sometimes"


@pytest.mark.parametrize("how", ["-set-libdir", "-I", "HERDLIB", "cwd"])
def test_a_model_name_is_looked_up_on_herds_search_path(
    how: str, strict_lib: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["-model", "x86tso.cat", SB]
    if how == "HERDLIB":
        monkeypatch.setenv("HERDLIB", str(strict_lib))
    elif how == "cwd":
        monkeypatch.chdir(strict_lib)
    else:
        argv = [how, str(strict_lib), *argv]
    status, out, _ = _herd7(capsys, *argv)
    assert status == 0 and _observation(out) == "Never"


def test_the_search_path_reaches_a_configurations_model(
    strict_lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("d.cfg").write_text(f"model = x86tso.cat\ninclude {strict_lib}\n")
    status, out, _ = _herd7(capsys, "-conf", "d.cfg", SB)
    assert status == 0 and _observation(out) == "Never"


def test_a_set_libdir_replaces_memlitmus_library(
    strict_lib: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _herd7(capsys, "-set-libdir", str(strict_lib), "-model", "sc.cat", SB)
    assert status == 2 and "no such cat file: sc.cat" in err


@pytest.mark.parametrize(("text", "message"), [
    ("model sc.cat\nskipchecks sc\n",
     "d.cfg:2:1: configuration key `skipchecks` is not supported"),
    ("model sc.cat\nthrough all\n", "d.cfg:2:1: configuration key `through` is not supported"),
    ("unroll 2\n", "d.cfg:1:1: configuration key `unroll` is not supported"),
    ("model sc.cat\n-- garbage\n", "d.cfg:2:1: Unknown key in configuration file"),
    ("frobnicate 1\n", "d.cfg:1:1: Unknown key 'frobnicate' in configuration file"),
    ("speedcheck slow\n", "d.cfg:1:12: bad tags for speedcheck"),
])
def test_a_configuration_key_is_refused_at_its_line(
    text: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d.cfg").write_text(text)
    status, out, err = _herd7(capsys, "-conf", "d.cfg", SB)
    assert status == 2 and out == "" and message in err


def test_configuration_keys_take_effect_or_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d.cfg").write_text("# herd's display keys are ignored\nmodel = sc.cat\n\n"
                             "graph columns\nshowevents noregs\nspeedcheck fast\n")
    status, out, _ = _herd7(capsys, "-conf", "d.cfg", SB)
    assert status == 0 and _observation(out) == "Never"
    # under `run`, the configuration's speedcheck is the command line's: verdict only
    assert cli.main(["run", "-conf", "d.cfg", "-f", "herd", SB]) == 0
    out = capsys.readouterr().out
    assert "Observation SB Never" in out and "States" not in out


def test_speedcheck_fast_keeps_herds_states_block(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _herd7(capsys, "-speedcheck", "fast", "-model", "x86tso.cat", SB)
    assert status == 0
    assert out.startswith("Test SB Allowed\nStates 4\n0:EAX=0; 1:EAX=0;\n")


def test_an_unknown_macro_is_worded_as_herds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = tmp_path / "typo.litmus"
    test.write_text("C typo\n\n{}\n\nP0(int *x, int *y)\n{\n\tint r0;\n"
                    "\tWRITE_ONCE(*x, 1);\n\tr0 = READ_ONC(*y);\n}\n\nexists (0:r0=0)\n")
    status, _, err = _herd7(capsys, str(test))
    assert status == 2
    # what the kernel's judgelitmus.sh greps and cuts: `: Unknown macro NAME (User error)`
    assert f"Warning: {test}:9:7: Unknown macro READ_ONC (User error)" in err.splitlines()


@pytest.mark.parametrize("flag", ["-help", "--help", "-h"])
def test_herd7_help_lists_the_supported_options(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _herd7(capsys, flag)
    assert status == 0 and out.startswith("Usage: memlitmus herd7 [options]")
    for option in ("-model", "-conf", "-I DIR", "-set-libdir", "-speedcheck", "-timeout"):
        assert option in out
