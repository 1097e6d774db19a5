"""Where the Lark grammar files live, installed or in a source checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def grammar_path(name: str) -> Path:
    """The path of grammar file `name` (e.g. "cat.lark").

    An installed wheel maps the repository's top-level `grammars/` folder to
    `memlitmus/grammars/`; a source checkout keeps it at `<repo>/grammars/`.
    """
    try:
        installed = Path(str(importlib.resources.files("memlitmus") / "grammars" / name))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - exotic loaders
        installed = None
    if installed is not None and installed.is_file():
        return installed
    checkout = Path(__file__).resolve().parents[2] / "grammars" / name
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"grammar file {name!r} not found (looked in {installed}, {checkout})")
