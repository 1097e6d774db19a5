"""Inline Lark transformers shared by every architecture: Lark parse events -> AST.

`SectionTransformer` is the base of all section transformers; `CommonTransformer` builds
the prelude and the constraints of `litmus.lark`; `assemble_table` turns the
`_table{cell}` template of assembly grammars into `AsmThread`s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer

from memlitmus.litmus.ast import (
    ANY_THREAD,
    FAULT_TYPES,
    And,
    ArrayEq,
    AsmThread,
    Atom,
    Condition,
    Const,
    FaultAtom,
    Implies,
    InitEntry,
    Loc,
    LocEq,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
    Stmt,
    Value,
)
from memlitmus.litmus.syntax_errors import span_of, syntax_error, unsupported

__all__ = [
    "CommonTransformer",
    "Constraints",
    "Prelude",
    "SectionTransformer",
    "assemble_table",
    "herd_int",
]


# ======================================================================================
# Transformers: Lark parse events -> AST
# ======================================================================================


class SectionTransformer(Transformer[Token, Any]):
    """Base of the inline transformers: each callback gets its rule's children list.

    Lark calls them during the LALR parse (no tree is built), so a callback may use
    `span_of`, `syntax_error` and `unsupported` (of `syntax_errors`) on the tokens it
    receives.
    """


def herd_int(text: str) -> int:
    """A herd number: decimal (maybe negative) or hexadecimal."""
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    return int(text, 10)


@dataclass(frozen=True)
class Prelude:
    """What the `prelude` rule gives: the test's name, doc string, metadata and init."""

    name: str
    doc: str | None
    metadata: dict[str, str]
    init: tuple[InitEntry, ...]


@dataclass(frozen=True)
class Constraints:
    """What the `constraints` rule gives (None: that part is absent)."""

    locations: tuple[Loc, ...]
    filter: Prop | None
    condition: Condition | None
    location_faults: tuple[FaultAtom, ...] = ()  # `locations [fault(P0)]`


@dataclass(frozen=True)
class _Locations:
    """What `locations [...]` lists."""

    locs: tuple[Loc, ...]
    faults: tuple[FaultAtom, ...]


@dataclass(frozen=True)
class _Located:
    """A location with its first token (for spans)."""

    loc: Loc
    tok: Token


@dataclass(frozen=True)
class _CType:
    name: str
    tok: Token


