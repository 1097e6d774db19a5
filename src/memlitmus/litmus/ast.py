"""The AST of a herd litmus file, shared by every architecture.

Values in init, conditions and operands are `int` (a number) or `str` (the address of a
location, e.g. `x` in `0:EAX=x`). Instruction operands are generic so that one AST serves
every assembly dialect; each architecture's front end gives them meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from memlitmus.errors import Span

if TYPE_CHECKING:
    from memlitmus.litmus.c_ast import CThread

Value = int | str


@dataclass(frozen=True)
class RegLoc:
    """A register of one thread: `0:EAX`, `1:rax`, `0:X1`, `0:r0`."""

    thread: int
    reg: str

    def __str__(self) -> str:
        return f"{self.thread}:{self.reg}"


ANY_THREAD = -1
"""The thread of a register every thread has: herd's symbolic registers (`%P0_x`)."""


@dataclass(frozen=True)
class MemLoc:
    """A memory location named by a symbol, written `x` or `[x]` in conditions."""

    name: str

    def __str__(self) -> str:
        return f"[{self.name}]"


Loc = RegLoc | MemLoc


@dataclass(frozen=True)
class InitEntry:
    """One init binding: `x=1`, `0:EAX=x`, `int y=2`, `uint64_t z` (value None = 0)."""

    loc: Loc
    value: Value | None
    ctype: str | None
    span: Span


# --- propositions (final condition and filter) ---------------------------------------


@dataclass(frozen=True)
class Atom:
    """`loc=value`; `negated` is True for `loc!=value` where a dialect allows it."""

    loc: Loc
    value: Value
    span: Span
    negated: bool = False


@dataclass(frozen=True)
class LocEq:
    """`loc=loc`: two locations hold equal final values (`0:r1=1:r1`, `x=[y]`);
    `negated` for `!=`. A bare name on the right is an address (an Atom), not this."""

    left: Loc
    right: Loc
    span: Span
    negated: bool = False


@dataclass(frozen=True)
class FaultAtom:
    """`fault(P0:L0,x,MMU:Translation)`: thread `proc` faulted (herd's `Fault.atom`,
    lib/fault.ml), at an instruction labelled `label` if given, on location `loc` if
    given, with fault type `ftype` if given. herd's grammar (lib/stateParser.mly `fault`)
    reads `fault(P0,NAME)` as a type when NAME is one of herd's AArch64 fault types
    (`FAULT_TYPES`), else as a location."""

    proc: int
    label: str | None
    loc: str | None
    ftype: str | None
    span: Span

    def __str__(self) -> str:
        """The atom as herd prints it in a condition (`Fault.pp_fatom`)."""
        where = f"P{self.proc}" + (f":{self.label}" if self.label is not None else "")
        rest = "".join(f",{part}" for part in (self.loc, self.ftype) if part is not None)
        return f"fault({where}{rest})"


FAULT_TYPES = ("MMU:Translation", "MMU:AccessFlag", "MMU:Permission", "TagCheck",
               "UndefinedInstruction", "SupervisorCall")
"""herd 7.58's AArch64 fault types, in herd's order (lib/faultType.ml `AArch64.t`): the
order of `compare`, which sorts faults in a state."""


@dataclass(frozen=True)
class Const:
    """`true` or `false`."""

    value: bool


@dataclass(frozen=True)
class Not:
    arg: Prop


@dataclass(frozen=True)
class And:
    left: Prop
    right: Prop


@dataclass(frozen=True)
class ArrayEq(And):
    """`t={1,2}`: a whole array holds these values, i.e. `t[0]=1` and `t[1]=2` (left and
    right), kept as one atom so that it prints, and shows in states, as herd's `t={1,2}`."""

    name: str = ""
    values: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Or:
    left: Prop
    right: Prop


@dataclass(frozen=True)
class Implies:
    left: Prop
    right: Prop


Prop = Atom | LocEq | FaultAtom | Const | Not | And | Or | Implies


@dataclass(frozen=True)
class Condition:
    """The final condition: quantifier is `exists`, `~exists` or `forall`."""

    quantifier: str
    prop: Prop
    span: Span


# --- assembly code ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reg:
    """A register operand (`EAX`, `%rax`→`rax`, `W0`, `X1`)."""

    name: str


@dataclass(frozen=True)
class Imm:
    """An immediate: a number, or a location's address (`$x`, `#x` → "x")."""

    value: Value


@dataclass(frozen=True)
class Mem:
    """A memory operand.

    x86: `[x]`, `(x)`, `[EAX]`, `(%rax)`, `[x+EAX]`; AArch64: `[X1]`, `[X1,#4]`, `[X1,X2]`,
    `[X1,W2,SXTW]`. `symbol` is a location name used directly; `base`/`index` are registers;
    `offset` a constant displacement; `extend` an AArch64 extension such as `SXTW`; `scale`
    the factor of the index register (x86 `8(%rax,%rbx,4)`: rax + rbx*4 + 8).
    """

    symbol: str | None = None
    base: str | None = None
    index: str | None = None
    offset: int = 0
    extend: str | None = None
    scale: int = 1


@dataclass(frozen=True)
class LabelRef:
    """A branch target."""

    name: str


Operand = Reg | Imm | Mem | LabelRef


@dataclass(frozen=True)
class Instr:
    """One instruction. `mnemonic` is upper-case, with prefixes joined (`LOCK ADD`)."""

    mnemonic: str
    operands: tuple[Operand, ...]
    span: Span


@dataclass(frozen=True)
class Label:
    """A label definition `L0:` (may stand alone in a cell or before an instruction)."""

    name: str
    span: Span


Stmt = Instr | Label


@dataclass(frozen=True)
class AsmThread:
    """One column of the thread table, in program order (empty cells dropped)."""

    proc: int
    code: tuple[Stmt, ...]
    span: Span


@dataclass(frozen=True)
class LitmusTest:
    """A whole litmus file."""

    arch: str  # as written in the header: X86, X86_64, AArch64, C, ...
    name: str
    file: str
    doc: str | None
    metadata: dict[str, str]
    init: tuple[InitEntry, ...]
    threads: tuple[AsmThread | CThread, ...]
    locations: tuple[Loc, ...]
    filter: Prop | None
    condition: Condition
    source: str = field(repr=False, compare=False, default="")
    span: Span | None = None
    # faults listed in `locations [...]` (`fault(P0)`): shown in states as the
    # condition's fault atoms are (see memlitmus.faults)
    location_faults: tuple[FaultAtom, ...] = ()
