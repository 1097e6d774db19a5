"""The litmus parser on the reference corpus and on hand-written files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus.errors import LitmusSyntaxError, MemlitmusError, Span
from memlitmus.litmus.ast import (
    And,
    AsmThread,
    Atom,
    Condition,
    Const,
    Imm,
    Implies,
    InitEntry,
    Instr,
    Label,
    LabelRef,
    LitmusTest,
    Mem,
    MemLoc,
    Not,
    Operand,
    Or,
    Prop,
    Reg,
    RegLoc,
)
from memlitmus.litmus.parse import load_litmus, parse_litmus

ROOT = Path(__file__).resolve().parents[1]
X86_CORPUS = ROOT / "../shared/corpus/x86"

# ---- the reference corpus -------------------------------------------------------------

PROC_ROW = re.compile(r"^[ \t]*P\d+(?:[ \t]*\|[ \t]*P\d+)*[ \t]*;", re.M)
CONSTRAINT_START = re.compile(r"^\s*(?:exists|~\s*exists|forall|locations|filter)", re.M)


@pytest.fixture(scope="module")
def x86_corpus() -> list[tuple[Path, str]]:
    if not X86_CORPUS.is_dir():
        pytest.skip("reference corpus ../shared/corpus not present")
    files = sorted(X86_CORPUS.rglob("*.litmus"))
    return [(path, path.read_text(encoding="utf-8")) for path in files]


def table_cells(text: str) -> tuple[list[int], list[int]]:
    """Independent oracle: thread numbers and non-empty cells per column, by splitting."""
    head = PROC_ROW.search(text)
    assert head is not None
    procs = [int(p.strip()[1:]) for p in head.group().rstrip().rstrip(";").split("|")]
    end = CONSTRAINT_START.search(text, head.end())
    assert end is not None
    counts = [0] * len(procs)
    for row in text[head.end() : end.start()].split(";"):
        for col, cell in enumerate(row.split("|")):
            if cell.strip():
                counts[col] += 1
    return procs, counts


def atoms(prop: Prop) -> list[Atom]:
    match prop:
        case Atom():
            return [prop]
        case Not(arg):
            return atoms(arg)
        case And(left, right) | Or(left, right) | Implies(left, right):
            return atoms(left) + atoms(right)
        case _:
            return []


def test_whole_x86_corpus_parses(x86_corpus: list[tuple[Path, str]]) -> None:
    assert len(x86_corpus) >= 2201
    for path, text in x86_corpus:
        test = parse_litmus(text, str(path))
        arch, name = text.split(None, 2)[:2]
        assert (test.arch, test.name) == (arch, name), path
        procs, cells = table_cells(text)
        assert [t.proc for t in test.threads] == procs, path
        assert [len(t.code) for t in test.threads] == cells, path
        assert test.condition.quantifier in ("exists", "~exists", "forall"), path
        condition_text = text[CONSTRAINT_START.search(text).start() :]  # type: ignore[union-attr]
        assert len(atoms(test.condition.prop)) == condition_text.count("="), path


def test_corpus_spans_point_at_their_text(x86_corpus: list[tuple[Path, str]]) -> None:
    for path, text in x86_corpus[::7]:
        test = parse_litmus(text, str(path))
        lines = text.splitlines()
        for thread in test.threads:
            for stmt in thread.code:
                assert isinstance(stmt, Instr)
                at = lines[stmt.span.line - 1][stmt.span.col - 1 :]
                assert at.upper().startswith(stmt.mnemonic), (path, stmt)
        for atom in atoms(test.condition.prop):
            at = lines[atom.span.line - 1][atom.span.col - 1 :].lstrip("[")
            loc = atom.loc
            expected = f"{loc.thread}:{loc.reg}" if isinstance(loc, RegLoc) else loc.name
            assert at.startswith(expected), (path, atom)


def test_corpus_att_operands_are_normalised(x86_corpus: list[tuple[Path, str]]) -> None:
    for path, text in x86_corpus:
        if not text.startswith("X86_64"):
            continue
        for thread in parse_litmus(text, str(path)).threads:
            for stmt in thread.code:
                assert isinstance(stmt, Instr)
                assert stmt.mnemonic == stmt.mnemonic.upper()
                for op in stmt.operands:
                    assert not (isinstance(op, Reg) and op.name.startswith("%"))
                if stmt.mnemonic.startswith("MOV") and len(stmt.operands) == 2:
                    # AT&T `movq $1,(x)` → destination first
                    assert not isinstance(stmt.operands[0], Imm), (path, stmt)


# ---- golden ASTs ----------------------------------------------------------------------

SB_INTEL = """\
X86 SB
"Fre PodWR Fre PodWR"
Cycle=Fre PodWR Fre PodWR
Prefetch=0:x=F,0:y=T,1:y=F,1:x=T
{
x=0; y=0;
}
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""


