"""Output reporters: herd7's exact text block, one-line JSON, a rich summary table, the
cross-model matrix, and the HTML report. Only the command layer imports them: the core
(judging, results, executions) imports no reporter; the names and order of states the
reporters print are the core's (`memlitmus.litmus.names`)."""

from __future__ import annotations

from memlitmus.report.herd import format_herd, herd_counts, herd_ok
from memlitmus.report.json import format_json, json_record
from memlitmus.report.table import build_table, print_table

__all__ = [
    "build_table",
    "format_herd",
    "format_json",
    "herd_counts",
    "herd_ok",
    "json_record",
    "print_table",
]
