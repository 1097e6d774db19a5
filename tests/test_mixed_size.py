"""herd's mixed-size mode (`Variant=mixed`, `-variant mixed`; docs/armv8.md, *Mixed-size
accesses*): accesses split into bytes, wide reads assembled from several writes, final
values recomposed from bytes, and what is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import z3

from memlitmus.builder import ProgramBuilder
from memlitmus.encode.terms import TermBuilder
from memlitmus.errors import UnsupportedError
from memlitmus.events import (
    AddrOf,
    BinOp,
    Const,
    Expr,
    ReadValue,
    binop,
    evaluate_op,
    read_value,
)
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.mixed_size import Cell, Layout, aligned, byte_of, recompose
from memlitmus.models import ModelSetup, resolve
from memlitmus.results import ModelResult, PairError
from tests.conftest import run


def _text(init: str, *threads: str, tail: str = "", variant: str = "Variant=mixed\n") -> str:
    rows = [list(t.strip().splitlines()) for t in threads]
    height = max(len(r) for r in rows)
    lines = [" | ".join(f"P{i}" for i in range(len(rows))) + " ;"]
    for k in range(height):
        lines.append(" | ".join(r[k] if k < len(r) else "" for r in rows) + " ;")
    return f"AArch64 T\n{variant}{{ {init} }}\n" + "\n".join(lines) + f"\n{tail}\n"


def states(text: str, models: tuple[str, ...] = ("armv8", "sc"),
           variants: frozenset[str] = frozenset()) -> dict[str, tuple[str, list[str]]]:
    """Per model: the observation and the final states as herd prints them."""
    options = Options(setup=ModelSetup(variants=variants))
    results = judge(parse_litmus(text, "t.litmus"), [resolve(m) for m in models], options)
    return {r.model: (r.observation.value, [s.herd_line() for s in r.states])
            for r in results}


def refusal(text: str) -> str:
    model = "x86tso" if text.startswith("X86") else "armv8"
    with pytest.raises(UnsupportedError) as error:
        judge(parse_litmus(text, "t.litmus"), [resolve(model)], Options())
    return error.value.render().splitlines()[0]


STORE_WORD_INTO_BYTES = _text("uint8_t t[4]={0,0,0,0}; 0:X2=t;",
                              "MOV W0,#1\nSUB W0,WZR,W0\nSTR W0,[X2]", tail="locations [t;]")


def test_a_word_store_writes_four_bytes() -> None:
    """herd's M001: a 32-bit store into a byte array writes all four elements."""
    assert states(STORE_WORD_INTO_BYTES) == {
        "armv8": ("Always", ["t={255,255,255,255};"]),
        "sc": ("Always", ["t={255,255,255,255};"]),
    }


def test_the_command_line_variant_turns_mixed_mode_on() -> None:
    """`-variant mixed` does what the test's own `Variant=mixed` line does; without either
    a store writes the location it names only."""
    plain = STORE_WORD_INTO_BYTES.replace("Variant=mixed\n", "")
    assert states(plain, ("armv8",)) == {"armv8": ("Always", ["t={255,0,0,0};"])}
    assert states(plain, ("armv8",), frozenset({"mixed"})) == {
        "armv8": ("Always", ["t={255,255,255,255};"])}


def test_a_wide_read_assembles_bytes_of_several_writes() -> None:
    """herd's M000: a byte store, a half-word store, then a word load reads the bytes of
    both writes and of the initial value (little-endian)."""
    text = _text("uint8_t t[4]; 0:X2=t;",
                 "MOV W0,#1\nSTRB W0,[X2]\nMOV W0,#2\nSTRH W0,[X2,#2]\nLDR W1,[X2]",
                 tail="locations [t;]\nforall t[0]=1 /\\ t[1]=0 /\\ t[2]=2 /\\ 0:X1=0x20001")
    assert states(text) == {
        "armv8": ("Always", ["0:X1=131073; t={1,0,2,0}; t[0]=1; t[1]=0; t[2]=2;"]),
        "sc": ("Always", ["0:X1=131073; t={1,0,2,0}; t[0]=1; t[1]=0; t[2]=2;"]),
    }


def test_a_narrow_store_inside_a_wide_location() -> None:
    """herd's A12/A113: a store at an offset inside a `uint64_t` changes its high bytes."""
    text = _text("uint64_t x; 0:X0=1; 0:X2=x; uint64_t 0:X1;", "STRH W0,[X2,#4]\nLDR X1,[X2]",
                 tail="forall (x=0x100000000 /\\ 0:X1=0x100000000)")
    assert states(text, ("armv8",)) == {
        "armv8": ("Always", ["0:X1=4294967296; [x]=4294967296;"])}


