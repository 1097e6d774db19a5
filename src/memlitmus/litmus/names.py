"""How the litmus language names things, and the order of a final state's names and lines.

This is core data, used by the judge to key the states it lists and by every output format
(herd's text, JSON, tables, HTML): a location's name (`0:EAX`, `[x]`), a condition's text,
a test's kind, and the canonical order of names and states. The rules are herd7 7.58's,
since the litmus language is herd's (see docs/herd-output.md for the sources); the herd
reporter (`report/herd.py`) only lays them out in herd's output block:

* the `Condition` line is herdtools' `ConstrGen.pp_prop`: `/\\` and `\\/` with one space
  each side, `=>`, `not (...)` for negation (also for `x!=v`), `true`/`false`, and
  parentheses only where a `\\/` or `=>` sits under a `/\\`, or a `/\\`/`\\/` under `=>`;
* memory locations are printed `[x]` on every architecture (C included), registers
  `T:REG`; values as decimal integers or, for an address, the bare location name;
* names inside a state are sorted registers first (by thread, then by the architecture's
  register order, its descriptor's `reg_sort_key`: X86 `EAX EBX ECX ...`, X86_64 `rax rbx
  rcx rdx rsi rdi rbp rsp r8..r15`, AArch64 by register number, C by name), then memory
  locations by name;
* state lines are sorted lexicographically over their values taken in name order, values
  compared as herd does: unresolved symbolic values (`S16`) < integers (numerically) <
  addresses (by name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from memlitmus.arch.descriptor import Architecture, RegKey
from memlitmus.arch.registry import architecture
from memlitmus.litmus.ast import (
    And,
    ArrayEq,
    Atom,
    Condition,
    Const,
    FaultAtom,
    Implies,
    Loc,
    LocEq,
    Not,
    Or,
    Prop,
    Value,
)
from memlitmus.results import State

__all__ = [
    "condition_text",
    "kind_of",
    "literal_text",
    "location_name",
    "name_sort_key",
    "prop_text",
    "sort_bindings",
    "sort_states",
    "state_sort_key",
    "value_sort_key",
]

_KINDS = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}

# Operator contexts of ConstrGen.pp_prop.
_TOP, _AND, _OR, _IMPLIES = "top", "and", "or", "implies"

# (context above, operator here) pairs that herd parenthesises.
_PAREN = {
    (_AND, _OR),
    (_AND, _IMPLIES),
    (_OR, _IMPLIES),
    (_IMPLIES, _AND),
    (_IMPLIES, _OR),
}

_OPS = {_AND: " /\\ ", _OR: " \\/ ", _IMPLIES: " => "}


# --- names and values ------------------------------------------------------------------


def kind_of(quantifier: str) -> str:
    """The word after `Test NAME`: `Allowed` (exists), `Forbidden` (~exists), `Required`."""
    try:
        return _KINDS[quantifier.replace(" ", "")]
    except KeyError:
        raise ValueError(f"unknown quantifier {quantifier!r}") from None


def location_name(loc: Loc, arch: str) -> str:
    """A location named as in states and conditions: `0:EAX`, `1:r0`, `[x]`, by the rules
    of `arch`'s descriptor (`Architecture.location_name`); an unknown architecture (a
    test the judge never sees) by the base rules."""
    descriptor = architecture(arch)
    return (Architecture if descriptor is None else descriptor).location_name(loc)


def literal_text(value: Value) -> str:
    """A value as herd prints it: decimal integer (`-1` for negatives) or location name."""
    return str(value)


# --- the Condition line ----------------------------------------------------------------


def condition_text(cond: Condition, arch: str) -> str:
    """The text after `Condition `: e.g. `exists (0:EAX=0 /\\ 1:EAX=0)`."""
    quantifier = cond.quantifier.replace(" ", "")
    kind_of(quantifier)  # validates the quantifier
    return f"{quantifier} ({prop_text(cond.prop, arch)})"


def prop_text(prop: Prop, arch: str) -> str:
    """A proposition printed by herd's rules (ConstrGen.pp_prop), outermost context."""
    return _pp(prop, _TOP, arch)


def _pp(prop: Prop, above: str, arch: str) -> str:
    """Print `prop` appearing directly under an operator of kind `above`."""
    if isinstance(prop, Atom):
        return _pp_atom(prop, arch)
    if isinstance(prop, LocEq):
        text = f"{location_name(prop.left, arch)}={location_name(prop.right, arch)}"
        return f"not ({text})" if prop.negated else text
    if isinstance(prop, FaultAtom):
        return str(prop)  # herd's Fault.pp_fatom: `fault(P0:L0,UndefinedInstruction)`
    if isinstance(prop, Const):
        return "true" if prop.value else "false"
    if isinstance(prop, Not):
        return f"not ({_pp(prop.arg, _TOP, arch)})"
    if isinstance(prop, ArrayEq):
        return f"{prop.name}={{{','.join(literal_text(v) for v in prop.values)}}}"
    here = _op_of(prop)
    text = _OPS[here].join(_pp(arg, here, arch) for arg in (prop.left, prop.right))
    return f"({text})" if (above, here) in _PAREN else text


