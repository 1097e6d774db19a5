"""herd7 refuses a test whose threads are not P0, P1, ... in order ("Processes must be P0,
P1, ...": lib/genParser.ml and lib/CGenParser_lib.ml `check_procs`); memlitmus refuses it
at the offending name, for every architecture, instead of judging it as threads 0, 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from memlitmus.cli import main

CASES = {
    "X86_64": ("X86_64 SB\n{ x=0; y=0; }\n P0          | P2          ;\n"
               " movq $1,(x) | movq $1,(y) ;\n movq (y),%rax | movq (x),%rax ;\n"
               "exists (0:rax=0 /\\ 2:rax=0)\n", "3:16", "thread 1 is named `P2`"),
    "X86": ("X86 SB\n{ x=0; y=0; }\n P0         | P3         ;\n"
            " MOV [x],$1 | MOV [y],$1 ;\nexists (x=1)\n", "3:15", "thread 1 is named `P3`"),
    "AArch64": ("AArch64 A\n{}\n P1        | P0        ;\n MOV W0,#1 | MOV W0,#1 ;\n"
                "exists (0:X0=1)\n", "3:2", "thread 0 is named `P1`"),
    "C": ("C SB\n{}\nP0(int *x, int *y)\n{\n\tWRITE_ONCE(*x, 1);\n}\n\n"
          "P2(int *x, int *y)\n{\n\tWRITE_ONCE(*y, 1);\n}\nexists (x=1)\n",
          "8:1", "thread 1 is named `P2`"),
}


@pytest.mark.parametrize("arch", sorted(CASES))
def test_misnumbered_threads_are_refused_at_the_name(
        arch: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, where, what = CASES[arch]
    src = tmp_path / "t.litmus"
    src.write_text(text)
    assert main(["run", str(src)]) == 2
    captured = capsys.readouterr()
    assert f"{src}:{where}: Processes must be P0, P1, ...: {what}" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_a_symbolic_register_belongs_to_every_thread(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """herd's symbolic registers (`%r` in the init block) name no thread: not a Bad process."""
    src = tmp_path / "t.litmus"
    src.write_text("AArch64 A\n{ uint64_t X0; uint64_t %r = x; uint64_t x }\n\nP0;\n"
                   "MOV X0, %r;\n\nexists (0:X0 = x)\n")
    assert main(["run", str(src), "-m", "armv8"]) == 0
    captured = capsys.readouterr()
    assert "Always" in captured.out and captured.err == ""
