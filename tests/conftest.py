"""Shared fixtures: where the project and the reference corpus are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
LITMUS = ROOT / "litmus"
