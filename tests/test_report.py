"""Golden tests of the reporters: herd7's text block, JSON, the table, herd's orderings."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from rich.console import Console

from memlitmus.errors import Span
from memlitmus.litmus.ast import (
    And,
    Atom,
    Condition,
    Const,
    Implies,
    MemLoc,
    Not,
    Or,
    Prop,
    RegLoc,
    Value,
)
from memlitmus.litmus.names import (
    condition_text,
    kind_of,
    location_name,
    name_sort_key,
    sort_states,
    state_sort_key,
)
from memlitmus.report import format_herd, format_json, print_table
from memlitmus.report.json import KEYS
from memlitmus.results import FileError, ModelResult, Observation, State

CORPUS = (Path(__file__).resolve().parents[1] / "../shared/corpus").resolve()
SPAN = Span("t.litmus", 1, 1)


# --- helpers ---------------------------------------------------------------------------


def reg(thread: int, name: str, value: Value, negated: bool = False) -> Atom:
    """`thread:name=value`."""
    return Atom(RegLoc(thread, name), value, SPAN, negated)


def mem(name: str, value: Value, negated: bool = False) -> Atom:
    """`name=value` on a memory location."""
    return Atom(MemLoc(name), value, SPAN, negated)


def ands(*props: Prop) -> Prop:
    """Right-nested conjunction, as a parser reading `a /\\ b /\\ c` builds it."""
    return props[0] if len(props) == 1 else And(props[0], ands(*props[1:]))


def ors(*props: Prop) -> Prop:
    """Right-nested disjunction."""
    return props[0] if len(props) == 1 else Or(props[0], ors(*props[1:]))


def cond(quantifier: str, prop: Prop) -> Condition:
    """A final condition."""
    return Condition(quantifier, prop, SPAN)


def st(line: str) -> State:
    """A State from herd's text `0:EAX=0; [x]=1;`."""
    parts = (part.strip().partition("=") for part in line.split(";"))
    return State(tuple((name, value) for name, _, value in parts if name))


def sb_result(**changes: object) -> ModelResult:
    """SB (litmus-tests-x86 BASIC_2_THREAD/SB) under x86tso, as herd 7.58 judged it."""
    states = tuple(
        st(s)
        for s in (
            "0:rax=0; 1:rax=0;",
            "0:rax=0; 1:rax=1;",
            "0:rax=1; 1:rax=0;",
            "0:rax=1; 1:rax=1;",
        )
    )
    fields: dict[str, object] = dict(
        file="litmus-tests-x86/BASIC_2_THREAD/SB.litmus",
        test="SB",
        arch="X86_64",
        model="x86tso",
        kind="Allowed",
        condition=condition_text(
            cond("exists", ands(reg(0, "rax", 0), reg(1, "rax", 0))), "X86_64"
        ),
        states=states,
        witnesses=(True, False, False, False),
        observation=Observation.SOMETIMES,
        ok=True,
        positive=1,
        negative=3,
        time_s=0.004,
        metadata={"Hash": "0123456789abcdef0123456789abcdef"},
    )
    fields.update(changes)
    return ModelResult(**fields)  # type: ignore[arg-type]


# --- the herd block --------------------------------------------------------------------

SB_BLOCK = """\
Test SB Allowed
States 4
0:rax=0; 1:rax=0;
0:rax=0; 1:rax=1;
0:rax=1; 1:rax=0;
0:rax=1; 1:rax=1;
Ok
Witnesses
Positive: 1 Negative: 3
Condition exists (0:rax=0 /\\ 1:rax=0)
Observation SB Sometimes 1 3
Time SB 0.00
Hash=0123456789abcdef0123456789abcdef

"""


def test_sb_block_exact() -> None:
    assert format_herd(sb_result()) == SB_BLOCK


def test_no_hash_line_without_file_hash() -> None:
    text = format_herd(sb_result(metadata={}))
    assert "Hash=" not in text
    assert text.endswith("Time SB 0.00\n\n")


def test_flags_sorted_between_witnesses_and_condition() -> None:
    text = format_herd(sb_result(flags=("mixed-accesses", "data-race")))
    assert "Positive: 1 Negative: 3\nFlag data-race\nFlag mixed-accesses\nCondition exists" in text


