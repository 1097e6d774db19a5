"""The one list of architectures memlitmus understands, and lookups into it.

Adding an architecture is one line here (its descriptor, `arch.descriptor.Architecture`);
the parser, the front-end dispatch, the default model and the register print order all
read the descriptor. `tests/test_registry.py` checks every descriptor is complete.
"""

from __future__ import annotations

from memlitmus.arch.aarch64 import AArch64Architecture
from memlitmus.arch.c import CArchitecture
from memlitmus.arch.descriptor import Architecture
from memlitmus.arch.x86 import X86_64Architecture, X86Architecture
from memlitmus.errors import UnsupportedError
from memlitmus.kernel.lowering import KERNEL_LOWERINGS
from memlitmus.litmus.ast import LitmusTest

__all__ = [
    "ARCHITECTURES",
    "BY_NAME",
    "arch_of",
    "architecture",
    "default_model_for",
    "missing_attributes",
]

ARCHITECTURES: tuple[type[Architecture], ...] = (
    X86Architecture,
    X86_64Architecture,
    AArch64Architecture,
    CArchitecture,
)

# A C test judged under x86tso, armv8 or sc goes through the kernel's mapping for that
# hardware (docs/kernel-mappings.md). Set here, above both the C front end and the
# lowering that extends it.
CArchitecture.lowerings = KERNEL_LOWERINGS

BY_NAME: dict[str, type[Architecture]] = {arch.name: arch for arch in ARCHITECTURES}
"""Header word → descriptor."""


def architecture(name: str) -> type[Architecture] | None:
    """The descriptor of the architecture named `name` on a header line, or None."""
    return BY_NAME.get(name)


def arch_of(test: LitmusTest) -> type[Architecture]:
    """The descriptor of a parsed test's architecture (the parser accepted its name)."""
    arch = BY_NAME.get(test.arch)
    if arch is None:
        raise UnsupportedError(f"unsupported architecture `{test.arch}`", test.span)
    return arch


def missing_attributes(arch: type[Architecture]) -> list[str]:
    """The required class attributes a descriptor leaves unset (empty when complete)."""
    return [attr for attr in Architecture.REQUIRED if not hasattr(arch, attr)]


def default_model_for(arch: str) -> str:
    """The model judged when the user names none: the architecture's `default_model`."""
    descriptor = BY_NAME.get(arch)
    return "sc" if descriptor is None else descriptor.default_model