def s(line: int, col: int, file: str = "sb.litmus") -> Span:
    return Span(file, line, col)


def test_sb_intel_golden() -> None:
    expected = LitmusTest(
        arch="X86",
        name="SB",
        file="sb.litmus",
        doc="Fre PodWR Fre PodWR",
        metadata={"Cycle": "Fre PodWR Fre PodWR", "Prefetch": "0:x=F,0:y=T,1:y=F,1:x=T"},
        init=(
            InitEntry(MemLoc("x"), 0, None, s(6, 1)),
            InitEntry(MemLoc("y"), 0, None, s(6, 6)),
        ),
        threads=(
            AsmThread(
                0,
                (
                    Instr("MOV", (Mem(symbol="x"), Imm(1)), s(9, 2)),
                    Instr("MOV", (Reg("EAX"), Mem(symbol="y")), s(10, 2)),
                ),
                s(8, 2),
            ),
            AsmThread(
                1,
                (
                    Instr("MOV", (Mem(symbol="y"), Imm(1)), s(9, 16)),
                    Instr("MOV", (Reg("EAX"), Mem(symbol="x")), s(10, 16)),
                ),
                s(8, 16),
            ),
        ),
        locations=(),
        filter=None,
        condition=Condition(
            "exists",
            And(Atom(RegLoc(0, "EAX"), 0, s(11, 9)), Atom(RegLoc(1, "EAX"), 0, s(11, 20))),
            s(11, 1),
        ),
        span=s(1, 1),
    )
    assert parse_litmus(SB_INTEL, "sb.litmus") == expected


