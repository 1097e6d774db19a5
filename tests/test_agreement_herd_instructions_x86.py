"""herd7 7.58's own one-instruction tests (`../shared/corpus/herd-instructions`): every
X86_64 row of expected.tsv gives the same Observation and set of final states under
x86tso and sc; every C file is judged in agreement or, when it uses C11 atomics, 128-bit
integers (outside the kernel dialect) or herd's `regions:` section, refused by name. The
AArch64 files have their own agreement test."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.errors import UnsupportedError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from tests.conftest import CORPUS

SUITE = CORPUS / "herd-instructions"
ROWS = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}
X86_64 = {f: rows for f, rows in ROWS.items() if f.startswith("X86_64/")}
C_FILES = sorted(p.relative_to(SUITE).as_posix() for p in SUITE.glob("C/*.litmus"))
# What refuses a C file: the construct's kind, as the error names it.
OUTSIDE_THE_DIALECT = ("a C11 atomic type", "a C11 atomic operation", "a 128-bit integer type",
                       "herd's memory-region section")


def _agree(file: str) -> None:
    expected = ROWS[file]
    models = [resolve(m) for m in sorted(expected)]
    results = judge(load_litmus(SUITE / file), models, Options())
    problems = {r.model: disagreements(r, expected[r.model]) for r in results}
    assert problems == {m: [] for m in sorted(expected)}


@pytest.mark.skipif(not X86_64, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(X86_64), ids=str)
def test_x86_64_file_agrees_with_herd(file: str) -> None:
    _agree(file)


@pytest.mark.skipif(not C_FILES, reason="reference corpus ../shared/corpus absent")
@pytest.mark.parametrize("file", C_FILES, ids=str)
def test_c_file_agrees_or_is_refused_by_name(file: str) -> None:
    try:
        load_litmus(SUITE / file)
    except UnsupportedError as error:
        first = error.render().splitlines()[0]
        assert first.startswith(f"{SUITE / file}:")
        assert any(kind in first for kind in OUTSIDE_THE_DIALECT), first
        return
    _agree(file)


def test_the_visible_c11_int128_and_regions_files_are_refused_where_the_construct_is() -> None:
    if not C_FILES:
        pytest.skip("reference corpus ../shared/corpus absent")
    outside = ", outside the kernel dialect that memlitmus models"
    refused = {
        "C/C06.litmus": f"5:1: `__uint128_t`: a 128-bit integer type{outside}",
        "C/C13.litmus": f"8:4: `atomic_int`: a C11 atomic type{outside}",
        "C/C12.litmus": "9:1: `regions`: herd's memory-region section (`regions: x:PROP`), "
                        "which memlitmus does not model",
    }
    for file, where in refused.items():
        path: Path = SUITE / file
        if not path.is_file():
            continue
        with pytest.raises(UnsupportedError) as info:
            load_litmus(path)
        assert info.value.render().splitlines()[0] == f"{path}:{where}"
