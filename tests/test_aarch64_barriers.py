"""AArch64 barriers as herd 7.58's model has them: DSB-ordered-before, the barrier
classes of each option (SY, ST, LD and their ISH/OSH/NSH forms) and the flag
`Assuming-common-inner-shareable-domain` under armv8 and sc (docs/armv8.md, *Barriers*)."""

from __future__ import annotations

import pytest

from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus, parse_litmus
from memlitmus.models import resolve
from tests.conftest import ROOT

CASES = ROOT / ".." / "shared" / "cases"
FLAG = "Assuming-common-inner-shareable-domain"


def sb(barrier: str) -> str:
    """Store buffering with `barrier` between each thread's store and load."""
    return (
        "AArch64 SB\n{ 0:X1=x; 0:X2=y; 1:X1=y; 1:X2=x; }\n"
        " P0 | P1 ;\n MOV W0,#1 | MOV W0,#1 ;\n STR W0,[X1] | STR W0,[X1] ;\n"
        f" {barrier} | {barrier} ;\n LDR W3,[X2] | LDR W3,[X2] ;\n"
        "exists (0:X3=0 /\\ 1:X3=0)\n"
    )


def mp(reader_barrier: str) -> str:
    """Message passing: DMB ST between the writes, `reader_barrier` between the reads."""
    return (
        "AArch64 MP\n{ 0:X1=x; 0:X2=y; 1:X1=y; 1:X2=x; }\n"
        " P0 | P1 ;\n MOV W0,#1 | LDR W0,[X1] ;\n STR W0,[X1] | "
        f"{reader_barrier} ;\n DMB ST | LDR W3,[X2] ;\n MOV W0,#1 | ;\n STR W0,[X2] | ;\n"
        "exists (1:X0=1 /\\ 1:X3=0)\n"
    )


def outcome(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Observation and flags under armv8 and sc."""
    results = judge(parse_litmus(text, "t.litmus"), [resolve("armv8"), resolve("sc")],
                    Options(verdict_only=True))
    return {r.model: (r.observation.value, r.flags) for r in results}


@pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases absent")
def test_case_sb_dsb_st_orders_a_store_before_a_later_load() -> None:
    results = judge(load_litmus(CASES / "SB+dsb.sts.litmus"), [resolve("armv8")], Options())
    (result,) = results
    assert result.observation.value == "Never"
    assert {s.herd_line() for s in result.states} == {
        "0:X3=0; 1:X3=1;", "0:X3=1; 1:X3=0;", "0:X3=1; 1:X3=1;"}
    assert result.flags == ()


# A DSB waits for the earlier accesses of its kind before any later instruction: DSB ST and
# DSB SY forbid SB, DSB LD does not (no read precedes it); DMB ST orders only store pairs.
SB_TABLE = {
    "DMB ST": ("Sometimes", ()),
    "DMB SY": ("Never", ()),
    "DSB SY": ("Never", ()),
    "DSB ST": ("Never", ()),
    "DSB LD": ("Sometimes", ()),
    "DSB ISH": ("Never", (FLAG,)),
    "DSB ISHST": ("Never", (FLAG,)),
    "DSB OSHST": ("Never", (FLAG,)),
    "DSB ISHLD": ("Sometimes", (FLAG,)),
    "DMB ISHST": ("Sometimes", (FLAG,)),
    "DMB NSH": ("Sometimes", ()),  # non-shareable: orders nothing, flags nothing
    "DSB NSHST": ("Sometimes", ()),
}


@pytest.mark.parametrize("barrier", sorted(SB_TABLE), ids=str)
def test_store_buffering_with_each_barrier(barrier: str) -> None:
    observation, flags = SB_TABLE[barrier]
    assert outcome(sb(barrier)) == {"armv8": (observation, flags), "sc": ("Never", flags)}


# Reads ordered by a load barrier. herd 7.58's library binds the DSB OSHLD class to the
# DSB OSH events, so a DSB OSHLD orders nothing and is not flagged (reproduced on purpose).
MP_TABLE = {
    "DMB LD": ("Never", ()),
    "DSB LD": ("Never", ()),
    "DMB ISHLD": ("Never", (FLAG,)),
    "DMB OSHLD": ("Never", (FLAG,)),
    "DSB ISHLD": ("Never", (FLAG,)),
    "DSB OSH": ("Never", (FLAG,)),
    "DSB OSHLD": ("Sometimes", ()),
    "DSB ST": ("Sometimes", ()),
    "ISB": ("Sometimes", ()),
}


@pytest.mark.parametrize("barrier", sorted(MP_TABLE), ids=str)
def test_message_passing_with_each_reader_barrier(barrier: str) -> None:
    observation, flags = MP_TABLE[barrier]
    assert outcome(mp(barrier)) == {"armv8": (observation, flags), "sc": ("Never", flags)}


def test_flag_only_for_an_allowed_execution_with_the_barrier() -> None:
    """A domain barrier on a path no allowed execution takes raises no flag."""
    text = (
        "AArch64 F\n{ 0:X1=x; }\n P0 ;\n LDR W0,[X1] ;\n CBZ W0,L ;\n DMB ISH ;\n L: ;\n"
        "exists (0:X0=0)\n"
    )
    assert outcome(text) == {"armv8": ("Always", ()), "sc": ("Always", ())}
