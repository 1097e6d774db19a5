"""One line of JSON per test × model (or per rejected file).

Keys, always all present and in this order: `file, test, arch, model, kind, observation,
ok, states, positive, negative, flags, time_s, error`.

* `states`: a list of objects, one per final state in herd's order, keyed by herd's names
  (`"0:EAX"`, `"[x]"`); a value is a JSON integer when herd prints a decimal integer and
  a string otherwise (an address such as `"x"`). `null` when states were not listed
  (verdict-only) or the observation is Unknown.
* `positive`/`negative`: herd's Observation counts (w.r.t. the proposition, not swapped
  for `~exists`), `null` when not computed.
* `error`: `null`, the rendered message of a rejected file, the reason of an Unknown, or
  why a model cannot judge the test (then `observation` and the verdict keys are `null`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from memlitmus.report.herd import herd_ok
from memlitmus.results import FileError, ModelResult, Observation, PairError, State

__all__ = ["KEYS", "format_json", "json_record", "json_value"]

KEYS = (
    "file",
    "test",
    "arch",
    "model",
    "kind",
    "observation",
    "ok",
    "states",
    "positive",
    "negative",
    "flags",
    "time_s",
    "error",
)

_INT_RE = re.compile(r"-?(0|[1-9][0-9]*)")


def format_json(result: ModelResult | PairError | FileError) -> str:
    """`result` as one line of JSON (no trailing newline)."""
    return json.dumps(json_record(result), ensure_ascii=False, separators=(", ", ": "))


def json_record(result: ModelResult | PairError | FileError) -> dict[str, Any]:
    """The JSON object of `result` as a dict with exactly the keys in `KEYS`."""
    if isinstance(result, FileError):
        record: dict[str, Any] = dict.fromkeys(KEYS)
        record.update(file=result.file, error=result.message)
        return record
    if isinstance(result, PairError):
        record = dict.fromkeys(KEYS)
        record.update(file=result.file, test=result.test, arch=result.arch,
                      model=result.model, error=result.message)
        return record
    unknown = result.observation is Observation.UNKNOWN
    return {
        "file": result.file,
        "test": result.test,
        "arch": result.arch,
        "model": result.model,
        "kind": result.kind,
        "observation": result.observation.value,
        "ok": None if unknown else herd_ok(result),
        "states": _states(result, unknown),
        "positive": result.positive,
        "negative": result.negative,
        "flags": list(result.flags),
        "time_s": round(result.time_s, 6),
        "error": (result.unknown_reason or "unknown") if unknown else None,
    }


def json_value(text: str) -> int | str:
    """A herd value as JSON: an int when herd printed a decimal integer, else the text."""
    return int(text) if _INT_RE.fullmatch(text) else text


def _states(result: ModelResult, unknown: bool) -> list[dict[str, int | str]] | None:
    """The states as name → value objects, or None when not listed."""
    if unknown or not result.states_listed:
        return None
    return [_state(st) for st in result.states]


def _state(state: State) -> dict[str, int | str]:
    """One state as an object keyed by herd's names, in herd's order; a fault the
    condition tests is keyed by its text (`Fault(P0:L0,UndefinedInstruction)`), 1 when
    the state has it, 0 when not (herd's `~Fault(...)`)."""
    out: dict[str, int | str] = {name: json_value(value) for name, value in state.bindings}
    out.update((f.removeprefix("~"), 0 if f.startswith("~") else 1) for f in state.faults)
    return out
