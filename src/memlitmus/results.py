"""What judging a test under one model produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from memlitmus.witness import Execution, ForbiddenOutcome

UNDEFINED_FLAG = "*undef*"
"""The flag herd raises when an allowed execution fails an `undefined_unless` check
(herd's `Flag.Undef`); herd's result line then reads `Undef` in place of Ok/No."""


class Observation(Enum):
    """herd's Observation: how often the final condition's proposition holds."""

    NEVER = "Never"
    SOMETIMES = "Sometimes"
    ALWAYS = "Always"
    UNKNOWN = "Unknown"  # the solver gave up: never a verdict


@dataclass(frozen=True)
class State:
    """One reachable final state: (name, value) pairs in herd's print order.

    Names are printed as herd does: `0:EAX`, `1:rax`, `[x]`; values as herd does: `1`,
    `-1`, or a location name such as `x` for a pointer.
    """

    bindings: tuple[tuple[str, str], ...]
    # the faults shown after the values (only when the condition tests faults): each
    # `Fault(P0:L0,UndefinedInstruction)` of the state, then `~Fault(...)` for each
    # fault atom of the condition that none matches (see `memlitmus.faults`)
    faults: tuple[str, ...] = ()

    def herd_line(self) -> str:
        """`0:EAX=0; [x]=1;` exactly as herd prints a state; with faults, herd's
        `0:X0=0; Fault(P0:L0,UndefinedInstruction);` (a state of no values starts with
        herd's space: ` Fault(P0,SupervisorCall);`, `  ~Fault(P0,SupervisorCall);`)."""
        line = "".join(f"{name}={value}; " for name, value in self.bindings).rstrip()
        if not self.faults:
            return line
        present = " ".join(f"{f};" for f in self.faults if not f.startswith("~"))
        absent = "".join(f" {f};" for f in self.faults if f.startswith("~"))
        return f"{line} {present}{absent}"


@dataclass(frozen=True)
class ModelResult:
    """The verdict of one test under one model."""

    file: str
    test: str
    arch: str
    model: str
    kind: str  # herd's "Allowed" (exists), "Forbidden" (~exists) or "Required" (forall)
    condition: str  # the condition as herd prints it after `Condition `
    states: tuple[State, ...] = ()  # sorted as herd sorts them
    witnesses: tuple[bool, ...] = ()  # per state: does it satisfy the proposition?
    observation: Observation = Observation.UNKNOWN
    ok: bool | None = None  # herd's Ok/No; None when unknown
    positive: int | None = None  # executions satisfying the proposition (with --count)
    negative: int | None = None
    flags: tuple[str, ...] = ()
    time_s: float = 0.0
    states_listed: bool = True  # False under --verdict-only
    unknown_reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False)
    # per state, one execution reaching it (with --executions; see `witness`)
    executions: tuple[Execution, ...] = field(default=(), compare=False)
    # candidate outcomes the model forbids, with why (with --forbidden); `forbidden_bounded`
    # when the candidates were not all enumerated (too many, or the time budget ran out)
    forbidden: tuple[ForbiddenOutcome, ...] = field(default=(), compare=False)
    forbidden_bounded: bool = False


@dataclass(frozen=True)
class PairError:
    """A (test, model) pair with no verdict: the model cannot judge the test.

    The model does not judge the test's architecture (`memlitmus.models.Model.judges`),
    or its cat text cannot be evaluated on the test's events. The test's other models are
    still judged; `message` says why this one is not.
    """

    file: str
    test: str
    arch: str
    model: str
    message: str


@dataclass(frozen=True)
class FileError:
    """An input that was rejected, with its rendered `file:line:col: message`."""

    file: str
    message: str
    internal: bool = False  # True for a bug in memlitmus rather than a rejected input
