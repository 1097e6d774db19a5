"""Witness executions and forbidden outcomes as text and as JSON-ready data.

Text: a cycle reads `W x=1 -po-> W y=1 -rfe-> R y=1 -po-> R x=0 -fre-> W x=1`, each
arrow named by the most basic relation containing the edge. JSON: see
docs/outcomes-json.md for the schema of `execution_json` and `forbidden_json`.
"""

from __future__ import annotations

import json
from typing import Any

from memlitmus.report.json import json_record, json_value
from memlitmus.results import FileError, ModelResult
from memlitmus.witness import Edge, Execution, ForbiddenOutcome, Violation

__all__ = [
    "cycle_text",
    "event_names",
    "path_text",
    "execution_json",
    "forbidden_json",
    "forbidden_lines",
    "format_json_outcomes",
    "state_text",
    "violation_text",
]


def state_text(state: tuple[tuple[str, str], ...]) -> str:
    """`1:EAX=1; 1:EBX=0;` as herd prints a state."""
    return " ".join(f"{name}={value};" for name, value in state)


def edge_name(edge: Edge) -> str:
    """How to read one edge: its most basic relation, `?` when none is named; program
    order with the model's name for why it counts (`po/bob`, `po/ppo`)."""
    if not edge.relations:
        return "?"
    first = edge.relations[0]
    if first == "po" and len(edge.relations) > 1:
        return f"po/{edge.relations[1]}"
    return first


def event_names(execution: Execution) -> dict[int, str]:
    """Each event's name in text: its label (`R y=0`), followed by `(P1 #3)` (thread,
    1-based position in program order) when another event has the same label."""
    count: dict[str, int] = {}
    for e in execution.events:
        count[e.label] = count.get(e.label, 0) + 1
    return {
        e.eid: e.label if count[e.label] == 1 else
        f"{e.label} ({'init' if e.is_init else f'P{e.thread} #{e.index + 1}'})"
        for e in execution.events
    }


def path_text(edges: tuple[Edge, ...], names: dict[int, str]) -> str:
    """Consecutive edges as `A -r-> B -s-> C`."""
    parts = [names[edges[0].source]]
    for edge in edges:
        parts.append(f"-{edge_name(edge)}->")
        parts.append(names[edge.target])
    return " ".join(parts)


def cycle_text(violation: Violation, execution: Execution) -> str:
    """The violating cycle or edge as one line (`W x=1 -po-> W y=1 -> ...`), or the
    offending event of a non-empty set."""
    names = event_names(execution)
    if not violation.edges:
        return ", ".join(names[e] for e in violation.events)
    return path_text(violation.edges, names)


def violation_text(violation: Violation, execution: Execution) -> str:
    """`acyclic ghb as tso: W x=1 -po-> ...`."""
    return f"{violation.check}: {cycle_text(violation, execution)}"


def forbidden_lines(result: ModelResult) -> list[str]:
    """One line per forbidden outcome (with `run --forbidden`), then a line saying the
    list is bounded when it is."""
    lines = []
    for outcome in result.forbidden:
        why = "; ".join(
            violation_text(v, outcome.execution) for v in outcome.violations
            if outcome.execution is not None
        ) or ", ".join(outcome.violated) or "forbidden"
        if not outcome.violated and outcome.violations:
            why = f"no single check always fails; one execution breaks {why}"
        lines.append(f"Forbidden {result.model} {state_text(outcome.state)} {why}")
    if result.forbidden_bounded:
        lines.append(f"Forbidden {result.model} ... (bounded: not every candidate outcome "
                     "was enumerated)")
    return lines


def execution_json(execution: Execution) -> dict[str, Any]:
    """An execution as a JSON object: `events`, `relations`, `model_relations`."""
    return {
        "events": [
            {
                "id": e.eid, "thread": e.thread, "index": e.index, "kind": e.kind,
                "location": e.location,
                "value": None if e.value is None else json_value(e.value),
                "tags": list(e.tags), "label": e.label,
            }
            for e in execution.events
        ],
        "relations": {k: [list(p) for p in v] for k, v in execution.relations.items()},
        "model_relations": {
            k: [list(p) for p in v] for k, v in execution.model_relations.items()
        },
    }


def violation_json(violation: Violation) -> dict[str, Any]:
    """A violation as a JSON object: `check`, `name`, `kind`, `edges`, `events`."""
    return {
        "check": violation.check, "name": violation.name, "kind": violation.kind,
        "edges": [_edge_json(e) for e in violation.edges],
        "events": list(violation.events),
    }


def _edge_json(edge: Edge) -> dict[str, Any]:
    return {"source": edge.source, "target": edge.target, "relations": list(edge.relations),
            "via": [_edge_json(e) for e in edge.via]}


def forbidden_json(outcome: ForbiddenOutcome) -> dict[str, Any]:
    """A forbidden outcome as a JSON object (see docs/outcomes-json.md)."""
    return {
        "state": {name: json_value(value) for name, value in outcome.state},
        "satisfies": outcome.satisfies,
        "violated": list(outcome.violated),
        "violations": [violation_json(v) for v in outcome.violations],
        "execution": None if outcome.execution is None else execution_json(outcome.execution),
    }


def format_json_outcomes(
    result: ModelResult | FileError, *, executions: bool, forbidden: bool
) -> str:
    """`report.json.format_json`'s line, with the keys `executions` (one execution per
    state, in the order of `states`) and `forbidden`, `forbidden_bounded` appended when
    asked for (null where the result has no states)."""
    record = json_record(result)
    listed = isinstance(result, ModelResult) and record["states"] is not None
    if executions:
        record["executions"] = (
            [execution_json(e) for e in result.executions]
            if listed and isinstance(result, ModelResult) else None
        )
    if forbidden:
        record["forbidden"] = (
            [forbidden_json(f) for f in result.forbidden]
            if listed and isinstance(result, ModelResult) else None
        )
        record["forbidden_bounded"] = (
            result.forbidden_bounded if isinstance(result, ModelResult) else None
        )
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
