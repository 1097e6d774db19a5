"""Kernel C on the hardware models: the mapping tables, the lowering and `litmus/kernel`.

Every `litmus/kernel/*.litmus` states its expected verdict under the four models in its
doc comment (`Expected: sc Never, x86tso Never, armv8 Sometimes, lkmm Sometimes.`); the
tests judge the file and compare. The verdicts were reasoned from the kernel code and the
models (docs/kernel-mappings.md), not copied from memlitmus's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus.arch.kernel_primitives import primitives
from memlitmus.arch.registry import BY_NAME
from memlitmus.errors import ModelError, UnsupportedError
from memlitmus.judge import Options, judge
from memlitmus.kernel.lowering import KERNEL_LOWERINGS
from memlitmus.kernel.tables import TARGETS, Mapping, missing_lines
from memlitmus.litmus.parse import load_litmus, parse_litmus
from memlitmus.models import resolve
from memlitmus.results import PairError
from tests.conftest import LITMUS

KERNEL = sorted((LITMUS / "kernel").glob("*.litmus"))
MODELS = ("sc", "x86tso", "armv8", "lkmm")
EXPECTED = re.compile(r"Expected: ((?:\w+ \w+(?:, )?)+)\.")


def _expected(path: Path) -> dict[str, str]:
    match = EXPECTED.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no `Expected:` line in the doc comment"
    pairs = (item.split() for item in match.group(1).split(", "))
    return {model: verdict for model, verdict in pairs}


def _verdicts(path: Path, models: tuple[str, ...] = MODELS, mapping_name: str | None = None,
              ) -> dict[str, str]:
    test = load_litmus(path)
    results = judge(test, [resolve(m) for m in models],
                    Options(verdict_only=True, mapping=mapping_name))
    return {r.model: r.observation.value for r in results}


def test_the_kernel_corpus_is_there() -> None:
    assert len(KERNEL) >= 15


@pytest.mark.parametrize("path", KERNEL, ids=lambda p: p.stem)
def test_kernel_litmus_verdicts(path: Path) -> None:
    expected = _expected(path)
    assert set(expected) == set(MODELS)
    assert _verdicts(path) == expected


@pytest.mark.parametrize("name", ["compound_head+normb", "prep_compound_page+normb",
                                  "hwpoison+set_page_locked+sync-rcu",
                                  "soft_offline+put_page_testzero"])
def test_llsc_mapping_agrees_on_the_seeds(name: str) -> None:
    path = LITMUS / "kernel" / f"{name}.litmus"
    assert _verdicts(path, ("armv8",), "arm64-llsc") == {"armv8": _expected(path)["armv8"]}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_primitive_has_a_line(target: str) -> None:
    assert missing_lines(target) == []


def test_a_primitive_without_a_line_is_an_error_naming_it_and_the_target() -> None:
    table = Mapping("x86", {}, "empty")
    with pytest.raises(UnsupportedError, match="`smp_mb` has no line in the x86 kernel mapping"):
        table.line("smp_mb", None)


def test_the_c_descriptor_routes_hardware_models_through_the_mappings() -> None:
    lowerings = BY_NAME["C"].lowerings
    assert sorted(lowerings) == ["armv8", "sc", "x86tso"]  # lkmm judges C as it is
    armv8 = KERNEL_LOWERINGS["armv8"]
    assert armv8.mapping_for(None).name == "arm64"
    assert armv8.mapping_for("arm64-llsc").name == "arm64-llsc"
    assert armv8.mapping_for("x86").name == "arm64"  # another hardware's table: the default
    assert KERNEL_LOWERINGS["x86tso"].mapping_for("arm64-llsc").name == "x86"
    with pytest.raises(ModelError, match="unknown kernel mapping `ppc`"):
        armv8.mapping_for("ppc")
    assert BY_NAME["AArch64"].lowerings == {}


_SB = """C SB{suffix}
{{}}
P0(int *x, int *y) {{ int r0; WRITE_ONCE(*x, 1); {fence} r0 = READ_ONCE(*y); }}
P1(int *x, int *y) {{ int r0; WRITE_ONCE(*y, 1); {fence} r0 = READ_ONCE(*x); }}
exists (0:r0=0 /\\ 1:r0=0)
"""


@pytest.mark.parametrize(("fence", "x86", "arm64"), [
    ("", "Sometimes", "Sometimes"),
    ("smp_mb();", "Never", "Never"),
    ("smp_wmb(); smp_rmb();", "Sometimes", "Sometimes"),
    ("mb();", "Never", "Never"),
    ("smp_mb__before_atomic();", "Sometimes", "Never"),  # a no-op on x86, DMB ISH on arm64
])
def test_store_buffering_through_the_mappings(fence: str, x86: str, arm64: str) -> None:
    test = parse_litmus(_SB.format(suffix="", fence=fence), "SB.litmus")
    results = judge(test, [resolve("x86tso"), resolve("armv8")], Options(verdict_only=True))
    assert [r.observation.value for r in results] == [x86, arm64]


def _events(source: str, target: str) -> list[tuple[str, frozenset[str]]]:
    """(kind, tags) of every non-initial event of a one-thread test lowered to `target`."""
    from memlitmus.arch.base import lower

    test = parse_litmus(f"C T\n{{}}\nP0(int *x, atomic_t *a) {{ {source} }}\nexists (x=0)\n",
                        "T.litmus")
    lowering = next(lw for lw in KERNEL_LOWERINGS.values()
                    if target in (lw.hardware.kernel_mapping or {}))
    program = lower(test, lowering.front_end_for(test, target))
    return [(e.kind, e.tags) for e in program.events if e.thread == 0]


def test_lowered_events_carry_the_hardware_annotations() -> None:
    fs = frozenset
    assert _events("smp_mb();", "x86") == [("R", fs({"X"})), ("W", fs({"X"}))]
    assert _events("smp_mb();", "arm64") == [("F", fs({"DMB.ISH"}))]
    assert _events("mb();", "arm64") == [("F", fs({"DSB.SY"}))]
    assert _events("smp_store_release(x, 1);", "arm64") == [("W", fs({"L"}))]
    assert _events("int r; r = atomic_add_return(1, a);", "arm64") == [
        ("R", fs({"X", "A"})), ("W", fs({"X", "L"}))]
    assert _events("atomic_inc(a);", "arm64") == [("R", fs({"NoRet"})), ("W", fs({"X"}))]
    assert _events("int r; r = atomic_add_return(1, a);", "arm64-llsc") == [
        ("R", fs({"X"})), ("W", fs({"X", "L"})), ("F", fs({"DMB.ISH"}))]
    assert _events("int r; r = xchg_acquire(x, 1);", "arm64-llsc") == [
        ("R", fs({"X", "A"})), ("W", fs({"X"}))]


def test_an_unknown_primitive_is_rejected_with_its_position() -> None:
    test = parse_litmus("C T\n{}\nP0(int *x) { frob(x); }\nexists (x=0)\n", "T.litmus")
    (result,) = judge(test, [resolve("x86tso")], Options(verdict_only=True))
    # an error of the lowering is the (file, model) pair's: other models are still judged
    assert isinstance(result, PairError)
    assert result.message.startswith("T.litmus:3:")
    assert "unsupported macro or function `frob`" in result.message


def test_primitives_table_includes_the_hardware_only_barriers() -> None:
    for name in ("mb", "rmb", "wmb", "synchronize_sched"):
        assert name in primitives()


def test_a_grace_period_inside_the_callers_own_read_side_section_never_returns() -> None:
    """The kernel deadlocks; herd's LKMM has no execution (paulmckrcu auto/C-RR-GR+…)."""
    source = """C self-deadlock
{}
P0(int *x) { int r0; rcu_read_lock(); r0 = READ_ONCE(*x); synchronize_rcu(); rcu_read_unlock(); }
P1(int *x) { WRITE_ONCE(*x, 1); }
exists (0:r0=0 \\/ 0:r0=1)
"""
    test = parse_litmus(source, "self-deadlock.litmus")
    results = judge(test, [resolve(m) for m in MODELS], Options())
    assert [(r.observation.value, len(r.states)) for r in results] == [("Never", 0)] * 4


