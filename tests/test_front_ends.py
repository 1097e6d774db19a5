"""The front ends' shared base (`arch.base`): each front end reads its own kind of thread
and says so, by the test's architecture, when handed the other kind."""

from __future__ import annotations

import pytest

from memlitmus.arch.aarch64 import AARCH64
from memlitmus.arch.base import Arch, lower
from memlitmus.arch.c import C
from memlitmus.arch.x86 import X86, X86_64
from memlitmus.errors import UnsupportedError
from memlitmus.litmus.parse import parse_litmus

C_TEST = "C t\n{}\nP0(int *x)\n{\n  WRITE_ONCE(*x, 1);\n}\nexists (x=1)\n"
X86_TEST = "X86 t\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n"


@pytest.mark.parametrize(("front_end", "message"), [
    (X86, "an X86 test needs assembly threads"),
    (X86_64, "an X86_64 test needs assembly threads"),
    (AARCH64, "an AArch64 test needs assembly threads"),
])
def test_an_assembly_front_end_refuses_c_threads(front_end: Arch, message: str) -> None:
    test = parse_litmus(C_TEST, "t.litmus")
    with pytest.raises(UnsupportedError, match=message) as err:
        lower(test, front_end)
    assert (err.value.span.line, err.value.span.col) == (3, 1)  # at the thread


def test_the_c_front_end_refuses_assembly_threads() -> None:
    test = parse_litmus(X86_TEST, "t.litmus")
    with pytest.raises(UnsupportedError, match="a C test needs C threads"):
        lower(test, C)


def test_each_front_end_runs_its_own_threads() -> None:
    c_program = lower(parse_litmus(C_TEST, "t.litmus"), C)
    x86_program = lower(parse_litmus(X86_TEST, "t.litmus"), X86)
    for program, tag in ((c_program, "Once"), (x86_program, None)):
        (write,) = [e for e in program.events if not e.is_init]
        assert write.kind == "W"
        assert tag is None or tag in write.tags


@pytest.mark.parametrize(("row", "message"), [
    ("MOV X0", "`MOV` takes 2 to 4 operand(s), got 1"),
    ("LSL X0,X1", "`LSL` takes 3 operand(s), got 2"),
    ("DMB", "`DMB` takes 1 operand(s), got 0"),
])
def test_a_wrong_operand_count_is_named(row: str, message: str) -> None:
    text = f"AArch64 t\n{{}}\n P0 ;\n {row} ;\nexists (0:X0=0)\n"
    with pytest.raises(UnsupportedError) as err:
        lower(parse_litmus(text, "t.litmus"), AARCH64)
    assert err.value.message == message
    assert err.value.span is not None and err.value.span.line == 4


@pytest.mark.parametrize(("text", "front_end"), [
    ("AArch64 t\n{}\n P0 ;\n MOV W0,#1 ;\n B L0 ;\nexists (0:X0=1)\n", AARCH64),
    ("X86_64 t\n{}\n P0 ;\n movq $1,%rax ;\n jmp L0 ;\nexists (0:rax=1)\n", X86_64),
])
def test_a_branch_to_a_missing_label_is_refused_at_the_branch(text: str, front_end: Arch) -> None:
    with pytest.raises(UnsupportedError) as err:
        lower(parse_litmus(text, "t.litmus"), front_end)
    assert err.value.message == "branch to undefined or backward label `L0`"
    assert err.value.span is not None and (err.value.span.line, err.value.span.col) == (5, 2)
