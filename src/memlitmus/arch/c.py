"""The C front end (herd's C dialect, the Linux-kernel memory model's tests).

Each thread is executed symbolically: locals and parameters are registers (a parameter
`int *x` holds the address of location `x`), `*p` is a plain access, and kernel
primitives make the events that `kernel_primitives.TABLE` gives them. As in herd's C
semantics, every access is ordered in program order after the previous one, the read
and the write of an atomic read-modify-write included (herd's `lock.cat` pairs a lock's
read and write through `po-loc`).

Locks are modelled with the engine's own values: `spin_lock(l)` reads `*l` (tag `LKR`),
must read 0 (an assumption), writes 1 (`LKW`) and pairs the two in `rmw`;
`spin_unlock(l)` writes 0 (`UL`). Coherence and atomicity then give exactly herd's lock
orders (each `LKR` reads from the `UL` or initial write just before its `LKW`), without
herd's `with ... from` enumeration.

This module holds the front ends' base (`CFrontEnd`, reading `CThread`s), the LKMM's
front end and the descriptor; the thread runner (statements, expressions and the accesses
they make) is in `c_runner`, the handlers of the primitives, one per table shape, in
`c_primitives`, below both.
"""

from __future__ import annotations

import weakref
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from memlitmus.arch.base import FrontEnd
from memlitmus.arch.c_primitives import SHAPES
from memlitmus.arch.c_primitives import SRCU_LOC as SRCU_LOC
from memlitmus.arch.c_runner import CThreadRunner, run_body
from memlitmus.arch.descriptor import Architecture
from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.builder import ProgramBuilder, ThreadBuilder
from memlitmus.errors import UnsupportedError
from memlitmus.kernel.tables import mapping
from memlitmus.litmus.ast import AsmThread
from memlitmus.litmus.c_ast import CThread
from memlitmus.litmus.parse_c import CTransformer


def tags_of(table: Mapping[str, Primitive]) -> frozenset[str]:
    """Every tag a C event may carry with `table`: the models look them up as event sets."""
    return frozenset({p.tag for p in table.values()} | {"RMW", "LKW", "LF", "Mb", "Once"}
                     | {p.herd_tag for p in table.values() if p.herd_tag})


def herd_names(table: Mapping[str, Primitive]) -> dict[str, frozenset[str]]:
    """The other names (herd's spelling, from a `.def` file) each tag is also known by."""
    names: dict[str, set[str]] = {}
    for p in table.values():
        if p.herd_tag:
            names.setdefault(p.tag, set()).add(p.herd_tag)
    return {tag: frozenset(other) for tag, other in names.items()}


C_TAGS = tags_of(primitives())


class CFrontEnd(FrontEnd[CThread]):
    """A front end of herd's C: a thread is a body of statements, run by a
    `c_runner.CThreadRunner` (which the LKMM and each kernel lowering make their own)."""

    def canonical_reg(self, reg: str) -> str:
        """C registers are the locals as written."""
        return reg

    def thread_of(self, thread: AsmThread | CThread) -> CThread:
        """The thread as C code, or an error when a C test has assembly threads."""
        if not isinstance(thread, CThread):
            raise UnsupportedError("a C test needs C threads", thread.span)
        return thread

    @abstractmethod
    def runner(self, tb: ThreadBuilder, thread: CThread) -> CThreadRunner:
        """A fresh runner for `thread` on the thread `tb` builds."""

    def run_thread(self, thread: CThread, tb: ThreadBuilder) -> None:
        """Execute one thread's body symbolically."""
        runner = self.runner(tb, thread)
        run_body(runner, thread, tb)
        runner.finish(thread.span)


@dataclass(frozen=True)
class CArch(CFrontEnd):
    """herd's `C` architecture, judged by default under the LKMM."""

    name: str = "C"
    tags: frozenset[str] = C_TAGS
    table: Mapping[str, Primitive] | None = None
    """The kernel primitives (None: the built-in `kernel_primitives` table)."""

    def with_macros(self, table: Mapping[str, Primitive]) -> CArch:
        """This front end reading the primitives of a `.def` file (`kernel_macros`)."""
        return CArch(self.name, tags_of(table), table)

    def runner(self, tb: ThreadBuilder, thread: CThread) -> CThreadRunner:
        """Primitives make the events of their table line's shape."""
        table = primitives() if self.table is None else self.table
        return CThreadRunner(tb, srcu_registry(tb.program), table, herd_names(table), SHAPES)


# SRCU events per srcu struct, per program being built: `synchronize_srcu(s)` is a fence
# (not a memory event, so not in `loc`), yet the model matches it with the
# `srcu_read_lock(s)` of the same struct; the front end records those pairs statically.
_SRCU: weakref.WeakKeyDictionary[ProgramBuilder, dict[str, list[int]]] = (
    weakref.WeakKeyDictionary()
)


def srcu_registry(program: ProgramBuilder) -> dict[str, list[int]]:
    """The SRCU events of each srcu struct so far in `program`, by struct."""
    return _SRCU.setdefault(program, {})


C = CArch()


_OUTSIDE = ", outside the kernel dialect that memlitmus models"


class CArchitecture(Architecture):
    """herd's `C` dialect: kernel C tests (see docs/lkmm.md). Registers print by name."""

    name = "C"
    grammar = "c.lark"
    start = "c"
    transformer = CTransformer
    skip_comments = False  # `(*p)` is code in C, not a comment (herd's choice too)
    # herd's C also reads C11 atomics and 128-bit integers (its own instruction tests use
    # them); the kernel dialect has neither, so they are refused by name, not misparsed.
    outside_dialect = (
        (r"\b(?:_Atomic|atomic_(?:u?int|u?long|u?llong|bool|u?char|schar|u?short|u?intptr_t"
         r"|size_t|ptrdiff_t|u?intmax_t))\b", f"a C11 atomic type{_OUTSIDE}"),
        (r"\b(?:atomic_\w+_explicit|atomic_(?:thread|signal)_fence|atomic_(?:load|store"
         r"|exchange|compare_exchange_(?:strong|weak))|memory_order_\w+)\b",
         f"a C11 atomic operation{_OUTSIDE}"),
        (r"\b(?:__u?int128(?:_t)?|u?int128_t)\b", f"a 128-bit integer type{_OUTSIDE}"),
        # herd's `regions: x:PROP` gives locations memory-region attributes (herd's
        # instruction test C12); the LKMM has no regions, so the section is refused
        (r"(?m)^regions(?=\s*:)", "herd's memory-region section (`regions: x:PROP`), "
         "which memlitmus does not model"),
    )
    front_end = C
    default_model = "lkmm"
    kernel_mapping = {"sc": mapping("sc")}
