"""Code labels as values (herd 7.58's `Constant.Label`): ADR, the init block's and the
condition's spellings, herd's printing, and the refusals around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.errors import LitmusSyntaxError, MemlitmusError, UnsupportedError
from memlitmus.litmus.ast import Atom
from memlitmus.litmus.parse import parse_litmus
from tests.conftest import run
from tests.test_aarch64 import program, verdicts

ADR_SELF = 'AArch64 T\n{\n}\n P0 ;\nL0: ;\n ADR X0,L0 ;\nforall(0:X0=label:"0:L0")\n'


def test_every_spelling_of_a_label_is_one_value() -> None:
    """`P1:L0`, `1:L0`, `label:"P1:L0"` and `label:"1:L0"` in the init block and both
    `label:` forms in the condition name label L0 of thread P1 (lib/stateParser.mly)."""
    text = (
        'AArch64 T\n{ 0:X1=P1:L0; 0:X2=1:L0; 0:X3=label:"P1:L0"; 0:X4=label:"1:L0"; }\n'
        " P0 | P1 ;\n NOP | L0: ;\n"
        'exists (0:X1=label:"P1:L0" /\\ 0:X2=label:"1:L0")\n'
    )
    test = parse_litmus(text, "t.litmus")
    assert {entry.value for entry in test.init} == {'label:"P1:L0"'}
    assert test.condition is not None
    atoms = [test.condition.prop.left, test.condition.prop.right]  # type: ignore[attr-defined]
    assert all(isinstance(a, Atom) and a.value == 'label:"P1:L0"' for a in atoms)
    assert verdicts(text) == {"armv8": "Always", "sc": "Always"}


def test_adr_of_its_own_label_prints_as_herd_prints_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """herd 7.58 on this test (its instruction test A258's shape) prints the state and
    the condition with the `P` form of the label, and `Always`."""
    path = tmp_path / "T.litmus"
    path.write_text(ADR_SELF, encoding="utf-8")
    status, out, _ = run(capsys, "herd7", str(path))
    assert status == 0
    lines = out.splitlines()
    assert lines[1:3] == ["States 1", '0:X0=label:"P0:L0";']
    assert 'Condition forall (0:X0=label:"P0:L0")' in lines
    assert "Observation T Always 1 0" in lines


def test_a_different_label_or_none_is_not_equal() -> None:
    text = (
        "AArch64 T\n{}\n P0 ;\nL0: ;\n ADR X0,L0 ;\nL1: ;\n ADR X1,L1 ;\n"
        'exists (0:X0=label:"P0:L1" \\/ 0:X1=label:"P1:L1" \\/ 0:X2=label:"P0:L0")\n'
    )
    assert verdicts(text) == {"armv8": "Never", "sc": "Never"}


def test_adr_of_a_relative_target_takes_the_least_label_there() -> None:
    """herd names `.+N` by `Label.norm` of the labels at that address (their minimum)."""
    prog = program("Lz:\nLa:\nADR X0,.+0\nADR X4,.-4")
    assert prog.final_registers[(0, "X0")] == prog.final_registers[(0, "X4")]
    assert getattr(prog.final_registers[(0, "X0")], "name", None) == 'label:"P0:La"'


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ADR X0,.+4\nNOP", "`ADR` to `.+4`, an instruction without a label"),
        ("ADR X0,x\nL0:", "`ADR` to `x`, which is no code label of this thread"),
        ("ADR X4,L0\nL0:\nSTR W0,[X4]", "an access to code other than a load of a labelled"),
        ("ADRP X0,L0\nL0:", "unsupported AArch64 instruction `ADRP`"),
    ],
)
def test_unsupported_uses_are_refused_by_name(code: str, message: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        program(code)
    assert message in info.value.message
    assert info.value.span is not None


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        # herd's condition grammar compares a location with a label by `=` alone
        ("{}\n P0 ;\nL0: ;\n NOP ;\nexists (0:X0!=label:\"P0:L0\")\n",
         "a code label is compared with `=` only, not `!=`", 13),
        # 7.58 reads the index as bytes, later herds as elements: refused as ambiguous
        ("{ int x[2]; 0:X0=x[1]; }\n P0 ;\n NOP ;\nexists (0:X0=0)\n",
         "the address of an array element as an initial value (`x[1]`", 18),
    ],
)
def test_label_and_element_syntax_errors_point_at_the_construct(
        text: str, message: str, column: int) -> None:
    with pytest.raises(MemlitmusError) as info:
        parse_litmus("AArch64 T\n" + text, "t.litmus")
    assert isinstance(info.value, LitmusSyntaxError | UnsupportedError)
    assert message in info.value.message
    assert info.value.span is not None and info.value.span.col == column


def test_a_label_no_code_defines_is_refused_in_the_init_block() -> None:
    """herd/test_herd.ml refuses it (herd's instruction test AK004 expects this failure);
    the condition may name any label (never equal then, as above)."""
    text = "AArch64 T\n{\n 0:X5=P0:Lself00;\n}\n P0 ;\n MOV X4,X5 ;\nlocations [0:X4]\n"
    with pytest.raises(UnsupportedError) as info:
        parse_litmus(text, "t.litmus")
    assert info.value.message == ("Label Lself00 not found on P0, yet it is used in the "
                                  "initialization list")
    assert info.value.span is not None and (info.value.span.line, info.value.span.col) == (3, 2)
