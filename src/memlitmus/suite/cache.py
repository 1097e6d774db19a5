"""A result cache in SQLite, so that a rerun judges only what changed.

One row per test × model: the key is a SHA-256 over the test's text, the model's content
(its parsed cat model with every `include` inlined), the options that change a result
(`verdict_only`, `count`, a kernel `.def` table, herd's -I/-bell/-variant) and the engine
version (memlitmus's version and a digest of its own source, grammar and cat files, so
that editing the engine invalidates every row).
Only definite results are stored: an Unknown (a timeout depends on the machine's load) or
a crash is judged again next time.

The database lives in `platformdirs.user_cache_dir("memlitmus")` (on Linux
`$XDG_CACHE_HOME/memlitmus`, default `~/.cache/memlitmus`).  Several runs may share it:
SQLite's WAL journal lets readers and one writer work at once and `timeout` waits for
the write lock.  A file that is not a readable database, or a row whose payload does not
match its stored digest, is never trusted: the file is rebuilt, the row dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

import memlitmus
from memlitmus.models import resolve
from memlitmus.options import Options
from memlitmus.results import FileError, ModelResult, Observation, State

__all__ = ["ResultCache", "cache_key", "decode", "default_path", "encode", "engine_version"]

_SCHEMA = 1
_SOURCE_SUFFIXES = (".py", ".lark", ".cat", ".bell", ".def")


def default_path() -> Path:
    """The cache database under the user's cache directory."""
    return Path(platformdirs.user_cache_dir("memlitmus")) / "results.sqlite3"


@cache
def engine_version() -> str:
    """memlitmus's version and a digest of every source, grammar and model file."""
    from memlitmus.grammar_files import grammar_path

    package = Path(memlitmus.__file__).parent
    files = sorted(p for p in package.rglob("*") if p.suffix in _SOURCE_SUFFIXES)
    grammars = grammar_path("cat.lark").parent
    files += sorted(p for p in grammars.glob("*.lark") if p.parent != package / "grammars")
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{memlitmus.__version__}+{digest.hexdigest()[:16]}"


@cache
def model_digest(spec: str, search_dirs: tuple[Path, ...] = (), standin: bool = True) -> str:
    """A digest of the model `spec` names on the search path `search_dirs` (herd's `-I`,
    `HERDLIB`, `-set-libdir`; `models.resolve`): its parsed cat text, includes inlined."""
    return hashlib.sha256(repr(resolve(spec, search_dirs, standin).cat).encode()).hexdigest()


def cache_key(text: str, model: str, options: Options) -> str:
    """The key of one test × model judged with `options`."""
    material = json.dumps([
        _SCHEMA, engine_version(), hashlib.sha256(text.encode()).hexdigest(),
        model_digest(model, options.setup.search_dirs, not options.setup.libdir_set),
        options.verdict_only, options.count,
        repr(sorted(options.macros.items())) if options.macros else None,
        [str(d) for d in options.setup.search_dirs], str(options.setup.bell),
        sorted(options.setup.variants),
    ])
    return hashlib.sha256(material.encode()).hexdigest()


class ResultCache:
    """The SQLite store of results; `get`/`put` by `cache_key`."""

    def __init__(self, path: Path | None = None, timeout_s: float = 60.0):
        self.path = path or default_path()
        self.timeout_s = timeout_s
        self.hits = 0
        self.rebuilt = False
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            self._remove()
            self.rebuilt = True
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout_s)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("quick_check failed")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS results "
                "(key TEXT PRIMARY KEY, digest TEXT NOT NULL, payload TEXT NOT NULL)"
            )
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(self.path) + suffix).unlink()

    def _rebuild(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._remove()
        self.rebuilt = True
        self._conn = self._connect()

    def get(self, key: str) -> ModelResult | FileError | None:
        """The stored result, or None (absent, or its payload fails its digest)."""
        try:
            row = self._conn.execute(
                "SELECT digest, payload FROM results WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.DatabaseError:
            self._rebuild()
            return None
        if row is None:
            return None
        digest, payload = row
        try:
            if hashlib.sha256(payload.encode()).hexdigest() != digest:
                raise ValueError("digest mismatch")
            result = decode(json.loads(payload))
        except (ValueError, TypeError, KeyError, AttributeError):
            self._delete(key)
            return None
        self.hits += 1
        return result

    def put(self, items: Iterable[tuple[str, ModelResult | FileError]]) -> None:
        """Store results (one transaction); a failing database is rebuilt, not fatal."""
        rows = []
        for key, result in items:
            payload = json.dumps(encode(result), sort_keys=True)
            rows.append((key, hashlib.sha256(payload.encode()).hexdigest(), payload))
        if not rows:
            return
        try:
            with self._conn:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO results (key, digest, payload) VALUES (?, ?, ?)",
                    rows,
                )
        except sqlite3.OperationalError:
            pass  # locked past the timeout by another run: these rows are simply not kept
        except sqlite3.DatabaseError:
            self._rebuild()

    def _delete(self, key: str) -> None:
        with contextlib.suppress(sqlite3.Error), self._conn:
            self._conn.execute("DELETE FROM results WHERE key = ?", (key,))

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()


def encode(result: ModelResult | FileError) -> dict[str, Any]:
    """A JSON-able dict of a result (the cache's payload)."""
    if isinstance(result, FileError):
        return {"error": {"file": result.file, "message": result.message,
                          "internal": result.internal}}
    record: dict[str, Any] = {}
    for f in fields(result):
        value = getattr(result, f.name)
        if f.name == "states":
            value = [[list(pair) for pair in s.bindings] if not s.faults
                     else {"bindings": [list(pair) for pair in s.bindings],
                           "faults": list(s.faults)} for s in value]
        elif isinstance(value, Observation):
            value = value.value
        record[f.name] = value
    return {"result": record}


def decode(payload: dict[str, Any]) -> ModelResult | FileError:
    """The result `encode` wrote; raises KeyError/TypeError/ValueError if malformed."""
    if "error" in payload:
        return FileError(**payload["error"])
    record = dict(payload["result"])
    record["states"] = tuple(_state(s) for s in record["states"])
    record["observation"] = Observation(record["observation"])
    for name in ("witnesses", "flags"):
        record[name] = tuple(record[name])
    return ModelResult(**record)


def _state(record: list[list[str]] | dict[str, Any]) -> State:
    """A state `encode` wrote: its (name, value) pairs, or those and its faults."""
    if isinstance(record, dict):
        return State(tuple((str(n), str(v)) for n, v in record["bindings"]),
                     tuple(str(f) for f in record["faults"]))
    return State(tuple((str(name), str(value)) for name, value in record))
