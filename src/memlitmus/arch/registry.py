"""The one list of architectures memlitmus understands (header word → front end)."""

from __future__ import annotations

from memlitmus.arch.aarch64 import AARCH64
from memlitmus.arch.base import Arch
from memlitmus.arch.c import C
from memlitmus.arch.x86 import X86, X86_64
from memlitmus.errors import UnsupportedError
from memlitmus.litmus.ast import LitmusTest

ARCHES: dict[str, Arch] = {
    "X86": X86,
    "X86_64": X86_64,
    "AArch64": AARCH64,
    "C": C,
}


def arch_of(test: LitmusTest) -> Arch:
    """The front end for a test's header, or an error naming the architecture."""
    arch = ARCHES.get(test.arch)
    if arch is None:
        raise UnsupportedError(f"unsupported architecture `{test.arch}`", test.span)
    return arch