def test_initial_values_are_split_into_bytes() -> None:
    """A half-word load of the upper half of an initialised `int` and a byte of a
    negative one."""
    text = _text("int x=0x12345678; int y=-2; 0:X2=x; 0:X3=y;",
                 "LDRH W0,[X2,#2]\nLDRB W1,[X3,#3]\nLDRSB W4,[X3]", tail="locations [0:X4;]")
    assert states(text, ("armv8",)) == {"armv8": ("Always", ["0:X4=-2;"])}
    assert states(text.replace("locations [0:X4;]", "exists (0:X0=0x1234 /\\ 0:X1=255)"),
                  ("armv8",))["armv8"][0] == "Always"


def test_threads_on_distinct_locations_keep_their_model_verdicts() -> None:
    """Each location accessed by one thread only: every byte reads its thread's own
    last write, under every model."""
    text = _text("uint32_t x; uint32_t y; 0:X1=x; 1:X1=y;",
                 "MOV W0,#258\nSTR W0,[X1]\nLDRB W2,[X1,#1]",
                 "MOV W0,#3\nSTRB W0,[X1,#3]\nLDR W2,[X1]",
                 tail="exists (0:X2=1 /\\ 1:X2=50331648)")
    assert states(text)["armv8"] == ("Always", ["0:X2=1; 1:X2=50331648;"])
    assert states(text)["sc"] == ("Always", ["0:X2=1; 1:X2=50331648;"])


def test_a_read_never_tears_between_two_writes_of_its_size() -> None:
    """herd pairs a read's bytes with a write's all at once unless a smaller write supplies
    some (herd/mem.ml `solve_mem_mixed`); free per-byte rf gives the same states because
    the models' single-copy-atomic classes reject a torn read."""
    text = _text("int x; 0:X1=x; 1:X1=x;",
                 "MOV W0,#0x0101\nSTRH W0,[X1]", "MOV W0,#0x0202\nSTRH W0,[X1]\nLDRH W2,[X1]",
                 tail="locations [x;]\nexists (1:X2=0x0102)")
    for model in ("armv8", "sc"):
        assert states(text)[model] == ("Never", [
            "1:X2=257; [x]=257;", "1:X2=514; [x]=257;", "1:X2=514; [x]=514;"])


def test_a_read_takes_bytes_of_a_smaller_write_and_a_wider_one() -> None:
    """Two threads, two sizes: a word read may take its low half from another thread's
    half-word store and its high half from the initial value."""
    text = _text("int x=0x01010101; 0:X1=x; 1:X1=x;", "MOV W0,#0x0202\nSTRH W0,[X1]",
                 "LDR W2,[X1]", tail="exists (1:X2=0x01010202)")
    assert states(text) == {
        "armv8": ("Sometimes", ["1:X2=16843009;", "1:X2=16843266;"]),
        "sc": ("Sometimes", ["1:X2=16843009;", "1:X2=16843266;"]),
    }


def test_a_half_word_cas_between_threads() -> None:
    """herd's M008 (`CASH` and a half-word store on one `int`, under armv8): the same
    four final states as herd 7.58."""
    text = _text("0:X1=x; 0:X3=y; 1:X0=y; 1:X4=x;",
                 "MOV W0,#2\nSTR W0,[X1]\nMOV W2,#257\nSTRH W2,[X3]",
                 "MOV W1,#257\nMOV W2,#514\nCASH W1,W2,[X0]\nMOV W3,#1\nSTR W3,[X4]",
                 tail="exists ([x]=0x2 /\\ [y]=0x202 /\\ 1:X1=0x101)")
    assert states(text, ("armv8",)) == {"armv8": ("Sometimes", [
        "1:X1=0; [x]=1; [y]=257;", "1:X1=0; [x]=2; [y]=257;",
        "1:X1=257; [x]=1; [y]=514;", "1:X1=257; [x]=2; [y]=514;"])}