SB_ATT = """\
X86_64 SB
"Fre PodWR Fre PodWR"
Align=
{
uint64_t y; uint64_t x; uint64_t 1:rax; uint64_t 0:rax;

}
 P0            | P1            ;
 movl $1,(x)   | movl $1,(y)   ;
 movl (y),%eax | movl (x),%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""


def test_sb_att_golden() -> None:
    test = parse_litmus(SB_ATT, "sb.litmus")
    assert (test.arch, test.name, test.doc) == ("X86_64", "SB", "Fre PodWR Fre PodWR")
    assert test.metadata == {"Align": ""}
    assert test.init == (
        InitEntry(MemLoc("y"), None, "uint64_t", s(5, 1)),
        InitEntry(MemLoc("x"), None, "uint64_t", s(5, 13)),
        InitEntry(RegLoc(1, "rax"), None, "uint64_t", s(5, 25)),
        InitEntry(RegLoc(0, "rax"), None, "uint64_t", s(5, 41)),
    )
    assert test.threads == (
        AsmThread(
            0,
            (
                Instr("MOVL", (Mem(symbol="x"), Imm(1)), s(9, 2)),
                Instr("MOVL", (Reg("eax"), Mem(symbol="y")), s(10, 2)),
            ),
            s(8, 2),
        ),
        AsmThread(
            1,
            (
                Instr("MOVL", (Mem(symbol="y"), Imm(1)), s(9, 18)),
                Instr("MOVL", (Reg("eax"), Mem(symbol="x")), s(10, 18)),
            ),
            s(8, 18),
        ),
    )
    assert test.condition == Condition(
        "exists",
        And(Atom(RegLoc(0, "rax"), 0, s(11, 9)), Atom(RegLoc(1, "rax"), 0, s(11, 20))),
        s(11, 1),
    )


@pytest.mark.parametrize(
    ("arch", "rows"),
    [
        ("X86", [" MOV [x],$1 | MOV EAX,[y] ;", " MOV [y],$1 | MOV EBX,[x] ;"]),
        ("X86_64", [" movq $1,(x) | movq (y),%rax ;", " movq $1,(y) | movq (x),%rbx ;"]),
    ],
)
def test_mp_in_both_syntaxes(arch: str, rows: list[str]) -> None:
    text = "\n".join([f"{arch} MP", "{ }", " P0 | P1 ;", *rows, "exists (1:r=1 /\\ 1:s=0)"])
    threads = parse_litmus(text, "mp.litmus").threads
    suffix = "Q" if arch == "X86_64" else ""
    store, load = f"MOV{suffix}", f"MOV{suffix}"
    assert [[(i.mnemonic, i.operands) for i in t.code] for t in threads] == [  # type: ignore[union-attr]
        [(store, (Mem(symbol="x"), Imm(1))), (store, (Mem(symbol="y"), Imm(1)))],
        [
            (load, (Reg("EAX" if arch == "X86" else "rax"), Mem(symbol="y"))),
            (load, (Reg("EBX" if arch == "X86" else "rbx"), Mem(symbol="x"))),
        ],
    ]


# ---- instruction syntax ---------------------------------------------------------------


def one_instr(arch: str, instr: str) -> Instr:
    text = f"{arch} T\n{{}}\n P0 ;\n {instr} ;\nexists (x=0)\n"
    (thread,) = parse_litmus(text, "t.litmus").threads
    (stmt,) = thread.code
    assert isinstance(stmt, Instr)
    assert stmt.span == Span("t.litmus", 4, 2)
    return stmt


ATT_CASES: list[tuple[str, str, tuple[Operand, ...]]] = [
    ("movq $1,(x)", "MOVQ", (Mem(symbol="x"), Imm(1))),
    ("movl (y),%eax", "MOVL", (Reg("eax"), Mem(symbol="y"))),
    ("movq (z),%rax", "MOVQ", (Reg("rax"), Mem(symbol="z"))),
    ("movq %rax,(x)", "MOVQ", (Mem(symbol="x"), Reg("rax"))),
    ("movq $x,%rax", "MOVQ", (Reg("rax"), Imm("x"))),
    ("movq (%rax),%rbx", "MOVQ", (Reg("rbx"), Mem(base="rax"))),
    ("mfence", "MFENCE", ()),
    ("xchgq %rax,(x)", "XCHGQ", (Mem(symbol="x"), Reg("rax"))),
    ("xchgl (z),%eax", "XCHGL", (Reg("eax"), Mem(symbol="z"))),
    ("lock addq $1,(x)", "LOCK ADDQ", (Mem(symbol="x"), Imm(1))),
    ("LOCK ADDQ $1,(x)", "LOCK ADDQ", (Mem(symbol="x"), Imm(1))),
    ("lock cmpxchgq %rbx,(x)", "LOCK CMPXCHGQ", (Mem(symbol="x"), Reg("rbx"))),
    ("cmpq $1,%rax", "CMPQ", (Reg("rax"), Imm(1))),
    ("je L0", "JE", (LabelRef("L0"),)),
    ("jne L0", "JNE", (LabelRef("L0"),)),
    ("jmp L0", "JMP", (LabelRef("L0"),)),
    ("movq 8(%rax),%rbx", "MOVQ", (Reg("rbx"), Mem(base="rax", offset=8))),
    ("movq -8(%rax),%rbx", "MOVQ", (Reg("rbx"), Mem(base="rax", offset=-8))),
    ("movq x(%rip),%rax", "MOVQ", (Reg("rax"), Mem(symbol="x"))),
    ("movq x(%rax),%rbx", "MOVQ", (Reg("rbx"), Mem(symbol="x", base="rax"))),
    ("movq (%rax,%rbx),%rcx", "MOVQ", (Reg("rcx"), Mem(base="rax", index="rbx"))),
    ("movq (%rax,%rbx,1),%rcx", "MOVQ", (Reg("rcx"), Mem(base="rax", index="rbx"))),
    ("movq ( x ),%rcx", "MOVQ", (Reg("rcx"), Mem(symbol="x"))),
    ("movl $0x10,(x)", "MOVL", (Mem(symbol="x"), Imm(16))),
    ("movl $-1,(x)", "MOVL", (Mem(symbol="x"), Imm(-1))),
    ("movl %r8d,(x)", "MOVL", (Mem(symbol="x"), Reg("r8d"))),
    ("movl %R8D,(x)", "MOVL", (Mem(symbol="x"), Reg("R8D"))),
]


@pytest.mark.parametrize(("text", "mnemonic", "operands"), ATT_CASES)
def test_att_syntax_is_normalised(text: str, mnemonic: str, operands: tuple[Operand, ...]) -> None:
    instr = one_instr("X86_64", text)
    assert (instr.mnemonic, instr.operands) == (mnemonic, operands)


INTEL_CASES: list[tuple[str, str, tuple[Operand, ...]]] = [
    ("MOV [x],$1", "MOV", (Mem(symbol="x"), Imm(1))),
    ("MOV EAX,[y]", "MOV", (Reg("EAX"), Mem(symbol="y"))),
    ("MOV [x],EAX", "MOV", (Mem(symbol="x"), Reg("EAX"))),
    ("MOV EAX,$1", "MOV", (Reg("EAX"), Imm(1))),
    ("MOV EAX,1", "MOV", (Reg("EAX"), Imm(1))),
    ("MOV EAX,EBX", "MOV", (Reg("EAX"), Reg("EBX"))),
    ("MOV EAX,[EBX]", "MOV", (Reg("EAX"), Mem(base="EBX"))),
    ("MOV EAX,[x+EBX]", "MOV", (Reg("EAX"), Mem(symbol="x", base="EBX"))),
    ("MOV EAX,[EBX+4]", "MOV", (Reg("EAX"), Mem(base="EBX", offset=4))),
    ("MOV EAX,[EBX-4]", "MOV", (Reg("EAX"), Mem(base="EBX", offset=-4))),
    ("MOV EAX,[EBX+ECX]", "MOV", (Reg("EAX"), Mem(base="EBX", index="ECX"))),
    ("MFENCE", "MFENCE", ()),
    ("LFENCE", "LFENCE", ()),
    ("SFENCE", "SFENCE", ()),
    ("XCHG [x],EAX", "XCHG", (Mem(symbol="x"), Reg("EAX"))),
    ("LOCK ADD [x],$1", "LOCK ADD", (Mem(symbol="x"), Imm(1))),
    ("lock add [x],$1", "LOCK ADD", (Mem(symbol="x"), Imm(1))),
    ("LOCK XADD [x],EAX", "LOCK XADD", (Mem(symbol="x"), Reg("EAX"))),
    ("LOCK CMPXCHG [x],EBX", "LOCK CMPXCHG", (Mem(symbol="x"), Reg("EBX"))),
    ("LOCK INC [x]", "LOCK INC", (Mem(symbol="x"),)),
    ("CMP EAX,$1", "CMP", (Reg("EAX"), Imm(1))),
    ("JE L0", "JE", (LabelRef("L0"),)),
    ("JNE L0", "JNE", (LabelRef("L0"),)),
    ("JMP L0", "JMP", (LabelRef("L0"),)),
    ("MOV [x],$-1", "MOV", (Mem(symbol="x"), Imm(-1))),
    ("MOV [x],$0x10", "MOV", (Mem(symbol="x"), Imm(16))),
    ("MOV EAX,$x", "MOV", (Reg("EAX"), Imm("x"))),
    ("mov eax,[y]", "MOV", (Reg("eax"), Mem(symbol="y"))),
    ("FOO [x],$1,EAX", "FOO", (Mem(symbol="x"), Imm(1), Reg("EAX"))),
]


@pytest.mark.parametrize(("text", "mnemonic", "operands"), INTEL_CASES)
def test_intel_syntax(text: str, mnemonic: str, operands: tuple[Operand, ...]) -> None:
    instr = one_instr("X86", text)
    assert (instr.mnemonic, instr.operands) == (mnemonic, operands)


def test_labels_and_branches() -> None:
    text = """\
