"""Faults as herd 7.58 has them: UDF and SVC make fault events; under `fatal` (the
default) the thread stops, under `faultToNext` it goes on; conditions test faults with
herd's `fault(...)` atoms, and states show them as herd prints them (docs/armv8.md,
*Faults*)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memlitmus.arch.aarch64 import AARCH64
from memlitmus.arch.base import fault_handling_of, lower
from memlitmus.errors import MemlitmusError
from memlitmus.events import AddrOf, Fault
from memlitmus.judge import Options, judge
from memlitmus.litmus.ast import FaultAtom
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import Model, ModelSetup, resolve
from memlitmus.results import ModelResult, State
from memlitmus.suite.cache import decode, encode
from tests.conftest import ROOT, run

HERD_LIBDIR = ROOT / ".." / "shared" / "models" / "herd-libdir"


def results(text: str, models: tuple[str, ...] = ("armv8", "sc")) -> list[ModelResult]:
    test = parse_litmus(text, "t.litmus")
    out = judge(test, [resolve(m) for m in models], Options())
    assert all(isinstance(r, ModelResult) for r in out)
    return out  # type: ignore[return-value]


def lines(result: ModelResult) -> list[str]:
    return [s.herd_line() for s in result.states]


UDF = """AArch64 A247
Variant=fatal
{
}
 P0          ;
L0:          ;
 UDF #0      ;
forall(Fault(P0:L0,UndefinedInstruction))
"""


def test_udf_faults_and_the_state_shows_it_as_herd_prints_it() -> None:
    for result in results(UDF):
        assert result.observation.value == "Always"
        assert result.condition == "forall (fault(P0:L0,UndefinedInstruction))"
        assert lines(result) == [" Fault(P0:L0,UndefinedInstruction);"]
    # ELR_EL1 holds the code address `label:"P0:L0"`, which is no memory location
    program = lower(parse_litmus(UDF, "t.litmus"), AARCH64)
    assert [e.kind for e in program.events] == ["FAULT"]
    assert program.final_registers[(0, "ELR_EL1")] == AddrOf('label:"P0:L0"')
    assert program.locations == () and program.value_names == ('label:"P0:L0"',)


def test_svc_fault_without_a_label_and_an_atom_without_a_type() -> None:
    text = ("AArch64 T\n{\n}\n P0 ;\n SVC #0 ;\nL1: ;\n"
            "exists (fault(P0) /\\ ~Fault(P0,UndefinedInstruction))\n")
    for result in results(text):
        assert result.observation.value == "Always"
        assert lines(result) == [" Fault(P0,SupervisorCall); ~Fault(P0,UndefinedInstruction);"]


def test_an_atom_no_fault_matches_shows_negated_in_reverse_atom_order() -> None:
    text = ("AArch64 T\n{\n0:X1=x;\n}\n P0 ;\n MOV W0,#1 ;\n STR W0,[X1] ;\n"
            "exists (fault(P0,UndefinedInstruction) \\/ Fault(P0:L3))\n")
    for result in results(text):
        assert result.observation.value == "Never"
        # herd: the values (none), a space, no fault, then each missing atom
        assert lines(result) == ["  ~Fault(P0:L3); ~Fault(P0,UndefinedInstruction);"]


def test_fatal_stops_the_thread_on_the_faulting_path_only() -> None:
    text = """AArch64 T
Variant=fatal
{
0:X1=x; 1:X1=x;
}
 P0          | P1          ;
 LDR W0,[X1] | MOV W0,#1   ;
 CBZ W0,L1   | STR W0,[X1] ;
L0:          |             ;
 UDF #0      |             ;
L1:          |             ;
 MOV W2,#2   |             ;
exists (0:X2=2 \\/ fault(P0:L0))
"""
    for result in results(text):
        assert result.observation.value == "Always"
        assert lines(result) == ["0:X2=0; Fault(P0:L0,UndefinedInstruction);",
                                 "0:X2=2;  ~Fault(P0:L0);"]


def test_without_fault_atoms_the_states_show_no_fault() -> None:
    """herd keeps faults out of the final state unless the condition names one; the
    store after the UDF never happens, the register set before it keeps its value."""
    text = ("AArch64 T\n{\n0:X1=x;\n}\n P0 ;\n MOV W0,#1 ;\n UDF #0 ;\n STR W0,[X1] ;\n"
            "exists ([x]=1)\n")
    for result in results(text):
        assert result.observation.value == "Never"
        assert lines(result) == ["[x]=0;"]
    program = lower(parse_litmus(text, "t.litmus"), AARCH64)
    (fault,) = [e for e in program.events if e.kind == "FAULT"]
    assert fault.fault == Fault(frozenset(), None, "UndefinedInstruction")
    assert {"FAULT", "FAULT-RD", "EXC-ENTRY", "UndefinedInstruction"} <= fault.tags
    assert not [e for e in program.events if e.kind == "W" and not e.is_init]


def test_fault_to_next_runs_on_after_the_fault() -> None:
    text = """AArch64 T
