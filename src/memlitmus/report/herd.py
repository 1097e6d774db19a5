"""herd7's text block for one test under one model, byte for byte where memlitmus knows.

herd7 7.58 prints (herd/top_herd.ml), each line ending in a newline:

    Test NAME Allowed|Forbidden|Required
    States N
    <N state lines>
    Ok|No|Undef
    Witnesses
    Positive: P Negative: N
    Flag FLAG                     (one per flag, sorted)
    Condition exists (...)
    Observation NAME Never|Sometimes|Always POS NEG
    Time NAME 0.01
    Hash=...                      (only when the file carries a Hash)
    <blank line>

Where memlitmus knows less than herd, it prints herd's lines all the same, as herd does
when it stops early (docs/herd-output.md has the reasons, from what the kernel's
`tools/memory-model/scripts` read):

* counts not computed (`positive`/`negative` None, no `--count`): the counts printed are
  lower bounds, those of the listed final states (each is reached by at least one
  execution), or without states 0/1, the least counts consistent with the verdict, as
  herd's own `-speedcheck` prints the counts of the executions it met before stopping;
  either is 0 exactly when herd's is, so `Never 0 0` (no execution at all) means what it
  means to herd;
* verdict-only (`states_listed=False`): no `States` line and no state lines;
* an UNKNOWN observation (past `--timeout` or `--max-memory`): no `Observation` line, as
  herd prints none for a test it times out on; `Unknown` in place of Ok/No and a
  `Reason NAME ...` line say why.
"""

from __future__ import annotations

import re

from memlitmus.errors import has_position
from memlitmus.results import UNDEFINED_FLAG, ModelResult, Observation, PairError

__all__ = [
    "format_herd", "herd_counts", "herd_file_warning", "herd_ok", "herd_warning", "herd_wording",
    "witness_counts",
]

_FORBIDDEN = "Forbidden"
_REQUIRED = "Required"


def format_herd(result: ModelResult) -> str:
    """herd's output block for `result`, ending with the blank line herd prints."""
    if result.observation is Observation.UNKNOWN:
        lines = _unknown_lines(result)
    else:
        lines = _verdict_lines(result)
    return "\n".join(lines) + "\n\n"


# memlitmus's message for a C call no primitive table defines (arch/c_runner.py), and
# herd's for it (lib/CBase.ml `find_macro`), which the kernel's judgelitmus.sh and
# cmplitmushist.sh grep for (`': Unknown macro '`, then up to ` (User error)`)
_UNKNOWN_CALL = re.compile(r"unsupported macro or function `([^`]*)`")


def herd_wording(message: str) -> str:
    """`message` in herd's words where herd has its own (`Unknown macro NAME`)."""
    return _UNKNOWN_CALL.sub(r"Unknown macro \1", message)


def herd_file_warning(file: str, message: str) -> str:
    """herd7's line for a test file it rejects, as `herd_warning` (one line)."""
    first = herd_wording(message.split("\n", 1)[0])
    if has_position(first):
        return f"Warning: {first} (User error)"
    return f'Warning: File "{file}": {first} (User error)'


def herd_warning(error: PairError) -> str:
    """herd7's line for a test it gives up on (herd/herd.ml, on a user error), on stderr:
    `Warning: File "SB.litmus": message (User error)`; a message that names its position
    already (`SB.litmus:1:1: model ...`) is printed after `Warning: ` alone, as herd does
    for one that starts with its own position. One line: the quoted source line and caret
    of a rendered error are left out."""
    return herd_file_warning(error.file, error.message)


def herd_counts(result: ModelResult) -> tuple[int, int, str | None]:
    """(pos, neg) w.r.t. the proposition, and None or the stand-in source if not herd's.

    The source is `"states"` when counted over listed final states, `"verdict"` when only
    the observation is known (then 0 or 1 each, the least counts consistent with it).
    """
    if result.positive is not None and result.negative is not None:
        return result.positive, result.negative, None
    if result.states_listed and len(result.witnesses) == len(result.states):
        pos = sum(result.witnesses)
        return pos, len(result.witnesses) - pos, "states"
    return _verdict_counts(result.observation) + ("verdict",)


def herd_ok(result: ModelResult) -> bool:
    """herd's Ok/No: exists → pos>0, ~exists → pos=0, forall → neg=0."""
    if result.ok is not None:
        return result.ok
    pos, neg, _ = herd_counts(result)
    if result.kind == _FORBIDDEN:
        return pos == 0
    if result.kind == _REQUIRED:
        return neg == 0
    return pos > 0


def witness_counts(result: ModelResult, pos: int, neg: int) -> tuple[int, int]:
    """The `Positive:`/`Negative:` pair: herd swaps the counts for `~exists`."""
    return (neg, pos) if result.kind == _FORBIDDEN else (pos, neg)


def _verdict_counts(observation: Observation) -> tuple[int, int]:
    """Least (pos, neg) consistent with an observation."""
    if observation is Observation.NEVER:
        return 0, 1
    if observation is Observation.ALWAYS:
        return 1, 0
    return 1, 1


def _verdict_lines(result: ModelResult) -> list[str]:
    """The block of a test with a verdict."""
    pos, neg, _ = herd_counts(result)
    wpos, wneg = witness_counts(result, pos, neg)
    lines = [f"Test {result.test} {result.kind}"]
    lines += _state_lines(result)
    lines += [
        "Undef" if UNDEFINED_FLAG in result.flags else "Ok" if herd_ok(result) else "No",
        "Witnesses",
        f"Positive: {wpos} Negative: {wneg}",
    ]
    lines += [f"Flag {flag}" for flag in sorted(result.flags)]
    lines += [
        f"Condition {result.condition}",
        f"Observation {result.test} {result.observation.value} {pos} {neg}",
    ]
    return lines + _tail_lines(result)


def _unknown_lines(result: ModelResult) -> list[str]:
    """The block of a test the solver could not decide: no states, no counts, and no
    `Observation` line (tools that read herd's output take a missing one for a timeout)."""
    reason = result.unknown_reason or "no reason given"
    lines = [f"Test {result.test} {result.kind}", "Unknown"]
    lines += [f"Flag {flag}" for flag in sorted(result.flags)]
    lines += [
        f"Condition {result.condition}",
        f"Reason {result.test} {reason}",
    ]
    return lines + _tail_lines(result)


def _state_lines(result: ModelResult) -> list[str]:
    """`States N` and the state lines, or nothing in verdict-only mode."""
    if not result.states_listed:
        return []
    return [f"States {len(result.states)}"] + [st.herd_line() for st in result.states]


def _tail_lines(result: ModelResult) -> list[str]:
    """`Time NAME t` and, when the file has one, `Hash=...`."""
    lines = [f"Time {result.test} {result.time_s:.2f}"]
    digest = result.metadata.get("Hash")
    if digest is not None:
        lines.append(f"Hash={digest}")
    return lines
