"""The AArch64 front end: parsing, the events each instruction makes, dependencies,
retry loops, and clean refusals."""

from __future__ import annotations

import pytest

from memlitmus.arch.aarch64 import AARCH64, canonical_reg
from memlitmus.arch.base import lower
from memlitmus.arch.registry import default_model_for
from memlitmus.errors import UnsupportedError
from memlitmus.events import Event, EventProgram
from memlitmus.judge import Options, judge
from memlitmus.litmus.ast import AsmThread, Imm, Instr, Label, LabelRef, Mem, Reg
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import resolve


def program(code: str, init: str = "0:X1=x; 0:X3=y;") -> EventProgram:
    """The event program of a one-thread test whose rows are `code` (one per line)."""
    rows = "\n".join(f" {line} ;" for line in code.strip().splitlines())
    text = f"AArch64 T\n{{ {init} }}\n P0 ;\n{rows}\nexists (0:X0=0)\n"
    return lower(parse_litmus(text, "t.litmus"), AARCH64)


def asm_code(text: str) -> tuple[Label | Instr, ...]:
    """The statements of the first thread of an AArch64 test."""
    thread = parse_litmus(text, "t").threads[0]
    assert isinstance(thread, AsmThread)
    return thread.code


def thread_events(prog: EventProgram) -> list[Event]:
    return [e for e in prog.events if not e.is_init]


def verdicts(text: str) -> dict[str, str]:
    test = parse_litmus(text, "t.litmus")
    results = judge(test, [resolve("armv8"), resolve("sc")], Options(verdict_only=True))
    return {r.model: r.observation.value for r in results}


# ---- syntax -------------------------------------------------------------------------------


def test_operands_of_every_addressing_mode() -> None:
    text = (
        "AArch64 T\n{}\n P0 ;\n"
        " LDR W0,[X1] ;\n LDR W0,[X1,#4] ;\n LDR W0,[X1,X2] ;\n"
        " LDR W0,[X1,W2,SXTW] ;\n STR W2,[X3],#4 ;\n B.EQ L0 ;\n L0: ;\n"
        "exists (0:X0=0)\n"
    )
    code = asm_code(text)
    mems = [stmt.operands[1] for stmt in code[:5] if isinstance(stmt, Instr)]
    assert mems == [
        Mem(base="X1"), Mem(base="X1", offset=4), Mem(base="X1", index="X2"),
        Mem(base="X1", index="W2", extend="SXTW"), Mem(base="X3"),
    ]
    store = code[4]
    assert isinstance(store, Instr) and store.operands[2] == Imm(4)
    branch = code[5]
    assert isinstance(branch, Instr) and branch.mnemonic == "B.EQ"
    assert branch.operands == (LabelRef("L0"),)


def test_registers_and_names() -> None:
    text = "AArch64 T\n{}\n P0 ;\n CSEL W2, WZR, w5, NE ;\nexists (0:X2=0)\n"
    (instr,) = asm_code(text)
    assert isinstance(instr, Instr)
    assert instr.operands == (Reg("W2"), Reg("WZR"), Reg("W5"), LabelRef("NE"))
    assert [canonical_reg(r) for r in ("W3", "X3", "x3", "WZR", "WSP")] == [
        "X3", "X3", "X3", "XZR", "SP",
    ]


def test_armv8_is_the_default_model_and_aarch64_an_alias() -> None:
    assert default_model_for("AArch64") == "armv8"
    assert resolve("aarch64").name == "armv8"


# ---- events -------------------------------------------------------------------------------


def test_acquire_release_and_barrier_tags() -> None:
    prog = program("LDAR W0,[X1]\nLDAPR W2,[X1]\nSTLR W0,[X3]\nDMB ISHLD\nDSB ST\nISB")
    tags = [set(e.tags) for e in thread_events(prog)]
    assert tags == [{"A"}, {"Q"}, {"L"}, {"DMB.ISHLD"}, {"DSB.ST"}, {"ISB"}]


def test_address_data_and_control_dependencies() -> None:
    prog = program(
        "LDR W0,[X1]\nEOR W2,W0,W0\nLDR W4,[X3,W2,SXTW]\nADD W5,W2,#1\nSTR W5,[X3]\n"
        "CBNZ W0,L0\nL0:\nSTR W5,[X1]"
    )
    read, addr_read, data_write, ctrl_write = (e.eid for e in thread_events(prog))
    assert prog.addr == {(read, addr_read)}
    assert prog.data == {(read, data_write), (read, ctrl_write)}
    assert prog.ctrl == {(read, ctrl_write)}


def test_zero_register_reads_zero_and_ignores_writes() -> None:
    prog = program("LDR WZR,[X1]\nSTR WZR,[X3]")
    _, write = thread_events(prog)
    assert write.value is not None and getattr(write.value, "value", None) == 0
    assert (0, "XZR") not in prog.final_registers


