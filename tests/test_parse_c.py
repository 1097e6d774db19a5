"""The C dialect of litmus files: header, init, threads, statements, expressions, the
location-comparison atom, and errors with positions."""

from __future__ import annotations

import pytest

from memlitmus.errors import LitmusSyntaxError
from memlitmus.litmus.ast import Atom, InitEntry, LocEq, MemLoc, Not, Or, RegLoc
from memlitmus.litmus.c_ast import (
    CAddrOf,
    CAssign,
    CBinary,
    CBlock,
    CCall,
    CCast,
    CCond,
    CDecl,
    CDeref,
    CExprStmt,
    CIf,
    CNum,
    CParam,
    CThread,
    CUnary,
    CVar,
    CWhile,
)
from memlitmus.litmus.parse import parse_litmus

MP = """C MP+o
(* An OCaml comment before the init block, with (*nested*) parts. *)
{
	int *p=&x;
	y=x;
	atomic_t a = ATOMIC_INIT(1);
}

P0(int *x, int **p, spinlock_t *l, struct srcu_struct *s) // a C comment
{
	int r0 = 1;
	/* block\n\t   comment */
	WRITE_ONCE(*x, r0 + 2 * 3);
	r0 = (*p);
}

P1(int *x)
{
	int r1;
	int r2, *r3;

	r1 = READ_ONCE(*x);
	if (r1 == 1 && !r1)
		r2 = -r1;
	else {
		r2 = ~r1 ? 1 : 2;
	}
	while (r2 < 3) r2 = r2 + 1;
	r3 = (int *)&x;
}

locations [x; 0:r0]
filter (1:r1=0 \\/ 1:r1=1)
exists (0:r0=x /\\ ~1:r1=1:r2 \\/ [y]=[x])
"""


def _threads() -> tuple[CThread, ...]:
    threads = parse_litmus(MP, "mp.litmus").threads
    assert all(isinstance(t, CThread) for t in threads)
    return threads  # type: ignore[return-value]


def test_header_init_and_constraints() -> None:
    test = parse_litmus(MP, "mp.litmus")
    assert (test.arch, test.name) == ("C", "MP+o")
    assert [(e.loc, e.value, e.ctype) for e in test.init] == [
        (MemLoc("p"), "x", "int*"), (MemLoc("y"), "x", None), (MemLoc("a"), 1, "atomic_t"),
    ]
    assert all(isinstance(e, InitEntry) for e in test.init)
    assert test.locations == (MemLoc("x"), RegLoc(0, "r0"))
    assert isinstance(test.filter, Or)


def test_location_comparison_atom() -> None:
    prop = parse_litmus(MP, "mp.litmus").condition.prop
    assert isinstance(prop, Or)
    left, right = prop.left, prop.right
    assert isinstance(right, LocEq) and (right.left, right.right) == (MemLoc("y"), MemLoc("x"))
    first, negated = left.left, left.right  # type: ignore[union-attr]
    assert isinstance(first, Atom) and (first.loc, first.value) == (RegLoc(0, "r0"), "x")
    assert isinstance(negated, Not) and isinstance(negated.arg, LocEq)
    assert (negated.arg.left, negated.arg.right) == (RegLoc(1, "r1"), RegLoc(1, "r2"))


def test_parameters() -> None:
    p0 = _threads()[0]
    assert p0.proc == 0
    assert [(p.ctype, p.name) for p in p0.params] == [
        ("int *", "x"), ("int **", "p"), ("spinlock_t *", "l"), ("struct srcu_struct *", "s"),
    ]
    assert all(isinstance(p, CParam) for p in p0.params)


def test_statements_and_expressions() -> None:
    p0, p1 = _threads()
    decl, write, assign = p0.body
    assert isinstance(decl, CDecl) and (decl.name, decl.init) == ("r0", CNum(1, decl.init.span))  # type: ignore[union-attr]
    assert isinstance(write, CExprStmt) and isinstance(write.expr, CCall)
    call = write.expr
    assert call.name == "WRITE_ONCE" and isinstance(call.args[0], CDeref)
    value = call.args[1]
    assert isinstance(value, CBinary) and value.op == "+"
    assert isinstance(value.right, CBinary) and value.right.op == "*"  # precedence
    assert isinstance(assign, CExprStmt) and isinstance(assign.expr, CAssign)
    assert isinstance(assign.expr.value, CDeref)  # `(*p)` is code, not a comment
    decls = p1.body[1]
    assert isinstance(decls, CBlock) and [d.name for d in decls.stmts] == ["r2", "r3"]  # type: ignore[union-attr]
    cond = p1.body[3]
    assert isinstance(cond, CIf) and isinstance(cond.other, CBlock)
    assert isinstance(cond.cond, CBinary) and cond.cond.op == "&&"
    assert isinstance(cond.cond.right, CUnary) and cond.cond.right.op == "!"
    ternary = cond.other.stmts[0].expr.value  # type: ignore[union-attr]
    assert isinstance(ternary, CCond) and isinstance(ternary.cond, CUnary)
    assert isinstance(p1.body[4], CWhile)
    cast = p1.body[5].expr.value  # type: ignore[union-attr]
    assert isinstance(cast, CCast) and cast.ctype == "int *"
    assert isinstance(cast.arg, CAddrOf) and cast.arg.target == CVar("x", cast.arg.target.span)


def test_spans_are_file_positions() -> None:
    p0 = _threads()[0]
    assert (p0.span.line, p0.span.col) == (9, 1)
    write = p0.body[1]
    assert (write.span.line, write.span.col) == (14, 2)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("C t\n{}\nP0(int *x) { r0 = ; }\nexists (0:r0=0)\n", "unexpected `;`", 3),
        ("C t\n{}\nP0(int *x) { 1 = r0; }\nexists (0:r0=0)\n", "cannot assign", 3),
        ("C t\n{}\nP0(int *x) {}\nP0(int *y) {}\nexists (x=0)\n", "declared twice", 4),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str, line: int) -> None:
    with pytest.raises(LitmusSyntaxError) as info:
        parse_litmus(text, "bad.litmus")
    assert message in str(info.value)
    assert info.value.span is not None and info.value.span.line == line