Variant=faultToNext
{
0:X1=x;
}
 P0          ;
 MOV W0,#1   ;
L0:          ;
 SVC #0      ;
 STR W0,[X1] ;
exists ([x]=1 /\\ ~Fault(P0,SupervisorCall) /\\ ~fault(P0,x))
"""
    for result in results(text):
        assert result.observation.value == "Never"
        assert result.condition == ("exists ([x]=1 /\\ not (fault(P0,SupervisorCall)) "
                                    "/\\ not (fault(P0,x)))")
        assert lines(result) == ["[x]=1; Fault(P0:L0,SupervisorCall); ~Fault(P0,x);"]


MP_UDF = """AArch64 MP+dmb.sy+ctrl-udf
Variant=faultToNext
{
0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;
}
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | CBNZ W0,L0  ;
 DMB SY      | L0:         ;
 MOV W2,#1   | {inst}      ;
 STR W2,[X3] | LDR W2,[X3] ;
exists (1:X0=1 /\\ 1:X2=0)
"""


def _models() -> list[Model]:
    models = [resolve("armv8")]
    if HERD_LIBDIR.is_dir():
        models.append(resolve(str(HERD_LIBDIR / "aarch64.cat")))
    return models


@pytest.mark.parametrize(("inst", "observation"), [("UDF #0", "Never"), ("NOP", "Sometimes")])
def test_exception_entry_is_an_instruction_fetch_barrier(inst: str, observation: str) -> None:
    """herd's aarch64.cat: `[R]; ctrl; [IFB]; po` with EXC-ENTRY in IFB, so a fault the
    thread survives orders like an ISB after a control dependency."""
    test = parse_litmus(MP_UDF.replace("{inst}", inst), "t.litmus")
    out = judge(test, _models(), Options(verdict_only=True))
    assert [r.observation.value for r in out if isinstance(r, ModelResult)] == \
        [observation] * len(_models())


def test_a_fault_in_called_code_names_the_label_of_its_instruction() -> None:
    text = """AArch64 T
{
0:X1=x;
}
 P0          ;
 MOV W0,#1   ;
 BL F        ;
 STR W0,[X1] ;
 B End       ;
F:           ;
 UDF #0      ;
 RET         ;
End:         ;
exists ([x]=1 \\/ fault(P0:F,UndefinedInstruction))
"""
    (result,) = results(text, ("armv8",))
    assert lines(result) == ["[x]=0; Fault(P0:F,UndefinedInstruction);"]


def test_fault_atoms_parse_in_herds_forms() -> None:
    text = ("AArch64 T\n{\n}\n P0 | P1 ;\n NOP | NOP ;\n"
            "exists (fault(P0) \\/ Fault(P1:L0) \\/ fault(P0,x) \\/ fault(P0,TagCheck)"
            " \\/ fault(P0:L1,MMU:Translation) \\/ fault(P0,y,MMU : AccessFlag))\n")
    atoms = []
    prop = parse_litmus(text, "t.litmus").condition.prop
    while not isinstance(prop, FaultAtom):
        atoms.append(prop.right)  # type: ignore[union-attr]
        prop = prop.left  # type: ignore[union-attr]
    atoms.append(prop)
    assert [(a.proc, a.label, a.loc, a.ftype) for a in reversed(atoms)] == [
        (0, None, None, None), (1, "L0", None, None), (0, None, "x", None),
        (0, None, None, "TagCheck"), (0, "L1", None, "MMU:Translation"),
        (0, None, "y", "MMU:AccessFlag")]


@pytest.mark.parametrize(
    ("variant", "code", "cond", "message"),
    [
        ("handled", "UDF #0", "fault(P0)", "a fault under herd's fault handling `handled`"),
        ("fatal", "UDF #0", "fault(P0,PTE(x))", "page-table entries in a fault"),
        ("fatal", "UDF #0", "fault(P0,MMU:Foo)", "MMU:Foo not a valid fault type"),
        ("fatal", "UDF #0", "fault(0:X0)", "expected `fault(Pn)`"),
        ("fatal", "UDF X0", "fault(P0)", "`UDF` takes an immediate (`#0`)"),
    ],
)
def test_refusals_name_the_construct(variant: str, code: str, cond: str, message: str) -> None:
    text = f"AArch64 T\nVariant={variant}\n{{\n}}\n P0 ;\n {code} ;\nexists ({cond})\n"
    with pytest.raises(MemlitmusError) as info:
        judge(parse_litmus(text, "t.litmus"), [resolve("armv8")], Options())
    rendered = info.value.render()
    assert message in rendered
    assert rendered.startswith("t.litmus:")


def test_a_fault_handler_thread_is_refused_by_name() -> None:
    text = "AArch64 T\n{\n}\n P0 | P0.F ;\n UDF #0 | NOP ;\nexists (fault(P0))\n"
    with pytest.raises(MemlitmusError) as info:
        parse_litmus(text, "t.litmus")
    assert info.value.render().startswith("t.litmus:4:7: a fault handler (`P0.F`)")


def test_json_and_the_suite_cache_keep_the_faults(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    (result,) = results(UDF, ("armv8",))
    assert decode(encode(result)) == result
    plain = State((("0:X0", "1"),))
    assert decode(encode(ModelResult("f", "t", "AArch64", "sc", "Allowed", "c",
                                     states=(plain,)))).states == (plain,)
    path = tmp_path / "A247.litmus"
    path.write_text(UDF)
    status, out, _ = run(capsys, "run", "-f", "json", str(path))
    assert status == 0
    (state,) = json.loads(out)["states"]
    assert state == {"Fault(P0:L0,UndefinedInstruction)": 1}


def test_a_witness_execution_shows_the_fault_event() -> None:
    text = ("AArch64 T\n{\n0:X1=x;\n}\n P0 ;\n LDR W0,[X1] ;\nL0: ;\n UDF #0 ;\n"
            "exists (fault(P0:L0,UndefinedInstruction))\n")
    test = parse_litmus(text, "t.litmus")
    (result,) = judge(test, [resolve("armv8")], Options(executions=True))
    assert isinstance(result, ModelResult)
    (execution,) = result.executions
    assert [e.label for e in execution.events if not e.is_init] == \
        ["R x=0", "Fault UndefinedInstruction"]


# ---- Morello: every capability untagged, every access faults -----------------------------

MORELLO = """AArch64 M
Variant=morello
{
int x=1;
0:X1=x; 1:X1=x;
}
 P0           | P1          ;
 MOV W0,#2    | LDR W0,[X1] ;
