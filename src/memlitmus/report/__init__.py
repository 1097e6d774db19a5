"""Output reporters: herd7's exact text block, one-line JSON, and a rich summary table."""

from __future__ import annotations

from memlitmus.report.condition import (
    herd_condition,
    herd_kind,
    herd_loc_name,
    herd_prop,
    herd_value,
    name_sort_key,
    sort_bindings,
    sort_states,
    state_sort_key,
    value_sort_key,
)
from memlitmus.report.herd import format_herd, herd_counts, herd_ok
from memlitmus.report.json import format_json, json_record
from memlitmus.report.table import build_table, print_table

__all__ = [
    "build_table",
    "format_herd",
    "format_json",
    "herd_condition",
    "herd_counts",
    "herd_kind",
    "herd_loc_name",
    "herd_ok",
    "herd_prop",
    "herd_value",
    "json_record",
    "name_sort_key",
    "print_table",
    "sort_bindings",
    "sort_states",
    "state_sort_key",
    "value_sort_key",
]
