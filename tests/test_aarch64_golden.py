"""The project's own AArch64 corpus (`litmus/aarch64`): herd-format output under armv8
with `--count` matches the golden `X.armv8.expected` beside each test (herd's `Time` line
omitted).

Regenerate after a deliberate change with `MEMLITMUS_REGEN_GOLDEN=1 pytest <this file>`,
then review the diff: every verdict is explained in the test's doc string.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from memlitmus import cli
from tests.conftest import LITMUS

TESTS = sorted((LITMUS / "aarch64").glob("*.litmus"))


def herd_output(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`memlitmus run -m armv8 -f herd --count PATH` without its Time line (with herd's
    execution counts, as every golden `NAME.MODEL.expected` that `suite` checks)."""
    assert cli.main(["run", "-m", "armv8", "-f", "herd", "--count", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("Time "))


def test_the_corpus_covers_the_classic_shapes() -> None:
    names = {p.stem for p in TESTS}
    assert {"MP+dmb.st+addr", "MP+popl+poa", "LB+datas", "WRC+addrs", "IRIW+dmb.lds",
            "S+dmb.st+data", "R+dmb.sys", "ISA2+dmb.sy+data+addr"} <= names


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.stem)
def test_golden_output(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    golden = path.with_suffix(".armv8.expected")
    output = herd_output(path, capsys)
    if os.environ.get("MEMLITMUS_REGEN_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
