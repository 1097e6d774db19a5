"""The package's import graph has no cycle (issue 9).

Every `import` and `from … import` in `src/memlitmus` counts: at module level, inside a
function, under `if TYPE_CHECKING:` alike, because each of them is a dependency a reader
must follow, and a cycle hidden in a function is still a cycle. Importing a module also
runs its packages' `__init__` files, so a module depends on those too. The statements are
read as `tests/test_layers.py` reads them (`imported_modules`).
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from tests.test_layers import PACKAGE, SRC, imported_modules


def modules() -> dict[str, str]:
    """Every module of the package: dotted name → its text (a package is its
    `__init__`)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        out[name] = path.read_text(encoding="utf-8")
    return out


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module → the modules of `sources` it imports anywhere in its text, with the
    packages above them. A package above the importing module itself counts only where a
    name is taken from its `__init__` (`from memlitmus.cat import ast` in `cat/exprs.py`
    takes a sibling module; the package is already running)."""
    graph: dict[str, set[str]] = {}
    for name, text in sources.items():
        found = imported_modules(text, name)
        deps: set[str] = set()
        for target in found & sources.keys():
            parts = target.split(".")
            deps |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        graph[name] = {dep for dep in deps & sources.keys()
                       if dep != name and not (name.startswith(dep + ".")
                                               and not _takes_names(dep, found, sources))}
    return graph


def _takes_names(package: str, found: set[str], sources: dict[str, str]) -> bool:
    """Whether `found` names something of `package` that is not one of its modules."""
    depth = package.count(".") + 1
    return any(f.startswith(package + ".") and f.count(".") == depth and f not in sources
               for f in found)


def a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of `graph` (first node repeated last, each importing the next), or []
    when it is acyclic."""
    try:
        TopologicalSorter(graph).prepare()  # graph: node -> the nodes it comes after
    except CycleError as err:
        return list(reversed(err.args[1]))
    return []


def test_the_import_graph_is_acyclic() -> None:
    graph = import_graph(modules())
    assert "memlitmus.arch.registry" in graph["memlitmus.litmus.parse"]  # it sees imports
    cycle = a_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_hidden_in_a_function_or_for_types_only_is_found() -> None:
    sources = {
        "memlitmus": "",
        "memlitmus.arch": "",
        "memlitmus.arch.front": "from memlitmus.arch import helper\n",
        "memlitmus.arch.helper": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from memlitmus.arch.front import Thread\n"
        ),
        "memlitmus.parse": "def f():\n    import memlitmus.registry\n",
        "memlitmus.registry": "from memlitmus.parse import f\n",
        "memlitmus.leaf": "import os\nfrom memlitmus.arch.front import X\n",
        "memlitmus.arch.sibling": "from memlitmus.arch import front\n",
    }
    graph = import_graph(sources)
    assert graph["memlitmus.leaf"] == {"memlitmus.arch", "memlitmus.arch.front"}
    assert graph["memlitmus.arch.sibling"] == {"memlitmus.arch.front"}
    cycle = a_cycle(graph)
    assert cycle[0] == cycle[-1] and len(cycle) == 3
    assert set(cycle) in ({"memlitmus.arch.front", "memlitmus.arch.helper"},
                          {"memlitmus.parse", "memlitmus.registry"})
    del sources["memlitmus.registry"]
    assert set(a_cycle(import_graph(sources))) == {"memlitmus.arch.front",
                                                   "memlitmus.arch.helper"}
    del sources["memlitmus.arch.helper"]
    assert a_cycle(import_graph(sources)) == []
