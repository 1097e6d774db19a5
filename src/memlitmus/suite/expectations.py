"""What a regression suite expects of a test, read from the four conventions in use.

* The kernel's `Result:` comment (tools/memory-model/scripts/judgelitmus.sh): the first
  line matching `^[( ]\\* Result: ` gives the outcome, its third word as awk splits it
  (`Never`, `Sometimes`, `Always`, `Maybe`, `DEADLOCK`); a line matching
  `^[( ]\\* Result: .* DATARACE` predicts the `data-race` flag.
* herd's `NAME.litmus.expected` beside a test: herd7's whole output block.
* herd's `kinds.txt` (catalogue/*/tests/kinds.txt): `NAME Allowed|Forbidden|Required` per
  line, `#` starts a comment line.
* memlitmus's own TSV (`suite --update` writes it; herd7's corpus `expected.tsv` has the
  same columns and more): `file`, `model`, `observation`, optional `flags` and `states`.
* memlitmus's `Expected:` doc-comment line naming models (`litmus/kernel/`):
  `Expected: sc Never, x86tso Never, armv8 Sometimes, lkmm Sometimes.`, one Observation
  per model.

Each expectation checks one `ModelResult` and returns the reasons it fails (none: pass).
"""

from __future__ import annotations

import csv
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from memlitmus.corpus import canonical_symbols
from memlitmus.report.herd import format_herd
from memlitmus.results import ModelResult

__all__ = [
    "DATA_RACE",
    "ExpectedComment",
    "Expectation",
    "HerdBlock",
    "Kind",
    "ResultComment",
    "TsvRow",
    "read_expected_comment",
    "read_herd_block",
    "read_kinds",
    "read_result_comment",
    "read_tsv",
]

DATA_RACE = "data-race"  # the LKMM's flag (linux-kernel.cat: `flag ~empty ... as data-race`)

_RESULT_LINE = re.compile(r"^[( ]\* Result: (.*)$", re.MULTILINE)
_DATARACE_LINE = re.compile(r"^[( ]\* Result: .* DATARACE", re.MULTILINE)
# `Expected: sc Never, x86tso Sometimes.`: a model's name before each verdict (the lkmm
# examples' bare `Expected: Never.` names none and is left to their goldens)
_EXPECTED_LINE = re.compile(
    r"Expected: ((?:[\w.-]+ (?:Never|Sometimes|Always)(?:, )?)+)\.")


class Expectation(ABC):
    """One expected outcome for one test; `model` None means "every model judged"."""

    source: str  # where it was read, `file:line` or a path, for reports
    model: str | None
    needs_count: bool = False  # herd's execution counts are needed to check it

    @abstractmethod
    def failures(self, result: ModelResult) -> list[str]:
        """Why `result` does not meet this expectation (empty when it does).

        Never called with an Unknown observation: Unknown is neither pass nor fail.
        """


def _no_executions(result: ModelResult) -> bool:
    """Does the model allow no execution at all (herd's `Never 0 0`)?

    From the counts when known, else from the states; under --verdict-only without
    counts, executions exist: `judge` gives the exact counts 0 and 0 when there is none.
    """
    if result.positive is not None and result.negative is not None:
        return result.positive == 0 and result.negative == 0
    if result.states_listed:
        return not result.states
    return False


@dataclass(frozen=True)
class ResultComment(Expectation):
    """The kernel's `Result:` comment, judged as judgelitmus.sh judges it.

    judgelitmus.sh (Linux tools/memory-model/scripts), in its order: a predicted data race
    that the model does not flag fails, and so does a flagged one that was not predicted;
    `DEADLOCK` passes exactly when no execution is allowed (`Never 0 0`); otherwise no
    execution at all fails; then the Observation must equal the outcome, `Maybe` always
    passes, and a mismatch is forgiven when the model flags a data race.  One deviation:
    the script greps the outcome anywhere in the Observation line (test name included);
    memlitmus compares it with the Observation word.
    """

    source: str
    outcome: str
    datarace: bool
    model: str | None = None

    def failures(self, result: ModelResult) -> list[str]:
        modeled = DATA_RACE in result.flags
        if self.datarace and not modeled:
            return ["Result: predicts DATARACE but no data race is flagged"]
        if not self.datarace and modeled:
            return ["a data race is flagged but Result: does not predict DATARACE"]
        none_allowed = _no_executions(result)
        if self.outcome == "DEADLOCK":
            if none_allowed:
                return []
            return [f"Result: DEADLOCK but {result.observation.value} with executions"]
        if none_allowed:
            return [f"Result: {self.outcome} but no execution is allowed (deadlock)"]
        if self.outcome in (result.observation.value, "Maybe") or modeled:
            return []
        return [f"Result: {self.outcome} but {result.observation.value}"]


@dataclass(frozen=True)
class HerdBlock(Expectation):
    """herd7's output block from `NAME.litmus.expected`: every line must match, except
    `Time` (machine-dependent) and `Hash=` (herd's digest of the test, not computed)."""

    source: str
    lines: tuple[str, ...]
    model: str | None = None
    needs_count: bool = True

    def failures(self, result: ModelResult) -> list[str]:
        ours = _block_lines(format_herd(result))
        if ours == self.lines:
            return []
        for index, (mine, theirs) in enumerate(zip(ours, self.lines, strict=False)):
            if mine != theirs:
                return [f"herd block line {index + 1}: {mine!r} != expected {theirs!r}"]
        return [f"herd block has {len(ours)} lines, expected {len(self.lines)}"]


