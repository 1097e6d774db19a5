"""`memlitmus lower`: a kernel C test printed as the X86_64 or AArch64 litmus test the
kernel's mapping makes of it, for anyone to check with herd7.

Each primitive call prints its table line (`kernel.tables`) with the placeholders bound
to registers; C locals and parameters get registers of their own (parameters and `&x`
are initialised to the location's address in the init block). C's own code prints in
instructions herd7 7.58 reads (`kernel.emit`): plain accesses as MOV/LDR/STR, `if` as a
compare and a forward branch, comparisons, `!`, `&&`, `||` and `?:` as truth values
(AArch64 CMP+CSET/CSEL; X86_64 cmpq and branches around two movq), and `while` unrolled
as the C front end unrolls it, ending in a self-loop herd cuts off. On x86 a table
instruction herd's X86_64 lacks is rewritten to one it has (`subq` as `addq` of the
negation, `andq` as `and`); `lock xaddq` has no equivalent and is refused by name.

A grace period is refused: its remote fences sit in the other threads at points the
solver chooses (docs/kernel-mappings.md), which no single herd test expresses.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping as TableOf
from dataclasses import dataclass, field

from memlitmus.arch.aarch64 import retry_loops
from memlitmus.arch.c_runner import LOOP_UNROLL, has_effects
from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.errors import ModelError, Span, UnsupportedError
from memlitmus.kernel.emit import (
    COMPARISONS,
    NEGATED,
    A64Emitter,
    Emitter,
    X86Emitter,
    herd_x86,
)
from memlitmus.kernel.grace import is_grace_period
from memlitmus.kernel.layout import assemble
from memlitmus.kernel.lowering import KERNEL_LOWERINGS
from memlitmus.kernel.tables import GRACE_PERIOD, KEEP, Mapping
from memlitmus.kernel.templates import (
    AARCH64_NAME,
    PLACEHOLDERS,
    X86_64_NAME,
    instantiate,
    parsed,
)
from memlitmus.litmus.ast import Instr, Label, LabelRef, LitmusTest, RegLoc
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
    CExpr,
    CExprStmt,
    CIf,
    CNum,
    CStmt,
    CThread,
    CUnary,
    CVar,
    CWhile,
)

# Registers for C's values; the placeholders `{r}`, `{t}`, `{u}`, `{s}` keep their fixed
# registers (`kernel.templates`), while `{x}`, `{v}`, `{w}` and `{sp}` are bound to these.
POOLS = {
    X86_64_NAME: ["%rbx", "%rsi", "%rdi", "%rbp", "%r12", "%r13", "%r14", "%r15", "%r8", "%r9",
                  "%r10", "%r11"],
    AARCH64_NAME: [f"X{i}" for i in (*range(0, 9), *range(16, 29))],
}
ARITHMETIC = ("+", "-", "&", "|", "^", "*")


def lower(test: LitmusTest, arch: str, mapping: str | None = None,
          macros: TableOf[str, Primitive] | None = None) -> str:
    """`memlitmus lower FILE --arch ARCH [--mapping M] [--macros FILE.def]`: ARCH is a
    kernel mapping whose architecture prints it (`x86`, `arm64`), M another table of that
    architecture (`arm64-llsc`); `macros` the primitives of a `.def` file (None: the
    built-in ones)."""
    for lowering in KERNEL_LOWERINGS.values():
        tables = lowering.hardware.kernel_mapping or {}
        if arch in tables and lowering.hardware.name in POOLS:
            if mapping is not None and mapping not in tables:
                raise ModelError(f"the {arch} architecture has no kernel mapping `{mapping}` "
                                 f"(it has: {', '.join(tables)})")
            return lower_text(test, lowering.mapping_for(mapping or arch),
                              lowering.hardware.name, macros)
    known = [n for lw in KERNEL_LOWERINGS.values() if lw.hardware.name in POOLS
             for n in list(lw.hardware.kernel_mapping or {})[:1]]
    raise ModelError(f"unknown architecture `{arch}` for `lower` (known: {', '.join(known)})")


def lower_text(test: LitmusTest, table: Mapping, asm: str,
               macros: TableOf[str, Primitive] | None = None) -> str:
    """The litmus text of `test` lowered through `table`, written in `asm`'s syntax."""
    threads = [ThreadPrinter(table, asm, t, dict(macros or primitives()))
               for t in test.threads if isinstance(t, CThread)]
    if len(threads) != len(test.threads) or not threads:
        raise UnsupportedError("`lower` takes a C test", test.span)
    for printer in threads:
        printer.run(tuple(entry.loc.reg for entry in test.init if isinstance(entry.loc, RegLoc)
                          and entry.loc.thread == printer.thread.proc))
    return assemble(test, asm, threads)


