"""herd's configuration files (`-conf linux-kernel.cfg`) and where herd looks for files.

A `.cfg` file is one `key value` per line. memlitmus reads the keys that change verdicts,
`model`, `bell`, `macros` and `variant` (a comma-separated list), and ignores herd's
graph and display keys (`graph`, `squished`, `showevents`, `edgeattr`, ...), which only
shape herd's pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.cat.parse import MODELS_DIR, load_cat
from memlitmus.errors import ModelError
from memlitmus.models import ModelSetup, shipped_conf

VERDICT_KEYS = ("model", "bell", "macros", "variant")


@dataclass(frozen=True)
class HerdConfig:
    """What a `.cfg` file asks for: files found on herd's search path, and variants."""

    model: Path | None = None
    bell: Path | None = None
    macros: Path | None = None
    variants: tuple[str, ...] = ()


def find_file(name: str, search_dirs: Sequence[Path], base: Path | None = None) -> Path:
    """A file named in a configuration or on the command line, looked up as herd does:
    as given, then in `base` (the configuration's folder), the `-I` folders, memlitmus's
    library and the current folder. Raises `ModelError` when none has it."""
    given = Path(name)
    if given.is_file():
        return given
    folders = ([] if base is None else [base]) + [*search_dirs, MODELS_DIR, Path.cwd()]
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise ModelError(f"cannot find `{name}` (looked in {', '.join(map(str, folders))})")


def read_config(path: Path, search_dirs: Sequence[Path] = ()) -> HerdConfig:
    """The verdict keys of herd configuration file `path` (see the module docstring)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ModelError(f"cannot read configuration `{path}`: {exc.strerror}") from None
    found: dict[str, str] = {}
    for line in lines:
        key, _, value = line.strip().partition(" ")
        if key in VERDICT_KEYS and value.strip():
            found[key] = value.strip()
    base = path.parent

    def locate(key: str) -> Path | None:
        return find_file(found[key], search_dirs, base) if key in found else None

    variants = tuple(v.strip() for v in found.get("variant", "").split(",") if v.strip())
    return HerdConfig(locate("model"), locate("bell"), locate("macros"), variants)


@dataclass(frozen=True)
class HerdSetup:
    """herd's model options resolved: how to load every model (`setup`), the kernel
    primitives of C code (`macros`; None: built-in) and the configuration's model (a path,
    a shipped model's name, or None)."""

    setup: ModelSetup = ModelSetup()
    macros: dict[str, Primitive] | None = None
    conf_model: str | None = None


def herd_setup(
    conf: Path | None = None,
    include: Sequence[Path] = (),
    bell: Path | None = None,
    macros: Path | None = None,
    variants: Sequence[str] = (),
) -> HerdSetup:
    """herd's `-conf`, `-I`, `-bell`, `-macros` and `-variant` (raises ModelError).

    As in herd, a command-line bell or macro file wins over the configuration's. A `-conf`
    file that does not exist but is named as the kernel's (`linux-kernel.cfg`) stands for
    the shipped lkmm (`models.shipped_conf`).
    """
    shipped = None if conf is None else shipped_conf(conf)
    config = read_config(conf, include) if conf is not None and shipped is None else HerdConfig()
    bell_path = bell or config.bell
    macros_path = macros or config.macros
    setup = ModelSetup(
        tuple(include),
        load_cat(bell_path, include) if bell_path is not None else None,
        frozenset((*config.variants, *variants)),
    )
    primitives = read_macros(macros_path) if macros_path is not None else None
    model = shipped if shipped is not None else (
        None if config.model is None else str(config.model))
    return HerdSetup(setup, primitives, model)
