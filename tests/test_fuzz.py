"""A few hundred mutants of the project's own litmus files and cat models, through the
command line: no traceback, no internal error, every exit 0, 2 (with `file:line:col`) or 3
(a pair left Unknown) (`benchmarks/fuzz.py` runs the long campaigns, over the reference
corpora too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import fuzz
from memlitmus.cli import main
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("seed", [11, 12])
def test_mutants_never_crash_and_every_rejection_has_a_position(seed: int) -> None:
    # generous bounds: this checks crashes and messages, not speed on a busy machine
    tally = fuzz.run(150, seed, timeout=10.0, slack=60.0, include_corpus=False)
    assert tally.mutants == 150
    assert dict(tally.failures) == {}, tally.examples
    assert set(tally.exits) <= {0, 2}
    assert tally.exits[0] > 0 and tally.exits[2] > 0


# ---- one test per kind of crash the fuzzer found ---------------------------------------


def test_a_condition_comparing_with_an_untouched_location_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`0:EAX=version`, `version` named nowhere else: a location of its own, whose address
    no register holds (was a KeyError)."""
    path = tmp_path / "v.litmus"
    path.write_text("X86 v\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\n"
                    "exists (0:EAX=version \\/ 0:EAX=1)\n", encoding="utf-8")
    status = main(["run", str(path), "-f", "json"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    (record,) = [json.loads(line) for line in captured.out.splitlines()]
    assert (record["observation"], record["states"]) == ("Never", [{"0:EAX": 0}])


def test_a_cat_file_with_invalid_utf8_is_a_syntax_error_at_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was a UnicodeDecodeError traceback: undecodable bytes read as U+FFFD."""
    path = tmp_path / "m.cat"
    path.write_bytes(b'"m"\nlet a = po \xff\xfe\nacyclic a\n')
    status = main(["run", "litmus/x86/SB.litmus", "--cat", str(path), "-f", "json"])
    captured = capsys.readouterr()
    assert status == 2  # that pair's error, in the output and on stderr
    assert json.loads(captured.out)["error"].startswith(f"{path}:2:12: ")
    assert captured.err.startswith(f"{path}:2:12: ")


def test_a_stored_address_of_a_location_named_only_there_is_a_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`movq $y,(x)` with `y` named nowhere else: herd makes `y` a location (was a
    KeyError in the encoder)."""
    path = tmp_path / "ptr.litmus"
    path.write_text("X86_64 ptr\n{ x=0; }\n P0           | P1            ;\n"
                    " movq $y,(x)  | movq (x),%rax ;\nexists (1:rax=y)\n", encoding="utf-8")
    status = main(["run", str(path), "-f", "json"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    (record,) = [json.loads(line) for line in captured.out.splitlines()]
    assert (record["observation"], record["states"]) == (
        "Sometimes", [{"1:rax": 0}, {"1:rax": "y"}])


def test_the_shipped_armv8_cat_as_a_users_file_judges_an_aarch64_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's AArch64 model sees herd's register events, which po orders too; `po-loc`
    took them for memory events (was an IndexError in the encoder)."""
    path = tmp_path / "mine.cat"
    path.write_text((ROOT / "src/memlitmus/cat/models/armv8.cat").read_text(encoding="utf-8"),
                    encoding="utf-8")
    status = main(["run", "litmus/aarch64/MP+dmb.st+addr.litmus", "--cat", str(path),
                   "-f", "json"])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    assert json.loads(captured.out)["observation"] == "Never"
