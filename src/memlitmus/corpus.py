"""herd7's expected verdicts (`expected.tsv` of the reference corpus) and comparison."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from memlitmus.results import ModelResult


@dataclass(frozen=True)
class Expected:
    """One row of expected.tsv: herd7's verdict on one test under one model."""

    file: str
    model: str
    observation: str
    positive: int
    negative: int
    flags: tuple[str, ...]
    herd_time_s: float
    states: frozenset[str]


def read_expected(tsv: Path) -> list[Expected]:
    """Every row of an expected.tsv file."""
    # LKMM rows list thousands of states in one field: lift csv's 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with tsv.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [_row(r) for r in rows]


def _row(r: dict[str, str]) -> Expected:
    return Expected(
        file=r["file"], model=r["model"], observation=r["observation"],
        positive=int(r["positive"] or 0), negative=int(r["negative"] or 0),
        flags=tuple(f for f in (r["flags"] or "").split(",") if f),
        herd_time_s=float(r["herd_time_s"] or 0),
        states=frozenset(
            canonical_symbols(s.strip()) for s in (r["states"] or "").split(" | ") if s.strip()
        ),
    )


_SYMBOL = re.compile(r"(?<==)S\d+(?=;)")


def canonical_symbols(state: str) -> str:
    """Rename herd's unknown values (`[b]=S16;`, numbered by herd's own solver) to S1, S2…
    in order of first appearance, as memlitmus names its thin-air symbols."""
    names: dict[str, str] = {}
    return _SYMBOL.sub(lambda m: names.setdefault(m.group(), f"S{len(names) + 1}"), state)


def by_file(rows: list[Expected]) -> dict[str, dict[str, Expected]]:
    """Rows grouped by file, then by model."""
    grouped: dict[str, dict[str, Expected]] = {}
    for row in rows:
        grouped.setdefault(row.file, {})[row.model] = row
    return grouped


def disagreements(result: ModelResult, expected: Expected) -> list[str]:
    """What differs between our result and herd7's (empty when they agree)."""
    problems = []
    if result.observation.value != expected.observation:
        problems.append(f"observation {result.observation.value} != {expected.observation}")
    if result.states_listed:
        ours = frozenset(s.herd_line().strip() for s in result.states)
        if ours != expected.states:
            missing = sorted(expected.states - ours)[:3]
            extra = sorted(ours - expected.states)[:3]
            problems.append(f"states differ: missing {missing} extra {extra}")
    if set(result.flags) != set(expected.flags):
        problems.append(f"flags {sorted(result.flags)} != {sorted(expected.flags)}")
    return problems