X86 L
{ }
 P0          | P1             ;
 L0:         | MOV EAX,[x]    ;
 MOV EAX,[x] | L1: CMP EAX,$1 ;
 CMP EAX,$0  | JNE L1         ;
 JE L0       |                ;
exists (0:EAX=1)
"""
    t0, t1 = parse_litmus(text, "l.litmus").threads
    f = "l.litmus"
    assert t0.code == (
        Label("L0", Span(f, 4, 2)),
        Instr("MOV", (Reg("EAX"), Mem(symbol="x")), Span(f, 5, 2)),
        Instr("CMP", (Reg("EAX"), Imm(0)), Span(f, 6, 2)),
        Instr("JE", (LabelRef("L0"),), Span(f, 7, 2)),
    )
    assert t1.code == (
        Instr("MOV", (Reg("EAX"), Mem(symbol="x")), Span(f, 4, 16)),
        Label("L1", Span(f, 5, 16)),
        Instr("CMP", (Reg("EAX"), Imm(1)), Span(f, 5, 20)),
        Instr("JNE", (LabelRef("L1"),), Span(f, 6, 16)),
    )


def test_short_threads_and_empty_rows() -> None:
    text = "X86 T\n{}\n; P0 | P1 | P2 ;\n MFENCE | | ;\n | | ;\n | MFENCE | ;\nexists (x=0)\n"
    threads = parse_litmus(text, "t.litmus").threads
    assert [t.proc for t in threads] == [0, 1, 2]
    assert [len(t.code) for t in threads] == [1, 1, 0]


def test_a_row_narrower_than_the_header_is_rejected() -> None:
    # herd: "mismatch in instruction lines" (lib/genParser.ml transposes rows to columns)
    text = "X86 T\n{}\n; P0 | P1 | P2 ;\n MFENCE | | ;\n | MFENCE ;\nexists (x=0)\n"
    with pytest.raises(LitmusSyntaxError, match="mismatch in instruction lines: this row "
                       "has 2 cells, the header row names 3 threads"):
        parse_litmus(text, "t.litmus")


def test_threads_out_of_order_are_refused_as_herd_does() -> None:
    # herd's lib/genParser.ml check_procs: the header must read P0, P1, ... in order
    text = "X86 T\n{}\n P1 | P0 ;\n MFENCE | LFENCE ;\nexists (x=0)\n"
    with pytest.raises(MemlitmusError, match=r"Processes must be P0, P1, \.\.\.: thread 0 is"):
        parse_litmus(text, "t.litmus")


# ---- conditions -----------------------------------------------------------------------


def condition(text: str) -> Condition:
    # three threads: a condition may only name registers of the test's threads
    code = " P0 | P1 | P2 ;\n MFENCE | MFENCE | MFENCE ;"
    return parse_litmus(f"X86 T\n{{}}\n{code}\n{text}\n", "c.litmus").condition


def shape(prop: Prop) -> str:
    """A compact rendering: atoms by their location name, operators as functions."""
    match prop:
        case Atom(loc, value, _, negated):
            name = loc.name if isinstance(loc, MemLoc) else f"{loc.thread}:{loc.reg}"
            return f"{name}{'!=' if negated else '='}{value}"
        case Const(value):
            return str(value).lower()
        case Not(arg):
            return f"~{shape(arg)}"
        case And(left, right):
            return f"and({shape(left)},{shape(right)})"
        case Or(left, right):
            return f"or({shape(left)},{shape(right)})"
        case Implies(left, right):
            return f"imp({shape(left)},{shape(right)})"
    raise AssertionError(prop)


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("a=1 /\\ b=2 /\\ c=3", "and(and(a=1,b=2),c=3)"),
        ("a=1 \\/ b=2 \\/ c=3", "or(or(a=1,b=2),c=3)"),
        ("a=1 /\\ b=2 \\/ c=3", "or(and(a=1,b=2),c=3)"),
        ("a=1 \\/ b=2 /\\ c=3", "or(a=1,and(b=2,c=3))"),
        ("~a=1 /\\ b=2", "and(~a=1,b=2)"),
        ("not a=1 \\/ b=2", "or(~a=1,b=2)"),
        ("not (a=1 \\/ b=2)", "~or(a=1,b=2)"),
        ("~~a=1", "~~a=1"),
        ("a=1 => b=2 => c=3", "imp(a=1,imp(b=2,c=3))"),
        # herd's precedence (stateParser.mly): `=>` binds tighter than `/\` and `\/`
        ("a=1 /\\ b=2 => c=3", "and(a=1,imp(b=2,c=3))"),
        ("a=1 => b=2 /\\ c=3", "and(imp(a=1,b=2),c=3)"),
        ("a=1 => b=2 \\/ c=3", "or(imp(a=1,b=2),c=3)"),
        ("~a=1 => b=2", "imp(~a=1,b=2)"),
        ("(a=1 => b=2) /\\ true", "and(imp(a=1,b=2),true)"),
        ("false \\/ (true)", "or(false,true)"),
        ("a!=1 /\\ b<>2", "and(a!=1,b!=2)"),
        ("[a]=1 /\\ [ b ] == 2", "and(a=1,b=2)"),
        ("0:EAX=x /\\ 1:rax=-1 /\\ a=0x10", "and(and(0:EAX=x,1:rax=-1),a=16)"),
        ("0 : EAX = 1", "0:EAX=1"),
        ("a\n=\n1 /\\ 0\n:EAX=1", "and(a=1,0:EAX=1)"),  # the unfused path
        ("a\n!=\nb", "a!=b"),
    ],
)
def test_proposition_syntax_and_precedence(prop: str, expected: str) -> None:
    assert shape(condition(f"exists ({prop})").prop) == expected
    assert shape(condition(f"exists {prop}").prop) == expected


@pytest.mark.parametrize(
    ("text", "quantifier"),
    [
        ("exists (x=1)", "exists"),
        ("~exists (x=1)", "~exists"),
        ("~ exists (x=1)", "~exists"),
        ("not exists (x=1)", "~exists"),
        ("forall (x=1)", "forall"),
        ("final (x=1)", "exists"),
        ("exists (x=1);", "exists"),
        ("exists\n(x=1)", "exists"),
    ],
)
def test_quantifiers(text: str, quantifier: str) -> None:
    cond = condition(text)
    assert cond.quantifier == quantifier
    assert cond.span == Span("c.litmus", 5, 1)


def test_deeply_nested_condition_from_the_corpus() -> None:
    text = (
        "exists (not (x=1 /\\ (1:rax=0 /\\ (2:rax=0 /\\ (y=2 \\/ y=1) \\/ 2:rax=1 /\\ "
        "(y=1 \\/ y=2)) \\/ 1:rax=1 /\\ (2:rax=0 /\\ (y=1 \\/ y=2) \\/ 2:rax=1 /\\ "
        "(y=2 \\/ y=1)))))"
    )
    prop = condition(text).prop
    assert isinstance(prop, Not) and isinstance(prop.arg, And)
    assert len(atoms(prop)) == 15
    assert shape(prop.arg.left) == "x=1"


def test_atom_spans() -> None:
    cond = condition("exists ([x]=1 /\\\n  0:EAX=2)")
    a, b = atoms(cond.prop)
    assert (a.span, b.span) == (Span("c.litmus", 5, 9), Span("c.litmus", 6, 3))


def test_locations_and_filter() -> None:
    text = "X86 T\n{}\n P0 ;\n MFENCE ;\nlocations [x; 0:EAX; [y];]\nfilter (0:EAX=1)\n"
    test = parse_litmus(text + "~exists (x=2)\n", "t.litmus")
    assert test.locations == (MemLoc("x"), RegLoc(0, "EAX"), MemLoc("y"))
    assert test.filter is not None and shape(test.filter) == "0:EAX=1"
    assert test.condition.quantifier == "~exists"
    empty = parse_litmus("X86 T\n{}\n P0 ;\n MFENCE ;\nlocations []\nexists (x=2)", "t")
    assert empty.locations == () and empty.filter is None


def test_missing_condition_is_forall_true_as_in_herd() -> None:
    for tail in ("", "locations [x;]\n"):
        test = parse_litmus("X86 T\n{}\n P0 ;\n MFENCE ;\n" + tail, "t.litmus")
        assert test.condition.quantifier == "forall"
        assert test.condition.prop == Const(True)


# ---- header, metadata, init, comments ---------------------------------------------------


def test_free_text_before_init_is_skipped_as_in_herd() -> None:
    text = 'C rwsem\nC rwsem again\n"a doc"\nKey=v\nsome words (* c *)\n{ x=1; }\n'
    text += "P0(int *x) { WRITE_ONCE(*x, 2); }\nexists (x=2)\n"
    test = parse_litmus(text, "f.litmus")
    assert test.name == "rwsem"
    assert test.metadata == {"Key": "v"}
    assert test.condition.span == Span("f.litmus", 8, 1)


def test_metadata_values_keep_everything_after_the_first_equal() -> None:
    text = (
        "X86 2+2W+mfence+po\n"
        "Prefetch=0:x=F,0:y=W\n"
        "Com=Rf Co Fr\n"
        "Align=\n"
        "Key = spaced value \n"
        "Weird=a=b=c\n"
        "\n"
        "Orig=PodWW Rfe\n"
        "{ }\n P0 ;\n MFENCE ;\nexists (x=0)\n"
    )
    test = parse_litmus(text, "m.litmus")
    assert test.name == "2+2W+mfence+po"
    assert test.doc is None
    assert test.metadata == {
        "Prefetch": "0:x=F,0:y=W",
        "Com": "Rf Co Fr",
        "Align": "",
        "Key": "spaced value",
        "Weird": "a=b=c",
        "Orig": "PodWW Rfe",
    }


def test_init_forms() -> None:
    text = """\
