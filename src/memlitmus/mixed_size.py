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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import AddrOf, BinOp, Const, Event, Expr, ReadValue, binop, without_deps

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


def byte_accesses(
    layout: Layout, addr: Expr, size: int, value: Expr | None, span: Span | None
) -> list[tuple[AddrOf, Expr | None]]:
    """The bytes of an access of `size` bytes at `addr`: each byte's address and, for a
    write of `value`, the byte written (None for a read). Raises UnsupportedError for an
    access `Layout.place` refuses and for a store of an address, which herd cannot take
    apart."""
    base = layout.place(addr, size, span)
    if isinstance(value, AddrOf):
        raise UnsupportedError(f"a store of an address (`{value.name}`) in mixed-size mode "
                               "(`Variant=mixed`)", span)
    return [(replace(base, offset=base.offset + k), None if value is None else byte_of(value, k))
            for k in range(size)]


def aligned(offset: int, size: int, cell: Cell) -> bool:
    """herd/memUtils.ml `is_aligned`: an access no wider than a cell lies in one element at
    a multiple of its size; a wider one covers whole elements from a multiple of its size."""
    if size <= cell.size:
        index, within = divmod(offset, cell.size)
        return 0 <= index < cell.count and within % size == 0
    return (offset >= 0 and offset % size == 0
            and offset // cell.size + size // cell.size <= cell.count)


def byte_of(value: Expr, k: int) -> Expr:
    """Byte `k` (0: the least significant) of `value`: `(value >> 8k) & 0xff`.

    Taken through what the solver handles badly (bit-vector terms over sums): byte k of
    a recomposed value is its part k, of `a ^ b` (`|`, `&`) the same operation on the
    bytes. The result keeps every dependency of `value`, as in herd, where each byte
    written is computed from the whole register (`explode`).
    """
    byte = _byte(value, k, 0)
    if byte is None:
        shifted = binop(">>", value, Const(8 * k)) if k else value
        return binop("&", shifted, Const(0xFF))
    return byte if not (value.deps or value.picks) else binop("+", byte, _zero(value))


def _zero(value: Expr) -> Expr:
    """0, carrying the dependencies of `value` (and their path conditions); the encoder
    gives it the term 0 (`TermBuilder`)."""
    return BinOp("*", value, Const(0), value.deps, value.picks)


_BYTEWISE = frozenset({"^", "|", "&"})


def _byte(value: Expr, k: int, depth: int) -> Expr | None:
    """Byte k of `value` from its parts (without its dependencies), or None."""
    if isinstance(value, Const):
        return Const((value.value >> (8 * k)) & 0xFF)
    if depth > 8 or not isinstance(value, BinOp):
        return None
    parts = _recomposed(value)
    if parts is not None:
        return without_deps(parts[k]) if k < len(parts) else Const(0)
    if value.op in _BYTEWISE:
        left, right = _byte(value.left, k, depth + 1), _byte(value.right, k, depth + 1)
        if left is not None and right is not None:
            return _bytewise(value.op, left, right)
    return None


def _bytewise(op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` on two bytes, without the operations that change nothing (`x ^ 0`,
    `x & 0xff`), each a bit-vector term for the solver."""
    for a, b in ((left, right), (right, left)):
        if b == Const(0):
            return Const(0) if op == "&" else a
        if op == "&" and b == Const(0xFF):
            return a
    return binop(op, left, right)


def _recomposed(value: BinOp) -> list[Expr] | None:
    """The parts of a value `recompose` built (least significant first), or None."""
    parts: list[Expr] = []
    weights: list[int] = []
    node: Expr = value
    while isinstance(node, BinOp) and node.op == "+":
        term = node.right
        if not (isinstance(term, BinOp) and term.op == "*" and isinstance(term.right, Const)
                and isinstance(term.left, ReadValue)):
            return None
        parts.append(term.left)
        weights.append(term.right.value)
        node = node.left
    if not isinstance(node, ReadValue) or not parts:
        return None
    parts.append(node)
    weights.append(1)
    parts.reverse()
    weights.reverse()
    return parts if weights == [1 << (8 * j) for j in range(len(parts))] else None


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


def init_writes(
    layout: Layout, locations: Iterable[str], init_memory: Mapping[str, Expr],
    elements: Mapping[str, tuple[str, int, Expr]], write: Callable[[AddrOf, Expr], None],
) -> dict[str, tuple[str, int, int]]:
    """Make (`write`) the initial writes: each location's value byte by byte, each element
    of an array on its own (herd's `initwrites_mixed`; `elements`: `t[1]` → (array, byte
    offset, value)). Returns the bytes of every location and element, `(location, byte
    offset, size)` (`EventProgram.byte_cells`)."""
    cells: dict[str, tuple[str, int, int]] = {}
    for name in locations:
        if name.startswith("label:"):  # a code location holds its instruction
            write(AddrOf(name), init_memory.get(name, Const(0)))
            continue
        cell = layout.cell(name)
        cells[name] = (name, 0, cell.size)
        for index in range(cell.count):
            element = f"{name}[{index}]"
            if index:
                cells[element] = (name, index * cell.size, cell.size)
            found = elements.get(element)
            value = found[2] if found else init_memory.get(name, Const(0))
            assert isinstance(value, Const)  # `lower` refuses a pointer in memory
            for k, byte in enumerate(init_bytes(value.value, cell.size)):
                write(AddrOf(name, index * cell.size + k), Const(byte))
    for element, (base, offset, _) in elements.items():
        cells.setdefault(element, (base, offset, layout.cell(base).size))
    return cells



def byte_pairs(
    events: Sequence[Event], reads: Iterable[int], writes: Iterable[int]
) -> list[tuple[int, int]]:
    """Each byte read with the byte write at the same address (herd pairs the accesses of
    an atomic by location, herd/mem.ml `make_atomic_load_store`)."""
    return [(r, w) for r in reads for w in writes if _place(events[r]) == _place(events[w])]


def _place(event: Event) -> tuple[str, int] | None:
    addr = event.addr
    return (addr.name, addr.offset) if isinstance(addr, AddrOf) else None


SCA_RELATIONS = frozenset({"sm", "si"})
"""herd's single-copy-atomic classes: a model that uses neither cannot tell a torn read."""


def shared_access(events: Iterable[Event]) -> tuple[str, Event] | None:
    """The first access to a location that another thread accessed before it, if any,
    with the location's name.

    With free per-byte `rf` (this module), a read could take its bytes from two writes
    that each write all of them (a torn read), which herd never builds (herd/mem.ml
    `solve_mem_mixed`: a read takes every byte a write covers from it once it takes one,
    unless a smaller write supplies some). Under sc and armv8 (and herd's aarch64.cat) such
    an execution is a cycle through the single-copy-atomic classes (`com; sm`,
    `obs; sca-class`) or breaks per-location coherence, so they agree with herd; a model
    that never mentions `sm` or `si` is refused such a test (`judge`).
    """
    owner: dict[str, int] = {}
    for event in events:
        if not event.is_memory or event.is_init or not isinstance(event.addr, AddrOf):
            continue
        if owner.setdefault(event.addr.name, event.thread) != event.thread:
            return event.addr.name, event
    return None
