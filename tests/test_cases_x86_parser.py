"""The x86 and parser cases of `../shared/cases` (issue 8), each against herd7's own
output beside it (`NAME.herd`): the herd-format output of `memlitmus run --count`, without
the `Time` and `Hash` lines, or herd's rejection of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.cli import main
from tests.conftest import ROOT

CASES = ROOT / ".." / "shared" / "cases"
JUDGED = ["SB+lock-cmpxchg-herd-order", "SB+unused-location"]
NEEDS_CASES = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases absent")


def _herd_lines(text: str) -> list[str]:
    """herd's output lines that do not vary from run to run."""
    return [
        line for line in text.splitlines()
        if line and not line.startswith(("Time ", "Hash="))
    ]


@NEEDS_CASES
@pytest.mark.parametrize("name", JUDGED)
def test_case_output_is_herds(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["run", str(CASES / f"{name}.litmus"), "-f", "herd", "--count"])
    out = capsys.readouterr().out
    assert status == 0
    assert _herd_lines(out) == _herd_lines((CASES / f"{name}.herd").read_text())


@NEEDS_CASES
def test_column_mismatch_is_rejected_as_herd_rejects_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    herd = (CASES / "column-mismatch.herd").read_text()
    assert "mismatch in instruction lines" in herd
    path = CASES / "column-mismatch.litmus"
    status = main(["run", str(path), "-f", "herd"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    first = captured.err.splitlines()[0]
    assert first == (
        f"{path}:5:28: mismatch in instruction lines: this row has 2 cells, "
        "the header row names 3 threads"
    )


X86_ROWS = """\
X86 rows
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] | MOV EBX,[x] ;
exists (0:EAX=0)
"""


def test_a_row_longer_than_the_header_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rows.litmus"
    path.write_text(X86_ROWS)
    assert main(["run", str(path)]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (
        f"{path}:5:28: mismatch in instruction lines: this row has more cells than "
        "the 2 threads of the header row"
    )


# A location named only by the filter, `locations [...]` or the condition keeps its
# initial value, on every architecture; an address value names a location too.
UNUSED = {
    "x86-filter": (
        "X86 F\n{ x=0; }\n P0 ;\n MOV EAX,[x] ;\nfilter (w=0)\nexists (0:EAX=0 /\\ 0:EBX=v)\n",
        ["0:EAX=0; 0:EBX=0;"],
    ),
    "c-locations": (
        "C C\n{ x=0; }\nP0(int *x) {\n  int r0 = READ_ONCE(*x);\n}\n"
        "locations [u;]\nexists (0:r0=0 /\\ z=1)\n",
        ["0:r0=0; [u]=0; [z]=0;"],
    ),
    "aarch64-condition": (
        "AArch64 A\n{ 0:X1=x; }\n P0 ;\n LDR X0,[X1] ;\nexists (0:X0=0 /\\ [z]=0)\n",
        ["0:X0=0; [z]=0;"],
    ),
}


@pytest.mark.parametrize("name", sorted(UNUSED))
def test_unused_locations_keep_their_initial_value(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, states = UNUSED[name]
    path = tmp_path / f"{name}.litmus"
    path.write_text(text)
    assert main(["run", str(path), "-f", "herd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    count = int(lines[1].split()[1])
    assert lines[2 : 2 + count] == states
