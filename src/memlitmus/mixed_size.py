"""herd's mixed-size mode (`Variant=mixed` in a test, `-variant mixed` on the command line).

In this mode herd 7.58 splits every memory access into byte accesses (herd/eventsMonad.ml
`read_mixed`, `write_mixed`, `initwrites_mixed`; little-endian, herd/archExtra_herd.ml
`Mixed`): a store of `n` bytes at address `a` is `n` one-byte writes at `a`, `a+1`, ...,
byte `k` holding `(v >> 8k) & 0xff`; a load is `n` one-byte reads whose values recompose
the loaded value; each location's initial value is written byte by byte, each element of an
array on its own. `rf` and `co` are then per byte location, so a wide read may read from
several writes. The byte events of one access form one single-copy-atomic class (herd's
`sca`, seen by the models as `sm`/`si`). A location's final value is recomposed from the
final values of its bytes (`look_in_state_mixed`).

Every location has a *cell* size: the size of its declared type (`uint8_t t[4]`: 4 cells of
1 byte; `uint64_t x`: one cell of 8 bytes; undeclared: `int`, 4 bytes, herd's
`MachSize.Word`). herd rejects an access that is not naturally aligned within a cell or
that leaves the location (herd/memUtils.ml `is_aligned`, checked on the access before its
split; herd/mem.ml `check_aligned`); memlitmus refuses it by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import AddrOf, Const, Event, Expr, binop

MIXED_VARIANTS = frozenset({"mixed", "morello"})
"""The `-variant` words that turn mixed-size mode on (herd's `Variant.Mixed`, and
`morello`, which implies it: see `arch/aarch64_morello.py` for the Morello memlitmus
models)."""

DEFAULT_CELL = 4  # herd/archExtra_herd.ml `look_size`: an undeclared location is a Word


def is_mixed(variants: frozenset[str]) -> bool:
    """Do these variants (the test's `Variant=` words and the command line's) turn
    mixed-size mode on?"""
    return any(v.lower() in MIXED_VARIANTS for v in variants)


@dataclass(frozen=True)
class Cell:
    """How a location is laid out: `size` bytes per element, `count` elements (1 for a
    scalar)."""

    size: int = DEFAULT_CELL
    count: int = 1


@dataclass
class Layout:
    """The cells of a test's locations (mixed-size mode only)."""

    cells: dict[str, Cell] = field(default_factory=dict)

    def cell(self, name: str) -> Cell:
        """The layout of location `name` (undeclared: one `int`)."""
        return self.cells.get(name, Cell())

    def place(self, addr: Expr, size: int, span: Span | None) -> AddrOf:
        """Check an access of `size` bytes at `addr` as herd's `is_aligned` does; return
        the address (raises UnsupportedError for an address that is not a location plus a
        known offset, or an unaligned or out-of-bound access)."""
        if not isinstance(addr, AddrOf) or addr.name.startswith("label:"):
            raise UnsupportedError("an access whose address is not a known location in "
                                   "mixed-size mode (`Variant=mixed`)", span)
        cell = self.cell(addr.name)
        if not aligned(addr.offset, size, cell):
            where = addr.name + (f"+{addr.offset}" if addr.offset else "")
            raise UnsupportedError(f"unaligned or out-of-bound {size}-byte access to "
                                   f"`{where}` in mixed-size mode (`Variant=mixed`)", span)
        return addr


def aligned(offset: int, size: int, cell: Cell) -> bool:
    """herd/memUtils.ml `is_aligned`: an access no wider than a cell lies in one element at
    a multiple of its size; a wider one covers whole elements from a multiple of its size."""
    if size <= cell.size:
        index, within = divmod(offset, cell.size)
        return 0 <= index < cell.count and within % size == 0
    return (offset >= 0 and offset % size == 0
            and offset // cell.size + size // cell.size <= cell.count)


def byte_of(value: Expr, k: int) -> Expr:
    """Byte `k` (0: the least significant) of `value`: `(value >> 8k) & 0xff`."""
    shifted = binop(">>", value, Const(8 * k)) if k else value
    return binop("&", shifted, Const(0xFF))


def recompose(parts: list[Expr]) -> Expr:
    """The value whose bytes are `parts`, least significant first (non-negative: herd
    ORs the shifted bytes together; a load then gives it its register's width)."""
    value = parts[0]
    for k, part in enumerate(parts[1:], start=1):
        value = binop("+", value, binop("*", part, Const(1 << (8 * k))))
    return value


def init_bytes(value: int, size: int) -> list[int]:
    """The bytes of an initial value of a `size`-byte cell, least significant first."""
    return [(value >> (8 * k)) & 0xFF for k in range(size)]


def check_sharing(
    events: Sequence[Event], accesses: Mapping[int, tuple[int, ...]], layout: Layout
) -> None:
    """Refuse a location that several threads access unless every access to it is one
    whole cell (raises UnsupportedError at the first access of another size).

    herd does not pair a read's bytes with writes freely (herd/mem.ml `solve_mem_mixed`,
    `expose_scas`, `Match.all_ws`): taking the writes in increasing size, a read takes
    every byte a write covers from that write once it takes one, unless a smaller write
    supplies some; final values follow the same rule (`all_finals_mixed`). memlitmus
    encodes free per-byte `rf`, which agrees with herd under sc and armv8 in two cases:
    * one thread per location: every model cycle through the location's events stays in
      that thread (initial writes have no incoming edge), so each byte reads the thread's
      last write to it, an execution herd's rule admits (aligned accesses nest or are
      disjoint, and a later write covering a byte of an earlier one is smaller or covers
      all of it);
    * whole cells only: a read that tears between two writes of its own size, or bytes
      whose `co` orders differ, make a cycle of `rf`/`fr`/`co` through the
      single-copy-atomic classes (`obs; sca-class`, `com; sm`) or break per-location
      coherence, so the models keep whole-cell executions only, as herd builds them.
    """
    threads: dict[str, set[int]] = {}
    for event in events:
        if event.is_memory and isinstance(event.addr, AddrOf) and not event.is_init:
            threads.setdefault(event.addr.name, set()).add(event.thread)
    for first, eids in sorted(accesses.items()):
        event = events[first]
        assert isinstance(event.addr, AddrOf)
        name = event.addr.name
        cell = layout.cell(name)
        whole = len(eids) == cell.size and event.addr.offset % cell.size == 0
        if len(threads.get(name, ())) > 1 and not whole:
            raise UnsupportedError(f"accesses of several sizes to `{name}` by several "
                                   "threads (`Variant=mixed`)", event.span)
