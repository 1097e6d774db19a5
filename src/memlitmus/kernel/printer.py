"""`memlitmus lower`: a kernel C test printed as the X86_64 or AArch64 litmus test the
kernel's mapping makes of it, for anyone to check with herd7.

Each primitive call prints its table line (`kernel.tables`) with the placeholders bound
to registers; C locals and parameters get registers of their own (parameters and `&x`
are initialised to the location's address in the init block); plain accesses print as
MOV/LDR/STR; `if` prints as a compare and a forward branch. What herd's syntax cannot
express is refused with the construct's position: a grace period (its remote fences sit
in other threads at points the solver chooses), loops, and values this small compiler
does not compute (comparisons as values, `&&`, `||`, `?:`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.errors import ModelError, Span, UnsupportedError
from memlitmus.kernel.grace import is_grace_period
from memlitmus.kernel.lowering import KERNEL_LOWERINGS
from memlitmus.kernel.tables import GRACE_PERIOD, KEEP, Mapping
from memlitmus.kernel.templates import AARCH64_NAME, PLACEHOLDERS, X86_64_NAME, instantiate
from memlitmus.litmus.ast import (
    And,
    Atom,
    Condition,
    Implies,
    LitmusTest,
    LocEq,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
)
from memlitmus.litmus.c_ast import (
    CAddrOf,
    CAssign,
    CBinary,
    CBlock,
    CCall,
    CCast,
    CDecl,
    CDeref,
    CExpr,
    CExprStmt,
    CIf,
    CNum,
    CStmt,
    CThread,
    CUnary,
    CVar,
)
from memlitmus.litmus.names import condition_text

POOLS = {
    X86_64_NAME: ["%rbx", "%rsi", "%rdi", "%rbp", "%r12", "%r13", "%r14", "%r15"],
    AARCH64_NAME: [f"X{i}" for i in (*range(0, 9), *range(16, 29))],
}
_X86_OPS = {"+": "addq", "-": "subq", "&": "andq", "|": "orq", "^": "xorq"}
_A64_OPS = {"+": "ADD", "-": "SUB", "&": "AND", "|": "ORR", "^": "EOR"}


def lower(test: LitmusTest, arch: str, mapping: str | None = None) -> str:
    """`memlitmus lower FILE --arch ARCH [--mapping M]`: ARCH is a kernel mapping whose
    architecture prints it (`x86`, `arm64`), M another table of that architecture
    (`arm64-llsc`)."""
    for lowering in KERNEL_LOWERINGS.values():
        tables = lowering.hardware.kernel_mapping or {}
        if arch in tables and lowering.hardware.name in POOLS:
            if mapping is not None and mapping not in tables:
                raise ModelError(f"the {arch} architecture has no kernel mapping `{mapping}` "
                                 f"(it has: {', '.join(tables)})")
            return lower_text(test, lowering.mapping_for(mapping or arch),
                              lowering.hardware.name)
    known = [n for lw in KERNEL_LOWERINGS.values() if lw.hardware.name in POOLS
             for n in list(lw.hardware.kernel_mapping or {})[:1]]
    raise ModelError(f"unknown architecture `{arch}` for `lower` (known: {', '.join(known)})")


def lower_text(test: LitmusTest, table: Mapping, asm: str) -> str:
    """The litmus text of `test` lowered through `table`, written in `asm`'s syntax."""
    threads = [ThreadPrinter(table, asm, t) for t in test.threads if isinstance(t, CThread)]
    if len(threads) != len(test.threads) or not threads:
        raise UnsupportedError("`lower` takes a C test", test.span)
    for printer in threads:
        printer.run()
    return _assemble(test, asm, threads)