def test_forall_block() -> None:
    # litmus-tests-x86/CO/CoRR1.litmus: forall, herd 7.58 x86tso: Always 3 0.
    prop = And(
        mem("x", 1),
        Or(
            And(reg(1, "rbx", 1), Or(reg(1, "rax", 1), reg(1, "rax", 0))),
            And(reg(1, "rbx", 0), reg(1, "rax", 0)),
        ),
    )
    states = tuple(
        st(s)
        for s in (
            "1:rax=0; 1:rbx=0; [x]=1;",
            "1:rax=0; 1:rbx=1; [x]=1;",
            "1:rax=1; 1:rbx=1; [x]=1;",
        )
    )
    result = sb_result(
        file="litmus-tests-x86/CO/CoRR1.litmus",
        test="CoRR1",
        kind=kind_of("forall"),
        condition=condition_text(cond("forall", prop), "X86_64"),
        states=states,
        witnesses=(True, True, True),
        observation=Observation.ALWAYS,
        ok=None,
        positive=3,
        negative=0,
        time_s=0.0,
        metadata={},
    )
    assert format_herd(result) == (
        "Test CoRR1 Required\n"
        "States 3\n"
        "1:rax=0; 1:rbx=0; [x]=1;\n"
        "1:rax=0; 1:rbx=1; [x]=1;\n"
        "1:rax=1; 1:rbx=1; [x]=1;\n"
        "Ok\n"
        "Witnesses\n"
        "Positive: 3 Negative: 0\n"
        "Condition forall ([x]=1 /\\ (1:rbx=1 /\\ (1:rax=1 \\/ 1:rax=0) \\/ "
        "1:rbx=0 /\\ 1:rax=0))\n"
        "Observation CoRR1 Always 3 0\n"
        "Time CoRR1 0.00\n"
        "\n"
    )


def test_not_exists_swaps_witnesses_only() -> None:
    # Real herd output (SB+atomic_add+fetch, PPC): `~exists (0:r7=0 /\ 1:r7=0)` gives
    # "Positive: 9 Negative: 3" but "Observation SB+atomic_add+fetch Sometimes 3 9".
    prop = ands(reg(0, "r7", 0), reg(1, "r7", 0))
    result = sb_result(
        test="SB+atomic_add+fetch",
        arch="PPC",
        kind=kind_of("~exists"),
        condition=condition_text(cond("~exists", prop), "PPC"),
        states_listed=False,
        observation=Observation.SOMETIMES,
        ok=None,
        positive=3,
        negative=9,
        metadata={},
    )
    assert format_herd(result) == (
        "Test SB+atomic_add+fetch Forbidden\n"
        "No\n"
        "Witnesses\n"
        "Positive: 9 Negative: 3\n"
        "Condition ~exists (0:r7=0 /\\ 1:r7=0)\n"
        "Observation SB+atomic_add+fetch Sometimes 3 9\n"
        "Time SB+atomic_add+fetch 0.00\n"
        "\n"
    )


def test_forall_with_no_execution_is_ok_and_never() -> None:
    # Real herd 7 output for an LKMM test with no execution: States 0 / Ok / Positive: 0
    # Negative: 0 / Condition forall (true) / Observation T Never 0 0.
    result = sb_result(
        test="T",
        kind="Required",
        condition=condition_text(cond("forall", Const(True)), "C"),
        states=(),
        witnesses=(),
        observation=Observation.NEVER,
        ok=None,
        positive=0,
        negative=0,
        metadata={},
    )
    assert format_herd(result) == (
        "Test T Required\nStates 0\nOk\nWitnesses\nPositive: 0 Negative: 0\n"
        "Condition forall (true)\nObservation T Never 0 0\nTime T 0.00\n\n"
    )


def test_verdict_only_prints_no_states() -> None:
    text = format_herd(sb_result(states_listed=False))
    assert text == SB_BLOCK.replace(
        "States 4\n0:rax=0; 1:rax=0;\n0:rax=0; 1:rax=1;\n0:rax=1; 1:rax=0;\n0:rax=1; 1:rax=1;\n",
        "",
    )