@dataclass
class ThreadPrinter:
    """The code of one C thread as assembly lines."""

    table: Mapping
    asm: str
    thread: CThread
    primitives: dict[str, Primitive]  # the C dialect's primitives (a `.def` file's or ours)
    lines: list[str] = field(default_factory=list)
    regs: dict[str, str] = field(default_factory=dict)  # C name -> register
    pointers: dict[str, str] = field(default_factory=dict)  # location -> register
    free: list[str] = field(default_factory=list)
    temps: set[str] = field(default_factory=set)  # registers holding one statement's values
    scratched: set[str] = field(default_factory=set)  # every register a temporary used
    _labels: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.free = list(POOLS[self.asm])
        self.fixed = PLACEHOLDERS[self.asm]
        kind = X86Emitter if self.x86 else A64Emitter
        self.out: Emitter = kind(self.lines, self.fresh, self.label)

    @property
    def x86(self) -> bool:
        return self.asm == X86_64_NAME

    def run(self, init_regs: tuple[str, ...] = ()) -> None:
        """Print the thread; `init_regs` are its registers the init block sets."""
        for param in self.thread.params:
            self.regs[param.name] = self.pointer(param.name, param.span)
        for name in init_regs:
            self.local(name, self.thread.span)
        for stmt in self.thread.body:
            self.stmt(stmt)

    # ---- registers -----------------------------------------------------------------

    def fresh(self, span: Span) -> str:
        """A register for a value used within the current statement (from the pool's
        end, so that registers holding values for the whole thread come from its start)."""
        if not self.free:
            raise UnsupportedError("too many values for the registers `lower` uses", span)
        reg = self.free.pop()
        self.temps.add(reg)
        self.scratched.add(reg)
        return reg

    def _allocate(self, span: Span) -> str:
        """A register for the whole thread (a C local, a location's address): one no
        earlier statement has used, since the init block sets it and C reads an unset
        local as 0."""
        for reg in self.free:
            if reg not in self.scratched:
                self.free.remove(reg)
                return reg
        raise UnsupportedError("too many values for the registers `lower` uses", span)

    def _statement_done(self) -> None:
        """No value outlives its statement but in a C local: the temporaries are free."""
        pool = POOLS[self.asm]
        self.free = sorted([*self.free, *self.temps], key=pool.index)
        self.temps.clear()

    def pointer(self, location: str, span: Span) -> str:
        """A register initialised to the address of `location`."""
        if location not in self.pointers:
            self.pointers[location] = self._allocate(span)
        return self.pointers[location]

    def local(self, name: str, span: Span) -> str:
        if name not in self.regs:
            self.regs[name] = self._allocate(span)
        return self.regs[name]

    def label(self) -> str:
        return f"L{self.thread.proc}x{next(self._labels)}"

    def target(self, dest: str | None, *operands: str, span: Span) -> str:
        """Where a new value goes: `dest` unless an operand still to be read sits there."""
        return dest if dest is not None and dest not in operands else self.fresh(span)

    # ---- statements ----------------------------------------------------------------

    def stmt(self, stmt: CStmt) -> None:
        self._statement_done()
        if isinstance(stmt, CDecl):
            reg = self.local(stmt.name, stmt.span)
            if stmt.init is not None:
                self.out.move(reg, self.expr(stmt.init, reg))
        elif isinstance(stmt, CExprStmt):
            self.expr(stmt.expr)
        elif isinstance(stmt, CBlock):
            for inner in stmt.stmts:
                self.stmt(inner)
        elif isinstance(stmt, CIf):
            self.if_(stmt)
        else:
            self.while_(stmt)

    def if_(self, stmt: CIf) -> None:
        other, end = self.label(), self.label()
        self.branch_unless(stmt.cond, other)
        self._statement_done()
        self.stmt(stmt.then)
        if stmt.other is not None:
            self.out.jump(end)
        self.out.place(other)
        if stmt.other is not None:
            self.stmt(stmt.other)
            self.out.place(end)

    def while_(self, stmt: CWhile) -> None:
        """Unrolled as the C front end unrolls it (`arch.c_runner.LOOP_UNROLL` iterations, herd's
        default `-unroll`); an execution whose condition still holds after them reaches
        a self-loop, which herd cuts off (see `kernel.emit`)."""
        end = self.label()
        for _ in range(LOOP_UNROLL):
            self.branch_unless(stmt.cond, end)
            self._statement_done()
            self.stmt(stmt.body)
        self.branch_unless(stmt.cond, end)
        self.out.cut()
        self.out.place(end)

    def branch_unless(self, cond: CExpr, target: str) -> None:
        """Jump to `target` when `cond` is false."""
        negate = False
        while isinstance(cond, CUnary) and cond.op == "!":
            cond, negate = cond.arg, not negate
        if isinstance(cond, CBinary) and cond.op in COMPARISONS:
            left, right = self.expr(cond.left), self.expr(cond.right)
            op = cond.op if negate else NEGATED[cond.op]
        else:
            left, right = self.expr(cond), self.out.imm(0)
            op = "!=" if negate else "=="
        self.out.branch(op, left, right, target, cond.span)

    # ---- expressions: the operand holding the value ---------------------------------

    def expr(self, e: CExpr, dest: str | None = None) -> str:
        """The operand holding e's value; a new value goes to `dest` when given."""
        if isinstance(e, CNum):
            return self.out.imm(e.value)
        if isinstance(e, CVar):
            if e.name not in self.regs:
                raise UnsupportedError(f"unknown variable `{e.name}`", e.span)
            return self.regs[e.name]
        if isinstance(e, CCast):
            return self.expr(e.arg, dest)
        if isinstance(e, CAddrOf) and isinstance(e.target, CVar):
            return self.pointer(e.target.name, e.span)
        if isinstance(e, CAddrOf) and isinstance(e.target, CDeref):
            return self.expr(e.target.pointer)
        if isinstance(e, CDeref):
            addr = self.out.in_register(self.expr(e.pointer), e.span)
            dst = dest or self.fresh(e.span)
            self.out.load(dst, addr)
            return dst
        if isinstance(e, CAssign):
            return self.assign(e)
        if isinstance(e, CUnary):
            return self.unary(e, dest)
        if isinstance(e, CBinary):
            return self.binary(e, dest)
        if isinstance(e, CCond):
            return self.conditional(e, dest)
        if isinstance(e, CCall):
            return self.call(e, dest)
        raise UnsupportedError("`lower` cannot print this expression", e.span)

    def unary(self, e: CUnary, dest: str | None) -> str:
        if e.op == "!":
            arg = self.expr(e.arg)
            dst = self.target(dest, span=e.span)
            self.out.truth("==", dst, arg, self.out.imm(0), e.span)
            return dst
        arg = self.expr(e.arg)
        dst = self.target(dest, span=e.span)
        self.out.unary(e.op, dst, arg, e.span)
        return dst

    def binary(self, e: CBinary, dest: str | None) -> str:
        """Both operands are evaluated, `&&` and `||` included, as the C front end (and
        herd) evaluate them; comparisons and `&&`/`||` give 0 or 1."""
        if e.op in ("&&", "||"):
            left, right = self.truth(e.left), self.truth(e.right)
            dst = self.target(dest, span=e.span)
            self.out.arith("&" if e.op == "&&" else "|", dst, left, right, e.span)
            return dst
        left, right = self.expr(e.left), self.expr(e.right)
        dst = self.target(dest, right, span=e.span)
        if e.op in COMPARISONS:
            self.out.truth(e.op, dst, left, right, e.span)
        elif e.op in ARITHMETIC:
            self.out.arith(e.op, dst, left, right, e.span)
        else:
            raise UnsupportedError(f"unsupported operator `{e.op}`", e.span)
        return dst

    def truth(self, e: CExpr) -> str:
        """A fresh register holding 1 if `e` is true (non-zero), else 0."""
        if isinstance(e, CBinary) and e.op in COMPARISONS + ("&&", "||") or (
                isinstance(e, CUnary) and e.op == "!"):
            return self.expr(e, self.fresh(e.span))
        value = self.expr(e)
        dst = self.fresh(e.span)
        self.out.truth("!=", dst, value, self.out.imm(0), e.span)
        return dst

    def conditional(self, e: CCond, dest: str | None) -> str:
        if any(has_effects(x) for x in (e.then, e.other)):
            raise UnsupportedError("unsupported `?:` with memory accesses", e.span)
        cond = self.expr(e.cond)
        then, other = self.expr(e.then), self.expr(e.other)
        dst = self.target(dest, cond, then, other, span=e.span)
        self.out.select(dst, cond, then, other, e.span)
        return dst

    def assign(self, e: CAssign) -> str:
        if isinstance(e.target, CVar):
            reg = self.local(e.target.name, e.span)
            self.out.move(reg, self.expr(e.value, reg))
            return reg
        value = self.expr(e.value)
        assert isinstance(e.target, CDeref)
        addr = self.out.in_register(self.expr(e.target.pointer), e.span)
        self.out.store(self.out.in_register(value, e.span), addr)
        return value

    def call(self, e: CCall, dest: str | None = None) -> str:
        prim = self.primitives.get(e.name)
        if prim is None:
            raise UnsupportedError(f"unsupported macro or function `{e.name}`", e.span)
        if len(e.args) != len(prim.args):
            raise UnsupportedError(
                f"`{e.name}` takes {len(prim.args)} argument(s), got {len(e.args)}", e.span)
        line = self.table.line_of(prim, e.span)
        if line.special == GRACE_PERIOD or is_grace_period(e.name):
            raise UnsupportedError(
                f"`{e.name}`: a grace period puts a full fence in every other thread at a "
                "point the solver chooses (docs/kernel-mappings.md), which no herd7 "
                f"instruction expresses; `memlitmus run -m {'x86tso' if self.x86 else 'armv8'}`"
                " judges it", e.span)
        if line.special == KEEP:  # pragma: no cover - only the sc table, refused above
            raise UnsupportedError("nothing to print for the sc mapping", e.span)
        bound = self.bind(prim, e, any("{sp}" in i for i in line.instructions))
        code = instantiate(line.instructions, bound, f"{self.thread.proc}k{next(self._labels)}")
        code, cut = self.exits_only(line.instructions, code)
        for text in herd_x86(code, e, self.fresh) if self.x86 else code:
            self.out.emit(text)
        if cut is not None:
            end = self.label()
            self.out.jump(end)
            self.out.place(cut)
            self.out.jump(cut)
            self.out.place(end)
        return self.result(prim, bound, e, dest)

    def exits_only(self, items: tuple[str, ...], code: list[str]) -> tuple[list[str], str | None]:
        """The line's code with each backward branch that the lowering reads as "not
        taken" (`kernel.templates`: a spin or `cmpxchg` loop; AArch64 store-exclusive
        loops stay, the front ends unroll them as herd does) sent forward to a self-loop
        instead, so that herd drops the executions that would take it, as the lowering
        does; returns the new code and that self-loop's label (None: no such branch)."""
        if not items:
            return code, None
        stmts = parsed(self.asm, items)
        assert len(stmts) == len(code)
        labels = {s.name: i for i, s in enumerate(stmts) if isinstance(s, Label)}
        keep = set() if self.x86 else retry_loops(stmts).branches
        cut, out = None, list(code)
        for i, stmt in enumerate(stmts):
            if not isinstance(stmt, Instr) or i in keep or not stmt.operands:
                continue
            target = stmt.operands[-1]
            if isinstance(target, LabelRef) and labels.get(target.name, i + 1) <= i:
                cut = cut or self.label()
                head, sep, _ = out[i].rpartition("," if "," in out[i] else " ")
                out[i] = f"{head}{sep}{cut}"
        return out, cut

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
            bound[key] = self.out.in_register(self.expr(arg), e.span)
        if stack:
            bound["sp"] = self.pointer(f"stack{self.thread.proc}", e.span)
        return bound

    def result(self, prim: Primitive, bound: dict[str, str], e: CCall,
               dest: str | None) -> str:
        """A register (`dest` or a fresh one) with the C value of the call, computed from
        the value read (`{r}`) as `kernel.lowering._result` computes it."""
        shape, zero = prim.shape, self.out.imm(0)
        if shape in ("store", "store_mb", "fence", "unlock", "srcu_unlock", "lock") or (
                shape == "rmw" and prim.result == "none" and not prim.test):
            return zero
        read, dst = bound["r"], dest or self.fresh(e.span)
        if shape in ("load", "xchg", "cmpxchg", "srcu_lock"):
            self.out.move(dst, read)
        elif shape == "add_unless":
            self.out.truth("!=", dst, read, bound["w"], e.span)
        elif shape in ("trylock", "islocked"):
            self.out.truth("==" if shape == "trylock" else "!=", dst, read, zero, e.span)
        elif shape == "rmw":
            value = read
            if prim.result == "new":
                operand = bound["v"] if prim.operand == "V" else self.out.imm(int(prim.operand))
                if prim.op == "&~":
                    inverted = self.fresh(e.span)
                    self.out.unary("~", inverted, operand, e.span)
                    self.out.arith("&", dst, read, inverted, e.span)
                else:
                    self.out.arith(prim.op, dst, read, operand, e.span)
                value = dst
            elif prim.result == "none":
                value = zero
            if prim.test:
                self.out.truth("==" if prim.test == "==0" else "<", dst, value, zero, e.span)
            else:
                self.out.move(dst, value)
        else:
            raise UnsupportedError(f"`lower` cannot print the value of `{e.name}`", e.span)
        return dst