@dataclass
class ThreadPrinter:
    """The code of one C thread as assembly lines."""

    table: Mapping
    asm: str
    thread: CThread
    lines: list[str] = field(default_factory=list)
    regs: dict[str, str] = field(default_factory=dict)  # C name -> register
    pointers: dict[str, str] = field(default_factory=dict)  # location -> register
    free: list[str] = field(default_factory=list)
    _labels: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.free = list(POOLS[self.asm])
        self.fixed = PLACEHOLDERS[self.asm]

    @property
    def x86(self) -> bool:
        return self.asm == X86_64_NAME

    def run(self) -> None:
        for param in self.thread.params:
            self.regs[param.name] = self.pointer(param.name, param.span)
        for stmt in self.thread.body:
            self.stmt(stmt)

    # ---- registers -----------------------------------------------------------------

    def fresh(self, span: Span) -> str:
        if not self.free:
            raise UnsupportedError("too many values for the registers `lower` uses", span)
        return self.free.pop(0)

    def pointer(self, location: str, span: Span) -> str:
        """A register initialised to the address of `location`."""
        if location not in self.pointers:
            self.pointers[location] = self.fresh(span)
        return self.pointers[location]

    def local(self, name: str, span: Span) -> str:
        if name not in self.regs:
            self.regs[name] = self.fresh(span)
        return self.regs[name]

    def label(self) -> str:
        return f"L{self.thread.proc}x{next(self._labels)}"

    # ---- instructions --------------------------------------------------------------

    def emit(self, text: str) -> None:
        self.lines.append(text)

    def move(self, dst: str, src: str) -> None:
        """dst := src (a register or an immediate `$n` / `#n`)."""
        if dst != src:
            self.emit(f"movq {src},{dst}" if self.x86 else f"MOV {dst},{src}")

    def imm(self, value: int) -> str:
        return f"${value}" if self.x86 else f"#{value}"

    def in_register(self, operand: str, span: Span) -> str:
        if operand.startswith(("$", "#")):
            reg = self.fresh(span)
            self.move(reg, operand)
            return reg
        return operand

    def load(self, dst: str, addr: str) -> None:
        self.emit(f"movq ({addr}),{dst}" if self.x86 else f"LDR {dst},[{addr}]")

    def store(self, src: str, addr: str) -> None:
        self.emit(f"movq {src},({addr})" if self.x86 else f"STR {src},[{addr}]")

    def arith(self, op: str, dst: str, left: str, right: str, span: Span) -> None:
        """dst := left op right."""
        if self.x86:
            self.move(dst, left)
            self.emit(f"{_X86_OPS[op]} {right},{dst}")
        else:
            self.emit(f"{_A64_OPS[op]} {dst},{self.in_register(left, span)},{right}")

    # ---- statements ----------------------------------------------------------------

    def stmt(self, stmt: CStmt) -> None:
        if isinstance(stmt, CDecl):
            reg = self.local(stmt.name, stmt.span)
            if stmt.init is not None:
                self.move(reg, self.expr(stmt.init, reg))
        elif isinstance(stmt, CExprStmt):
            self.expr(stmt.expr)
        elif isinstance(stmt, CBlock):
            for inner in stmt.stmts:
                self.stmt(inner)
        elif isinstance(stmt, CIf):
            self.if_(stmt)
        else:
            raise UnsupportedError("`lower` does not print loops (herd unrolls them on its "
                                   "own: write the iterations out)", stmt.span)

    def if_(self, stmt: CIf) -> None:
        other, end = self.label(), self.label()
        self.branch_unless(stmt.cond, other)
        self.stmt(stmt.then)
        if stmt.other is not None:
            self.emit(f"jmp {end}" if self.x86 else f"B {end}")
        self.emit(f"{other}:")
        if stmt.other is not None:
            self.stmt(stmt.other)
            self.emit(f"{end}:")

    def branch_unless(self, cond: CExpr, target: str) -> None:
        """Jump to `target` when `cond` is false."""
        negate = False
        while isinstance(cond, CUnary) and cond.op == "!":
            cond, negate = cond.arg, not negate
        if isinstance(cond, CBinary) and cond.op in ("==", "!="):
            left = self.in_register(self.expr(cond.left), cond.span)
            right = self.expr(cond.right)
            equal_is_true = (cond.op == "==") != negate
        else:
            left, right = self.in_register(self.expr(cond), cond.span), self.imm(0)
            equal_is_true = negate  # `e` is true when e != 0
        # branch away when the condition is false
        if self.x86:
            self.emit(f"cmpq {right},{left}")
            self.emit(f"{'jne' if equal_is_true else 'je'} {target}")
        else:
            self.emit(f"CMP {left},{right}")
            self.emit(f"{'B.NE' if equal_is_true else 'B.EQ'} {target}")

    # ---- expressions: the operand holding the value ---------------------------------

    def expr(self, e: CExpr, dest: str | None = None) -> str:
        """The operand holding e's value; a new value goes to `dest` when given."""
        if isinstance(e, CNum):
            return self.imm(e.value)
        if isinstance(e, CVar):
            if e.name not in self.regs:
                raise UnsupportedError(f"unknown variable `{e.name}`", e.span)
            return self.regs[e.name]
        if isinstance(e, CCast):
            return self.expr(e.arg)
        if isinstance(e, CAddrOf) and isinstance(e.target, CVar):
            return self.pointer(e.target.name, e.span)
        if isinstance(e, CAddrOf) and isinstance(e.target, CDeref):
            return self.expr(e.target.pointer)
        if isinstance(e, CDeref):
            addr = self.in_register(self.expr(e.pointer), e.span)
            dst = dest or self.fresh(e.span)
            self.load(dst, addr)
            return dst
        if isinstance(e, CAssign):
            return self.assign(e)
        if isinstance(e, CBinary) and e.op in _X86_OPS:
            left, right = self.expr(e.left), self.expr(e.right)
            dst = dest if dest is not None and dest != right else self.fresh(e.span)
            self.arith(e.op, dst, left, right, e.span)
            return dst
        if isinstance(e, CCall):
            return self.call(e, dest)
        raise UnsupportedError("`lower` cannot print this expression as a value "
                               "(comparisons, `!`, `&&`, `||` and `?:` only as an `if` "
                               "condition)", e.span)

    def assign(self, e: CAssign) -> str:
        if isinstance(e.target, CVar):
            reg = self.local(e.target.name, e.span)
            self.move(reg, self.expr(e.value, reg))
            return reg
        value = self.expr(e.value)
        assert isinstance(e.target, CDeref)
        addr = self.in_register(self.expr(e.target.pointer), e.span)
        self.store(self.in_register(value, e.span), addr)
        return value

    def call(self, e: CCall, dest: str | None = None) -> str:
        prim = primitives().get(e.name)
        if prim is None:
            raise UnsupportedError(f"unsupported macro or function `{e.name}`", e.span)
        line = self.table.line(e.name, e.span)
        if line.special == GRACE_PERIOD or is_grace_period(e.name):
            raise UnsupportedError(
                f"`{e.name}`: a grace period puts a fence in every other thread at a point "
                "the solver chooses, which herd's litmus syntax cannot express; `memlitmus "
                f"run -m {'x86tso' if self.x86 else 'armv8'}` judges it", e.span)
        if line.special == KEEP:  # pragma: no cover - only the sc table, refused above
            raise UnsupportedError("nothing to print for the sc mapping", e.span)
        bound = self.bind(prim, e, any("{sp}" in i for i in line.instructions))
        for text in instantiate(line.instructions, bound, f"{self.thread.proc}k"
                                f"{next(self._labels)}"):
            self.emit(text)
        return self.result(prim, bound, e, dest)

    def bind(self, prim: Primitive, e: CCall, stack: bool) -> dict[str, str]:
        """Registers for the placeholders: the call's own registers where the argument
        already sits in one, the fixed placeholder registers otherwise."""
        bound = dict(self.fixed)
        for i, param in enumerate(prim.args):
            key = {"X": "x", "V": "v", "W": "w"}[param.lstrip("*")]
            arg = e.args[i]
            if param.startswith("*"):
                while isinstance(arg, CCast):
                    arg = arg.arg
                if not isinstance(arg, CDeref):
                    raise UnsupportedError(f"`{e.name}` expects an argument of the form `*p`",
                                           e.span)
                arg = arg.pointer
            operand = self.expr(arg)
            if operand.startswith(("$", "#")):
                self.move(self.fixed[key], operand)
                operand = self.fixed[key]
            bound[key] = operand
        if stack:
            bound["sp"] = self.pointer(f"stack{self.thread.proc}", e.span)
        return bound

    def result(self, prim: Primitive, bound: dict[str, str], e: CCall,
               dest: str | None) -> str:
        """A register (`dest` or a fresh one) with the C value of the call."""
        if prim.shape in ("store", "store_mb", "fence", "unlock", "srcu_unlock", "lock") or (
                prim.shape == "rmw" and prim.result == "none"):
            return self.imm(0)
        dst = dest or self.fresh(e.span)
        read = bound["r"]
        if prim.shape in ("load", "xchg", "cmpxchg", "srcu_lock") or (
                prim.shape == "rmw" and prim.result == "old" and not prim.test):
            self.move(dst, read)
            return dst
        if prim.shape == "rmw" and prim.result == "new" and not prim.test and prim.op in (
                "+", "-", "&", "|", "^"):
            operand = bound["v"] if prim.operand == "V" else self.imm(int(prim.operand))
            self.arith(prim.op, dst, read, operand, e.span)
            return dst
        raise UnsupportedError(f"`lower` cannot print the value of `{e.name}` (a truth value "
                               "or a derived result)", e.span)


