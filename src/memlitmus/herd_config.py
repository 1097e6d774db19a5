"""herd's configuration files (`-conf linux-kernel.cfg`) and herd's model options resolved.

A `.cfg` file is read as herd 7.58 reads it (herd/lexConf_herd.mll): one `key value` or
`key = value` per line, the key in letters from the first column; a line starting with
`#` and a blank line are skipped. Every key herd knows is handled as the same option on
`memlitmus herd7`'s command line would be (`herd_cfg_keys`):

* supported keys take effect: `model`/`cat`, `bell`, `macros`, `variant` (a
  comma-separated list), `include` (a `-I` folder), `conf` (another file, read in
  place), `speedcheck`, `timeout`;
* keys that change what herd computes or prints and memlitmus does not implement
  (`skipchecks`, `through`, `unroll`, ...) are refused at `file:line:col`, naming the key;
* herd's graph and display keys (`graph`, `squished`, `showevents`, `edgeattr`, ...)
  and diagnostics (`verbose`, `debug`) are ignored: they only shape herd's pictures;
* any other key, or a line that is no `key value`, is an error at `file:line:col`, as
  in herd (`Unknown key 'K' in configuration file`).

Files a configuration names are found on herd's search path (`herd_path`), then, where
herd would stop, in the configuration's own folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from memlitmus.arch.kernel_macros import read_macros
from memlitmus.arch.kernel_primitives import Primitive
from memlitmus.cat.parse import load_cat
from memlitmus.errors import ModelError, Span
from memlitmus.herd_cfg_keys import DISPLAY_KEYS, SUPPORTED_KEYS, UNSUPPORTED_KEYS
from memlitmus.herd_path import SearchPath
from memlitmus.models import HERD_LIBDIR_FILES, ModelSetup, herd_name_of_shipped, shipped_conf

SPEEDCHECK = ("false", "true", "fast")
_LINE = re.compile(r"([A-Za-z]+)(?:[ \t\r]*=[ \t\r]*|[ \t\r]+)(\S.*?)[ \t\r]*$")
_MAX_NESTING = 20  # `conf` keys read inside each other


@dataclass
class HerdConfig:
    """What a `.cfg` file asks for: file names (looked up by `locate`), variants,
    `-I` folders, and the speedcheck and timeout options."""

    model: Path | None = None
    bell: Path | None = None
    macros: Path | None = None
    variants: tuple[str, ...] = ()
    includes: tuple[Path, ...] = ()
    speedcheck: str | None = None
    timeout_s: float | None = None
    names: dict[str, tuple[str, Path]] = field(default_factory=dict)  # key -> (name, cfg dir)
    shipped_model: str | None = None  # `model` is herd's name of a shipped model


def _error(message: str, cfg: Path, line: int, col: int) -> ModelError:
    return ModelError(message, Span(str(cfg), line, col))


def _parse(cfg: Path, found: HerdConfig, depth: int, path: SearchPath) -> None:
    try:
        lines = cfg.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError as exc:
        raise ModelError(f"cannot read configuration `{cfg}`: {exc.strerror}") from None
    for number, text in enumerate(lines, 1):
        if text.startswith("#") or not text.strip(" \t\r"):
            continue
        match = _LINE.match(text)
        if match is None:
            raise _error("Unknown key in configuration file", cfg, number, 1)
        key, value = match.group(1), match.group(2)
        col = match.start(2) + 1
        if key in DISPLAY_KEYS:
            continue
        if key in UNSUPPORTED_KEYS:
            raise _error(f"configuration key `{key}` is not supported: it changes what "
                         f"herd7 computes ({UNSUPPORTED_KEYS[key]}); remove it", cfg,
                         number, 1)
        if key not in SUPPORTED_KEYS:
            raise _error(f"Unknown key '{key}' in configuration file", cfg, number, 1)
        _apply(key, value, found, (cfg, number, col), depth, path)


def _apply(
    key: str, value: str, found: HerdConfig, where: tuple[Path, int, int], depth: int,
    path: SearchPath,
) -> None:
    cfg, number, col = where
    if key in ("model", "cat", "bell", "macros"):
        found.names["model" if key == "cat" else key] = (value, cfg.parent)
    elif key == "variant":
        found.variants += tuple(v.strip() for v in value.split(",") if v.strip())
    elif key == "include":
        found.includes += (Path(value),)
    elif key == "speedcheck":
        if value not in SPEEDCHECK:
            raise _error(f"bad tags for speedcheck, allowed tag are {','.join(SPEEDCHECK)}",
                         cfg, number, col)
        found.speedcheck = value
    elif key == "timeout":
        found.timeout_s = _timeout(value, where)
    elif key == "conf":
        if depth >= _MAX_NESTING:
            raise _error("configuration files include each other too deeply", cfg, number,
                         col)
        inner = SearchPath(path.includes + found.includes, path.herdlib, path.libdir)
        _parse(inner.find(value, (cfg.parent,)), found, depth + 1, path)


def _timeout(value: str, where: tuple[Path, int, int]) -> float | None:
    if value == "none":
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise _error("float parameter expected (seconds, above 0)", *where)
    return seconds


def read_config(path: Path, search_dirs: Sequence[Path] = (),
                search: SearchPath | None = None) -> HerdConfig:
    """Read herd configuration file `path` (module docstring) and find the files it
    names on herd's path (`search`, or `-I` folders `search_dirs`), then in its folder.
    Raises ModelError at `file:line:col` for a key refused, unknown or ill-formed."""
    base = search or SearchPath(tuple(search_dirs))
    found = HerdConfig()
    _parse(path, found, 0, base)
    full = SearchPath(base.includes + found.includes, base.herdlib, base.libdir)
    for key, (name, folder) in found.names.items():
        # herd's libdir file (`model x86tso.cat` found nowhere before the libdir): the
        # shipped model stands in for it
        # (herd's libdir has no linux-kernel.cat: the kernel's own, beside its .cfg, wins)
        if key == "model" and full.libdir is None and full.lookup(name) is None:
            beside = (folder / name).is_file() and name not in HERD_LIBDIR_FILES
            found.shipped_model = None if beside else herd_name_of_shipped(name)
            if found.shipped_model is not None:
                continue
        setattr(found, key, full.find(name, (folder,)))
    return found


@dataclass(frozen=True)
class HerdSetup:
    """herd's model options resolved: how to load every model (`setup`), the kernel
    primitives of C code (`macros`; None: built-in), the configuration's model (a path,
    a shipped model's name, or None) and its `speedcheck` and `timeout` (None: unset)."""

    setup: ModelSetup = ModelSetup()
    macros: dict[str, Primitive] | None = None
    conf_model: str | None = None
    speedcheck: str | None = None
    timeout_s: float | None = None