def test_swp_and_ldadd_are_amos_with_their_orderings() -> None:
    prog = program("SWPAL W0,W2,[X1]\nLDADDA W0,W4,[X3]\nSTADDL W0,[X1]")
    events = thread_events(prog)
    assert [set(e.tags) for e in events] == [
        {"X", "A"}, {"X", "L"}, {"X", "A"}, {"X"}, {"NoRet"}, {"X", "L"},
    ]
    pairs = {(events[i].eid, events[i + 1].eid) for i in (0, 2, 4)}
    assert prog.rmw == pairs and prog.extra_relations["amo"] == pairs
    assert (events[2].eid, events[3].eid) in prog.data  # LDADD writes old + Rs


def test_cas_write_is_guarded_and_rs_carries_herds_alternative_dependencies() -> None:
    prog = program("LDR W5,[X3]\nCAS W5,W6,[X1]\nEOR W7,W5,W5\nLDR W8,[X3,W7,SXTW]")
    load, cas_read, cas_write, dependent = thread_events(prog)
    assert cas_write.guard != cas_read.guard  # only when the comparison succeeds
    assert prog.rmw == {(cas_read.eid, cas_write.eid)}
    # Rs feeds the comparison, which controls the write inside the instruction
    assert prog.extra_relations["pick-data"] == {(load.eid, cas_write.eid)}
    assert prog.ctrl == frozenset()
    # Rs comes from memory or from the old Rs, each in some executions (herd's two
    # alternatives), and through the comparison it pick-depends on both reads
    both = {(load.eid, dependent.eid), (cas_read.eid, dependent.eid)}
    assert prog.addr == both and set(prog.dep_conditions["addr"]) == both
    assert prog.extra_relations["pick-addr"] == both


def test_csel_depends_on_the_operand_it_selects_and_picks_on_the_flags() -> None:
    prog = program(
        "LDR W0,[X1]\nCMP W0,#1\nCSEL W2,W3,W4,EQ\nSTR W2,[X3]\nCSEL W5,W0,W4,EQ\n"
        "LDR W6,[X3,W5,SXTW]\nCBZ W2,L\nSTR W4,[X1]\nL:"
    )
    read, store, dependent, after_branch = thread_events(prog)
    assert prog.data == frozenset() and prog.ctrl == frozenset()
    assert prog.extra_relations["pick-data"] == {(read.eid, store.eid)}
    assert prog.extra_relations["pick-ctrl"] == {(read.eid, after_branch.eid)}
    # W5 is W0 only when the flags say EQ: a real address dependency on that path
    assert prog.addr == {(read.eid, dependent.eid)}
    assert set(prog.dep_conditions["addr"]) == {(read.eid, dependent.eid)}
    assert prog.extra_relations["pick-addr"] == {(read.eid, dependent.eid)}


def test_failed_cas_may_write_back_what_it_read() -> None:
    # herd 7.58 (herdtools7 PR #1095): a failing CAS may write back the value it read.
    # Under sc, P1's SWP can then read 2 from P0's write-back of P1's own 2; armv8
    # forbids it (rmw is in ob: CAS read → write-back → SWP read → SWP write → CAS read).
    text = (
        "AArch64 T\n{ 0:X2=y; 1:X0=y; }\n"
        " P0             | P1             ;\n"
        " MOV W3,#0      | MOV W2,#2      ;\n"
        " MOV W4,#1      | SWP W2,W1,[X0] ;\n"
        " CAS W3,W4,[X2] |                ;\n"
        "exists (0:X3=2 /\\ 1:X1=2)\n"
    )
    test = parse_litmus(text, "t.litmus")
    results = judge(test, [resolve("sc"), resolve("armv8")], Options(count=True))
    states = {r.model: {s.herd_line() for s in r.states} for r in results}
    assert states["sc"] == {"0:X3=0; 1:X1=1;", "0:X3=2; 1:X1=0;", "0:X3=2; 1:X1=2;"}
    assert states["armv8"] == {"0:X3=0; 1:X1=1;", "0:X3=2; 1:X1=0;"}
    # herd's counting: a successful CAS counts twice, a failing one twice without its
    # write-back plus once per coherence order of the write-back. sc: CAS succeeds (2);
    # fails reading 2 with no write-back (2); writes back last, SWP read 0 (1); SWP reads
    # the write-back, which is co-before or co-after the SWP's write (2 positives).
    assert [(r.positive, r.negative) for r in results] == [(2, 5), (0, 5)]


def test_store_exclusive_pairs_with_the_load_exclusive() -> None:
    prog = program("LDAXR W0,[X1]\nSTLXR W4,W0,[X1]")
    read, write = thread_events(prog)
    assert set(read.tags) == {"X", "A"} and set(write.tags) == {"X", "L"}
    assert prog.rmw == {(read.eid, write.eid)}
    assert "amo" not in prog.extra_relations  # two instructions: lxsx, not amo


