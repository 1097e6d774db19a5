"""The kernel primitives table: the events each primitive makes (kind, location, tags,
rmw pairs, program order), and clean errors for unknown macros."""

from __future__ import annotations

import pytest

from memlitmus.arch.base import lower
from memlitmus.arch.c import C_TAGS, SRCU_LOC, C
from memlitmus.arch.kernel_primitives import SHAPES, primitives
from memlitmus.errors import UnsupportedError
from memlitmus.events import TRUE, AddrOf, Event, EventProgram
from memlitmus.litmus.parse import parse_litmus


def _program(body: str, params: str = "int *x, int *y, spinlock_t *l, struct srcu_struct *s",
             extra: str = "") -> EventProgram:
    text = (f"C t\n{{}}\nP0({params})\n{{\n\tint r0;\n\tint r1;\n{body}\n}}\n"
            f"{extra}exists (0:r0=0)\n")
    return lower(parse_litmus(text, "t.litmus"), C)


def _shape(program: EventProgram) -> list[tuple[str, str | None, frozenset[str]]]:
    """(kind, location, tags) of thread 0's events, in program order."""
    def loc(e: Event) -> str | None:
        return e.addr.name if isinstance(e.addr, AddrOf) else None
    return [(e.kind, loc(e), e.tags) for e in program.events if e.thread == 0]


def _t(*names: str) -> frozenset[str]:
    return frozenset(names)


@pytest.mark.parametrize(
    ("body", "events"),
    [
        ("r0 = READ_ONCE(*x);", [("R", "x", _t("Once"))]),
        ("WRITE_ONCE(*x, 1);", [("W", "x", _t("Once"))]),
        ("r0 = smp_load_acquire(x);", [("R", "x", _t("Acquire"))]),
        ("smp_store_release(x, 1);", [("W", "x", _t("Release"))]),
        ("r0 = rcu_dereference(*x);", [("R", "x", _t("Once"))]),
        ("rcu_assign_pointer(*x, y);", [("W", "x", _t("Release"))]),
        ("smp_store_mb(*x, 1);", [("W", "x", _t("Once")), ("F", None, _t("Mb"))]),
        ("smp_mb();", [("F", None, _t("Mb"))]),
        ("smp_rmb(); smp_wmb(); barrier();",
         [("F", None, _t("Rmb")), ("F", None, _t("Wmb")), ("F", None, _t("Barrier"))]),
        ("smp_mb__after_unlock_lock();", [("F", None, _t("After-unlock-lock"))]),
        ("rcu_read_lock(); synchronize_rcu_expedited(); rcu_read_unlock();",
         [("F", None, _t("Rcu-lock")), ("F", None, _t("Sync-rcu")),
          ("F", None, _t("Rcu-unlock"))]),
        ("r0 = xchg(x, 1);", [("R", "x", _t("Mb", "RMW")), ("W", "x", _t("Mb", "RMW"))]),
        ("r0 = xchg_relaxed(x, 1);",
         [("R", "x", _t("Once", "RMW")), ("W", "x", _t("Once", "RMW"))]),
        ("r0 = cmpxchg_acquire(x, 0, 1);",
         [("R", "x", _t("Acquire", "RMW", "Once")), ("W", "x", _t("Acquire", "RMW"))]),
        ("atomic_inc(x);",
         [("R", "x", _t("Noreturn", "RMW")), ("W", "x", _t("Noreturn", "RMW"))]),
        ("r0 = atomic_fetch_add_release(2, x);",
         [("R", "x", _t("Release", "RMW")), ("W", "x", _t("Release", "RMW"))]),
        ("r0 = atomic_read(x); atomic_set(y, 1);",
         [("R", "x", _t("Once")), ("W", "y", _t("Once"))]),
        ("spin_lock(l); spin_unlock(l);",
         [("R", "l", _t("LKR")), ("W", "l", _t("LKW")), ("W", "l", _t("UL"))]),
        ("r0 = spin_is_locked(l);", [("R", "l", _t("IsLocked"))]),
        ("r0 = spin_trylock(l);",
         [("R", "l", _t("LKR")), ("W", "l", _t("LKW")), ("R", "l", _t("LF"))]),
        ("r0 = srcu_read_lock(s); srcu_read_unlock(s, r0); synchronize_srcu(s);",
         [("R", "s", _t("Srcu-lock")), ("W", "s", _t("Srcu-unlock")),
          ("F", None, _t("Sync-srcu"))]),
    ],
)
def test_event_shapes(body: str, events: list[tuple[str, str | None, frozenset[str]]]) -> None:
    assert _shape(_program(body)) == events