class CommonTransformer(SectionTransformer):
    """Callbacks of `litmus.lark` (rule names as in the grammar)."""

    # ---- prelude ----

    def prelude(self, children: list[Any]) -> Prelude:
        name = str(children[1])
        doc: str | None = None
        metadata: dict[str, str] = {}
        init: tuple[InitEntry, ...] = ()
        for item in children[2:]:
            if isinstance(item, tuple):
                init = item
            elif item is None or not isinstance(item, Token):
                continue
            elif item.type == "DOC":
                doc = item[1:-1]
            elif item.type == "META":
                for line in item.split("\n"):
                    key, _, value = line.partition("=")
                    metadata[key.strip()] = value.strip()
        return Prelude(name, doc, metadata, init)

    def texname(self, children: list[Any]) -> None:
        return None

    def init(self, children: list[Any]) -> tuple[InitEntry, ...]:
        entries: list[InitEntry] = []
        for child in children:
            if isinstance(child, tuple):
                entries.extend(child)
            elif child is not None:
                entries.append(child)
        return tuple(entries)

    def init_array(self, children: list[Any]) -> tuple[InitEntry, ...]:
        """`int64_t t[2]={1,-1}`: one entry per element, named `t[0]`, `t[1]`; elements
        without a value are 0, as in C."""
        ctype: _CType = children[0]
        name, length = children[1], herd_int(children[3])
        values = [c for c in children[4:] if not (isinstance(c, Token) and c.type == "EQ")]
        if length <= 0 or len(values) > length:
            raise syntax_error(f"array `{name}` of {length} elements has {len(values)} "
                               "initial values", children[3])
        values += [0] * (length - len(values))
        span = span_of(ctype.tok)
        return tuple(
            InitEntry(MemLoc(f"{name}[{k}]"), value, ctype.name, span)
            for k, value in enumerate(values)
        )

    def elem_loc(self, children: list[Any]) -> _Located:
        name, _, index = children
        return _Located(MemLoc(f"{name}[{herd_int(index)}]"), name)

    def init_entry(self, children: list[Any]) -> InitEntry:
        ctype: _CType | None = None
        if isinstance(children[0], _CType):
            ctype = children[0]
            children = children[1:]
        located: _Located = children[0]
        value = children[2] if len(children) > 2 else None  # [loc, EQ, value]
        first = ctype.tok if ctype is not None else located.tok
        return InitEntry(located.loc, value, ctype.name if ctype else None, span_of(first))

    def ctype(self, children: list[Any]) -> _CType:
        name = str(children[0]) + ("*" if len(children) > 1 and children[1] else "")
        return _CType(name, children[0])

    def init_value(self, children: list[Any]) -> Value:
        return _value(children[-1])  # `&x` is x; `ATOMIC_INIT(v)` (C) is v

    def element_address(self, children: list[Any]) -> Value:
        """`0:X0=x[1]`, an array element's address: refused, as its meaning depends on
        herd's version (7.58's lib/stateParser.mly makes the index a byte offset, x+1;
        herdtools7 1325f1d8a, after 7.58, an element index)."""
        name, _, index = children
        raise unsupported(
            f"the address of an array element as an initial value (`{name}[{index}]`: "
            "herd 7.58 reads the index as a byte offset, later herds as an element "
            f"index; write `{name}` and add the offset in the code)", name)

    def thread_label(self, children: list[Any]) -> Value:
        """`1:L1` in the init block: herd's other spelling of `P1:L1`."""
        thread, label = children
        return code_label(f"P{int(thread[:-1])}", str(label))

    def reg_loc(self, children: list[Any]) -> _Located:
        thread, reg = children  # THREAD is `0:` (maybe with blanks before the colon)
        return _Located(RegLoc(int(thread[:-1]), str(reg)), thread)

    def mem_loc(self, children: list[Any]) -> _Located:
        return _Located(MemLoc(str(children[-1])), children[0])

    # ---- constraints ----

    def constraints(self, children: list[Any]) -> Constraints:
        locations: tuple[Loc, ...] = ()
        faults: tuple[FaultAtom, ...] = ()
        prop: Prop | None = None
        condition: Condition | None = None
        for item in children:
            if isinstance(item, _Locations):
                locations, faults = item.locs, item.faults
            elif isinstance(item, Condition):
                condition = item
            elif item is not None:
                prop = item
        return Constraints(locations, prop, condition, faults)

    def locations(self, children: list[Any]) -> _Locations:
        """`locations [...]`: the locations herd shows, and the faults (herd's
        `LocationsItem.Fault`, shown as those of the condition are)."""
        items = [c for c in children[1:] if c is not None]
        return _Locations(tuple(c.loc for c in items if isinstance(c, _Located)),
                          tuple(c for c in items if isinstance(c, FaultAtom)))

    def filter(self, children: list[Any]) -> Prop:
        return children[1]  # type: ignore[no-any-return]

    def condition(self, children: list[Any]) -> Condition:
        (quantifier, tok), prop = children[0], children[1]
        return Condition(quantifier, prop, span_of(tok))

    def quantifier(self, children: list[Any]) -> tuple[str, Token]:
        first = children[0]
        if first.type == "NOT":
            return "~exists", first
        return ("forall" if first.type == "FORALL" else "exists"), first

    def or_(self, children: list[Any]) -> Prop:
        return Or(children[0], children[2])

    def and_(self, children: list[Any]) -> Prop:
        return And(children[0], children[2])

    def implies(self, children: list[Any]) -> Prop:
        return Implies(children[0], children[2])

    def not_(self, children: list[Any]) -> Prop:
        return Not(children[1])

    def true_(self, children: list[Any]) -> Prop:
        return Const(True)

    def false_(self, children: list[Any]) -> Prop:
        return Const(False)

    def atom(self, children: list[Any]) -> Prop:
        if len(children) == 1:
            return _fused_atom(children[0])
        located, op, value = children
        negated = op.type == "NEQ"
        if isinstance(value, str) and LABEL.fullmatch(value) and str(op) != "=":
            # herd's lib/stateParser.mly compares a location with a label by `=` only
            raise syntax_error(f"a code label is compared with `=` only, not `{op}`", op)
        if isinstance(value, _Located):  # `0:r1=1:r1`, `x=[y]`: herd's location comparison
            return LocEq(located.loc, value.loc, span_of(located.tok), negated=negated)
        return Atom(located.loc, value, span_of(located.tok), negated=negated)

    def fault_atom(self, children: list[Any]) -> Prop:
        """`fault(P0:L0,x,Type)` and its shorter forms, as herd's grammar reads them
        (lib/stateParser.mly `fault`): after the thread (and label), one NAME is a fault
        type when herd knows it as one, else a location; `A:B` is a type; two parts are
        a location and a type."""
        tok = children[0]
        found = _FAULT.fullmatch(str(tok))
        if found is None:
            raise syntax_error(f"expected `fault(Pn)`, `fault(Pn:Label)`, or either with "
                               f"a location and/or a fault type, got `{tok}`", tok)
        proc, label, rest = int(found.group(1)), found.group(2), found.group(3)
        parts = [p.strip() for p in rest.split(",")] if rest is not None else []
        if any(p.startswith("PTE") and "(" in p for p in parts):
            raise unsupported(f"page-table entries in a fault (`{tok}`)", tok)
        if any(not _FAULT_PART.fullmatch(p) for p in parts) or len(parts) > 2:
            raise syntax_error(f"bad fault `{tok}`", tok)
        loc: str | None = None
        ftype: str | None = None
        parts = [re.sub(r"\s+", "", p) for p in parts]
        if len(parts) == 2:
            loc, ftype = parts
        elif parts and (":" in parts[0] or parts[0] in FAULT_TYPES):
            ftype = parts[0]
        elif parts:
            loc = parts[0]
        if loc is not None and ":" in loc:
            raise syntax_error(f"bad location `{loc}` in fault `{tok}`", tok)
        if ftype is not None and ftype not in FAULT_TYPES:
            # herd: `Warn.user_error "%s not a valid fault type"` (lib/faultType.ml)
            raise syntax_error(f"{ftype} not a valid fault type (herd's AArch64 types: "
                               f"{', '.join(FAULT_TYPES)})", tok)
        return FaultAtom(proc, label, loc, ftype, span_of(tok))

    def typed_location(self, children: list[Any]) -> _Located:
        """`0:X2 ins_t`: a register shown as an instruction (the only type accepted)."""
        located, ctype = children
        if str(ctype) != "ins_t":
            raise unsupported(f"a type in `locations` (`{ctype}`)", ctype)
        return located  # type: ignore[no-any-return]

    def symbolic_reg(self, children: list[Any]) -> _Located:
        """`%P0_x` in the init block: a symbolic register, of every thread (thread
        `ANY_THREAD`)."""
        return _Located(RegLoc(ANY_THREAD, str(children[0])), children[0])

    def array_atom(self, children: list[Any]) -> Prop:
        """`t={1,2}`: the elements `t[0]`, `t[1]`… hold these values (herd's whole-array
        comparison)."""
        located, _, *values = children
        if not isinstance(located.loc, MemLoc) or "[" in located.loc.name:
            raise syntax_error("expected an array's name before `={`", located.tok)
        name = located.loc.name
        for value in values:
            if isinstance(value, _Located):
                raise syntax_error("expected a number or a name in an array value",
                                   value.tok)
        span = span_of(located.tok)
        atoms = [Atom(MemLoc(f"{name}[{k}]"), v, span) for k, v in enumerate(values)]
        rest: Prop = atoms[-1] if len(atoms) > 1 else Const(True)
        for atom in reversed(atoms[1:-1]):
            rest = And(atom, rest)
        return ArrayEq(atoms[0], rest, name=name, values=tuple(values))

    def atom_value(self, children: list[Any]) -> Value | _Located:
        first = children[0]
        if isinstance(first, _Located):
            return first
        if first.type == "LBRACKET":
            return _Located(MemLoc(str(children[1])), first)
        return _value(first)