@pytest.mark.parametrize(("init", "code", "expected"), [
    ("uint64_t x[2]={1,2}; 0:X4=x;", "LDXP X0,X1,[X4]\nSTXP W5,X1,X0,[X4]",
     ["0:X5=0; x={2,1};", "0:X5=1; x={1,2};"]),
    ("int x[2]={1,2}; 0:X4=x; 0:X0=1; 0:X1=2; 0:X2=5; 0:X3=6;", "CASP W0,W1,W2,W3,[X4]",
     ["0:X5=0; x={5,6};"]),
    ("int x[2]={1,2}; 0:X4=x; 0:X0=7; 0:X1=8;", "STILP W0,W1,[X4]\nLDIAPP W2,W3,[X4]",
     ["0:X5=0; x={7,8};"]),
])
def test_pairs_in_mixed_size_mode(init: str, code: str, expected: list[str]) -> None:
    """LDXP/STXP, CASP, STILP/LDIAPP: each element split into bytes, both elements one
    single-copy-atomic class (LDXP, STXP), the same states as without the variant."""
    text = _text(init, code, tail="locations [0:X5; x;]")
    assert states(text, ("armv8",))["armv8"][1] == expected
    assert states(text.replace("Variant=mixed\n", ""), ("armv8",))["armv8"][1] == expected


def test_system_registers_in_memory_under_nv2() -> None:
    """MSR/MRS of ELR_EL1 under `Variant=NV2,mixed`: an 8-byte store and load."""
    text = _text("uint64_t t[80]; 0:VNCR_EL2=t; 0:X0=258;", "MSR ELR_EL1,X0\nMRS X1,ELR_EL1",
                 tail="locations [0:X1;]", variant="Variant=NV2,mixed\n")
    assert states(text, ("armv8",)) == {"armv8": ("Always", ["0:X1=258;"])}


def test_a_store_exclusive_of_another_size_fails() -> None:
    """herd's M007: LDXRH then STXR (32 bits) on one location: the store fails."""
    text = _text("int x=0; 0:X0=x;", "MOV W3,#1\nLDXRH W1,[X0]\nSTXR W4,W3,[X0]",
                 tail="forall (x=0 /\\ 0:X4=1)")
    assert states(text, ("armv8",)) == {"armv8": ("Always", ["0:X4=1; [x]=0;"])}


def test_an_exclusive_pair_of_one_size_may_succeed() -> None:
    text = _text("uint64_t z=2; 0:X4=z;", "LDXR X0,[X4]\nADD X0,X0,#1\nSTXR W3,X0,[X4]",
                 tail="forall ((z=2 /\\ 0:X3=1) \\/ (z=3 /\\ 0:X3=0))")
    assert states(text, ("armv8",)) == {
        "armv8": ("Always", ["0:X3=0; [z]=3;", "0:X3=1; [z]=2;"])}


@pytest.mark.parametrize(("text", "message"), [
    (_text("uint32_t x; 0:X1=x;", "MOV W0,#1\nSTRH W0,[X1,#1]", tail="exists (x=1)"),
     "t.litmus:6:1: unaligned or out-of-bound 2-byte access to `x+1` in mixed-size mode"),
    (_text("uint32_t x; 0:X1=x;", "MOV W0,#1\nSTR X0,[X1]", tail="exists (x=1)"),
     "t.litmus:6:1: unaligned or out-of-bound 8-byte access to `x` in mixed-size mode"),
    (_text("uint64_t x; 0:X1=x; 0:X2=y;", "STR X2,[X1]", tail="exists (x=0)"),
     "t.litmus:5:1: a store of an address (`y`) in mixed-size mode (`Variant=mixed`)"),
    (_text("int x=y; 0:X1=x;", "LDR W0,[X1]", tail="exists (0:X0=0)"),
     "t.litmus:3:3: a location holding an address (`x=y`) in mixed-size mode"),
    (_text("int64_t x; 0:X1=x;", "LDR X2,[X1]\nLDR W0,[X2]", tail="exists (0:X0=0)"),
     "t.litmus:6:1: an access whose address is not a known location in mixed-size mode"),
    ("X86_64 T\nVariant=mixed\n{ }\n P0 ;\n movl $1,(x) ;\nexists (x=1)\n",
     "t.litmus:4:2: mixed-size mode (`Variant=mixed`) for X86_64 tests"),
])
def test_refused_by_name(text: str, message: str) -> None:
    assert refusal(text).startswith(message)


@pytest.mark.parametrize(("offset", "size", "cell", "ok"), [
    (0, 4, Cell(1, 4), True),    # a word over four bytes
    (2, 2, Cell(1, 4), True),
    (1, 2, Cell(1, 4), False),   # not a multiple of its size
    (4, 1, Cell(1, 4), False),   # past the array
    (4, 4, Cell(8, 1), True),    # the high half of a quad
    (6, 4, Cell(8, 1), False),
    (4, 4, Cell(4, 2), True),    # the second element
    (0, 8, Cell(4, 2), True),    # both elements
    (4, 8, Cell(4, 2), False),
])
def test_alignment_is_herds(offset: int, size: int, cell: Cell, ok: bool) -> None:
    assert aligned(offset, size, cell) is ok


