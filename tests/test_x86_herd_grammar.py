"""Every X86_64 instruction `memlitmus lower --arch x86` can print is one herd7 7.58 parses
and runs: its mnemonic, its operand order and kinds, and its `lock` prefix.

`HERD_FORMS` is data written from herdtools7 7.58's X86_64 grammar (lib/X86_64Lexer.mll,
lib/X86_64Parser.mly): the operand kinds of each mnemonic, in written order. `operand` is
an immediate, a register or a memory operand, `effaddr` a register or a memory operand.
herd writes `cmpxchg` with the memory operand first (`I_CMPXCHGQ effaddr COMMA reg`),
unlike AT&T's `cmpxchgq %reg,(mem)`. `HERD_LOCKABLE` is what herd/X86_64Sem.ml runs under
a `lock` prefix (any other is "Illegal lock prefix on instruction ...").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from memlitmus.errors import MemlitmusError, Span
from memlitmus.kernel.emit import herd_x86
from memlitmus.kernel.printer import lower
from memlitmus.kernel.tables import mapping
from memlitmus.kernel.templates import PLACEHOLDERS, X86_64_NAME, instantiate
from memlitmus.litmus.c_ast import CCall
from memlitmus.litmus.parse import load_litmus
from tests.conftest import LITMUS

_SIZES = ("", "b", "w", "l", "q")
_BINARY = ("operand", "effaddr")
HERD_FORMS: dict[str, tuple[str, ...]] = {
    **{f"{op}{s}": _BINARY for op in ("add", "xor", "or", "mov", "cmp") for s in _SIZES},
    "and": _BINARY,  # herd has no `andb`..`andq`
    "shl": _BINARY,
    **{f"{op}{s}": ("effaddr",) for op in ("inc", "dec") for s in _SIZES},
    "setnb": ("effaddr",),
    **{f"{op}{s}": ("effaddr", "effaddr") for op in ("xchg", "uxch") for s in _SIZES},
    **{f"cmpxchg{s}": ("effaddr", "reg") for s in _SIZES},
    **{f"cmovc{s}": ("reg", "effaddr") for s in _SIZES},
    **{f"movnti{s}": ("reg", "effaddr") for s in ("", "l", "q")},
    **{j: ("name",) for j in ("jmp", "je", "jne", "jle", "jlt", "jge", "jgt", "js", "jns")},
    **{f: () for f in ("mfence", "sfence", "lfence", "ret", "nop")},
}
HERD_LOCKABLE = {f"{op}{s}" for op in ("add", "xor", "inc", "dec", "xchg", "uxch", "cmpxchg")
                 for s in _SIZES}
ACCEPTS = {"operand": {"imm", "reg", "mem"}, "effaddr": {"reg", "mem"}, "reg": {"reg"},
           "name": {"name"}}
SPAN = Span("t.litmus", 1, 1)


def _kind(operand: str) -> str:
    if operand.startswith("$"):
        return "imm"
    if operand.startswith("%"):
        return "reg"
    return "mem" if "(" in operand else "name"


def herd_rejects(instruction: str) -> str | None:
    """Why herd7 7.58 would not parse or run `instruction` (AT&T text), or None."""
    words = instruction.split(None, 1)
    locked = words[0] == "lock"
    if locked:
        words = words[1].split(None, 1)
    mnemonic, rest = words[0], (words[1] if len(words) > 1 else "")
    if mnemonic not in HERD_FORMS:
        return f"no mnemonic `{mnemonic}`"
    if locked and mnemonic not in HERD_LOCKABLE:
        return f"illegal lock prefix on `{mnemonic}`"
    operands = [o.strip() for o in re.split(r",(?![^(]*\))", rest)] if rest else []
    form = HERD_FORMS[mnemonic]
    if len(operands) != len(form) or any(
            _kind(o) not in ACCEPTS[f] for o, f in zip(operands, form, strict=False)):
        return f"operands {operands} do not fit herd's `{mnemonic} {', '.join(form)}`"
    return None


def _instructions(text: str) -> list[str]:
    """The instructions of a printed test's thread columns (labels and P0.. dropped)."""
    found = []
    for row in text.split("\n}\n", 1)[1].splitlines():
        if row.endswith(";"):
            for cell in (c.strip() for c in row[:-1].split("|")):
                if cell and not cell.endswith(":") and not re.fullmatch(r"P\d+", cell):
                    found.append(cell)
    return found


def test_the_check_knows_herds_operand_order() -> None:
    assert herd_rejects("lock cmpxchgq (%rbx),%r10") is None
    assert herd_rejects("lock cmpxchgq %r10,(%rbx)") is not None
    assert herd_rejects("lock orq $2,(%rbx)") == "illegal lock prefix on `orq`"
    assert herd_rejects("andq $1,%rax") == "no mnemonic `andq`"
    assert herd_rejects("movq $1,(%rbx)") is None


@pytest.mark.parametrize("name", sorted(mapping("x86").lines))
def test_every_x86_table_line_prints_as_herd_parses_it(name: str) -> None:
    line = mapping("x86").lines[name]
    if line.special or not line.instructions:
        return
    code = instantiate(line.instructions, PLACEHOLDERS[X86_64_NAME], "k")
    fresh = iter(f"%r{n}" for n in range(12, 16))
    try:
        printed = herd_x86(code, CCall(name, (), SPAN), lambda _span: next(fresh))
    except MemlitmusError as err:  # refused by name: nothing printed
        assert f"`{name}`" in err.message
        return
    for instruction in printed:
        if not instruction.endswith(":"):
            assert herd_rejects(instruction) is None, (name, instruction)


