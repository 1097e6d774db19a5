"""herd's own aarch64.cat (and every file it includes), run unmodified on memlitmus's
encoding: herd's register events rebuilt from the front end's dependencies
(`encode/herd_registers.py`) give back the front end's dependencies, and a sample of the
aarch64 suite gets herd7's verdicts. `benchmarks/corpus.py aarch64 --model-file
armv8=../shared/models/herd-libdir/aarch64.cat` judges every row.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from memlitmus.corpus import by_file, disagreements, read_expected
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from memlitmus.report.herd import format_herd
from memlitmus.results import PairError
from tests.conftest import CORPUS, LITMUS, ROOT
from tests.test_agreement_herd_instructions_aarch64 import DIFFERENT, REFUSED

HERD_LIBDIR = ROOT / ".." / "shared" / "models" / "herd-libdir"
SUITE = CORPUS / "aarch64"
EXPECTED = by_file(read_expected(SUITE / "expected.tsv")) if SUITE.is_dir() else {}
SAMPLE = sorted(EXPECTED)[::80]
HERD_FILES = {"armv8": "aarch64.cat", "sc": "sc.cat"}

needs_libdir = pytest.mark.skipif(not HERD_LIBDIR.is_dir(), reason="../shared/models absent")


@needs_libdir
@pytest.mark.skipif(not EXPECTED, reason="../shared/corpus absent")
@pytest.mark.parametrize("file", SAMPLE, ids=str)
def test_herds_aarch64_cat_agrees_with_herd(file: str) -> None:
    expected = EXPECTED[file]
    models = [resolve(str(HERD_LIBDIR / HERD_FILES[m])) for m in sorted(expected)]
    results = judge(load_litmus(SUITE / file), models, Options())
    problems = {m: disagreements(r, expected[m]) for r, m in zip(
        results, sorted(expected), strict=True)}
    assert problems == {m: [] for m in sorted(expected)}


# The front end's dependencies, kept before herd's aarch64deps.cat rebinds the names, and
# compared with what that file derives from rf-reg and iico (ctrl restricted to memory
# events and fences: herd's also reaches the register events of the instructions after
# the branch). None of the tests below has a write then a read of one location in a
# thread, so herd's dependencies through memory (lrs) add nothing.
DEPS_CAT = """\
"herd's dependencies against memlitmus's"
let prim-addr = addr
let prim-data = data
let prim-ctrl = ctrl
let prim-pick-addr = addr | (try pick-addr with 0)
let prim-pick-data = data | (try pick-data with 0)
include "aarch64deps.cat"
let real = M | F
flag ~empty addr as addr
flag ~empty data as data
flag ~empty ctrl as ctrl
flag ~empty pick-addr-dep \\ addr as pick-addr
flag ~empty pick-data-dep \\ data as pick-data
flag ~empty (addr \\ prim-addr) | (prim-addr \\ addr) as addr-differs
flag ~empty (data \\ prim-data) | (prim-data \\ data) as data-differs
flag ~empty ((ctrl; [real]) \\ prim-ctrl) | (prim-ctrl \\ ctrl) as ctrl-differs
flag ~empty (pick-addr-dep \\ prim-pick-addr) | (prim-pick-addr \\ pick-addr-dep)
  as pick-addr-differs
flag ~empty (pick-data-dep \\ prim-pick-data) | (prim-pick-data \\ pick-data-dep)
  as pick-data-differs
"""

LB_CSEL = """\
AArch64 LB+CSEL-data
{
0:X1=x; 0:X3=y;
1:X1=x; 1:X3=y;
}
 P0          | P1               ;
 LDR W0,[X3] | LDR W0,[X1]      ;
 MOV W2,#1   | CMP W0,#0        ;
 STR W2,[X1] | CSEL W4,W5,W6,EQ ;
             | STR W4,[X3]      ;