_FAULT = re.compile(
    r"[Ff]ault\s*\(\s*P([0-9]+)\s*(?::\s*([A-Za-z_][A-Za-z0-9_.]*)\s*)?(?:,(.*))?\)", re.S)
_FAULT_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?:\s*:\s*[A-Za-z_][A-Za-z0-9_]*)*")

_ATOM_PARTS = re.compile(
    r"(?:(?P<thread>[0-9]+)\s*:\s*(?P<reg>[\w.]+)|\[?\s*(?P<mem>[\w.]+)\s*\]?)"
    r"\s*(?P<op>==?|!=|<>)\s*(?P<value>\S+)"
)


def _fused_atom(tok: Token) -> Atom:
    """An Atom from an ATOM token (`1:rax=0`, `[x]=1`, `y!=z`), already well formed."""
    m = _ATOM_PARTS.fullmatch(tok)
    assert m is not None, tok
    thread, reg, mem, op, value = m.group("thread", "reg", "mem", "op", "value")
    loc: Loc = RegLoc(int(thread), reg) if thread is not None else MemLoc(mem)
    val: Value = herd_int(value) if value[0] in "-0123456789" else value
    return Atom(loc, val, span_of(tok), negated=op in ("!=", "<>"))


def _value(tok: Token) -> Value:
    """A NUM token as an int, a NAME token (a location's address) as a str; a code label
    `P1:L1` is the address named `label:"P1:L1"`, as herd prints it."""
    if tok.type == "CODE_LABEL":
        return code_label(*str(tok).split(":"))
    if tok.type == "LABEL_VALUE":  # `label:"1:L1"` is `label:"P1:L1"`, as herd prints it
        found = LABEL.fullmatch(str(tok))
        assert found is not None, tok
        return code_label(f"P{int(found.group(1))}", found.group(2))
    if tok.type == "INSTR_VALUE":  # an instruction as a value, named as herd prints it
        return str(tok)
    return herd_int(tok) if tok.type == "NUM" else str(tok)


