"""herd's search path for model, bell, macro and configuration files.

herd 7.58 (lib/myLib.ml, `open_lib`, configured in herd/opts.ml `libfind`) looks a file
name up, unless it is explicit (absolute, or starting with `./` or `../`), in this order:

1. the current folder;
2. every `-I DIR` (and the configuration's `include` key), in the order given; a
   folder written `+sub` is `sub` inside the libdir;
3. the folder named by the environment variable `HERDLIB`, if set;
4. the libdir: `-set-libdir DIR`, else herd's installed library.

memlitmus's library (`src/memlitmus/cat/models/`) stands in for herd's installed library
in step 4, under herd's file names of the shipped models (`models.SHIPPED`); a
`-set-libdir` replaces it, as in herd. `SearchPath.find` raises ModelError, with herd's
words (`Cannot find file NAME`), when no folder has the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from memlitmus.errors import ModelError

__all__ = ["HERDLIB", "MODELS_DIR", "SearchPath", "first_file", "is_implicit"]

HERDLIB = "HERDLIB"
# memlitmus's library, the stand-in for herd's libdir (also cat.parse's)
MODELS_DIR = Path(__file__).resolve().parent / "cat" / "models"


def is_implicit(name: str) -> bool:
    """OCaml's `Filename.is_implicit`: relative, and not starting with `./` or `../`."""
    return not (name.startswith(("/", "./", "../")) or name in (".", ".."))


def first_file(name: str, folders: Sequence[Path]) -> Path | None:
    """herd's lookup of one name (lib/myLib.ml): an explicit name as given, if it is a
    file; an implicit one in the first of `folders` that holds it; else None."""
    if not is_implicit(name):
        return Path(name) if Path(name).is_file() else None
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class SearchPath:
    """herd's `-I` folders, `HERDLIB` and `-set-libdir` (module docstring)."""

    includes: tuple[Path, ...] = ()
    herdlib: Path | None = None
    libdir: Path | None = None  # -set-libdir; None: memlitmus's library stands in

    @classmethod
    def of(
        cls, includes: Sequence[Path] = (), libdir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> SearchPath:
        """The path of `-I` folders `includes`, `-set-libdir` `libdir` and the
        environment's `HERDLIB` (`environ`, default `os.environ`)."""
        env = os.environ if environ is None else environ
        herdlib = env.get(HERDLIB)
        return cls(tuple(includes), Path(herdlib) if herdlib else None, libdir)

    def _expand(self, folder: Path) -> Path:
        """A `+sub` include folder is `sub` in the libdir (the stand-in's, if none set)."""
        text = str(folder)
        if not text.startswith("+"):
            return folder
        if self.libdir is None:
            return MODELS_DIR / text[1:]
        return self.libdir / text[1:]

    def folders(self) -> tuple[Path, ...]:
        """The folders searched after the current one: `-I`, `HERDLIB`, a set libdir.
        (The stand-in library comes after these, see `find`.)"""
        found = [self._expand(f) for f in self.includes]
        if self.herdlib is not None:
            found.append(self.herdlib)
        if self.libdir is not None:
            found.append(self.libdir)
        return tuple(found)

    def lookup(self, name: str) -> Path | None:
        """The file `name` on herd's path before the libdir stand-in, or None: an
        explicit name as given (if it exists), else the current folder, `-I`,
        `HERDLIB`, a set libdir."""
        return first_file(name, (Path("."), *self.folders()))

    def find(self, name: str, extra: Sequence[Path] = ()) -> Path:
        """The file `name` on herd's path, the stand-in library last (unless a libdir is
        set), then the memlitmus-only `extra` folders (a configuration's own folder,
        where herd would stop). Raises ModelError (herd: `Cannot find file NAME`)."""
        found = self.lookup(name)
        if found is not None:
            return found
        tail: list[Path] = []
        if is_implicit(name):
            if self.libdir is None:
                tail.append(MODELS_DIR)
            tail.extend(extra)
        found = first_file(name, tail) if tail else None
        if found is not None:
            return found
        looked = ", ".join(str(f) for f in (Path("."), *self.folders(), *tail))
        raise ModelError(f"Cannot find file {name} (looked in {looked})")

    def include_dirs(self) -> tuple[Path, ...]:
        """The folders `load_cat` searches for a cat file's includes after the current
        folder (`cat.parse._find_include`): `-I`, `HERDLIB`, a set libdir."""
        return self.folders()
