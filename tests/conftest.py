"""Shared fixtures: where the project and the reference corpus are; `--update-goldens`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from memlitmus.cli import main
from memlitmus.judge import Options
from memlitmus.suite import SuiteTest, discover
from memlitmus.suite.runner import judge_inline

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus"
LITMUS = ROOT / "litmus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files litmus/x86/*.expected from memlitmus's current output",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-goldens"))


def corpus_tests(suite: Path, files: list[str] | None = None) -> dict[str, SuiteTest]:
    """The rows of a reference suite's expected.tsv as suite tests, by relative file name
    (only herd7's rows: not the tests' own `Result:` comments); {} when absent."""
    tsv = suite / "expected.tsv"
    if not tsv.is_file():
        return {}
    if files is None:
        files = sorted({row["file"] for row in _tsv_files(tsv)})
    tests = discover([str(suite / f) for f in files], tsv_files=[tsv],
                     conventions=frozenset({"tsv"}))
    return {str(Path(t.file).relative_to(suite)): t for t in tests}


def _tsv_files(tsv: Path) -> list[dict[str, str]]:
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    with tsv.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def problems_of(test: SuiteTest, options: Options) -> dict[str, list[str]]:
    """What differs from the expectations, per model (empty lists when all agree)."""
    return {run.model: list(run.reasons) for run in judge_inline(test, options)}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`memlitmus ARGS` in-process: (status, stdout, stderr)."""
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def rows(out: str) -> list[list[str]]:
    """The cells of each body row of a rich table printed by `run`."""
    body = [line for line in out.splitlines() if line.startswith("│")]
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in body]
