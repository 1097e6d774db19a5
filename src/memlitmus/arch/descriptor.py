"""What an architecture is, in one place: the class every architecture descriptor extends.

Modelled on sqlglot's dialects: a descriptor is a class, never instantiated, whose class
attributes are the architecture's tables. `memlitmus.arch.registry.ARCHITECTURES` lists the
descriptors; nothing else in the code lists architectures. A descriptor says

* `name`: the word on a litmus file's header line (`X86`, `X86_64`, `AArch64`, `C`);
* `grammar`, `start`, `transformer`, `skip_comments`: how its program section is parsed
  (a file under `grammars/`, its start rule, the inline Lark transformer whose callback
  of that rule returns the threads, and whether `(* *)` comments are blanked in code);
* `front_end`: the symbolic execution of its threads into events (`arch.base.Arch`);
* `default_model`: the shipped model judged when the user names none;
* `reg_sort_key`: herd's order of its registers inside a state line (herd's
  `reg_compare`), `reg_print_name` how herd spells one, `location_name` how a state or
  condition names a register or memory location, and `canonical_reg` through the
  front end;
* `lowerings`: model name → the `Lowering` through which that model judges this
  architecture, for a model that judges it only through a translation: a C test under
  x86tso or armv8 goes through the kernel's mapping to x86 or arm64 code
  (`memlitmus.kernel.lowering`; the C descriptor's are set by `arch.registry`);
* `outside_dialect`: (regular expression, what it is) pairs naming well-formed
  constructs of herd's dialect that memlitmus refuses by name (C11 atomics and 128-bit
  integers in C), reported at the first one met;
* `kernel_mapping`: the kernel mapping tables written in this architecture's
  instructions, by name (`memlitmus.kernel.tables`: `x86`; `arm64`, `arm64-llsc`);
  None where there is none;
* `default_type`: the C type herd gives a register or location the init block does not
  type, when final values are shown through their type (`observe.typed_term`); None:
  values are shown as computed;
* `herd_register_events`: herd's own models of this architecture compute dependencies
  from herd's register events (`rf-reg`, `iico_data`…: AArch64's `aarch64deps.cat`), so a
  user's cat file sees them, rebuilt from the front end's dependencies
  (`memlitmus.encode.herd_registers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Protocol

from memlitmus.arch.base import Arch
from memlitmus.litmus.ast import LitmusTest, Loc, RegLoc
from memlitmus.litmus.transform import SectionTransformer

__all__ = ["Architecture", "Lowering", "RegKey"]

RegKey = tuple[int, int, str]
"""A sort key of one register name (herd's `reg_compare` as a tuple)."""


class Lowering(Protocol):
    """How a model judges an architecture through a translation of its tests."""

    @property
    def tags(self) -> frozenset[str]:
        """The event tags of the translated code (known to the model even if absent)."""
        ...

    def front_end_for(self, test: LitmusTest, mapping: str | None) -> Arch:
        """The front end that runs `test` translated (`mapping`: a variant table such as
        `arm64-llsc`, None for the default); raises ModelError for an unknown variant."""
        ...


class Architecture:
    """Base of the descriptors; subclasses set every class attribute without a default.

    `memlitmus.arch.registry.missing_attributes` names what a descriptor leaves unset.
    """

    name: ClassVar[str]
    grammar: ClassVar[str]
    start: ClassVar[str]
    transformer: ClassVar[type[SectionTransformer]]
    skip_comments: ClassVar[bool] = True
    front_end: ClassVar[Arch]
    default_model: ClassVar[str]
    lowerings: ClassVar[Mapping[str, Lowering]] = {}
    outside_dialect: ClassVar[tuple[tuple[str, str], ...]] = ()
    kernel_mapping: ClassVar[Mapping[str, object] | None] = None
    default_type: ClassVar[str | None] = None
    herd_register_events: ClassVar[bool] = False

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "name", "grammar", "start", "transformer", "front_end", "default_model",
    )

    def __init__(self) -> None:
        raise TypeError("architecture descriptors are classes, not instances")

    @staticmethod
    def reg_sort_key(reg: str) -> RegKey:
        """herd's print order of registers; by default by name (C locals)."""
        return (0, 0, reg)

    @staticmethod
    def state_reg_error(reg: str) -> str | None:
        """Why herd refuses register `reg` outside the code (init block, `locations`,
        filter, condition; `{thread}` stands for its thread), None if it does not."""
        del reg
        return None

    @staticmethod
    def reg_print_name(reg: str) -> str:
        """A register's name as herd prints it in states and conditions (as written)."""
        return reg

    @classmethod
    def location_name(cls, loc: Loc) -> str:
        """A location as states and conditions name it: `T:REG` for a register, spelled
        by `reg_print_name` (X86_64 `0:RAX` is `0:rax`); `[x]` for memory, bracketed on
        every architecture, C included, as herd 7.58 prints it; an array element
        (`t[1]`) as written."""
        if isinstance(loc, RegLoc):
            return f"{loc.thread}:{cls.reg_print_name(loc.reg)}"
        if loc.name.endswith("]"):
            return loc.name
        return f"[{loc.name}]"