def test_counts_not_computed_are_lower_bounds_in_herds_lines() -> None:
    """Without --count: the listed states' counts, in herd's lines only (no line herd does
    not print): the kernel's scripts read the verdict and whether both counts are 0."""
    text = format_herd(sb_result(positive=None, negative=None, metadata={}))
    assert text.endswith(
        "Positive: 1 Negative: 3\n"
        "Condition exists (0:rax=0 /\\ 1:rax=0)\n"
        "Observation SB Sometimes 1 3\n"
        "Time SB 0.00\n\n"
    )


def test_counts_from_verdict_are_the_least_consistent_ones() -> None:
    result = sb_result(
        positive=None,
        negative=None,
        states_listed=False,
        observation=Observation.NEVER,
        ok=False,
        metadata={},
    )
    assert format_herd(result) == (
        "Test SB Allowed\nNo\nWitnesses\nPositive: 0 Negative: 1\n"
        "Condition exists (0:rax=0 /\\ 1:rax=0)\n"
        "Observation SB Never 0 1\nTime SB 0.00\n\n"
    )


def test_unknown_block() -> None:
    result = sb_result(
        observation=Observation.UNKNOWN,
        ok=None,
        positive=None,
        negative=None,
        unknown_reason="solver timeout after 60 s",
        time_s=60.0,
    )
    assert format_herd(result) == (
        "Test SB Allowed\n"
        "Unknown\n"
        "Condition exists (0:rax=0 /\\ 1:rax=0)\n"
        "Reason SB solver timeout after 60 s\n"
        "Time SB 60.00\n"
        "Hash=0123456789abcdef0123456789abcdef\n"
        "\n"
    )


# --- the Condition line ----------------------------------------------------------------


def test_condition_quantifiers_and_kinds() -> None:
    prop = mem("x", 1)
    assert condition_text(cond("exists", prop), "X86") == "exists ([x]=1)"
    assert condition_text(cond("~exists", prop), "X86") == "~exists ([x]=1)"
    assert condition_text(cond("forall", prop), "X86") == "forall ([x]=1)"
    assert [kind_of(q) for q in ("exists", "~exists", "forall")] == [
        "Allowed",
        "Forbidden",
        "Required",
    ]


def test_condition_memory_brackets_on_every_arch() -> None:
    # herd/tests/instructions/C/C12: `forall ( x = 1 )` -> "Condition forall ([x]=0x1)"
    # (that suite runs herd with -hexa); X86_64/A013: "Condition exists ([x]=2 /\ [y]=2)".
    assert condition_text(cond("forall", mem("x", 1)), "C") == "forall ([x]=1)"
    prop = ands(mem("x", 2), mem("y", 2))
    assert condition_text(cond("exists", prop), "X86_64") == "exists ([x]=2 /\\ [y]=2)"
    assert location_name(MemLoc("x"), "AArch64") == "[x]"
    assert location_name(RegLoc(1, "EAX"), "X86") == "1:EAX"


def test_condition_not_of_or_of_ands() -> None:
    # LWN "C-SB+p-rc-p-p+p-rc-p-p": `exists ~((0:r0=1 /\ 0:r1=1 /\ 1:r0=0 /\ 1:r1=0) \/
    # (0:r0=0 /\ 0:r1=0 /\ 1:r0=1 /\ 1:r1=1))` printed by herd7 as below.
    first = ands(reg(0, "r0", 1), reg(0, "r1", 1), reg(1, "r0", 0), reg(1, "r1", 0))
    second = ands(reg(0, "r0", 0), reg(0, "r1", 0), reg(1, "r0", 1), reg(1, "r1", 1))
    assert condition_text(cond("exists", Not(Or(first, second))), "C") == (
        "exists (not (0:r0=1 /\\ 0:r1=1 /\\ 1:r0=0 /\\ 1:r1=0 \\/ "
        "0:r0=0 /\\ 0:r1=0 /\\ 1:r0=1 /\\ 1:r1=1))"
    )


def test_condition_nested_or_under_and() -> None:
    # herdtools' ConstrGen printer (litmus7 header of a RISC-V test): "exists (not (0:x5=0
    # /\ (1:x5=0 /\ ([x]=1 \/ [x]=2) \/ 1:x5=1 /\ [x]=2) \/ 0:x5=2 /\ 1:x5=0 /\ [x]=1))".
    inner = Or(
        And(reg(1, "x5", 0), Or(mem("x", 1), mem("x", 2))), ands(reg(1, "x5", 1), mem("x", 2))
    )
    prop = Not(Or(And(reg(0, "x5", 0), inner), ands(reg(0, "x5", 2), reg(1, "x5", 0), mem("x", 1))))
    assert condition_text(cond("exists", prop), "RISCV") == (
        "exists (not (0:x5=0 /\\ (1:x5=0 /\\ ([x]=1 \\/ [x]=2) \\/ 1:x5=1 /\\ [x]=2) \\/ "
        "0:x5=2 /\\ 1:x5=0 /\\ [x]=1))"
    )