def _op_of(prop: And | Or | Implies) -> str:
    """The operator context a binary proposition opens."""
    if isinstance(prop, And):
        return _AND
    if isinstance(prop, Or):
        return _OR
    return _IMPLIES


def _pp_atom(atom: Atom, arch: str) -> str:
    """`loc=value`; herd prints `loc!=value` as `not (loc=value)`."""
    text = f"{location_name(atom.loc, arch)}={literal_text(atom.value)}"
    return f"not ({text})" if atom.negated else text


# --- ordering --------------------------------------------------------------------------

_INT_RE = re.compile(r"-?[0-9]+")
_VAR_RE = re.compile(r"S[0-9]+")


def _reg_key(reg: str, arch: str) -> RegKey:
    """herd's `reg_compare` for `arch` (its descriptor's); unknown arches: by name."""
    descriptor = architecture(arch)
    if descriptor is None:
        return (0, 0, reg)
    return descriptor.reg_sort_key(reg)


@lru_cache(maxsize=8192)
def name_sort_key(name: str, arch: str) -> tuple[int, int, RegKey | str]:
    """Sort key of a herd location name (`0:EAX`, `[x]`) inside a state."""
    thread, sep, reg = name.partition(":")
    if sep and thread.isdigit():
        return (0, int(thread), _reg_key(reg, arch))
    if name.endswith("]") and not name.startswith("["):
        # an array element `t[1]`: herd lists these after the locations and whole arrays
        # (herd-instructions L014: `u={-1,-1}; [x]=-1; u[0]=-1;`)
        return (1, 1, name)
    return (1, 0, name.removeprefix("[").removesuffix("]"))


ValueKey = tuple[int, int, str, tuple[tuple[int, int, str, tuple[()]], ...]]


@lru_cache(maxsize=8192)
def value_sort_key(value: Value) -> ValueKey:
    """herd's value order: unresolved `S<n>` < integers (numeric) < addresses (by name);
    a whole array's `{1,2}` element by element."""
    if isinstance(value, int):
        return (1, value, "", ())
    if _INT_RE.fullmatch(value):
        return (1, int(value), "", ())
    if _VAR_RE.fullmatch(value):
        return (0, int(value[1:]), "", ())
    if value.startswith("{") and value.endswith("}"):
        elements = tuple(_scalar_key(v) for v in value[1:-1].split(","))
        return (3, 0, "", elements)
    return (2, 0, value, ())


def _scalar_key(value: str) -> tuple[int, int, str, tuple[()]]:
    key = value_sort_key(value)
    return (key[0], key[1], key[2], ())


def sort_bindings(bindings: Iterable[tuple[str, str]], arch: str) -> tuple[tuple[str, str], ...]:
    """The (name, value) pairs of one state in herd's print order."""
    return tuple(sorted(bindings, key=lambda bd: name_sort_key(bd[0], arch)))


def state_sort_key(
    state: State | Iterable[tuple[str, str]], arch: str
) -> tuple[ValueKey, ...]:
    """Sort key of a whole state line: its values, in herd's name order, compared as herd.

    All states of one test bind the same names, so comparing the value sequences is
    herd's map comparison (`RState.compare`).
    """
    bindings = state.bindings if isinstance(state, State) else tuple(state)
    key = _values_key(sort_bindings(bindings, arch))
    if isinstance(state, State) and state.faults:
        # herd: values first, then the set of faults the state has (not the `~` atoms:
        # those are printed, not compared), compared as sorted sequences (OCaml's
        # Set.compare; a fault's text stands for herd's order of faults)
        present = tuple((0, 0, f, ()) for f in state.faults if not f.startswith("~"))
        return (*key, (4, 0, "", present))
    return key


def sort_states(states: Iterable[State], arch: str) -> tuple[State, ...]:
    """States with their bindings and their lines in herd's order."""
    normalised = (State(sort_bindings(st.bindings, arch), st.faults) for st in states)
    return tuple(sorted(normalised, key=lambda st: state_sort_key(st, arch)))


def _values_key(bindings: Iterable[tuple[str, str]]) -> tuple[ValueKey, ...]:
    """Sort key of bindings already in herd's name order."""
    return tuple(value_sort_key(value) for _, value in bindings)
