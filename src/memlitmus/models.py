"""The shipped memory models (cat files) and how names, aliases and paths resolve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from memlitmus.cat.ast import CatModel
from memlitmus.cat.parse import load_cat
from memlitmus.errors import ModelError

MODELS_DIR = Path(__file__).parent / "cat" / "models"


@dataclass(frozen=True)
class ModelInfo:
    """A shipped model: its file, aliases, and what it is."""

    name: str
    file: str
    aliases: tuple[str, ...]
    description: str


SHIPPED: tuple[ModelInfo, ...] = (
    ModelInfo("sc", "sc.cat", (), "Sequential consistency (Lamport 1979)"),
    ModelInfo("x86tso", "x86tso.cat", ("tso", "x86"),
              "x86-TSO (Owens, Sarkar, Sewell 2009): store buffers, MFENCE, locked RMWs"),
    ModelInfo("armv8", "armv8.cat", ("aarch64",),
              "ARMv8 multicopy-atomic (Pulte et al. 2018, Arm ARM B2.3): ob acyclic"),
    ModelInfo("lkmm", "lkmm.cat", ("linux",),
              "Linux-kernel memory model (Alglave, Maranget, McKenney, Parri, Stern 2018)"),
)

@dataclass(frozen=True)
class Model:
    """A model ready to judge with: its display name and parsed cat text, and, as herd's
    `-bell` and `-variant` give them, a bell file run before it and enabled variants."""

    name: str
    cat: CatModel
    bell: CatModel | None = None
    variants: frozenset[str] = frozenset()
    herd_view: bool = False
    """True for a user's cat file: it sees executions as herd's front ends present them
    (kernel lock events are not in R and W: herd's lock.cat adds them itself)."""


def resolve(name_or_path: str, search_dirs: Sequence[Path] = ()) -> Model:
    """A shipped model by name or alias, or a user's `.cat` file by path (its includes
    also looked up in `search_dirs`, herd's `-I`)."""
    for info in SHIPPED:
        if name_or_path == info.name or name_or_path in info.aliases:
            return _load(info.name, str(MODELS_DIR / info.file), (), False)
    if name_or_path.endswith(".cat") or Path(name_or_path).is_file():
        path = Path(name_or_path)
        if not path.is_file():
            raise ModelError(f"no such cat file: {name_or_path}")
        return _load(path.stem, str(path.resolve()), tuple(str(d) for d in search_dirs), True)
    known = ", ".join(info.name for info in SHIPPED)
    raise ModelError(f"unknown model `{name_or_path}` (known: {known})")


@dataclass(frozen=True)
class ModelSetup:
    """herd's `-I`, `-bell` and `-variant`, applied to every model judged."""

    search_dirs: tuple[Path, ...] = ()
    bell: CatModel | None = None
    variants: frozenset[str] = frozenset()

    def resolve(self, name_or_path: str) -> Model:
        """`resolve(name_or_path)` with this setup's include folders, bell and variants."""
        return self.apply(resolve(name_or_path, self.search_dirs))

    def apply(self, model: Model) -> Model:
        """`model` with this setup's bell (if any) and variants added."""
        if self.bell is None and not self.variants:
            return model
        return replace(model, bell=self.bell or model.bell,
                       variants=model.variants | self.variants)


@cache
def _load(name: str, path: str, search_dirs: tuple[str, ...], herd_view: bool) -> Model:
    return Model(name, load_cat(path, [Path(d) for d in search_dirs]), herd_view=herd_view)