def _block_lines(text: str) -> tuple[str, ...]:
    return tuple(
        line.rstrip() for line in text.splitlines()
        if line.strip() and not line.startswith(("Time ", "Hash="))
    )


_KIND_OBSERVATIONS = {
    "Allowed": ("Sometimes", "Always"),
    "Forbidden": ("Never",),
    "Required": ("Always",),
}


@dataclass(frozen=True)
class Kind(Expectation):
    """A `kinds.txt` entry: herd's kind of the result, as `mcompare7 -kinds` reads it —
    Allowed: the proposition is observed; Forbidden: never; Required: in every execution."""

    source: str
    kind: str
    model: str | None = None

    def failures(self, result: ModelResult) -> list[str]:
        if result.observation.value in _KIND_OBSERVATIONS[self.kind]:
            return []
        return [f"kinds.txt: {self.kind} but {result.observation.value}"]


@dataclass(frozen=True)
class TsvRow(Expectation):
    """A row of an expectation TSV; `states`/`flags` None when the file has no such column.

    States are compared as a set after renaming thin-air symbols (`S16` -> `S1`...) and
    only when the result lists states (not under --verdict-only).
    """

    source: str
    model: str | None
    observation: str
    states: frozenset[str] | None = None
    flags: frozenset[str] | None = None

    def failures(self, result: ModelResult) -> list[str]:
        problems = []
        if result.observation.value != self.observation:
            problems.append(f"observation {result.observation.value} != {self.observation}")
        if self.states is not None and result.states_listed:
            ours = frozenset(s.herd_line().strip() for s in result.states)
            if ours != self.states:
                missing = sorted(self.states - ours)[:3]
                extra = sorted(ours - self.states)[:3]
                problems.append(f"states differ: missing {missing} extra {extra}")
        if self.flags is not None and set(result.flags) != self.flags:
            problems.append(f"flags {sorted(result.flags)} != {sorted(self.flags)}")
        return problems


@dataclass(frozen=True)
class ExpectedComment(Expectation):
    """One model's Observation from an `Expected:` doc-comment line."""

    source: str
    model: str | None
    observation: str

    def failures(self, result: ModelResult) -> list[str]:
        if result.observation.value == self.observation:
            return []
        return [f"Expected: {self.model} {self.observation} but {result.observation.value}"]


# ------------------------------------------------------------------------------ readers

def read_expected_comment(text: str, file: str) -> list[ExpectedComment]:
    """The per-model verdicts of a test's `Expected:` line (none when it has no such line)."""
    match = _EXPECTED_LINE.search(text)
    if match is None:
        return []
    line = text.count("\n", 0, match.start()) + 1
    pairs = (item.split() for item in match.group(1).split(", "))
    return [ExpectedComment(source=f"{file}:{line}", model=model, observation=verdict)
            for model, verdict in pairs]


def read_result_comment(text: str, file: str) -> ResultComment | None:
    """The `Result:` comment of a test's text, or None when it has none."""
    match = _RESULT_LINE.search(text)
    if match is None:
        return None
    words = match.group(1).split()
    line = text.count("\n", 0, match.start()) + 1
    return ResultComment(
        source=f"{file}:{line}", outcome=words[0] if words else "",
        datarace=_DATARACE_LINE.search(text) is not None,
    )


def read_herd_block(path: Path) -> HerdBlock:
    """herd7's block from a `NAME.litmus.expected` file, or a memlitmus golden of
    `run -f herd --count` (`NAME.MODEL.expected`): both are checked against a result
    judged with `--count`, unless the block has a `Counts NAME ...` line (an older
    memlitmus printed one without `--count`; today's prints none)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = _block_lines(text)
    return HerdBlock(source=str(path), lines=lines,
                     needs_count=not any(line.startswith("Counts ") for line in lines))


def read_kinds(path: Path) -> dict[str, Kind]:
    """Test name -> Kind, from a herd `kinds.txt` (unknown kinds and comments skipped)."""
    kinds: dict[str, Kind] = {}
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#") and words[1] in _KIND_OBSERVATIONS:
            kinds[words[0]] = Kind(source=f"{path}:{number}", kind=words[1])
    return kinds


def read_tsv(path: Path) -> dict[Path, list[TsvRow]]:
    """Resolved test path -> its rows, from an expectation TSV (paths relative to it).

    Needs the columns `file`, `model`, `observation`; reads `flags` (comma-separated)
    and `states` (herd's state lines joined by ` | `; `*`: not known) when present.
    """
    # LKMM rows list thousands of states in one field: lift csv's 128 KiB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    rows: dict[Path, list[TsvRow]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns = set(reader.fieldnames or ())
        missing = {"file", "model", "observation"} - columns
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            test = (path.parent / row["file"]).resolve()
            rows.setdefault(test, []).append(TsvRow(
                source=f"{path}:{number}", model=row["model"],
                observation=row["observation"],
                states=_states(row["states"]) if "states" in columns else None,
                flags=(frozenset(f for f in (row["flags"] or "").split(",") if f)
                       if "flags" in columns else None),
            ))
    return rows


def _states(field: str | None) -> frozenset[str] | None:
    if (field or "").strip() == "*":  # written for a --verdict-only result: not known
        return None
    return frozenset(
        canonical_symbols(s.strip()) for s in (field or "").split(" | ") if s.strip()
    )
