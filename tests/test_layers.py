"""The core imports no reporter (issue 11): only `report/` itself and the command layer
(the command line, `run`'s printer, the `explain` and `report` commands, and the `suite`
command, whose herd expectations compare printed blocks) import `memlitmus.report`."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "memlitmus"

# The command layer, relative to the package: these turn results into output.
COMMANDS = (
    "cli.py", "cli_suite.py", "herd_cli.py", "runner.py", "outcome_commands.py", "suite/",
)


def imported_modules(source: str, module: str) -> set[str]:
    """The absolute names of the modules `source` (the text of module `module`, a dotted
    name) imports, relative imports resolved, at any depth of the file."""
    found: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def imports_report(source: str, module: str) -> bool:
    """Does the module import `memlitmus.report` or anything in it?"""
    return any(name == "memlitmus.report" or name.startswith("memlitmus.report.")
               for name in imported_modules(source, module))


def core_modules() -> list[tuple[Path, str]]:
    """Every module outside `report/` and the command layer, with its dotted name."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("report/") or any(
                relative == c or (c.endswith("/") and relative.startswith(c))
                for c in COMMANDS):
            continue
        dotted = ".".join(path.relative_to(SRC).with_suffix("").parts)
        out.append((path, dotted.removesuffix(".__init__")))
    return out


def test_the_checker_sees_every_spelling_of_an_import() -> None:
    module = "memlitmus.outcomes.search"
    assert imports_report("from memlitmus.report.herd import format_herd\n", module)
    assert imports_report("import memlitmus.report.json\n", module)
    assert imports_report("from memlitmus import report\n", module)
    assert imports_report("from ..report import svg\n", module)
    assert imports_report("def f():\n    from memlitmus.report import herd\n", module)
    assert not imports_report("from memlitmus.results import State\n", module)
    assert not imports_report("from ..outcomes import checks\n", module)


def test_no_core_module_imports_a_reporter() -> None:
    modules = core_modules()
    assert any(name == "memlitmus.judge" for _, name in modules)
    assert any(name == "memlitmus.witness" for _, name in modules)
    assert any(name == "memlitmus.explain" for _, name in modules)
    offenders = [name for path, name in modules
                 if imports_report(path.read_text(encoding="utf-8"), name)]
    assert offenders == []


def test_importing_the_core_loads_no_reporter() -> None:
    """Not even through another module: import every core module in a fresh interpreter
    and look at what got loaded."""
    names = [name for _, name in core_modules() if not name.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('memlitmus.report')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC), "PATH": ""}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
