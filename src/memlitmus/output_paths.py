"""Output files named on the command line (`report -o`, `suite --json/--junit/--update`):
checked before any test is judged, so that a typo in a folder name costs no run.

A path that cannot be written stops the command with one line on stderr,
`memlitmus: cannot write PATH: reason`, and exit status 2 (a rejected input), the same
line as when the write itself fails later (the folder removed meanwhile, a full disk).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from memlitmus.errors import error_line

__all__ = ["cannot_write", "unwritable"]


def unwritable(path: Path) -> str | None:
    """Why a file cannot be written at `path` (`no such directory: /nonexistent`,
    `is a directory`, `permission denied`), or None when, as far as can be told without
    writing, it can be. Nothing is created."""
    if path.is_dir():
        return "is a directory"
    parent = path.parent
    if not parent.exists():
        return f"no such directory: {parent}"
    if not parent.is_dir():
        return f"not a directory: {parent}"
    target, mode = (path, os.W_OK) if path.exists() else (parent, os.W_OK | os.X_OK)
    if not os.access(target, mode):
        return os.strerror(errno.EACCES).lower()
    return None


def cannot_write(path: Path | str, reason: str | OSError) -> str:
    """The error line of an output file that cannot be written: `reason` is a phrase
    (`unwritable`'s) or the OSError the write raised."""
    if isinstance(reason, OSError):
        reason = (reason.strerror or str(reason)).lower()
    return error_line(f"cannot write {path}: {reason}")
