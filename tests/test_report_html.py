"""`memlitmus report`: the page is self-contained, and renders the right graphs in a real
browser (Debian's chromium driven by Playwright; skipped, saying why, where either is
missing: `.ci/run` installs both)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memlitmus.cli import main
from tests.conftest import LITMUS

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

# The (relation, source label, target label) edges of each violating cycle.
MP_CYCLE = {("po", "W x=1", "W y=1"), ("rf", "W y=1", "R y=1"), ("po", "R y=1", "R x=0"),
            ("fr", "R x=0", "W x=1")}


def _write_report(tmp: Path) -> Path:
    out = tmp / "report.html"
    files = [str(LITMUS / "x86/MP.litmus"), str(LITMUS / "x86/SB.litmus")]
    assert main(["report", *files, "-m", "sc", "-m", "x86tso", "-o", str(out)]) == 0
    rcu = tmp / "rcu.html"
    assert main(["report", str(LITMUS / "lkmm/MP+rcu.litmus"), "-o", str(rcu)]) == 0
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_report(tmp_path_factory.mktemp("report"))


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text()
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""\s(src|href)=["'](?!#)""", html)  # only in-page links
    urls = set(re.findall(r"https?://[^\s\"')]+", html))
    assert urls == {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched


def test_report_counts_and_outcome_table(report: Path) -> None:
    html = report.read_text()
    assert html.count('<section class="test"') == 2
    # MP: 3 allowed + 1 forbidden under each model; SB: 3 + 1 under sc, 4 + 0 under TSO
    assert html.count('<svg class="graph"') == 16
    assert '<td class="count-tests">2</td>' in html
    assert "acyclic ghb as tso" in html


@pytest.fixture(scope="module")
def page(report: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        except Exception as err:  # noqa: BLE001 — no usable browser: say why and skip
            pytest.skip(f"chromium at {chromium} cannot be launched: {err}")
        pg = browser.new_page(viewport={"width": 1200, "height": 900})
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(report.as_uri())
        pg.wait_for_load_state("load")
        pg.errors, pg.requests = errors, requests
        yield pg
        browser.close()


_EDGES_JS = """(figure) => {
  const labels = {};
  figure.querySelectorAll('g.n').forEach(
    n => labels[n.dataset.e] = n.querySelector('text').textContent);
  return Array.from(figure.querySelectorAll('g.e')).map(e => ({
    rel: e.dataset.r, source: labels[e.dataset.s], target: labels[e.dataset.t],
    cycle: e.classList.contains('cycle'),
    width: getComputedStyle(e.querySelector('path')).strokeWidth,
    colour: getComputedStyle(e.querySelector('path')).stroke,
  }));
}"""


def _figure(page: Any, test: str, model: str, kind: str, state: str) -> Any:
    return page.locator(
        f'#{test} figure.{kind}[data-model="{model}"][data-state="{state}"]')


def test_browser_no_errors_and_no_network(page: Any) -> None:
    assert page.errors == []
    assert all(url.startswith("file://") for url in page.requests)


def test_browser_number_of_graphs(page: Any) -> None:
    assert page.locator("svg.graph").count() == 16
    for test, model, allowed, forbidden in [("t-MP", "sc", 3, 1), ("t-MP", "x86tso", 3, 1),
                                            ("t-SB", "sc", 3, 1), ("t-SB", "x86tso", 4, 0)]:
        sel = f'#{test} figure[data-model="{model}"]'
        assert page.locator(f"{sel}.allowed svg.graph").count() == allowed
        assert page.locator(f"{sel}.forbidden svg.graph").count() == forbidden
    # every graph is laid out: visible with a non-empty box
    box = page.locator("#t-MP svg.graph").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100


def test_browser_forbidden_graph_highlights_the_cycle(page: Any) -> None:
    for model in ("sc", "x86tso"):
        figure = _figure(page, "t-MP", model, "forbidden", "1:EAX=1; 1:EBX=0;")
        assert figure.count() == 1
        edges = figure.evaluate(_EDGES_JS)
        cycle = {(e["rel"], e["source"], e["target"]) for e in edges if e["cycle"]}
        assert cycle == MP_CYCLE
        widths = {e["width"] for e in edges if e["cycle"]}
        assert widths == {"3.5px"}
        assert all(e["width"] == "1.4px" for e in edges if not e["cycle"])
        caption = figure.locator("figcaption").inner_text()
        assert "W x=1 -po" in caption and "-fre-> W x=1" in caption


def test_browser_allowed_graph_edges(page: Any) -> None:
    figure = _figure(page, "t-SB", "x86tso", "allowed", "0:EAX=0; 1:EAX=0;")
    edges = {(e["rel"], e["source"], e["target"]) for e in figure.evaluate(_EDGES_JS)}
    assert edges == {
        ("po", "W x=1", "R y=0"), ("po", "W y=1", "R x=0"),
        ("rf", "W x=0", "R x=0"), ("rf", "W y=0", "R y=0"),
        ("co", "W x=0", "W x=1"), ("co", "W y=0", "W y=1"),
        ("fr", "R y=0", "W y=1"), ("fr", "R x=0", "W x=1"),
    }
    legend = figure.locator(".legend li").all_inner_texts()
    assert [t.strip() for t in legend] == ["po", "rf", "co", "fr"]


def _colours(edges: list[dict[str, Any]]) -> dict[str, str]:
    """Relation -> its stroke colour, checking each relation has one colour."""
    colours: dict[str, str] = {}
    for e in edges:
        assert colours.setdefault(e["rel"], e["colour"]) == e["colour"]
    return colours


def test_browser_allowed_graph_shows_the_models_relations(page: Any) -> None:
    """x86-TSO keeps MP's W->W and R->R program order: `ghb` edges of their own colour,
    named in the legend; SB's W->R order it drops (no ghb edge beyond rf/co/fr above)."""
    figure = _figure(page, "t-MP", "x86tso", "allowed", "1:EAX=0; 1:EBX=0;")
    edges = figure.evaluate(_EDGES_JS)
    model = {(e["rel"], e["source"], e["target"]) for e in edges
             if e["rel"] not in ("po", "rf", "co", "fr")}
    assert model == {("ghb", "W x=1", "W y=1"), ("ghb", "R y=0", "R x=0")}
    legend = figure.locator(".legend li").all_inner_texts()
    assert [t.strip() for t in legend] == ["po", "rf", "co", "fr", "ghb"]
    colours = _colours(edges)
    assert len(set(colours.values())) == len(colours)  # distinct colours
    # a model edge is named on its arrow; base edges are told by colour alone
    ghb = figure.locator('g.e[data-r="ghb"] text')
    assert ghb.evaluate_all("ts => ts.map(t => t.textContent)") == ["ghb", "ghb"]
    # under sc, whose check names no relation of its own, only base relations
    sc = _figure(page, "t-MP", "sc", "allowed", "1:EAX=0; 1:EBX=0;")
    assert {e["rel"] for e in sc.evaluate(_EDGES_JS)} == {"po", "rf", "co", "fr"}


def test_browser_index_links_every_test(page: Any) -> None:
    links = page.locator("#index table.tests a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")
    assert links == ["#t-MP", "#t-SB"]
    for link in links:
        assert page.locator(link).count() == 1


def test_browser_screenshot(page: Any, tmp_path: Path) -> None:
    shot = tmp_path / "mp-forbidden.png"
    page.locator("#t-MP figure.forbidden").first.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 1000


def test_browser_rcu_loop(report: Path, page: Any) -> None:
    rcu = page.context.browser.new_page()
    rcu.on("pageerror", lambda e: page.errors.append(str(e)))
    rcu.goto((report.parent / "rcu.html").as_uri())
    figure = rcu.locator("#t-MP_rcu figure.forbidden")
    assert figure.count() == 1
    cycle = [e for e in figure.evaluate(_EDGES_JS) if e["cycle"]]
    assert [(e["rel"], e["source"], e["target"]) for e in cycle] == [("rb", "R x=1", "R x=1")]
    assert "irreflexive rb as rcu" in figure.locator("figcaption").inner_text()
    # the allowed outcomes show the LKMM's own relations, each in its own colour
    allowed = rcu.locator('#t-MP_rcu figure.allowed[data-state="0:r0=0; 0:r1=0;"]')
    edges = allowed.evaluate(_EDGES_JS)
    colours = _colours(edges)
    assert {"hb", "pb", "rb"} <= set(colours) and len(set(colours.values())) == len(colours)
    legend = [t.strip() for t in allowed.locator(".legend li").all_inner_texts()]
    assert legend == list(colours)
    # the grace period orders P1's write after the whole read-side critical section
    assert ("rb", "R y=0", "W x=1") in {(e["rel"], e["source"], e["target"]) for e in edges}
    rcu.close()
    assert page.errors == []