exists (0:X0=1 /\\ 1:X0=1)
"""


@needs_libdir
@pytest.mark.parametrize(("test", "flags"), [
    ("LB+addrs.litmus", {"addr"}),
    ("LB+datas.litmus", {"data"}),
    ("LB+ctrls.litmus", {"ctrl"}),
    ("ISA2+dmb.sy+data+addr.litmus", {"addr", "data"}),
    ("LB+ldxr-stxr+data.litmus", {"data"}),
    (LB_CSEL, {"pick-data"}),
], ids=lambda v: v.split("\n")[0] if isinstance(v, str) else "")
def test_herds_dependencies_are_the_front_ends(
        tmp_path: Path, test: str, flags: set[str]) -> None:
    """aarch64deps.cat, over the rebuilt register events, derives exactly the front end's
    addr, data, ctrl and pick dependencies (and the flags show it found some)."""
    model_file = tmp_path / "deps.cat"
    model_file.write_text(DEPS_CAT)
    if "\n" in test:
        (tmp_path / "t.litmus").write_text(test)
        path = tmp_path / "t.litmus"
    else:
        path = LITMUS / "aarch64" / test
    [result] = judge(load_litmus(path), [resolve(str(model_file), [HERD_LIBDIR])], Options())
    assert set(result.flags) == flags


@pytest.mark.parametrize(("options", "observation"), [
    ("{po, po | fr}", "Never"),  # every candidate is sequential consistency
    ("{po, 0}", "Sometimes"),  # the second candidate allows SB's weak outcome
    ("{0, po}", "Sometimes"),
])
def test_with_from_several_relations_is_a_solver_choice(
        tmp_path: Path, options: str, observation: str) -> None:
    """herd evaluates the rest of the model once per candidate, and an execution is
    allowed when one candidate passes: the solver chooses the candidate."""
    model_file = tmp_path / "choice.cat"
    model_file.write_text(f'"a choice"\nwith x from {options}\nacyclic x | rf | co | fr\n')
    [result] = judge(load_litmus(ROOT / "litmus" / "x86" / "SB.litmus"),
                     [resolve(str(model_file))], Options())
    assert result.observation.value == observation


@pytest.mark.parametrize(("check", "undefined"), [
    ("undefined_unless empty rf & ext as no-rfe", True),  # SB reads across threads
    ("undefined_unless empty rf & ext & po", False),
])
def test_undefined_unless_raises_herds_undef_flag(
        tmp_path: Path, check: str, undefined: bool) -> None:
    """herd: an allowed execution failing an `undefined_unless` check is undefined (flag
    `*undef*`), and the result line reads Undef in place of Ok/No."""
    model_file = tmp_path / "undef.cat"
    model_file.write_text(f'"undef"\nacyclic po | rf | co | fr as sc\n{check}\n')
    [result] = judge(load_litmus(ROOT / "litmus" / "x86" / "SB.litmus"),
                     [resolve(str(model_file))], Options())
    lines = format_herd(result).splitlines()
    assert result.observation.value == "Never"  # the check decides no verdict
    assert ("Flag *undef*" in lines) is undefined
    assert ("Undef" in lines) is undefined and ("Ok" in lines or "No" in lines) is not undefined


@needs_libdir
def test_variants_with_implicit_events_are_refused() -> None:
    """herd's vmsa makes page-table walks memlitmus's executions lack: no silent verdict."""
    model = replace(resolve(str(HERD_LIBDIR / "aarch64.cat")), variants=frozenset({"vmsa"}))
    [result] = judge(load_litmus(LITMUS / "aarch64" / "LB+datas.litmus"), [model], Options())
    assert isinstance(result, PairError)
    assert result.message == ("-variant vmsa: herd then makes page-table walks and their "
                              "faults, which memlitmus's AArch64 executions do not have")


INSTRUCTIONS = CORPUS / "herd-instructions"
PAIRS = ("L032", "L080", "L081", "L083", "L084", "A244", "L056", "L057")


@needs_libdir
@pytest.mark.skipif(not INSTRUCTIONS.is_dir(), reason="../shared/corpus absent")
@pytest.mark.parametrize("name", PAIRS)
def test_herds_aarch64_cat_orders_pairs_as_herd(name: str) -> None:
    """LDXP/STXP (single-copy atomic, `sm`), LDIAPP/STILP (`iico_order`) and CASP under
    herd's own aarch64.cat and sc.cat get herd7's results too."""
    file = f"AArch64/{name}.litmus"
    expected = by_file(read_expected(INSTRUCTIONS / "expected.tsv"))[file]
    models = [resolve(str(HERD_LIBDIR / HERD_FILES[m])) for m in sorted(expected)]
    results = judge(load_litmus(INSTRUCTIONS / file), models, Options())
    problems = {m: disagreements(r, expected[m]) for r, m in zip(
        results, sorted(expected), strict=True)}
    assert problems == {m: [] for m in sorted(expected)}


INSTRUCTIONS = CORPUS / "herd-instructions"
INSTRUCTION_ROWS = (
    {f: rows for f, rows in by_file(read_expected(INSTRUCTIONS / "expected.tsv")).items()
     if f.startswith("AArch64/")} if INSTRUCTIONS.is_dir() else {})


@needs_libdir
@pytest.mark.skipif(not INSTRUCTION_ROWS, reason="../shared/corpus absent")
@pytest.mark.parametrize("file", sorted(INSTRUCTION_ROWS)[::6], ids=str)
def test_herds_aarch64_cat_on_herds_instruction_tests(file: str) -> None:
    """herd's instruction tests (pairs, atomics, traced code, loops) under herd's own
    aarch64.cat: herd7's armv8 row, or the refusal the shipped model gets too."""
    if file in REFUSED or file in DIFFERENT:
        pytest.skip("refused by the front end, or a known difference (see the other test)")
    model = resolve(str(HERD_LIBDIR / "aarch64.cat"))
    [result] = judge(load_litmus(INSTRUCTIONS / file), [model], Options())
    assert not isinstance(result, PairError), result.message
    assert disagreements(result, INSTRUCTION_ROWS[file]["armv8"]) == []