def test_rmw_pairs_and_program_order() -> None:
    """An RMW's read and write are paired in rmw and ordered by po (herd's C `po`
    includes the order inside a primitive: lock.cat pairs LKR and LKW through po-loc)."""
    program = _program("r0 = xchg(x, 1); spin_lock(l);")
    r, w, lkr, lkw = (e.eid for e in program.events if e.thread == 0)
    assert program.rmw == frozenset({(r, w), (lkr, lkw)})
    instrs = [e.instr for e in program.events if e.thread == 0]
    assert instrs == sorted(set(instrs))  # every event its own instruction: all po-related


def test_failed_cmpxchg_is_a_lone_read() -> None:
    program = _program("r0 = cmpxchg(x, 5, 1);")
    read, write = (e for e in program.events if e.thread == 0)
    assert write.guard != read.guard  # the write happens only when the read returned 5
    assert (read.eid, write.eid) not in program.ctrl  # one primitive: no control dependency
    assert program.final_registers[(0, "r0")].deps == frozenset({read.eid})


def test_lock_must_read_unlocked() -> None:
    program = _program("spin_lock(l);")
    assert len(program.assumptions) == 1


def test_dependencies() -> None:
    program = _program("r0 = READ_ONCE(*x); WRITE_ONCE(*y, r0); if (r0) WRITE_ONCE(*x, 2);")
    r, w_data, w_ctrl = (e.eid for e in program.events if e.thread == 0)
    assert (r, w_data) in program.data
    assert (r, w_ctrl) in program.ctrl and (r, w_data) not in program.ctrl


def test_control_dependency_ends_with_the_if() -> None:
    """herd's C: only the statements inside an `if` depend on its condition."""
    program = _program("r0 = READ_ONCE(*x); if (r0) r1 = 1; WRITE_ONCE(*y, 1);")
    r, w = (e.eid for e in program.events if e.thread == 0)
    assert (r, w) not in program.ctrl
    assert next(e for e in program.events if e.eid == w).guard == TRUE


def test_address_dependency_through_a_pointer() -> None:
    program = _program("int *r2; r2 = READ_ONCE(*p); r0 = READ_ONCE(*r2);",
                       params="int **p")
    r_p, r_target = (e.eid for e in program.events if e.thread == 0)
    assert (r_p, r_target) in program.addr


def test_srcu_events_on_one_struct_are_related() -> None:
    program = _program("r0 = srcu_read_lock(s); srcu_read_unlock(s, r0); synchronize_srcu(s);")
    lock, unlock, sync = (e.eid for e in program.events if e.thread == 0)
    assert {(lock, sync), (sync, unlock), (unlock, unlock)} <= program.extra_relations[SRCU_LOC]


def test_while_is_unrolled_and_cut() -> None:
    program = _program("while (READ_ONCE(*x) == 0) r0 = r0 + 1;")
    reads = [e for e in program.events if e.thread == 0 and e.kind == "R"]
    assert len(reads) == 3  # two iterations, then the test that must fail
    assert len(program.assumptions) == 1


def test_every_table_line_is_well_formed() -> None:
    table = primitives()
    assert len(table) >= 100
    for prim in table.values():
        assert prim.shape in SHAPES
        assert prim.tag in C_TAGS
        if prim.shape == "rmw":
            assert prim.op in ("+", "-", "&", "|", "^", "&~") and prim.result
    for name in ("READ_ONCE", "smp_mb__after_srcu_read_unlock", "atomic_andnot",
                 "atomic_fetch_andnot_relaxed", "atomic_add_negative", "atomic_add_unless",
                 "srcu_down_read", "srcu_up_read", "synchronize_srcu_expedited"):
        assert name in table


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("r0 = frobnicate(x);", "unsupported macro or function `frobnicate`"),
        ("r0 = READ_ONCE(x);", "`READ_ONCE` expects an argument of the form `*p`"),
        ("r0 = smp_load_acquire(x, y);", "`smp_load_acquire` takes 1 argument(s), got 2"),
        ("r0 = r9;", "unknown variable `r9`"),
        ("r0 = r1 / 2;", "unsupported operator `/`"),
    ],
)
def test_unsupported_constructs_are_named(body: str, message: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        _program(body)
    assert message in info.value.message
    assert info.value.span is not None and info.value.span.line == 7
