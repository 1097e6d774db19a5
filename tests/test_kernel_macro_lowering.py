"""A primitive defined in a user's `-macros` file on the hardware models: it lowers through
the kernel mapping line of the primitive with its semantics, or is a per-pair error that
names it and the target.

The `.def` is a copy of ../shared/models/linux-kernel/linux-kernel.def with added macros.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.cli import main
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import resolve
from memlitmus.results import ModelResult, Observation, PairError
from tests.conftest import ROOT

KERNEL_DEF = ROOT / ".." / "shared" / "models" / "linux-kernel" / "linux-kernel.def"
pytestmark = pytest.mark.skipif(not KERNEL_DEF.is_file(), reason="../shared/models absent")

ADDED = """
my_load(X) __load{acquire}(X)
my_release_load(X) __load{release}(X)
"""

MP = """C MP+{reader}
{{}}
P0(int *x, int *y)
{{
\tWRITE_ONCE(*x, 1);
\tsmp_store_release(y, 1);
}}
P1(int *x, int *y)
{{
\tint r0 = {load};
\tint r1 = READ_ONCE(*x);
}}
exists (1:r0=1 /\\ 1:r1=0)
"""
HARDWARE = ("sc", "x86tso", "armv8")


@pytest.fixture
def user_def(tmp_path: Path) -> Path:
    copy = tmp_path / "linux-kernel.def"
    copy.write_text(KERNEL_DEF.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    return copy


def _verdicts(load: str, macros: Path, mapping: str | None = None) -> list[Observation]:
    """The verdicts of MP with P1's first load `load`, under sc, x86tso and armv8."""
    test = parse_litmus(MP.format(reader=load.split("(")[0], load=load), "MP.litmus")
    models = [resolve(m) for m in HARDWARE]
    results = judge(test, models, Options(macros=read_macros(macros), mapping=mapping))
    assert all(isinstance(r, ModelResult) for r in results)
    return [r.observation for r in results if isinstance(r, ModelResult)]


@pytest.mark.parametrize("mapping", [None, "arm64-llsc"])
def test_a_user_macro_lowers_like_the_kernel_primitive_with_its_semantics(
    user_def: Path, mapping: str | None,
) -> None:
    mine = _verdicts("my_load(*y)", user_def, mapping)
    assert mine == _verdicts("smp_load_acquire(y)", user_def, mapping)
    assert mine == [Observation.NEVER, Observation.NEVER, Observation.NEVER]
    # acquire ordering matters on arm64: a plain load there is Sometimes, so the macro
    # did not lower as one
    assert _verdicts("READ_ONCE(*y)", user_def, mapping)[2] is Observation.SOMETIMES


def test_a_user_macro_without_a_kernel_counterpart_is_a_per_pair_error(user_def: Path) -> None:
    test = parse_litmus(MP.format(reader="odd", load="my_release_load(*y)"), "MP.litmus")
    results = judge(test, [resolve("lkmm"), resolve("x86tso"), resolve("armv8")],
                    Options(macros=read_macros(user_def)))
    lkmm, x86, arm = results
    assert not isinstance(lkmm, PairError)  # the LKMM reads the macro's own events
    for error, target in ((x86, "x86"), (arm, "arm64")):
        assert isinstance(error, PairError)
        assert error.message == (
            f"MP.litmus:10:11: `my_release_load` has no line in the {target} kernel mapping: "
            "no kernel primitive has its semantics (shape load, annotation Release)")


def test_macros_reach_the_lowering_from_the_command_line(
    user_def: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "MP+my_load.litmus"
    path.write_text(MP.format(reader="my_load", load="my_load(*y)"), encoding="utf-8")
    status = main(["run", str(path), "-m", "armv8", "-macros", str(user_def), "-f", "json",
                   "--verdict-only"])
    out = capsys.readouterr().out
    assert status == 0
    assert '"observation": "Never"' in out


def test_lower_prints_a_user_macro_as_its_kernel_counterpart(
    user_def: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "MP+my_load.litmus"
    path.write_text(MP.format(reader="my_load", load="my_load(*y)"), encoding="utf-8")
    assert main(["lower", str(path), "--arch", "arm64", "--macros", str(user_def)]) == 0
    assert "LDAR X12,[X1]" in capsys.readouterr().out  # smp_load_acquire's line
    assert main(["lower", str(path), "--arch", "arm64"]) == 2
    assert "unsupported macro or function `my_load`" in capsys.readouterr().err
