"""An execution graph as inline SVG: threads as columns, events as labelled nodes.

Layout, as herd's own pictures: one column per thread in program order top to bottom,
the initial writes in a column of their own on the left. Program order and coherence
are drawn as their immediate edges (both are transitive), fr only towards the write
co-immediately after the one read from, so the picture stays readable; rf, rmw and the
dependencies as they are. An allowed outcome's graph adds the model's relations its
checks name (`model_edges`: x86tso's `ghb`, armv8's `ob`, the LKMM's `hb`, `pb`, `rb`),
each as its immediate edges, in a colour of its own named in the legend: which program
order edges the model keeps, and what orders the rest. A forbidden outcome's violating
cycle is drawn on top, every edge of it thick and marked `cycle`, under the name of the
relation that explains it (a model relation such as `pb` when no base relation does).

Every element carries data attributes for tools and tests, kept short because a corpus
report holds thousands of graphs: a node `<g class="n" data-e="3">` (its text is the
label), an edge `<g class="e r-rf" data-r="rf" data-s="3" data-t="5">` (relation, source
and target event ids), `cycle` added to the class of a violating cycle's edges. Colours
and arrowheads come from the page's stylesheet (`r-po`, `r-rf`...), so a graph costs
about a hundred bytes per edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from memlitmus.witness import Execution, Pair, Violation, WitnessEvent

# Base relations in drawing order, with their colours; model relations take MODEL_COLOURS.
RELATION_COLOURS = {
    "po": "#555555", "rf": "#d62728", "co": "#1f77b4", "fr": "#e67e00",
    "rmw": "#9467bd", "addr": "#2ca02c", "data": "#17becf", "ctrl": "#8c564b",
}
MODEL_COLOURS = ("#e377c2", "#7f7f00", "#006d5b", "#b8860b", "#4b0082", "#a0522d")
BASE_OF = {"rfe": "rf", "rfi": "rf", "coe": "co", "coi": "co", "fre": "fr", "fri": "fr"}

ROW, NODE_H, MARGIN = 70, 26, 20
MIN_NODE_W, CHAR_W, GAP = 96, 7.5, 54  # node width from its label (12px monospace)


@dataclass(frozen=True)
class DrawnEdge:
    """One arrow: relation name (the CSS class and legend entry), ends, on the cycle?"""

    rel: str
    source: int
    target: int
    cycle: bool = False


def graph_edges(execution: Execution, violations: Sequence[Violation] = (),
                model_relations: bool = False) -> list[DrawnEdge]:
    """The arrows to draw: the base relations (po and co immediate, fr to the next
    write only), with `model_relations` the model's (`model_edges`), then each
    violation's edges marked as cycle edges."""
    rels = execution.relations
    edges: list[DrawnEdge] = []
    edges += [DrawnEdge("po", a, b) for a, b in immediate(rels.get("po", ()))]
    edges += [DrawnEdge("rf", a, b) for a, b in rels.get("rf", ())]
    co = immediate(rels.get("co", ()))
    edges += [DrawnEdge("co", a, b) for a, b in co]
    edges += [DrawnEdge("fr", a, b) for a, b in _fr_to_next(rels.get("fr", ()), co, rels)]
    for name in ("rmw", "addr", "data", "ctrl", *sorted(set(rels) - set(RELATION_COLOURS))):
        edges += [DrawnEdge(name, a, b) for a, b in rels.get(name, ())]
    if model_relations:
        edges += model_edges(execution)
    for violation in violations:
        for edge in violation.edges:
            first = edge.relations[0] if edge.relations else "?"
            drawn = DrawnEdge(BASE_OF.get(first, first), edge.source, edge.target)
            if drawn in edges:  # already drawn as a base edge: highlight that one
                edges[edges.index(drawn)] = DrawnEdge(drawn.rel, drawn.source, drawn.target,
                                                      cycle=True)
            else:
                edges.append(DrawnEdge(drawn.rel, drawn.source, drawn.target, cycle=True))
    return edges


def model_edges(execution: Execution) -> list[DrawnEdge]:
    """The model's relations that its checks name (`Execution.checked`), restricted to
    the execution: each relation's immediate edges (a transitive reduction, `ob` being a
    transitive closure), self-loops left out, and those that are communication edges
    (rf, co, fr pairs) left out too, since those arrows are drawn already, as are edges
    from an initial write (it is coherence-first anyway, and the LKMM's `pb` and `rb`
    would tie it to most events): what remains is what the model adds, the program
    order it keeps (`W x=1 -ghb-> W y=1`), fences, dependencies, and composite edges such
    as the LKMM's `pb`."""
    rels = execution.relations
    communication = {p for name in ("rf", "co", "fr") for p in rels.get(name, ())}
    communication |= {(e.eid, f.eid) for e in execution.events if e.is_init
                      for f in execution.events}
    edges: list[DrawnEdge] = []
    for name in execution.checked:
        if name in RELATION_COLOURS:
            continue
        pairs = [(a, b) for a, b in execution.model_relations.get(name, ()) if a != b]
        edges += [DrawnEdge(name, a, b) for a, b in immediate(pairs)
                  if (a, b) not in communication]
    return edges


def _fr_to_next(fr: Iterable[Pair], co_immediate: Sequence[Pair],
                rels: dict[str, tuple[Pair, ...]]) -> list[Pair]:
    """fr edges (r, w) where w is co-immediately after the write r reads from."""
    source = {r: w for w, r in rels.get("rf", ())}
    nxt = {a: b for a, b in co_immediate}
    return [(r, w) for r, w in fr if r in source and nxt.get(source[r]) == w]