def test_condition_negated_atoms_and_pointer_values() -> None:
    # herd/tests/instructions/AArch64/A08: "Condition exists (0:X0=0 /\ not (0:X1=x))";
    # herd7 on `exists (0:lock1!=0)`: "Condition exists (not (0:lock1=0))".
    prop = And(reg(0, "X0", 0), Not(reg(0, "X1", "x")))
    assert condition_text(cond("exists", prop), "AArch64") == "exists (0:X0=0 /\\ not (0:X1=x))"
    assert condition_text(cond("exists", reg(0, "lock1", 0, True)), "C") == (
        "exists (not (0:lock1=0))"
    )
    # X86_64/A009: "Condition forall (0:rcx=-1)".
    assert condition_text(cond("forall", reg(0, "rcx", -1)), "X86_64") == "forall (0:rcx=-1)"


def test_condition_associativity_and_implies() -> None:
    # From herd's ConstrGen.is_paren: /\ under /\ and \/ under \/ never parenthesised;
    # /\ under \/ not parenthesised; => parenthesised under /\ or \/, and /\, \/ under =>.
    a, b, c = mem("x", 1), mem("y", 1), mem("z", 1)
    left = And(And(a, b), c)
    assert condition_text(cond("exists", left), "X86") == "exists ([x]=1 /\\ [y]=1 /\\ [z]=1)"
    assert condition_text(cond("exists", Or(a, Or(b, c))), "X86") == (
        "exists ([x]=1 \\/ [y]=1 \\/ [z]=1)"
    )
    assert condition_text(cond("exists", Or(And(a, b), c)), "X86") == (
        "exists ([x]=1 /\\ [y]=1 \\/ [z]=1)"
    )
    assert condition_text(cond("forall", And(Implies(a, b), c)), "X86") == (
        "forall (([x]=1 => [y]=1) /\\ [z]=1)"
    )
    assert condition_text(cond("forall", Implies(Or(a, b), c)), "X86") == (
        "forall (([x]=1 \\/ [y]=1) => [z]=1)"
    )
    assert condition_text(cond("forall", Implies(a, Implies(b, c))), "X86") == (
        "forall ([x]=1 => [y]=1 => [z]=1)"
    )
    assert condition_text(cond("exists", Not(Const(False))), "X86") == "exists (not (false))"


# --- JSON ------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    line = format_json(sb_result(states=(st("0:X1=x; [x]=-1;"),), witnesses=(True,)))
    assert "\n" not in line
    record = json.loads(line)
    assert tuple(record) == KEYS
    assert record["states"] == [{"0:X1": "x", "[x]": -1}]
    assert record["observation"] == "Sometimes"
    assert record["ok"] is True
    assert (record["positive"], record["negative"]) == (1, 3)
    assert record["kind"] == "Allowed"
    assert record["error"] is None
    assert record["flags"] == []


def test_json_sb_states_in_herd_order() -> None:
    record = json.loads(format_json(sb_result()))
    assert record["states"][0] == {"0:rax": 0, "1:rax": 0}
    assert list(record["states"][0]) == ["0:rax", "1:rax"]
    assert len(record["states"]) == 4


def test_json_file_error() -> None:
    record = json.loads(format_json(FileError("bad.litmus", "bad.litmus:3:1: unexpected '}'")))
    assert tuple(record) == KEYS
    assert record["file"] == "bad.litmus"
    assert record["error"] == "bad.litmus:3:1: unexpected '}'"
    assert all(record[key] is None for key in KEYS if key not in ("file", "error"))


def test_json_unknown_and_verdict_only() -> None:
    unknown = json.loads(
        format_json(sb_result(observation=Observation.UNKNOWN, unknown_reason="timeout"))
    )
    assert (unknown["observation"], unknown["ok"], unknown["states"]) == ("Unknown", None, None)
    assert unknown["error"] == "timeout"
    verdict = json.loads(format_json(sb_result(states_listed=False)))
    assert verdict["states"] is None
    assert verdict["ok"] is True


