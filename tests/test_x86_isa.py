"""X86_64 instruction semantics of issue 8, one small test each: final states as herd
prints them (`memlitmus run -f herd`). Expected values follow the Intel SDM for register
widths and herd's X86_64Sem.ml for flags and jumps (see the module docstrings of
memlitmus.arch.x86 and memlitmus.arch.x86_regs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.cli import main


def states(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[str]:
    """The state lines herd would print for a one-model run of `text`."""
    path = tmp_path / "t.litmus"
    path.write_text(text)
    assert main(["run", str(path), "-f", "herd", "-m", "x86tso"]) == 0
    lines = capsys.readouterr().out.splitlines()
    count = int(lines[1].split()[1])
    return lines[2 : 2 + count]


def one_thread(init: str, code: list[str], cond: str) -> str:
    rows = "".join(f" {line} ;\n" for line in code)
    return f"X86_64 T\n{{ {init} }}\n P0 ;\n{rows}forall ({cond})\n"


CASES = {
    # a 32-bit write zero-extends into the 64-bit register
    "movl-zero-extends": (
        "uint64_t 0:rax=0xffffffffffffffff;", ["movl $1,%eax"], "0:rax=1", ["0:rax=1;"]),
    # an 8-bit write merges into the low byte, `ah` into bits 8-15
    "movb-merges": (
        "0:rax=0x1234;", ["movb $0x56,%al", "movb $1,%ah"], "0:rax=0x156", ["0:rax=342;"]),
    "movw-merges": (
        "uint64_t 0:rbx=0x100000000;", ["movw $7,%bx"], "0:rbx=0x100000007",
        ["0:rbx=4294967303;"]),
    # a 32-bit read keeps the low 32 bits; arithmetic on eax wraps at 32 bits
    "addl-wraps": (
        "uint64_t 0:rax=0xffffffff;", ["addl $1,%eax"], "0:rax=0", ["0:rax=0;"]),
    "read-ah": ("0:rax=0x1234;", ["movb %ah,%bl"], "0:rbx=0x12", ["0:rbx=18;"]),
    "shl-xor-or-and": (
        "0:rax=3; 0:rbx=5;",
        ["shl 4,%rax", "xor %rbx,%rax", "or $0x100,%rax", "and $0xff0f,%rax"],
        "0:rax=0x105", ["0:rax=261;"]),
    # herd's jcc: after `cmp op,ea`, JGT/JGE/JLE test ea against op
    "jgt-taken": (
        "0:rax=5;", ["cmp $3,%rax", "jgt L", "movq $1,%rbx", "L:", "nop"],
        "0:rbx=0", ["0:rbx=0;"]),
    "jle-not-taken": (
        "0:rax=5;", ["cmp $3,%rax", "jle L", "movq $1,%rbx", "L:", "endbr64"],
        "0:rbx=1", ["0:rbx=1;"]),
    "ret-ends-the-thread": (
        "", ["movq $1,%rax", "ret", "movq $2,%rax"], "0:rax=1", ["0:rax=1;"]),
    "array-scaled-index": (
        "int64_t t[3]={1,-1}; 0:rax=t; 0:rbx=2; int64_t 0:rcx;",
        ["movq $5,0(%rax,%rbx,8)", "movq 8(%rax),%rcx"], "t[2]=5 /\\ 0:rcx=-1",
        ["0:rcx=-1; t[2]=5;"]),
    # values print as herd casts them to the declared type (undeclared: int, 32 bits)
    "print-int": ("", ["movl $-1,%eax"], "0:rax=0xffffffff", ["0:rax=-1;"]),
    "print-uint64": (
        "uint64_t 0:rax;", ["movq $-1,%rax"], "0:rax=-1", ["0:rax=18446744073709551615;"]),
    "print-int64": ("int64_t 0:rax;", ["movq $-1,%rax"], "0:rax=-1", ["0:rax=-1;"]),
    "print-uint8-memory": ("uint8_t x;", ["movq $-1,(x)"], "[x]=-1", ["[x]=255;"]),
    # cmpxchg with memory first (herd's order) or last (AT&T's): the same instruction
    "cmpxchg-herd-order": (
        "0:rax=0; 0:rbx=9;", ["lock cmpxchgq (x),%rbx"], "[x]=9 /\\ 0:rax=0",
        ["0:rax=0; [x]=9;"]),
    "cmpxchg-att-order-fails": (
        "0:rax=1; 0:rbx=9;", ["lock cmpxchgq %rbx,(x)"], "[x]=0 /\\ 0:rax=0",
        ["0:rax=0; [x]=0;"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_x86_64_semantics(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init, code, cond, expected = CASES[name]
    assert states(tmp_path, capsys, one_thread(init, code, cond)) == expected


def test_a_backward_conditional_branch_is_a_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "loop.litmus"
    path.write_text(one_thread("", ["L:", "cmp $0,%rax", "je L"], "0:rax=0"))
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}:6:2: backward conditional branch `JE` (a loop)"
    )