def immediate(pairs: Iterable[Pair]) -> list[Pair]:
    """The transitive reduction of a strict order given as all its pairs."""
    pairs = list(pairs)
    succ: dict[int, set[int]] = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
    return [(a, b) for a, b in pairs
            if not any(b in succ.get(c, ()) for c in succ.get(a, ()) if c != b)]


def render_svg(execution: Execution, edges: Sequence[DrawnEdge], graph_id: str) -> str:
    """The graph as an `<svg>` element (no XML prolog), ids prefixed by `graph_id`."""
    w = node_width(execution.events)
    place = _layout(execution.events, w)
    width = max(x for x, _ in place.values()) + w // 2 + MARGIN
    height = max(y for _, y in place.values()) + NODE_H // 2 + MARGIN + 10
    out = [f'<svg class="graph" id="{graph_id}" xmlns="http://www.w3.org/2000/svg" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    threads = sorted({e.thread for e in execution.events})
    for t in threads:
        x = MARGIN + w // 2 + threads.index(t) * (w + GAP)
        title = "init" if t == -1 else f"P{t}"
        out.append(f'<text class="thread" x="{x}" y="{MARGIN}">{title}</text>')
    parallel: dict[tuple[int, int], int] = {}
    for edge in edges:
        key = (min(edge.source, edge.target), max(edge.source, edge.target))
        bend = parallel.get(key, 0)
        parallel[key] = bend + 1
        out.append(_edge_svg(edge, place, bend, w))
    for e in execution.events:
        x, y = place[e.eid]
        out.append(
            f'<g class="n" data-e="{e.eid}"><rect x="{x - w // 2}" '
            f'y="{y - NODE_H // 2}" width="{w}" height="{NODE_H}" rx="5"/>'
            f'<text x="{x}" y="{y + 5}">{escape(e.label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def node_width(events: Sequence[WitnessEvent]) -> int:
    """One width for every node of a graph, enough for its longest label."""
    longest = max((len(e.label) for e in events), default=0)
    return max(MIN_NODE_W, int(longest * CHAR_W) + 16)


def _layout(events: Sequence[WitnessEvent], w: int) -> dict[int, tuple[int, int]]:
    """Centre of each node: column by thread (init first), row by program order."""
    threads = sorted({e.thread for e in events})
    rows: dict[int, int] = {}
    place = {}
    for e in sorted(events, key=lambda e: (e.thread, e.index, e.eid)):
        row = rows.get(e.thread, 0)
        rows[e.thread] = row + 1
        x = MARGIN + w // 2 + threads.index(e.thread) * (w + GAP)
        y = MARGIN + 30 + row * ROW
        place[e.eid] = (x, y)
    return place


def _edge_svg(edge: DrawnEdge, place: dict[int, tuple[int, int]], bend: int, w: int) -> str:
    (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
    if edge.source == edge.target:  # a loop on the node's right side
        right = x1 + w // 2
        path = (f"M{right},{y1 - 6} C{right + 50},{y1 - 40} {right + 50},{y1 + 40} "
                f"{right},{y1 + 6}")
        lx, ly = float(right + 40), float(y1)
    else:
        sx, sy = _border(x1, y1, x2, y2, w)
        tx, ty = _border(x2, y2, x1, y1, w)
        straight = straight_po(edge, place)
        # curve away from the straight line; parallel edges curve further, a same-column
        # edge that is not immediate po bulges sideways so it does not cross the nodes
        offset = 0 if straight else 18 + 16 * bend
        if x1 == x2 and not straight:
            offset = 45 + 16 * bend
        mx, my = (sx + tx) / 2, (sy + ty) / 2
        dx, dy = tx - sx, ty - sy
        norm = max((dx * dx + dy * dy) ** 0.5, 1.0)
        cx, cy = mx - dy / norm * offset, my + dx / norm * offset
        path = f"M{sx:.0f},{sy:.0f} Q{cx:.0f},{cy:.0f} {tx:.0f},{ty:.0f}"
        lx, ly = (mx + cx) / 2, (my + cy) / 2
    cls = f"e {rel_class(edge.rel)}" + (" cycle" if edge.cycle else "")
    # base edges are told by colour and the legend; the model's relations and a cycle's
    # edges are named on the arrow (a corpus report holds thousands of arrows)
    named = edge.cycle or edge.rel not in RELATION_COLOURS
    text = f'<text x="{lx:.0f}" y="{ly:.0f}">{escape(edge.rel)}</text>' if named else ""
    return (f'<g class="{cls}" data-r="{escape(edge.rel)}" data-s="{edge.source}" '
            f'data-t="{edge.target}"><path d="{path}"/>{text}</g>')


def straight_po(edge: DrawnEdge, place: dict[int, tuple[int, int]]) -> bool:
    """Is the edge immediate program order, drawn as a straight line down one column?"""
    (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
    return edge.rel == "po" and x1 == x2 and abs(y2 - y1) == ROW


def rel_class(rel: str) -> str:
    """The CSS class of a relation's edges: `r-` and the name, unsafe characters `_`."""
    return "r-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in rel)


def _border(x1: int, y1: int, x2: int, y2: int, w: int) -> tuple[float, float]:
    """Where the segment from node 1's centre towards node 2 leaves node 1's box."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(x1), float(y1)
    hw, hh = w / 2, NODE_H / 2
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return x1 + dx * scale, y1 + dy * scale