L0:           |             ;
 STR W0,[C1]  |             ;
 MOV W3,#3    |             ;
exists ([x]=2 \\/ 1:X0=1 \\/ 0:X3=3 \\/ fault(P0:L0,x) \\/ fault(P1))
"""


def test_morello_accesses_through_untagged_capabilities_fault() -> None:
    """herd's `lift_morello`: the address `x` (from `0:X1=x`) has tag 0, so the store
    faults (`CapTag`, the address as location) and its thread exits; so does the load
    through X1, the same register."""
    for result in results(MORELLO):
        assert result.observation.value == "Always"
        assert lines(result) == [
            "0:X3=0; 1:X0=0; [x]=1; Fault(P0:L0,x,CapTag); Fault(P1,x,CapTag);"]
    program = lower(parse_litmus(MORELLO, "t.litmus"), AARCH64)
    faults = [(e.thread, e.tags) for e in program.events if e.kind == "FAULT"]
    assert faults == [(0, frozenset({"FAULT", "FAULT-WR", "EXC-ENTRY"})),
                      (1, frozenset({"FAULT", "FAULT-RD", "EXC-ENTRY"}))]


def test_morello_without_fault_atoms_shows_memory_unchanged() -> None:
    text = ("AArch64 C\nVariant=morello\n{\nint x=1;\n0:X1=x;\n}\n P0 ;\n"
            " STR WZR,[C1] ;\nforall [x]=0\n")
    for result in results(text):
        assert result.observation.value == "Never"
        assert lines(result) == ["[x]=1;"]


@pytest.mark.parametrize(
    ("variant", "code", "message"),
    [
        ("", "STR WZR,[C1]", "t.litmus:8:2: Morello capability register `C1` without "
                             "`Variant=morello`"),
        ("morello", "ADD X1,X1,#4", "t.litmus:8:2: `ADD` under `Variant=morello`"),
        ("morello", "STR C0,[C1]", "a capability-sized access (`STR` of `C0`)"),
        ("morello", "LDR W0,[C1,#4]", "an address other than a base register"),
        ("morello", "LDXR W0,[C1]", "`LDXR` under `Variant=morello`"),
        ("morello", "LDR W0,[X2]", "a Morello access through `X2`, which holds no location"),
    ],
)
def test_morello_refusals_name_the_construct(variant: str, code: str, message: str) -> None:
    text = (f"AArch64 T\nVariant={variant}\n{{\nint x=1;\n0:X1=x;\n}}\n P0 ;\n {code} ;\n"
            "exists ([x]=0)\n")
    with pytest.raises(MemlitmusError) as info:
        judge(parse_litmus(text, "t.litmus"), [resolve("armv8")], Options())
    assert message in info.value.render()


@pytest.mark.parametrize(
    ("init", "message"),
    [
        ("0:C1=x;", "t.litmus:5:1: `0:C1`: a Morello capability register in the init block"),
        ("0:X1=0xffffc0000:x:1;", "`0xffffc0000:x:1`: a Morello capability value"),
    ],
)
def test_morello_capabilities_in_init_are_refused_by_name(init: str, message: str) -> None:
    text = f"AArch64 T\nVariant=morello\n{{\nint x=1;\n{init}\n}}\n P0 ;\n NOP ;\nexists ([x]=0)\n"
    with pytest.raises(MemlitmusError) as info:
        parse_litmus(text, "t.litmus")
    assert message in info.value.render()


FILTERED = """AArch64 T
Variant=fatal
{
0:X1=x; 1:X1=x;
}
 P0          | P1          ;
 LDR W0,[X1] | MOV W0,#1   ;
 CBZ W0,L1   | STR W0,[X1] ;