X86_64 T
{
x=1; 0:EAX=x; [z]=-3;;
int y=2; uint64_t w;
  uint64_t 2:rax; int64_t a=0x10; char c; int *p=&x;

uint32_t b = 7; atomic_t v = ATOMIC_INIT(3)
}
 P0     | P1     | P2     ;
 mfence | mfence | mfence ;
exists (x=0)
"""
    init = parse_litmus(text, "i.litmus").init
    assert [(e.loc, e.value, e.ctype) for e in init] == [
        (MemLoc("x"), 1, None),
        (RegLoc(0, "EAX"), "x", None),
        (MemLoc("z"), -3, None),
        (MemLoc("y"), 2, "int"),
        (MemLoc("w"), None, "uint64_t"),
        (RegLoc(2, "rax"), None, "uint64_t"),
        (MemLoc("a"), 16, "int64_t"),
        (MemLoc("c"), None, "char"),
        (MemLoc("p"), "x", "int*"),
        (MemLoc("b"), 7, "uint32_t"),
        (MemLoc("v"), 3, "atomic_t"),
    ]
    assert [e.span for e in init[:4]] == [
        Span("i.litmus", 3, 1),
        Span("i.litmus", 3, 6),
        Span("i.litmus", 3, 15),
        Span("i.litmus", 4, 1),
    ]
    assert init[5].span == Span("i.litmus", 5, 3)


def test_comments_anywhere_keep_positions() -> None:
    text = """\