def test_a_model_without_single_copy_atomic_classes_is_refused_shared_locations(
        tmp_path: Path) -> None:
    """Free per-byte rf agrees with herd only under a model that rejects torn reads
    through `sm`/`si`: another model gets an error for that test (and only that one)."""
    plain = tmp_path / "plain.cat"
    plain.write_text('"plain"\nacyclic po | rf | co | fr as sc\n')
    atomic = tmp_path / "atomic.cat"
    atomic.write_text('"atomic"\nacyclic po | (rf | co | fr); sm as sc\n')
    shared = _text("int x; 0:X1=x; 1:X1=x;", "MOV W0,#1\nSTRH W0,[X1]", "LDR W2,[X1]",
                   tail="exists (1:X2=1)")
    (refused, judged) = judge(parse_litmus(shared, "t.litmus"),
                              [resolve(str(plain)), resolve(str(atomic))], Options())
    assert isinstance(refused, PairError)
    assert refused.message.startswith(
        "t.litmus:5:13: mixed-size accesses to `x` by several threads (`Variant=mixed`) "
        "under `plain`, which has no single-copy-atomic classes (`sm`, `si`)")
    assert isinstance(judged, ModelResult)
    assert judged.observation.value == "Sometimes"
    alone = _text("int x; 0:X1=x;", "MOV W0,#1\nSTRH W0,[X1]\nLDR W2,[X1]",
                  tail="exists (0:X2=1)")
    (result,) = judge(parse_litmus(alone, "t.litmus"), [resolve(str(plain))], Options())
    assert isinstance(result, ModelResult) and result.observation.value == "Always"


def test_bytes_of_a_recomposed_value_are_its_parts_with_every_dependency() -> None:
    """A store of a loaded (and xored) value writes byte k from byte k of the load, so
    the solver needs no bit-vector term; each byte keeps the data dependency on every
    byte read, as herd's `explode` of the whole register does."""
    reads = [read_value(eid) for eid in (10, 11, 12, 13)]
    value = binop("^", recompose(reads), Const(0x80))
    byte = byte_of(value, 0)
    assert byte.deps == frozenset({10, 11, 12, 13})
    assert evaluate(byte, {10: 0xFF, 11: 0, 12: 0, 13: 0}) == 0x7F
    term = TermBuilder({}, {e: z3.Int(f"v{e}") for e in range(10, 14)}).term(byte_of(value, 2))
    assert str(term) == "v12 + 0"  # no bit-vector term, nothing of the other bytes
    assert byte_of(Const(-2), 3) == Const(0xFF)


def evaluate(expr: Expr, reads: dict[int, int]) -> int:
    """The value of `expr` when each read returns `reads[eid]`."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, ReadValue):
        return reads[expr.eid]
    assert isinstance(expr, BinOp)
    return evaluate_op(expr.op, evaluate(expr.left, reads), evaluate(expr.right, reads))


def test_every_command_takes_the_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    """`run`, `herd7`, `explain` and `report` all turn mixed-size mode on with
    `--variant mixed`/`-variant mixed`."""
    litmus = tmp_path / "M.litmus"
    litmus.write_text(STORE_WORD_INTO_BYTES.replace("Variant=mixed\n", ""))
    status, out, _ = run(capsys, "herd7", "-variant", "mixed", str(litmus))
    assert status == 0 and "t={255,255,255,255};" in out
    status, out, _ = run(capsys, "run", "--variant", "mixed", "-f", "herd", str(litmus))
    assert status == 0 and "t={255,255,255,255};" in out
    status, out, _ = run(capsys, "explain", "--variant", "mixed", str(litmus))
    assert status == 0 and "t={255,255,255,255}; is allowed" in out and "W t+3=255" in out
    page = tmp_path / "r.html"
    status, _, err = run(capsys, "report", "--variant", "mixed", str(litmus), "-o", str(page))
    assert status == 0 and "t+3=255" in page.read_text()


def test_an_access_of_unknown_size_is_refused_by_the_builder() -> None:
    """Every AArch64 access gives its size; one that does not (a future instruction) is
    refused, naming the instruction, rather than judged as one event."""
    program = ProgramBuilder({}, layout=Layout())
    tb = program.thread(0, {})
    tb.construct = "LDFOO"
    with pytest.raises(UnsupportedError, match=r"`LDFOO` in mixed-size mode"):
        tb.read(AddrOf("x"), frozenset(), None)
    _, value = tb.read(AddrOf("x"), frozenset(), None, 2)
    assert isinstance(value, BinOp) and len(program.accesses[0]) == 2
