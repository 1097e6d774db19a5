"""The architecture registry: every descriptor complete, and the only list of architectures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus.arch.descriptor import Architecture
from memlitmus.arch.registry import (
    ARCHITECTURES,
    BY_NAME,
    architecture,
    default_model_for,
    missing_attributes,
)
from memlitmus.grammar_files import grammar_path
from memlitmus.litmus.names import name_sort_key
from memlitmus.models import SHIPPED

SRC = Path(__file__).resolve().parents[1] / "src" / "memlitmus"


@pytest.mark.parametrize("arch", ARCHITECTURES, ids=lambda a: a.name)
def test_every_registered_architecture_is_complete(arch: type[Architecture]) -> None:
    assert missing_attributes(arch) == []
    grammar = grammar_path(arch.grammar).read_text(encoding="utf-8")
    # the start rule is defined in the grammar and the transformer has its callback
    assert re.search(rf"^[?!]?{re.escape(arch.start)}\s*:", grammar, re.M), arch.start
    assert callable(getattr(arch.transformer, arch.start, None))
    assert arch.front_end.name == arch.name
    assert arch.default_model in {info.name for info in SHIPPED}
    assert isinstance(arch.reg_sort_key("r0"), tuple)
    assert isinstance(arch.skip_comments, bool)
    for model, front_end in arch.lowerings.items():
        assert model in {info.name for info in SHIPPED}
        assert front_end.tags


def test_names_are_unique_and_looked_up() -> None:
    names = [arch.name for arch in ARCHITECTURES]
    assert names == ["X86", "X86_64", "AArch64", "C"]
    assert set(BY_NAME) == set(names)
    assert architecture("AArch64") is BY_NAME["AArch64"]
    assert architecture("RISCV") is None


def test_a_descriptor_is_never_instantiated() -> None:
    with pytest.raises(TypeError):
        BY_NAME["X86"]()


def test_default_models_come_from_the_descriptors() -> None:
    assert [default_model_for(a.name) for a in ARCHITECTURES] == [
        "x86tso", "x86tso", "armv8", "lkmm",
    ]
    assert default_model_for("PPC") == "sc"


def test_register_print_order_is_the_descriptors() -> None:
    def order(names: list[str], arch: str) -> list[str]:
        return sorted(names, key=lambda n: name_sort_key(n, arch))

    assert order(["0:EBX", "0:EAX", "[x]", "1:EAX"], "X86") == ["0:EAX", "0:EBX", "1:EAX", "[x]"]
    assert order(["0:r8", "0:rbx", "0:rax"], "X86_64") == ["0:rax", "0:rbx", "0:r8"]
    assert order(["0:X10", "0:X2", "0:W1"], "AArch64") == ["0:W1", "0:X2", "0:X10"]
    assert order(["0:r1", "0:a"], "C") == ["0:a", "0:r1"]


def test_no_other_module_lists_architecture_names() -> None:
    """Header words appear as string literals only in the descriptors' modules (`arch/`)
    and in the shipped models' declarations of what they judge (`models.py`)."""
    literal = re.compile(r"""["'](?:X86|X86_64|AArch64|C)["']""")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.parent.name != "arch"
        and path.name != "models.py"
        and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
