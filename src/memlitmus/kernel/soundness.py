"""Soundness of the LKMM against the lowered hardware verdicts.

The LKMM is meant to be no stronger than the hardware the kernel runs on: whatever a
kernel C test can do on x86 or arm64 (compiled through the kernel's mappings), the LKMM
must allow. On verdicts: a test whose proposition the LKMM says never holds (Never) must
never hold on the hardware either, and one it says always holds (Always) must always
hold there. `check` compares herd7's LKMM verdict (from the reference corpus) with the
lowered verdicts; `docs/kernel-mappings.md` lists the exceptions and their causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import resolve
from memlitmus.results import ModelResult, PairError

HARDWARE_MODELS = ("x86tso", "armv8")


@dataclass(frozen=True)
class Outcome:
    """One test under one hardware model, against the LKMM's verdict."""

    file: str
    model: str
    lkmm: str
    hardware: str
    seconds: float

    @property
    def sound(self) -> bool:
        """Does the hardware verdict respect the LKMM's promise (Never or Always)?"""
        if self.lkmm in ("Never", "Always"):
            return self.hardware == self.lkmm
        return True

    @property
    def unknown(self) -> bool:
        """The solver gave up: no verdict to compare."""
        return self.hardware == "Unknown"


def check(path: str, lkmm: str, models: tuple[str, ...] = HARDWARE_MODELS,
          mapping: str | None = None, timeout_s: float | None = None) -> list[Outcome]:
    """Judge the C test at `path` under the hardware `models` (verdicts only)."""
    test = load_litmus(path)
    options = Options(verdict_only=True, timeout_s=timeout_s, mapping=mapping)
    return outcomes(path, lkmm, judge(test, [resolve(m) for m in models], options))


def outcomes(path: str, lkmm: str,
             results: Sequence[ModelResult | PairError]) -> list[Outcome]:
    """The results of the test at `path` (from `judge` or a bounded `worker.Judge`)
    against the LKMM's verdict `lkmm`; a pair no mapping can judge counts as Unknown:
    no verdict to compare."""
    return [
        Outcome(path, r.model, lkmm, r.observation.value, r.time_s)
        if isinstance(r, ModelResult) else Outcome(path, r.model, lkmm, "Unknown", 0.0)
        for r in results
    ]