def test_store_exclusive_without_load_exclusive_always_fails() -> None:
    prog = program("MOV W0,#1\nSTXR W4,W0,[X1]")
    assert thread_events(prog) == []
    assert getattr(prog.final_registers[(0, "X4")], "value", None) == 1


def test_retry_loop_keeps_the_iteration_that_succeeds() -> None:
    prog = program("Loop00:\nLDXR W0,[X1]\nADD W0,W0,#1\nSTXR W4,W0,[X1]\nCBNZ W4,Loop00")
    read, write = thread_events(prog)
    assert write.guard == read.guard  # the store does not depend on a choice
    assert getattr(prog.final_registers[(0, "X4")], "value", None) == 0


# ---- verdicts -----------------------------------------------------------------------------


def test_store_exclusive_may_fail_outside_a_loop() -> None:
    text = (
        "AArch64 T\n{ 0:X1=x; }\n P0 ;\n MOV W0,#1 ;\n LDXR W2,[X1] ;\n"
        " STXR W4,W0,[X1] ;\nexists (0:X4=1)\n"
    )
    assert verdicts(text) == {"armv8": "Sometimes", "sc": "Sometimes"}


def test_noret_atomic_read_is_not_an_acquire() -> None:
    template = (
        "AArch64 T\n{{ y=2; 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }}\n"
        " P0           | P1                ;\n"
        " MOV W0,#1    | MOV W4,#1         ;\n"
        " STR W0,[X1]  | CASA {rs},W4,[X3] ;\n"
        " MOV W2,#0    | LDR W0,[X1]       ;\n"
        " STLR W2,[X3] |                   ;\n"
        "exists ([y]=1 /\\ 1:X0=0)\n"
    )
    assert verdicts(template.format(rs="WZR"))["armv8"] == "Sometimes"
    assert verdicts(template.format(rs="W5"))["armv8"] == "Never"


# ---- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("HVC #0", "unsupported AArch64 instruction `HVC`"),
        ("LDXP W0,X2,[X1]", "`LDXP` mixes W and X registers"),
        ("STILP W0,W2,[X1],#8", "`STILP` has no post-indexed form"),
        ("L0:\nLDR W0,[X1]\nCBNZ W0,L0", "conditional branch `CBNZ` backwards or out of the code"),
        ("BR X1", "`BR` to a register that holds no code label known before running"),
        ("LDR X5,[X1]\nBR X5\nL0:", "in a test that uses no code label as a value"),
        ("MOV W0,W%P0_x", "the 32-bit view of a symbolic register (`W%P0_x`)"),
        ("ADR X4,L0\nL0:\nSTR W0,[X4]", "an access to code other than a load of a labelled"),
        ("ADR X4,L0\nLDR X5,[X1]\nL0:\nBR X5", "may be a code label outside the code"),
        ("MRS X0,TPIDR_EL0", "unknown system register `TPIDR_EL0` in `MRS`"),
        ("ADR X0,L9\nL0:", "`ADR` to `L9`, which is no code label of this thread"),
        ("DMB FOO", "unsupported barrier option in `DMB`"),
        ("CMP W0,#0\nB.XX L0\nL0:", "unsupported AArch64 instruction `B.XX`"),
        ("ADD W0,W1,W2,FOO #2", "unsupported operand modifier `FOO`"),
        ("CSEL W0,W1,W2,XX", "expected a condition code"),
    ],
)
def test_refusals_name_the_construct(code: str, message: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        program(code)
    assert message in info.value.message
    assert info.value.span is not None


# ---- system registers ---------------------------------------------------------------------


def test_system_registers_are_registers_except_under_nv2() -> None:
    """MSR/MRS of ELR_EL1 move a register; under `Variant=NV2` they are a store and a load
    at VNCR_EL2 + 0x230 (herd's `sysregs_map`)."""
    code = "MOV X4,#5\nMSR ELR_EL1,X4\nMRS X0,ELR_EL1"
    plain = program(code)
    assert thread_events(plain) == []
    assert plain.final_registers[(0, "X0")] == plain.final_registers[(0, "X4")]
    rows = "\n".join(f" {line} ;" for line in code.splitlines())
    text = (f"AArch64 T\nVariant=NV2\n{{ uint64_t t[80]; 0:VNCR_EL2=t; }}\n P0 ;\n{rows}\n"
            "forall (0:X0=5 /\\ t[70]=5)\n")
    nv2 = lower(parse_litmus(text, "t.litmus"), AARCH64)
    assert [e.kind for e in thread_events(nv2)] == ["W", "R"]
    (result,) = judge(parse_litmus(text, "t.litmus"), [resolve("armv8")], Options())
    assert result.observation.value == "Always"
