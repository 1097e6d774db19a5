"""Forbidden outcomes, the checks they violate and their cycles; witness executions;
`run --forbidden/--executions` and `explain` on the command line."""

from __future__ import annotations

import json
import re

import pytest

from memlitmus.cli import main
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from memlitmus.outcomes import search
from memlitmus.report.outcomes import cycle_text, state_text
from tests.conftest import LITMUS

SC = "acyclic po | com as sc"
TSO = "acyclic ghb as tso"
ARM = "acyclic ob as external"
MP_CYCLE = "W x=1 -{po}-> W y=1 -rfe-> R y=1 -{po}-> R x=0 -fre-> W x=1"
SB_CYCLE = "W x=1 -{po}-> R y=0 -fre-> W y=1 -{po}-> R x=0 -fre-> W x=1"
LB_CYCLE = "R x=1 -{po}-> W y=1 -rfe-> R y=1 -{po}-> W x=1 -rfe-> R x=1"
IRIW_CYCLE = ("W x=1 -rfe-> R x=1 -{po}-> R y=0 -fre-> W y=1 -rfe-> R y=1 -{po}-> R x=0 "
              "-fre-> W x=1")
W22_CYCLE = "W x=1 -{po}-> W y=2 -coe-> W y=1 -{po}-> W x=2 -coe-> W x=1"

# (file, model) -> the forbidden outcomes: state, the checks every execution reaching it
# violates, and the violating cycle of the first. Checked against the textbook cycles
# ("Herding cats", TOPLAS 2014, figs. 4-8): each uses po (or the model's ppo/bob/dob),
# rfe, coe and fre edges only.
EXPECTED = {
    ("x86/SB", "sc"): [("0:EAX=0; 1:EAX=0;", SC, SB_CYCLE.format(po="po"))],
    ("x86/SB", "x86tso"): [],
    ("x86/MP", "sc"): [("1:EAX=1; 1:EBX=0;", SC, MP_CYCLE.format(po="po"))],
    ("x86/MP", "x86tso"): [("1:EAX=1; 1:EBX=0;", TSO, MP_CYCLE.format(po="po/ppo"))],
    ("x86/LB", "sc"): [("0:EAX=1; 1:EAX=1;", SC, LB_CYCLE.format(po="po"))],
    ("x86/LB", "x86tso"): [("0:EAX=1; 1:EAX=1;", TSO, LB_CYCLE.format(po="po/ppo"))],
    ("x86/IRIW", "sc"): [("1:EAX=1; 1:EBX=0; 3:EAX=1; 3:EBX=0;", SC,
                          IRIW_CYCLE.format(po="po"))],
    ("x86/IRIW", "x86tso"): [("1:EAX=1; 1:EBX=0; 3:EAX=1; 3:EBX=0;", TSO,
                              IRIW_CYCLE.format(po="po/ppo"))],
    ("x86/2+2W", "sc"): [("[x]=1; [y]=1;", SC, W22_CYCLE.format(po="po"))],
    ("x86/2+2W", "x86tso"): [("[x]=1; [y]=1;", TSO, W22_CYCLE.format(po="po/ppo"))],
    ("x86/MP+mfences", "sc"): [("1:EAX=1; 1:EBX=0;", SC, MP_CYCLE.format(po="po"))],
    ("x86/MP+mfences", "x86tso"): [("1:EAX=1; 1:EBX=0;", TSO, MP_CYCLE.format(po="po/ppo"))],
    ("x86/2+2W+mfences", "x86tso"): [("[x]=1; [y]=1;", TSO, W22_CYCLE.format(po="po/ppo"))],
    ("x86/SB+mfences", "x86tso"): [
        ("0:EAX=0; 1:EAX=0;", TSO, SB_CYCLE.format(po="po/mfence"))],
    ("aarch64/SB", "sc"): [("0:X2=0; 1:X2=0;", SC, SB_CYCLE.format(po="po"))],
    ("aarch64/SB", "armv8"): [],
    ("aarch64/MP", "sc"): [("1:X0=1; 1:X2=0;", SC, MP_CYCLE.format(po="po"))],
    ("aarch64/MP", "armv8"): [],
    ("aarch64/LB", "sc"): [("0:X0=1; 1:X0=1;", SC, LB_CYCLE.format(po="po"))],
    ("aarch64/LB", "armv8"): [],
    ("aarch64/LB+datas", "armv8"): [
        ("0:X0=1; 1:X0=1;", ARM, LB_CYCLE.replace("{po}", "data"))],
    ("aarch64/IRIW", "sc"): [("1:X0=1; 1:X2=0; 3:X0=1; 3:X2=0;", SC,
                              IRIW_CYCLE.format(po="po"))],
    ("aarch64/IRIW", "armv8"): [],
    ("aarch64/2+2W", "sc"): [("[x]=2; [y]=2;", SC,
                              "W x=2 -po-> W y=1 -coe-> W y=2 -po-> W x=1 -coe-> W x=2")],
    ("aarch64/2+2W", "armv8"): [],
    ("aarch64/MP+dmb.sys", "sc"): [("1:X0=1; 1:X2=0;", SC, MP_CYCLE.format(po="po"))],
    ("aarch64/MP+dmb.sys", "armv8"): [("1:X0=1; 1:X2=0;", ARM, MP_CYCLE.format(po="po/bob"))],
    ("aarch64/2+2W+dmb.sts", "armv8"): [
        ("[x]=2; [y]=2;", ARM, "W x=2 -po/bob-> W y=1 -coe-> W y=2 -po/bob-> W x=1 -coe-> W x=2")],
    ("aarch64/IRIW+dmb.lds", "armv8"): [("1:X0=1; 1:X2=0; 3:X0=1; 3:X2=0;", ARM,
                                         IRIW_CYCLE.format(po="po/bob"))],
    ("aarch64/SB+dmb.sys", "armv8"): [("0:X2=0; 1:X2=0;", ARM, SB_CYCLE.format(po="po/bob"))],
    ("lkmm/MP+rcu", "lkmm"): [("0:r0=1; 0:r1=0;", "irreflexive rb as rcu", "R x=1 -rb-> R x=1")],
    ("lkmm/SB+mbs", "lkmm"): [
        ("0:r0=0; 1:r0=0;", "acyclic pb as propagation", "R y=0 -pb-> R x=0 -pb-> R y=0")],
    # docs/tutorial.md: the smp_rmb() closes an hb cycle through P0's smp_wmb()
    ("tutorial/compound_head+rmb", "lkmm"): [
        ("1:r0=1; 1:r1=2; 1:r2=1;", "acyclic hb as happens-before",
         "R first_page=2 -po/rmb-> R pg_tail=1 (P1 #4) -hb-> R first_page=2")],
    ("lkmm/RCU-publish", "lkmm"): [
        ("1:r0=y; 1:r1=0;", "acyclic hb as happens-before", "R p=y -addr-> R y=0 -hb-> R p=y")],
}


