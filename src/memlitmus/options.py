"""How a test is judged: the options every front end, worker and reporter passes to
`judge.judge` (kept apart so that the encoding and the pipeline both read them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.models import ModelSetup


@dataclass(frozen=True)
class Options:
    """How to judge: list states or only decide the verdict; solver time bound; the
    kernel primitives of C tests (`macros`, read from a `.def` file; None: built-in)."""

    verdict_only: bool = False
    timeout_s: float | None = None
    count: bool = False
    mapping: str | None = None  # kernel mapping for C tests on hardware (`arm64-llsc`)
    macros: Mapping[str, Primitive] | None = None
    setup: ModelSetup = ModelSetup()
    """herd's `-I`, `-bell` and `-variant`, for the models a worker resolves by name."""
    executions: bool = False  # keep one witness execution per allowed state
    kernel_mappings: bool = True
    """Judge a C test under a hardware model through the kernel's mapping (`memlitmus
    run`, docs/kernel-mappings.md). False for herd7's command line: herd has no such
    mappings, so there a C test under an architecture's model is that pair's error."""
    forbidden: bool = False  # list the forbidden candidate outcomes with their reasons