(* leading (* nested *) comment *)
X86 SB (* after the name *)
"doc with a { brace"
Cycle=Fre (* not a comment here: metadata runs to the end of the line *)
{ x=0; (* in init *) y=0; }
(* before the table *)
 P0          | P1          ;
 MOV [x],$1  | (* c *) MOV [y],$1 ;
 (* a whole line *)
 MOV EAX,[y] | MOV EAX,[x] ;
(* before the condition *) exists (* inside *) (0:EAX=0 /\\ (* here *) 1:EAX=0)
(* trailing *)
"""
    test = parse_litmus(text, "c.litmus")
    assert test.span == Span("c.litmus", 2, 1)
    assert test.doc == "doc with a { brace"
    assert test.metadata["Cycle"].startswith("Fre (* not a comment")
    assert [e.loc for e in test.init] == [MemLoc("x"), MemLoc("y")]
    t0, t1 = test.threads
    assert [i.span for i in t1.code] == [Span("c.litmus", 8, 24), Span("c.litmus", 10, 16)]
    assert [i.span for i in t0.code] == [Span("c.litmus", 8, 2), Span("c.litmus", 10, 2)]
    assert test.condition.span == Span("c.litmus", 11, 28)
    assert [a.span.col for a in atoms(test.condition.prop)] == [49, 71]


def test_tabs_count_as_one_column() -> None:
    text = "X86\tT\n{\tx=1;\t}\n\tP0\t|\tP1\t;\n\tMFENCE\t|\tMOV [x],$1\t;\nexists\t(x=1)\n"
    test = parse_litmus(text, "t.litmus")
    assert test.init[0].span == Span("t.litmus", 2, 3)
    assert [t.code[0].span for t in test.threads] == [
        Span("t.litmus", 4, 2),
        Span("t.litmus", 4, 11),
    ]
    assert test.condition.prop.span == Span("t.litmus", 5, 9)  # type: ignore[union-attr]


def test_crlf_line_endings() -> None:
    test = parse_litmus(SB_INTEL.replace("\n", "\r\n"), "sb.litmus")
    assert test.metadata["Cycle"] == "Fre PodWR Fre PodWR"
    assert test.threads[1].code[1].span == Span("sb.litmus", 10, 16)


def test_load_litmus_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "SB.litmus"
    path.write_bytes(b"\xef\xbb\xbf" + SB_ATT.encode())  # with a byte-order mark
    test = load_litmus(path)
    assert test.file == str(path)
    assert test.source.startswith("X86_64 SB")
    assert test.threads[0].span == Span(str(path), 8, 2)
