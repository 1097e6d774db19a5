"""Values known before solving (encode/value_sets.py) and the masks they make free."""

from __future__ import annotations

import z3

from memlitmus.arch.base import lower
from memlitmus.arch.registry import arch_of
from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.value_sets import read_value_sets
from memlitmus.events import AddrOf, BinOp, EventProgram
from memlitmus.litmus.parse import parse_litmus

TEXT = """\
X86_64 T
{ 1:rax=2; }
 P0             | P1                ;
 movl (x),%eax  | movq $-1,(y)      ;
 movl (y),%ebx  | xchgq (x),%rax    ;
 movl (z),%ecx  | addq %rax,(z)     ;
exists (0:rax=0)
"""


X, Y, Z = (str(AddrOf(name)) for name in "xyz")


def _program() -> EventProgram:
    test = parse_litmus(TEXT, "t.litmus")
    return lower(test, arch_of(test).front_end)


def test_reads_take_the_values_their_writes_may_store() -> None:
    program = _program()
    sets = read_value_sets(program)
    by_loc = {str(e.addr): sets[e.eid] for e in program.reads() if e.thread == 0}
    assert by_loc[X] == frozenset({0, 2})  # the init write, P1's exchange stores rax=2
    assert by_loc[Y] == frozenset({0, -1})
    # z: init 0, or 0 + what P1's exchange read from x (0, or nothing else): still known
    assert by_loc[Z] == frozenset({0})


def test_a_mask_no_value_needs_costs_no_bit_vector() -> None:
    program = _program()
    enc = ExecutionEncoding(program)
    eax = program.final_registers[(0, "rax")]
    ebx = program.final_registers[(0, "rbx")]
    assert isinstance(eax, BinOp) and eax.op == "&"  # movl keeps the low 32 bits...
    assert isinstance(enc.value_term(eax), z3.ArithRef)
    assert str(enc.value_term(eax)).startswith("v")  # ...but 0 and 2 fit: the read itself
    # -1 does not fit 32 bits: the mask stays, as a remainder (no bit vector either)
    assert str(enc.value_term(ebx)) == "v1%4294967296"