L0:          |             ;
 SVC #0      |             ;
L1:          |             ;
 MOV W2,#2   |             ;
LOCATIONS
filter fault(P0:L0)
exists (0:X2=0)
"""


def test_faults_in_locations_are_shown_and_the_filter_sees_every_fault() -> None:
    """herd's final state holds every fault once the condition or `locations` names
    one; a state shows those `locations`/the condition name, the filter sees them all."""
    text = FILTERED.replace("LOCATIONS", "locations [fault(P0,UndefinedInstruction); 0:X0;]")
    for result in results(text):
        assert result.observation.value == "Always"
        assert lines(result) == ["0:X0=1; 0:X2=0;  ~Fault(P0,UndefinedInstruction);"]


def test_without_fault_atoms_in_condition_or_locations_no_fault_holds() -> None:
    """herd's final state has no fault then, so a filter on one keeps no execution."""
    for result in results(FILTERED.replace("LOCATIONS", "")):
        assert result.observation.value == "Never"
        assert result.states == ()


def test_elr_el1_holds_the_faulting_or_the_next_instructions_label() -> None:
    """herd: UDF sets ELR_EL1 to its own address, SVC to the next instruction's (here
    their labels' values)."""
    text = """AArch64 T
Variant=faultToNext
{
}
 P0               ;
L0:               ;
 UDF #0           ;
 MRS X0,ELR_EL1   ;
 SVC #0           ;
L2:               ;
 MRS X2,ELR_EL1   ;
exists (0:X0=label:"P0:L0" /\\ 0:X2=label:"P0:L2")
"""
    (result,) = results(text, ("armv8",))
    assert result.observation.value == "Always"
    assert lines(result) == ['0:X0=label:"P0:L0"; 0:X2=label:"P0:L2";']


def test_a_fault_of_a_thread_the_test_lacks_is_herds_bad_process() -> None:
    text = "AArch64 T\n{\n}\n P0 ;\n UDF #0 ;\nexists (fault(P0) \\/ fault(P3:L0))\n"
    with pytest.raises(MemlitmusError) as info:
        parse_litmus(text, "t.litmus")
    assert info.value.render().startswith(
        "t.litmus:6:22: Bad process P3: `fault(P3:L0)` names a thread the test does not have")


def test_states_that_differ_only_in_faults_sort_as_herds_fault_sets() -> None:
    """herd's StateSet: values, then the fault set (the empty set first)."""
    text = """AArch64 T
{
0:X1=x; 1:X1=x;
}
 P0          | P1          ;
 LDR W0,[X1] | MOV W0,#1   ;
 CBZ W0,L1   | STR W0,[X1] ;
 UDF #0      |             ;
L1:          |             ;
exists (fault(P0))
"""
    for result in results(text):
        assert lines(result) == ["  ~Fault(P0);", " Fault(P0,UndefinedInstruction);"]


def test_the_tests_fault_handling_overrides_the_command_lines() -> None:
    """lib/testVariant.ml: the test's `Variant=` words are applied over `-variant`."""
    text = ("AArch64 T\nVariant=fatal\n{\n0:X1=x;\n}\n P0 ;\n MOV W0,#1 ;\n UDF #0 ;\n"
            " STR W0,[X1] ;\nexists ([x]=1)\n")
    test = parse_litmus(text, "t.litmus")
    assert fault_handling_of(test, ("faultToNext",)) == "fatal"
    assert fault_handling_of(parse_litmus(text.replace("Variant=fatal\n", ""), "t"),
                             ("faultToNext",)) == "skip"
    (result,) = judge(test, [resolve("armv8")],
                      Options(setup=ModelSetup(variants=frozenset({"faultToNext"}))))
    assert isinstance(result, ModelResult) and result.observation.value == "Never"
    (result,) = judge(parse_litmus(text.replace("Variant=fatal\n", ""), "t"), [resolve("armv8")],
                      Options(setup=ModelSetup(variants=frozenset({"faultToNext"}))))
    assert isinstance(result, ModelResult) and result.observation.value == "Always"
