"""The integer ISA of AArch64 (docs/armv8.md, *Registers, widths and the integer ISA*):
each row runs a one-thread program and checks the final registers as herd prints them
(registers typed in the init block print through their type; untyped ones as `int`)."""

from __future__ import annotations

import pytest

from memlitmus.errors import UnsupportedError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import resolve


def final_state(code: str, init: str = "", regs: str = "") -> str:
    """The one final state of a P0-only test (`regs`: the registers to list)."""
    rows = "\n".join(f" {line} ;" for line in code.strip().splitlines())
    listed = "".join(f"0:{r};" for r in regs.split())
    text = f"AArch64 T\n{{ {init} }}\n P0 ;\n{rows}\nlocations [{listed}]\n"
    (result,) = judge(parse_litmus(text, "t.litmus"), [resolve("armv8")], Options())
    assert len(result.states) == 1
    return result.states[0].herd_line()


ROWS = [
    # widths: W writes keep 32 bits; an untyped register prints as an int
    ("MOV X0,#-1\nADD W1,W0,#2", "", "X1", "0:X1=1;"),
    ("MOV W0,#-1", "int64_t 0:X0;", "X0", "0:X0=4294967295;"),
    ("MOV W0,#-1", "", "X0", "0:X0=-1;"),
    ("MOV X0,#-1", "uint64_t 0:X0;", "X0", "0:X0=18446744073709551615;"),
    # flag-setting arithmetic and conditions
    ("MOV W0,#1\nSUBS W1,W0,#2\nCSET W2,LO\nCSET W3,LT\nCSET W4,MI", "", "X1 X2 X3 X4",
     "0:X1=-1; 0:X2=1; 0:X3=1; 0:X4=1;"),
    ("MOV W0,#-1\nADDS W1,W0,#1\nCSET W2,EQ\nCSET W3,CS\nCSET W4,VS", "", "X2 X3 X4",
     "0:X2=1; 0:X3=1; 0:X4=0;"),
    ("MOV W0,#0x7fffffff\nCMN W0,#1\nCSET W1,VS\nCSET W2,GE", "", "X1 X2",
     "0:X1=1; 0:X2=1;"),
    ("MOV W0,#6\nTST W0,#1\nCSET W1,EQ\nANDS W2,W0,#4\nCSET W3,NE", "", "X1 X2 X3",
     "0:X1=1; 0:X2=4; 0:X3=1;"),
    ("MOV W0,#3\nMOV W1,#5\nCMP W0,W1\nCSINC W2,W0,W1,HI\nCSNEG W3,W0,W1,LS", "", "X2 X3",
     "0:X2=6; 0:X3=3;"),
    # moves, shifts, bit fields
    ("MOVZ X0,#42,LSL #16\nMOVK X0,#7\nMOVN W1,#0", "uint64_t 0:X0;", "X0 X1",
     "0:X0=2752519; 0:X1=-1;"),
    ("MOV W0,#-16\nASR W1,W0,#2\nLSR W2,W0,#28\nROR W3,W0,#4", "", "X1 X2 X3",
     "0:X1=-4; 0:X2=15; 0:X3=268435455;"),
    ("MOV W0,#0xF\nUBFM W1,W0,#0,#0\nSBFM W2,W1,#0,#0\nUBFX W3,W0,#1,#2", "", "X1 X2 X3",
     "0:X1=1; 0:X2=-1; 0:X3=3;"),
    ("MOV W1,#3\nADD W2,WZR,W1,LSL #4\nSUB X3,XZR,W1,SXTW #1", "", "X2 X3",
     "0:X2=48; 0:X3=-6;"),
    # multiplies, bit and byte reversal
    ("MOV X1,#2\nMOV X2,#3\nMOV X3,#5\nMADD X4,X1,X2,X3\nMSUB X5,X1,X2,X3\nMNEG X6,X1,X2",
     "", "X4 X5 X6", "0:X4=11; 0:X5=-1; 0:X6=-6;"),
    ("MOV W1,#-2\nMOV W2,#3\nSMULL X3,W1,W2\nUMULL X4,W1,W2", "int64_t 0:X3; int64_t 0:X4;",
     "X3 X4", "0:X3=-6; 0:X4=12884901882;"),
    ("MOV W0,#1\nRBIT W1,W0\nREV W2,W0\nCLZ W3,W0", "", "X1 X2 X3",
     "0:X1=-2147483648; 0:X2=16777216; 0:X3=31;"),
    # branches on a bit
    ("MOV W0,#4\nTBNZ W0,#2,L0\nMOV W1,#1\nL0:\nTBZ W0,#0,L1\nMOV W2,#1\nL1:", "", "X1 X2",
     "0:X1=0; 0:X2=0;"),
]


@pytest.mark.parametrize(("code", "init", "regs", "state"), ROWS, ids=[r[0] for r in ROWS])
def test_final_registers(code: str, init: str, regs: str, state: str) -> None:
    assert final_state(code, init, regs) == state


def test_sized_and_indexed_accesses() -> None:
    init = "int8_t x=-1; int64_t y=0; 0:X1=x; 0:X5=y; int64_t 0:X3;"
    code = ("LDRSB W0,[X1]\nLDRB W2,[X1]\nMOV X3,X0\nMOV W4,#0x1ff\nSTRB W4,[X5,#0]!\n"
            "LDR X6,[X5],#8")
    assert final_state(code, init, "X0 X2 X3 X6") == (
        "0:X0=-1; 0:X2=255; 0:X3=4294967295; 0:X6=255;")


def test_a_bit_operation_on_a_run_time_value_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedError, match="`RBIT` of a value known only at run time"):
        final_state("LDR W0,[X1]\nRBIT W2,W0", "0:X1=x;", "X2")


def test_pairs_access_consecutive_elements() -> None:
    init = "int64_t t[3]={1,2,3}; int64_t *0:X2=t; int64_t 0:X0; int64_t 0:X1;"
    code = "LDP X0,X1,[X2],#8\nMOV X3,#7\nSTP X3,X3,[X2]"
    text = (f"AArch64 T\n{{ {init} }}\n P0 ;\n"
            + "\n".join(f" {line} ;" for line in code.splitlines())
            + "\nforall (0:X0=1 /\\ 0:X1=2 /\\ t[1]=7 /\\ t[2]=7)\n")
    (result,) = judge(parse_litmus(text, "t.litmus"), [resolve("armv8")], Options())
    assert result.observation.value == "Always"
