"""`memlitmus report PATH... -o report.html`: one self-contained HTML page.

The page has no external asset and makes no network request: CSS and SVG are inline,
there is no script. It holds an index with suite-level counts (a suite is a file's parent
directory) linking every test, then per test the source with syntax colouring (Pygments,
`litmus_lexer.py`), the verdict matrix across the models, the table of candidate outcomes
(which satisfy the condition, which models allow each, the checks that forbid it) and an
execution graph per allowed and per forbidden outcome (`report/svg.py`), up to
`max_graphs` of each per model.
Templates are jinja2 files next to this module (`templates/`), autoescaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter

from memlitmus.report.herd import herd_ok
from memlitmus.report.litmus_lexer import LitmusLexer
from memlitmus.report.outcomes import cycle_text, state_text
from memlitmus.report.svg import (
    MODEL_COLOURS,
    RELATION_COLOURS,
    graph_edges,
    rel_class,
    render_svg,
)
from memlitmus.results import ModelResult, Observation, PairError
from memlitmus.witness import Execution, Violation

# Graphs drawn per test, model and kind (allowed / forbidden) at most, by default.
MAX_GRAPHS = 6


@dataclass
class TestReport:
    """Everything the page shows of one file."""

    file: str
    suite: str
    anchor: str
    source: str
    results: list[ModelResult] = field(default_factory=list)
    error: str | None = None
    # models that could not judge the file, with why (`file:line:col: ...`)
    pair_errors: list[PairError] = field(default_factory=list)


@dataclass(frozen=True)
class Graph:
    """One execution graph with its caption, ready for the template."""

    graph_id: str
    model: str
    allowed: bool
    state: str
    caption: str
    svg: Markup
    legend: list[str]  # relation names drawn, in drawing order


def render_report(tests: Sequence[TestReport], models: Sequence[str],
                  max_graphs: int = MAX_GRAPHS, condition_only: bool = False) -> str:
    """The whole page as a string. `condition_only` draws only the outcomes that satisfy
    the test's condition (the witness of an allowed one, the cycle of a forbidden one):
    the size to use for a whole corpus."""
    env = Environment(
        loader=PackageLoader("memlitmus.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    formatter = HtmlFormatter(cssclass="source", nowrap=False)
    views = [_test_view(t, models, max_graphs, formatter, condition_only) for t in tests]
    colours = dict(RELATION_COLOURS)
    for view in views:
        for per_model in view["graphs"]:
            for graph in [*per_model["allowed"], *per_model["forbidden"]]:
                for rel in graph.legend:
                    if rel not in colours:
                        colours[rel] = MODEL_COLOURS[
                            (len(colours) - len(RELATION_COLOURS)) % len(MODEL_COLOURS)]
    return template.render(
        title="memlitmus report",
        models=list(models),
        suites=_suite_counts(tests, models),
        tests=views,
        pygments_css=Markup(formatter.get_style_defs(".source")),
        colours={rel_class(rel): c for rel, c in colours.items()},
        colour_of=lambda rel: colours.get(rel, "#000"),
    )


def anchor_of(file: str, taken: set[str]) -> str:
    """A unique HTML id for a file: `t-` and its name with unsafe characters replaced."""
    stem = Path(file).name.removesuffix(".litmus")
    base = "t-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    taken.add(anchor)
    return anchor


def _suite_counts(tests: Sequence[TestReport], models: Sequence[str]) -> list[dict[str, Any]]:
    """Per suite: tests, rejected files, and per model the observations and Ok/No."""
    suites: dict[str, dict[str, Any]] = {}
    for t in tests:
        s = suites.setdefault(t.suite, {"name": t.suite, "tests": 0, "errors": 0,
                                        "models": {m: Counter() for m in models}})
        s["tests"] += 1
        if t.error is not None:
            s["errors"] += 1
        for r in t.results:
            counts = s["models"].setdefault(r.model, Counter())
            counts[r.observation.value] += 1
            if r.observation is not Observation.UNKNOWN:
                counts["Ok" if herd_ok(r) else "No"] += 1
    return list(suites.values())


def _test_view(test: TestReport, models: Sequence[str], max_graphs: int,
               formatter: HtmlFormatter[str], condition_only: bool) -> dict[str, Any]:
    arch = test.results[0].arch if test.results else ""
    return {
        "file": test.file, "anchor": test.anchor, "suite": test.suite,
        "name": test.results[0].test if test.results else Path(test.file).stem,
        "arch": arch, "error": test.error,
        "condition": f"{test.results[0].kind}: {test.results[0].condition}"
        if test.results else "",
        "source": Markup(highlight(test.source, LitmusLexer(), formatter)),
        "results": [_result_view(r) for r in test.results],
        "pair_errors": {e.model: e.message for e in test.pair_errors},
        "outcomes": _outcome_rows(test.results),
        "graphs": _graphs(test, max_graphs, condition_only),
    }


def _result_view(r: ModelResult) -> dict[str, Any]:
    unknown = r.observation is Observation.UNKNOWN
    return {
        "model": r.model, "observation": r.observation.value,
        "ok": None if unknown else herd_ok(r), "states": len(r.states),
        "forbidden": len(r.forbidden), "bounded": r.forbidden_bounded,
        "flags": ", ".join(r.flags), "time": f"{r.time_s:.2f}",
        "reason": r.unknown_reason,
    }


def _outcome_rows(results: Sequence[ModelResult]) -> list[dict[str, Any]]:
    """Every candidate outcome once: its state, whether it satisfies the condition, and
    per model `allowed`, or the checks that forbid it."""
    rows: dict[str, dict[str, Any]] = {}
    for r in results:
        for state, satisfies in zip(r.states, r.witnesses, strict=True):
            row = rows.setdefault(state.herd_line().strip(),
                                  {"satisfies": satisfies, "models": {}})
            row["models"][r.model] = ("allowed", "")
        for f in r.forbidden:
            row = rows.setdefault(state_text(f.state), {"satisfies": f.satisfies, "models": {}})
            why = ", ".join(f.violated) or ", ".join(v.check for v in f.violations)
            row["models"][r.model] = ("forbidden", why)
    return [{"state": k, **v} for k, v in rows.items()]


def _graphs(test: TestReport, max_graphs: int, condition_only: bool) -> list[dict[str, Any]]:
    """Per model: its allowed graphs and forbidden graphs (capped), with how many were
    left out."""
    out = []
    for r in test.results:
        allowed_all = [
            (s, e) for s, w, e in zip(r.states, r.witnesses, r.executions, strict=False)
            if w or not condition_only
        ]
        forbidden_all = [
            f for f in r.forbidden
            if f.execution is not None and (f.satisfies or not condition_only)
        ]
        allowed = [
            _graph(f"{test.anchor}-{r.model}-a{i}", r.model, True, s.herd_line().strip(),
                   e, ())
            for i, (s, e) in enumerate(allowed_all[:max_graphs])
        ]
        forbidden = [
            _graph(f"{test.anchor}-{r.model}-f{i}", r.model, False, state_text(f.state),
                   f.execution, f.violations)
            for i, f in enumerate(forbidden_all[:max_graphs]) if f.execution is not None
        ]
        out.append({
            "model": r.model, "allowed": allowed, "forbidden": forbidden,
            "allowed_left": len(r.executions) - len(allowed),
            "forbidden_left": len(r.forbidden) - len(forbidden),
            "bounded": r.forbidden_bounded,
        })
    return out


def _graph(graph_id: str, model: str, allowed: bool, state: str, execution: Execution,
           violations: Sequence[Violation]) -> Graph:
    # an allowed outcome shows the model's relations; a forbidden one its cycle
    edges = graph_edges(execution, violations, model_relations=allowed)
    legend = list(dict.fromkeys(e.rel for e in edges))
    caption = "; ".join(f"{v.check}: {cycle_text(v, execution)}" for v in violations)
    return Graph(graph_id, model, allowed, state, caption,
                 Markup(render_svg(execution, edges, graph_id)), legend)