@pytest.mark.parametrize("path", sorted((LITMUS / "kernel").glob("*.litmus"))
                         + sorted((LITMUS / "lkmm").glob("*.litmus")),
                         ids=lambda p: p.stem)
def test_every_lowered_kernel_seed_is_herd_x86_64(path: Path) -> None:
    try:
        text = lower(load_litmus(path), "x86", None)
    except MemlitmusError as err:
        assert re.search(r"grace period|`lock xaddq`|allows `lock` only", err.message)
        pytest.skip("not printable: " + err.message)
    for instruction in _instructions(text):
        assert herd_rejects(instruction) is None, instruction


def test_cmpxchg_prints_memory_first(capsys: pytest.CaptureFixture[str]) -> None:
    text = lower(load_litmus(LITMUS / "kernel" / "rmap_walk+vma_adjust+anon_vma_lock.litmus"),
                 "x86", None)
    assert re.search(r"lock cmpxchgq \(%r\w+\),%rcx", text), text
    assert "cmpxchgq %" not in text


def test_lower_refuses_a_lock_prefix_herd_does_not_run(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from memlitmus.cli import main

    src = tmp_path / "or.litmus"
    src.write_text("C or\n{}\nP0(atomic_t *x)\n{\n\tatomic_or(2, x);\n}\n"
                   "exists (x=2)\n")
    assert main(["lower", str(src), "--arch", "x86"]) == 2
    err = capsys.readouterr().err
    assert f"{src}:5:2:" in err
    assert ("`atomic_or` lowers to `lock orq` on x86, but herd7's X86_64 allows `lock` only "
            "on add, xor, inc, dec, xchg and cmpxchg") in err
    assert "Traceback" not in err


@pytest.mark.parametrize("instruction", ["lock orq $2,(x)", "lock and $2,(x)", "LOCK MOVQ $1,(x)"])
def test_the_x86_64_reader_refuses_a_lock_herd_does_not_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], instruction: str) -> None:
    from memlitmus.cli import main

    src = tmp_path / "lo.litmus"
    src.write_text("X86_64 LO\n{ x=0; }\n P0          | P1 ;\n"
                   f" movq $1,(x) | {instruction} ;\nexists (x=3)\n")
    assert main(["run", str(src)]) == 2
    err = capsys.readouterr().err
    mnemonic = instruction.split()[1].lower()
    assert f"{src}:4:16: Illegal lock prefix on instruction {mnemonic}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("instruction", "col"), [
    ("lock xaddq %rax,(x)", 21), ("xaddl %eax,(x)", 16), ("LOCK XADD %rax,(x)", 21)])
def test_the_x86_64_reader_refuses_xadd_which_herd_lacks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], instruction: str, col: int) -> None:
    """herd7 7.58's X86_64 has no xadd (lib/X86_64Lexer.mll): a test with one is refused
    by name at its position, as `lower` refuses the mappings that need it."""
    from memlitmus.cli import main

    src = tmp_path / "xa.litmus"
    src.write_text("X86_64 XA\n{ x=0; }\n P0          | P1 ;\n"
                   f" movq $1,(x) | {instruction} ;\nexists (x=3)\n")
    assert main(["run", str(src)]) == 2
    err = capsys.readouterr().err
    name = instruction.split()[-2].lower()
    assert f"{src}:4:{col}: herd7's X86_64 has no instruction `{name}`" in err
    assert "Traceback" not in err


def test_a_c_test_lowered_with_lock_xaddq_still_runs_under_x86tso(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The kernel mapping's `lock xaddq` (atomic_add_return) is read by the mapping's own
    reader: C tests under `run -m x86tso` keep it (docs/kernel-mappings.md)."""
    from memlitmus.cli import main

    src = tmp_path / "ar.litmus"
    src.write_text("C AR\n{ atomic_t x = ATOMIC_INIT(0); }\n"
                   "P0(atomic_t *x)\n{\n\tint r0 = atomic_add_return(1, x);\n}\n"
                   "P1(atomic_t *x)\n{\n\tint r0 = atomic_add_return(1, x);\n}\n"
                   "exists (0:r0=1 /\\ 1:r0=1)\n")
    assert main(["run", "-m", "x86tso", "-f", "herd", str(src)]) == 0
    out, err = capsys.readouterr()
    assert "Observation AR Never 0 2" in out and err == ""


def test_the_mapping_keeps_the_kernels_lock_or_under_x86tso(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from memlitmus.cli import main

    src = tmp_path / "or.litmus"
    src.write_text("C or\n{}\nP0(atomic_t *x)\n{\n\tatomic_or(2, x);\n}\n"
                   "P1(atomic_t *x)\n{\n\tatomic_set(x, 1);\n}\nexists (x=3)\n")
    assert main(["run", str(src), "-m", "x86tso", "--format", "herd"]) == 0
    out = capsys.readouterr().out
    assert "States 2\n[x]=1;\n[x]=3;\n" in out and "Observation or Sometimes 1 1" in out


def test_the_printers_own_c_constructs_are_herd_x86_64(tmp_path: Path) -> None:
    # truth values, ?:, &&, ||, -, ~, if, while: kernel/emit.py's X86Emitter
    from tests.test_kernel_lower import CONSTRUCTS

    src = tmp_path / "constructs.litmus"
    src.write_text(CONSTRUCTS)
    instructions = _instructions(lower(load_litmus(src), "x86", None))
    assert any(i.startswith("jgt") for i in instructions)
    for instruction in instructions:
        assert herd_rejects(instruction) is None, instruction
