"""The four expectation conventions of `memlitmus suite`, checked against results built by
hand: judgelitmus.sh's rules for `Result:`, herd's `.expected` block, `kinds.txt`, TSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.results import ModelResult, Observation, State
from memlitmus.suite.expectations import (
    HerdBlock,
    ResultComment,
    TsvRow,
    read_expected_comment,
    read_kinds,
    read_result_comment,
    read_tsv,
)

NEVER, SOMETIMES, ALWAYS = Observation.NEVER, Observation.SOMETIMES, Observation.ALWAYS
ONE_STATE = (State((("[x]", "1"),)),)


def result(observation: Observation, *, states: tuple[State, ...] = ONE_STATE,
           flags: tuple[str, ...] = ()) -> ModelResult:
    return ModelResult(file="t.litmus", test="T", arch="C", model="lkmm", kind="Allowed",
                       condition="exists ([x]=1)", states=states,
                       witnesses=(True,) * len(states), observation=observation,
                       flags=flags)


def comment(line: str) -> ResultComment:
    found = read_result_comment(f"C T\n(*\n{line}\n*)\n{{}}\n", "t.litmus")
    assert found is not None
    return found


@pytest.mark.parametrize(("line", "outcome", "datarace"), [
    (" * Result: Never", "Never", False),
    ("(* Result: Sometimes *)", "Sometimes", False),
    (" * Result: Sometimes DATARACE", "Sometimes", True),
    ("(* Result: Never DATARACE *)", "Never", True),
    (" * Result: DEADLOCK", "DEADLOCK", False),
    (" * Result: Flag srcu-bad-nesting", "Flag", False),
])
def test_the_result_comment_is_read_as_judgelitmus_reads_it(
    line: str, outcome: str, datarace: bool
) -> None:
    found = comment(line)
    assert (found.outcome, found.datarace, found.source) == (outcome, datarace, "t.litmus:3")


@pytest.mark.parametrize("text", [
    "C T\n{}\n",
    "C T\n * result: Sometimes  (disabled)\n",  # lower case: not the convention
    "C T\n(* Expected result: forbidden *)\n",
])
def test_text_without_the_convention_has_no_result_comment(text: str) -> None:
    assert read_result_comment(text, "t.litmus") is None


# (comment line, result, reasons) — judgelitmus.sh's order of rules
RULES = [
    (" * Result: Never", result(NEVER), []),
    (" * Result: Never", result(SOMETIMES), ["Result: Never but Sometimes"]),
    (" * Result: Sometimes", result(SOMETIMES), []),
    (" * Result: Always", result(ALWAYS), []),
    (" * Result: Maybe", result(ALWAYS), []),
    (" * Result: Maybe", result(NEVER, states=()),
     ["Result: Maybe but no execution is allowed (deadlock)"]),
    (" * Result: DEADLOCK", result(NEVER, states=()), []),
    (" * Result: DEADLOCK", result(NEVER), ["Result: DEADLOCK but Never with executions"]),
    (" * Result: Never", result(NEVER, states=()),
     ["Result: Never but no execution is allowed (deadlock)"]),
    (" * Result: Sometimes DATARACE", result(SOMETIMES, flags=("data-race",)), []),
    # a wrong Observation is forgiven when the data race is modelled
    (" * Result: Never DATARACE", result(SOMETIMES, flags=("data-race",)), []),
    (" * Result: Sometimes DATARACE", result(SOMETIMES),
     ["Result: predicts DATARACE but no data race is flagged"]),
    (" * Result: Sometimes", result(SOMETIMES, flags=("data-race",)),
     ["a data race is flagged but Result: does not predict DATARACE"]),
    (" * Result: Flag srcu-bad-nesting", result(NEVER), ["Result: Flag but Never"]),
]


@pytest.mark.parametrize(("line", "res", "reasons"), RULES)
def test_result_comment_rules(line: str, res: ModelResult, reasons: list[str]) -> None:
    assert comment(line).failures(res) == reasons


def test_deadlock_under_verdict_only_reads_the_exact_zero_counts() -> None:
    def verdict_only(**counts: int) -> ModelResult:
        return ModelResult(file="t", test="T", arch="C", model="lkmm", kind="Allowed",
                           condition="", observation=NEVER, states_listed=False, **counts)

    assert comment(" * Result: DEADLOCK").failures(verdict_only(positive=0, negative=0)) == []
    assert comment(" * Result: DEADLOCK").failures(verdict_only()) == [
        "Result: DEADLOCK but Never with executions"]
    assert comment(" * Result: Never").failures(verdict_only()) == []


def test_a_herd_block_ignores_time_and_hash_but_nothing_else() -> None:
    res = ModelResult(file="t", test="T", arch="C", model="lkmm", kind="Allowed",
                      condition="exists ([x]=1)", states=ONE_STATE, witnesses=(True,),
                      observation=ALWAYS, ok=True, positive=1, negative=0,
                      metadata={"Hash": "abc"})
    block = ("Test T Allowed", "States 1", "[x]=1;", "Ok", "Witnesses",
             "Positive: 1 Negative: 0", "Condition exists ([x]=1)",
             "Observation T Always 1 0")
    assert HerdBlock("t.expected", block).failures(res) == []
    wrong = block[:7] + ("Observation T Always 2 0",)
    assert HerdBlock("t.expected", wrong).failures(res) == [
        "herd block line 8: 'Observation T Always 1 0' != expected 'Observation T Always 2 0'"
    ]


def test_kinds_txt(tmp_path: Path) -> None:
    kinds_file = tmp_path / "kinds.txt"
    kinds_file.write_text("Small          Required\nMP  Allowed \n#SB Forbidden\n"
                          "CoRR Forbidden\nX Weird\n", encoding="utf-8")
    kinds = read_kinds(kinds_file)
    assert sorted(kinds) == ["CoRR", "MP", "Small"]
    assert kinds["MP"].failures(result(SOMETIMES)) == []
    assert kinds["CoRR"].failures(result(SOMETIMES)) == ["kinds.txt: Forbidden but Sometimes"]
    assert kinds["Small"].failures(result(SOMETIMES)) == ["kinds.txt: Required but Sometimes"]


def test_tsv_rows_compare_states_and_flags_only_when_given(tmp_path: Path) -> None:
    tsv = tmp_path / "e.tsv"
    tsv.write_text("file\tmodel\tobservation\tflags\tstates\n"
                   "a.litmus\tlkmm\tNever\tdata-race\t[x]=1;\n"
                   "b.litmus\tsc\tNever\t\t*\n", encoding="utf-8")
    rows = read_tsv(tsv)
    (a,) = rows[(tmp_path / "a.litmus").resolve()]
    (b,) = rows[(tmp_path / "b.litmus").resolve()]
    assert a.failures(result(NEVER, flags=("data-race",))) == []
    assert a.failures(result(SOMETIMES, states=(State((("[x]", "2"),)),))) == [
        "observation Sometimes != Never",
        "states differ: missing ['[x]=1;'] extra ['[x]=2;']",
        "flags [] != ['data-race']",
    ]
    assert b.states is None and b.failures(result(NEVER, states=())) == []
    short = TsvRow("s", "sc", "Never")
    assert short.failures(result(NEVER, flags=("data-race",))) == []


def test_an_expected_line_gives_one_observation_per_model() -> None:
    text = ("C T\n(*\n * Safe on x86.\n *\n"
            " * Expected: sc Never, x86tso Never, armv8 Sometimes, lkmm Sometimes.\n *)\n{}\n")
    lines = read_expected_comment(text, "t.litmus")
    assert [(e.source, e.model, e.observation) for e in lines] == [
        ("t.litmus:5", "sc", "Never"), ("t.litmus:5", "x86tso", "Never"),
        ("t.litmus:5", "armv8", "Sometimes"), ("t.litmus:5", "lkmm", "Sometimes")]
    armv8 = lines[2]
    assert armv8.failures(result(SOMETIMES)) == []
    assert armv8.failures(result(NEVER)) == ["Expected: armv8 Sometimes but Never"]


def test_a_bare_expected_line_names_no_model_and_is_not_read() -> None:
    assert read_expected_comment("C T\n(* Passes. Expected: Never. *)\n{}\n", "t") == []