def _assemble(test: LitmusTest, asm: str, threads: list[ThreadPrinter]) -> str:
    init: list[str] = []
    for entry in test.init:
        if isinstance(entry.loc, MemLoc):
            init.append(f"{entry.loc.name}={entry.value if entry.value is not None else 0};")
    for printer in threads:
        for location, reg in printer.pointers.items():
            init.append(f"{printer.thread.proc}:{_bare(reg)}={location};")
        for entry in test.init:
            if isinstance(entry.loc, RegLoc) and entry.loc.thread == printer.thread.proc:
                held = printer.regs.get(entry.loc.reg)
                if held is not None:
                    init.append(f"{entry.loc.thread}:{_bare(held)}={entry.value};")
    columns = [[f"P{p.thread.proc}"] + p.lines for p in threads]
    height = max(len(c) for c in columns)
    widths = [max(len(x) for x in c) for c in columns]
    rows = []
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(columns, widths,
                                                                      strict=True)]
        rows.append(" " + " | ".join(cells) + " ;")
    renames = {(p.thread.proc, name): _bare(reg) for p in threads
               for name, reg in p.regs.items()}
    cond = _rename_condition(test.condition, renames)
    locations = ""
    if test.locations:
        locations = "locations [" + " ".join(
            f"{loc.thread}:{renames.get((loc.thread, loc.reg), loc.reg)};"
            if isinstance(loc, RegLoc) else f"{loc.name};" for loc in test.locations) + "]\n"
    doc = f'"{asm} lowering of {test.name} through the kernel mapping"'
    return (f"{asm} {test.name}\n{doc}\n{{\n" + "".join(f" {i}\n" for i in init) + "}\n"
            + "\n".join(rows) + "\n" + locations + condition_text(cond, asm) + "\n")


def _bare(reg: str) -> str:
    return reg.lstrip("%")


def _rename_condition(cond: Condition, renames: dict[tuple[int, str], str]) -> Condition:
    def loc(value: RegLoc | MemLoc) -> RegLoc | MemLoc:
        if isinstance(value, RegLoc):
            return RegLoc(value.thread, renames.get((value.thread, value.reg), value.reg))
        return value

    def prop(p: Prop) -> Prop:
        if isinstance(p, Atom):
            return Atom(loc(p.loc), p.value, p.span, p.negated)
        if isinstance(p, LocEq):
            return LocEq(loc(p.left), loc(p.right), p.span, p.negated)
        if isinstance(p, Not):
            return Not(prop(p.arg))
        if isinstance(p, And | Or | Implies):
            return type(p)(prop(p.left), prop(p.right))
        return p

    return Condition(cond.quantifier, prop(cond.prop), cond.span)