def herd_setup(
    conf: Path | None = None,
    include: Sequence[Path] = (),
    bell: Path | None = None,
    macros: Path | None = None,
    variants: Sequence[str] = (),
    libdir: Path | None = None,
) -> HerdSetup:
    """herd's `-conf`, `-I`, `-bell`, `-macros`, `-variant` and `-set-libdir`, with the
    environment's `HERDLIB` (raises ModelError).

    As in herd, a command-line bell or macro file wins over the configuration's. A `-conf`
    file found nowhere but named as the kernel's (`linux-kernel.cfg`) stands for the
    shipped lkmm (`models.shipped_conf`).
    """
    path = SearchPath.of(include, libdir)
    config = HerdConfig()
    shipped = None
    if conf is not None:
        found = path.lookup(str(conf))
        shipped = shipped_conf(conf) if found is None else None
        if shipped is None:
            config = read_config(found or path.find(str(conf)), search=path)
    full = SearchPath(path.includes + config.includes, path.herdlib, path.libdir)
    dirs = full.include_dirs()
    bell_path = full.find(str(bell)) if bell is not None else config.bell
    macros_path = full.find(str(macros)) if macros is not None else config.macros
    setup = ModelSetup(
        dirs,
        load_cat(bell_path, dirs) if bell_path is not None else None,
        frozenset((*config.variants, *variants)),
        libdir_set=libdir is not None,
    )
    primitives = read_macros(macros_path) if macros_path is not None else None
    model = shipped or config.shipped_model or (
        None if config.model is None else str(config.model))
    return HerdSetup(setup, primitives, model, config.speedcheck, config.timeout_s)