_QUIESCENT_ON_EITHER_PATH = """C gp-quiescent-either-path
{}
P0(int *c, int *y) { int r0; int r1; r0 = READ_ONCE(*c); if (r0) { smp_rmb(); }
  r1 = READ_ONCE(*y); }
P1(int *c, int *y) { WRITE_ONCE(*c, 1); synchronize_rcu(); WRITE_ONCE(*y, 1); }
exists (0:r0=0 /\\ 0:r1=1)
"""


def test_a_remote_fence_may_fall_where_a_branch_made_no_event() -> None:
    """P0 reads c=0, passes a quiescent state, then reads y=1 once the grace period ended:
    allowed on every model (SC interleaves it so). Its remote fence must fall between the
    two reads; on x86, `smp_rmb()` makes no event, so that place is reached on both paths
    of the `if` (an encoding that kept only the `r0 != 0` path's candidate said Never)."""
    test = parse_litmus(_QUIESCENT_ON_EITHER_PATH, "gp.litmus")
    results = judge(test, [resolve(m) for m in MODELS], Options(verdict_only=True))
    assert [r.observation.value for r in results] == ["Sometimes"] * 4


def test_a_remote_fence_is_one_handshake_placed_by_the_execution() -> None:
    """One acquire-release exchange on the grace period's location for that thread (its
    read and write, tagged as SWPAL's), made after the thread's own events, with program
    order to each of them conditional on the point chosen."""
    from memlitmus.arch.base import lower

    test = load_litmus(LITMUS / "kernel" / "SB+po+sync-rcu.litmus")  # P1 calls it
    program = lower(test, KERNEL_LOWERINGS["armv8"].front_end_for(test, None))
    p0 = program.po[0]
    events = [program.events[e] for e in p0]
    names = [getattr(e.addr, "name", None) for e in events]
    fs = frozenset
    assert [(e.kind, e.tags) for e in events[-2:]] == [("R", fs({"X", "A"})),
                                                       ("W", fs({"X", "L"}))]
    assert names == ["x", "y", "rcu-gp0.0", "rcu-gp0.0"]
    caller = [getattr(program.events[e].addr, "name", None) for e in program.po[1]]
    assert caller.count("rcu-gp0.0") == 2  # writes 1, reads 2
    ordered = program.dep_conditions["po"]
    own, handshake = p0[:-2], p0[-2:]
    assert len(own) == 2  # WRITE_ONCE(x), READ_ONCE(y)
    assert all((a, f) in ordered and (f, a) in ordered for a in own for f in handshake)