LABEL = re.compile(r'label:"P?([0-9]+):([^"]+)"')  # herd's LABEL token (lib/stateLexer.mll)


def code_label(proc: str, label: str) -> str:
    """The value of label `label` of thread `proc` (`P1`): herd's `label:"P1:L1"`."""
    return f'label:"{proc}:{label}"'


# ---- assembly thread tables -------------------------------------------------------------


def assemble_table(items: Iterable[Any]) -> tuple[AsmThread, ...]:
    """Columns of a thread table from the flat list the `_table{cell}` template gives.

    `items`: PROC/PIPE tokens and a ROW_END, then for each row the cells (a tuple of
    statements, or None when empty) separated by PIPE tokens and closed by ROW_END.
    """
    it = iter(items)
    procs: list[tuple[int, Token]] = []
    for tok in it:
        if tok.type == "PROC":
            if tok.endswith(".F"):
                raise unsupported(
                    f"a fault handler (`{tok}`): memlitmus runs no fault handler code "
                    "(herd runs it when a thread faults under `Variant=handled`)", tok)
            number = int(tok[1:])
            if any(number == p for p, _ in procs):
                raise syntax_error(f"thread `{tok}` declared twice", tok)
            procs.append((number, tok))
        elif tok.type == "ROW_END" and procs:
            break
    columns: list[list[Stmt]] = [[] for _ in procs]
    col = 0
    for item in it:
        if isinstance(item, tuple):
            columns[col].extend(item)
        elif item is None:
            continue
        elif item.type == "PIPE":
            col += 1
            if col == len(procs):
                raise syntax_error(
                    "mismatch in instruction lines: this row has more cells than the "
                    f"{len(procs)} threads of the header row", item,
                )
        else:  # ROW_END
            if col + 1 != len(procs):
                # herd transposes the rows into columns and rejects a table whose rows
                # differ in length from the header (lib/genParser.ml, `transpose`).
                raise syntax_error(
                    f"mismatch in instruction lines: this row has {col + 1} cell"
                    f"{'s' if col else ''}, the header row names {len(procs)} threads", item,
                )
            col = 0
    return tuple(
        AsmThread(number, tuple(code), span_of(tok))
        for (number, tok), code in zip(procs, columns, strict=True)
    )