# --- table -----------------------------------------------------------------------------


def test_table_rows() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    print_table(
        [
            sb_result(),
            sb_result(model="sc", observation=Observation.NEVER, ok=False),
            FileError("bad.litmus", "bad.litmus:3:1: oops"),
        ],
        console,
    )
    text = buffer.getvalue()
    assert "litmus-tests-x86/BASIC_2_THREAD/SB.litmus" in text
    assert "Sometimes" in text and "Never" in text
    assert "Ok" in text and "No" in text
    assert "bad.litmus:3:1: oops" in text


# --- herd's orderings ------------------------------------------------------------------


def test_register_order_follows_arch_not_spelling() -> None:
    # herd orders registers by its register type, not by name (lib/X86_64Base.ml:
    # AX BX CX DX SI DI BP SP R8..R15; AArch64Base: R0..R30; CBase: String.compare).
    def order(names: list[str], arch: str) -> list[str]:
        return sorted(names, key=lambda n: name_sort_key(n, arch))

    assert order(["0:rsi", "0:rdi", "0:rdx", "0:r8", "0:rax"], "X86_64") == [
        "0:rax",
        "0:rdx",
        "0:rsi",
        "0:rdi",
        "0:r8",
    ]
    assert order(["0:X10", "0:X2", "[a]", "1:X0"], "AArch64") == ["0:X2", "0:X10", "1:X0", "[a]"]
    assert order(["0:EDX", "0:ESI", "0:EAX"], "X86") == ["0:EAX", "0:EDX", "0:ESI"]
    assert order(["0:r2", "0:r10", "[b]", "[a]"], "C") == ["0:r10", "0:r2", "[a]", "[b]"]


def test_value_order() -> None:
    states = [
        st("[b]=0;"),
        st("[b]=x;"),
        st("[b]=12;"),
        st("[b]=-1;"),
        st("[b]=S16;"),
        st("[b]=6;"),
    ]
    ordered = [s.herd_line() for s in sort_states(states, "C")]
    assert ordered == ["[b]=S16;", "[b]=-1;", "[b]=0;", "[b]=6;", "[b]=12;", "[b]=x;"]
    # The key of a line takes its values in herd's name order, whatever the given order.
    assert state_sort_key([("[x]", "1"), ("0:EAX", "2")], "X86") == (
        (1, 2, "", ()), (1, 1, "", ()))
    # a whole array (`t={0,10}`) compares element by element, numerically
    arrays = [st("t={0,10};"), st("t={-1,2};"), st("t={0,9};")]
    assert [s.herd_line() for s in sort_states(arrays, "AArch64")] == [
        "t={-1,2};", "t={0,9};", "t={0,10};"]
    sb_keys = [state_sort_key(s, "X86_64") for s in sb_result().states]
    assert sb_keys == sorted(sb_keys)


def _tsv_rows(suite: str) -> list[dict[str, str]]:
    """Rows of one suite's expected.tsv (fields can exceed csv's default size limit)."""
    lines = (CORPUS / suite / "expected.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line]


def _arch_of(path: Path, cache: dict[Path, str]) -> str:
    """The architecture word heading a litmus file."""
    if path not in cache:
        cache[path] = path.read_text(encoding="utf-8", errors="replace").split(None, 1)[0]
    return cache[path]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent")
@pytest.mark.parametrize("suite", ["x86", "aarch64", "lkmm"])
def test_state_order_reproduces_herd_on_corpus(suite: str) -> None:
    # Every row of expected.tsv lists herd 7.58's states in herd's order: scramble the
    # names inside each state and the state lines, and sorting must restore them exactly.
    shuffle = random.Random(7).shuffle
    cache: dict[Path, str] = {}
    rows = _tsv_rows(suite)
    assert rows
    for row in rows:
        arch = _arch_of(CORPUS / suite / row["file"], cache)
        expected = [st(line) for line in row["states"].split(" | ") if line]
        scrambled = [State(state.bindings[::-1]) for state in expected]
        shuffle(scrambled)
        assert list(sort_states(scrambled, arch)) == expected, row["file"]