def _forbidden(name: str, model: str) -> list[tuple[str, str, str]]:
    test = load_litmus(str(LITMUS / f"{name}.litmus"))
    result = judge(test, [resolve(model)], Options(forbidden=True))[0]
    assert not result.forbidden_bounded
    out = []
    for outcome in result.forbidden:
        assert outcome.execution is not None and outcome.violations
        first = outcome.violations[0]
        assert first.check == outcome.violated[0]
        out.append((state_text(outcome.state), first.check,
                    cycle_text(first, outcome.execution)))
    return out


@pytest.mark.parametrize(("name", "model"), sorted(EXPECTED))
def test_forbidden_outcomes_name_the_check_and_cycle(name: str, model: str) -> None:
    assert _forbidden(name, model) == EXPECTED[(name, model)]


@pytest.mark.parametrize(("name", "model"), sorted(k for k, v in EXPECTED.items() if v))
def test_explain_names_the_check_and_cycle(
    name: str, model: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`explain` on each forbidden outcome above (issue 11's "Done when": SB, MP, LB,
    IRIW, 2+2W and MP+fences under sc, x86tso and armv8, an RCU test under lkmm)."""
    state, check, cycle = EXPECTED[(name, model)][0]
    assert main(["explain", str(LITMUS / f"{name}.litmus"), "-m", model,
                 "--state", state]) == 0
    lines = capsys.readouterr().out.splitlines()
    test = name.split("/")[1]
    assert lines[:3] == [f"{test} under {model}: {state} is forbidden",
                         "Every execution reaching it violates:", f"  {check}"]
    kind = "cycle" if check.startswith("acyclic") else "edge"
    at = lines.index(f"  {kind} of {check}:")
    assert lines[at + 1] == f"    {cycle}"


def test_explain_a_lock_test(capsys: pytest.CaptureFixture[str]) -> None:
    """MP+locks under lkmm: no check fails in every execution reaching the outcome, and
    explain says so, then names the check the execution shown breaks, the lock's
    atomicity, and its edge: a lock's rmw split by the other thread's lock write."""
    assert main(["explain", str(LITMUS / "lkmm/MP+locks.litmus"), "--state",
                 "1:r0=1; 1:r1=0;"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "MP+locks under lkmm: 1:r0=1; 1:r1=0; is forbidden"
    assert lines[1].startswith("No single check fails in every execution reaching it")
    assert lines[2] == "  edge of empty rmw & (fre ; coe) as atomic:"
    assert re.fullmatch(r"    R l=0 \(P(\d) #1\) -rmw-> W l=1 \(P\1 #2\)", lines[3])


def test_lock_test_outcome_is_explained_by_breaking_the_lock() -> None:
    """MP+locks: no check fails in every execution reaching r0=1, r1=0 (some break the
    lock's atomicity, others happens-before); the execution shown breaks atomicity only:
    the reader's lock rmw is split by the writer's lock write."""
    test = load_litmus(str(LITMUS / "lkmm/MP+locks.litmus"))
    result = judge(test, [resolve("lkmm")], Options(forbidden=True))[0]
    outcomes = {state_text(o.state): o for o in result.forbidden}
    outcome = outcomes["1:r0=1; 1:r1=0;"]
    assert outcome.violated == ()
    assert outcome.execution is not None
    assert [v.check for v in outcome.violations] == ["empty rmw & (fre ; coe) as atomic"]
    # one thread's lock rmw, whichever the solver picks
    assert re.fullmatch(r"R l=0 \(P(\d) #1\) -rmw-> W l=1 \(P\1 #2\)",
                        cycle_text(outcome.violations[0], outcome.execution))


def test_witnesses_reach_their_states_and_carry_model_relations() -> None:
    test = load_litmus(str(LITMUS / "x86/SB.litmus"))
    result = judge(test, [resolve("x86tso")], Options(executions=True))[0]
    assert len(result.executions) == len(result.states) == 4
    for state, execution in zip(result.states, result.executions, strict=True):
        reads = {(e.thread, e.location): e.value for e in execution.events if e.kind == "R"}
        expected = dict(state.bindings)
        assert reads[(0, "y")] == expected["0:EAX"]
        assert reads[(1, "x")] == expected["1:EAX"]
        assert execution.checked == ("com", "ghb")  # `acyclic po-loc | amo | com`, then tso
        assert set(execution.model_relations) >= {"ppo", "ghb", "mfence"}
    # the relaxed state: both reads from the initial writes, no ppo edge from W to R
    relaxed = result.executions[0]
    labels = {e.eid: e.label for e in relaxed.events}
    assert sorted((labels[a], labels[b]) for a, b in relaxed.relations["fr"]) == [
        ("R x=0", "W x=1"), ("R y=0", "W y=1")]
    assert relaxed.model_relations["ppo"] == ()


def test_default_judging_keeps_no_executions() -> None:
    test = load_litmus(str(LITMUS / "x86/MP.litmus"))
    result = judge(test, [resolve("x86tso")], Options())[0]
    assert result.executions == () and result.forbidden == ()


def test_run_json_forbidden_and_executions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(LITMUS / "x86/MP.litmus"), "-m", "x86tso", "-f", "json",
                 "--forbidden", "--executions"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["observation"] == "Never"
    assert len(record["executions"]) == len(record["states"]) == 3
    assert record["forbidden_bounded"] is False
    [forbidden] = record["forbidden"]
    assert forbidden["state"] == {"1:EAX": 1, "1:EBX": 0}
    assert forbidden["satisfies"] is True
    assert forbidden["violated"] == ["acyclic ghb as tso"]
    events = {e["id"]: e["label"] for e in forbidden["execution"]["events"]}
    cycle = [(events[e["source"]], e["relations"][0], events[e["target"]])
             for e in forbidden["violations"][0]["edges"]]
    assert cycle == [("W x=1", "po", "W y=1"), ("W y=1", "rfe", "R y=1"),
                     ("R y=1", "po", "R x=0"), ("R x=0", "fre", "W x=1")]


def test_run_herd_forbidden_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(LITMUS / "x86/SB.litmus"), "-m", "sc", "-f", "herd",
                 "--forbidden"]) == 0
    out = capsys.readouterr().out
    assert ("Forbidden sc 0:EAX=0; 1:EAX=0; acyclic po | com as sc: W x=1 -po-> R y=0 "
            "-fre-> W y=1 -po-> R x=0 -fre-> W x=1\n") in out


def test_explain_forbidden_default_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(LITMUS / "x86/MP.litmus"), "-m", "x86tso"]) == 0
    out = capsys.readouterr().out
    assert "MP under x86tso: 1:EAX=1; 1:EBX=0; is forbidden" in out
    assert "acyclic ghb as tso" in out
    assert "W x=1 -po/ppo-> W y=1 -rfe-> R y=1 -po/ppo-> R x=0 -fre-> W x=1" in out


def test_explain_allowed_state(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(LITMUS / "x86/SB.litmus"), "-m", "x86tso",
                 "--state", "0:EAX=0; 1:EAX=0;"]) == 0
    out = capsys.readouterr().out
    assert "SB under x86tso: 0:EAX=0; 1:EAX=0; is allowed" in out
    assert "fr: R y=0->W y=1, R x=0->W x=1" in out
    # the model's relation: TSO's ghb holds no program-order edge from a write to a read
    assert ("  ghb: R y=0->W y=1, R x=0->W x=1, W x=0->W x=1, W x=0->R x=0, W y=0->R y=0, "
            "W y=0->W y=1") in out.splitlines()


def test_explain_allowed_state_shows_the_models_relations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MP's witness of 1:EAX=0; 1:EBX=0 under x86tso and armv8: the model's ordering
    relation (`ghb`, `ob`) holds both threads' program order, W->W and R->R."""
    assert main(["explain", str(LITMUS / "x86/MP.litmus"), "-m", "x86tso",
                 "--state", "1:EAX=0; 1:EBX=0;"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "MP under x86tso: 1:EAX=0; 1:EBX=0; is allowed"
    assert lines[-6:] == [
        "  po: W x=1->W y=1, R y=0->R x=0",
        "  rf: W x=0->R x=0, W y=0->R y=0",
        "  co: W x=0->W x=1, W y=0->W y=1",
        "  fr: R y=0->W y=1, R x=0->W x=1",
        "  com: R y=0->W y=1, R x=0->W x=1, W x=0->W x=1, W x=0->R x=0, W y=0->W y=1, "
        "W y=0->R y=0",
        "  ghb: W x=1->W y=1, R y=0->W y=1, R y=0->R x=0, R x=0->W x=1, W x=0->W x=1, "
        "W x=0->R x=0, W y=0->W y=1, W y=0->R y=0",
    ]
    assert main(["explain", str(LITMUS / "aarch64/MP+dmb.sys.litmus"), "-m", "armv8",
                 "--state", "1:X0=0; 1:X2=0;"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == (
        "  ob: W x=1->W y=1, R y=0->W y=1, R y=0->R x=0, R x=0->W x=1, W x=0->W x=1, "
        "W x=0->R x=0, W y=0->W y=1, W y=0->R y=0")


def test_explain_rejects_unknown_location(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(LITMUS / "x86/MP.litmus"), "--state", "EAX=1"]) == 2
    assert "--state: no such location `[EAX]` (the test shows: 1:EAX, 1:EBX)" in (
        capsys.readouterr().err)


def test_explain_state_outside_the_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(LITMUS / "x86/MP.litmus"), "--state", "1:EAX=7"]) == 0
    assert "is not a candidate outcome" in capsys.readouterr().out


def test_composite_edges_come_with_a_base_path(capsys: pytest.CaptureFixture[str]) -> None:
    """LKMM's rb loop of MP+rcu reads through base edges: the grace period's cycle."""
    assert main(["explain", str(LITMUS / "lkmm/MP+rcu.litmus")]) == 0
    out = capsys.readouterr().out
    assert "rb here: R x=1 -po-> R y=0 -fre-> W y=1 -po-> W x=1 -rfe-> R x=1" in out


def test_tutorial_race_is_allowed_without_the_barrier() -> None:
    test = load_litmus(str(LITMUS / "tutorial/compound_head.litmus"))
    sc, lkmm = judge(test, [resolve("sc"), resolve("lkmm")], Options(forbidden=True))
    assert (sc.observation.value, lkmm.observation.value) == ("Never", "Sometimes")
    assert [state_text(f.state) for f in lkmm.forbidden] == []


def test_forbidden_outcomes_are_bounded_and_say_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """IRIW under sc has 16 candidate outcomes; with room for 4 only, the list is
    bounded, and the text output says so."""
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 4)
    assert main(["run", str(LITMUS / "x86/IRIW.litmus"), "-m", "sc", "-f", "herd",
                 "--forbidden"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == ("Forbidden sc ... (bounded: not every candidate outcome was "
                         "enumerated)")
    test = load_litmus(str(LITMUS / "x86/IRIW.litmus"))
    result = judge(test, [resolve("sc")], Options(forbidden=True))[0]
    assert result.forbidden_bounded
    assert len(result.forbidden) <= 4
