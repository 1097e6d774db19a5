"""Find a suite's tests and bind each one's expectations to the models to judge it under.

An expectation that names a model (a TSV row, a `NAME.MODEL.expected` golden, an
`Expected: sc Never, lkmm Sometimes.` doc-comment line) is checked
under that model; one that names none (`Result:`, `.litmus.expected`, `kinds.txt`) under
every model given with `-m`, or else the default model of the test's architecture (`lkmm`
for C, as checklitmus.sh).

`NAME.MODEL.expected` beside `NAME.litmus` is a golden of `memlitmus run NAME.litmus -m
MODEL -f herd --count` (this project's `litmus/*/` keep them), read as a herd block bound
to MODEL. A file without any expectation is skipped, unless it does not parse: then it is
judged anyway, so that its error is a row of the report (an ERROR, with file:line:col).
"""

from __future__ import annotations

import dataclasses
import glob
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from memlitmus.arch.registry import default_model_for
from memlitmus.errors import MemlitmusError
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import SHIPPED, other_names
from memlitmus.suite.expectations import (
    Expectation,
    Kind,
    TsvRow,
    read_expected_comment,
    read_herd_block,
    read_kinds,
    read_result_comment,
    read_tsv,
)

__all__ = ["CONVENTIONS", "OWN_TSV", "SuiteTest", "discover", "litmus_files", "read_source"]

# the expectation sources: `Result:` comments, herd's .litmus.expected, kinds.txt, TSVs,
# memlitmus's per-model `Expected:` doc-comment lines
CONVENTIONS = frozenset({"result", "expected", "kinds", "tsv", "doc"})

OWN_TSV = "memlitmus-expected.tsv"  # found in each directory given, written by --update

# herd's header: optional free text, then `ARCH NAME` on its first line
_HEADER = re.compile(r"^\s*(\S+)[ \t]+(\S+)")


@dataclass(frozen=True)
class SuiteTest:
    """One litmus file of a suite: its text, and its expectations per model."""

    file: str  # as found (relative to the working directory if given so)
    text: str
    name: str  # herd's test name from the header (`kinds.txt` is keyed by it)
    arch: str
    expectations: dict[str, tuple[Expectation, ...]] = field(default_factory=dict)

    @property
    def models(self) -> tuple[str, ...]:
        """The models to judge under, in a fixed order."""
        return tuple(self.expectations)

    @property
    def needs_count(self) -> bool:
        """Does an expectation compare herd's execution counts?"""
        return any(e.needs_count for group in self.expectations.values() for e in group)


def read_source(path: Path) -> str:
    """A test's text, decoded as the litmus reader decodes it (BOM dropped, U+FFFD)."""
    return path.read_bytes().decode("utf-8-sig", errors="replace")


def litmus_files(paths: Iterable[str]) -> list[tuple[str, Path]]:
    """(file, root) for every file given and every `.litmus` below each directory, sorted
    within a directory; root is the directory given (or the file's own directory)."""
    found: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [(str(p), path) for p in sorted(path.rglob("*.litmus")) if p.is_file()]
        else:
            found.append((raw, path.parent))
    return found


def discover(
    paths: Sequence[str], models: Sequence[str] = (), tsv_files: Sequence[Path] = (),
    include_unexpected: bool = False, conventions: frozenset[str] = CONVENTIONS,
) -> list[SuiteTest]:
    """The tests under `paths` with their expectations.

    `models` are the `-m` models for expectations that name none; `tsv_files` are read
    besides each given directory's own `memlitmus-expected.tsv`.  A test without any
    expectation is left out unless `include_unexpected` (for `--update`), when it is
    judged under `models` or its default model.  `conventions` limits the sources read
    (the agreement tests read only herd7's `expected.tsv`, not the `Result:` comments).
    """
    files = litmus_files(paths)
    tsv_rows: dict[Path, list[TsvRow]] = {}
    own = [Path(p) / OWN_TSV for p in paths if Path(p).is_dir()]
    tsvs = [*tsv_files, *(p for p in own if p.is_file())] if "tsv" in conventions else []
    for tsv in tsvs:
        for test, rows in read_tsv(tsv).items():
            tsv_rows.setdefault(test, []).extend(rows)
    kinds_cache: dict[Path, dict[str, Kind]] = {}
    tests = []
    for file, root in files:
        path = Path(file)
        try:
            text = read_source(path)
        except OSError:
            text = ""  # the judge reports the unreadable file
        header = _HEADER.match(text)
        arch, name = (header.group(1), header.group(2)) if header else ("", path.stem)
        free: list[Expectation] = []
        comment = read_result_comment(text, file) if "result" in conventions else None
        if comment is not None:
            free.append(comment)
        block = Path(file + ".expected")
        if "expected" in conventions and block.is_file():
            free.append(read_herd_block(block))
        kind = None
        if "kinds" in conventions:
            kind = _kind_of(name, path.parent, root, kinds_cache)
        if kind is not None:
            free.append(kind)
        bound: dict[str, list[Expectation]] = {}
        for row in tsv_rows.get(path.resolve(), []):
            bound.setdefault(row.model or "", []).append(row)
        if "doc" in conventions:
            for line in read_expected_comment(text, file):
                bound.setdefault(line.model or "", []).append(line)
        if "expected" in conventions:
            for model, golden in model_goldens(path):
                herd = dataclasses.replace(read_herd_block(golden), model=model)
                bound.setdefault(model, []).append(herd)
        if free or (include_unexpected and not bound) or (
                not bound and not _parses(text, file)):
            for model in models or [default_model_for(arch)]:
                bound.setdefault(model, []).extend(free)
        if bound:
            tests.append(SuiteTest(file, text, name, arch,
                                   {m: tuple(bound[m]) for m in sorted(bound)}))
    return tests


def model_goldens(path: Path) -> Iterator[tuple[str, Path]]:
    """(model, file) for each `STEM.MODEL.expected` beside `path` (`STEM.litmus`) whose
    MODEL names a shipped model (`SB.x86tso.expected`; not `SB.sc.json.expected`, nor
    herd's own `SB.litmus.expected`)."""
    names = {info.name for info in SHIPPED} | {n for info in SHIPPED for n in other_names(info)}
    pattern = glob.escape(str(path.with_suffix(""))) + ".*.expected"
    for golden in sorted(Path(p) for p in glob.glob(pattern)):
        model = golden.name[len(path.stem) + 1: -len(".expected")]
        if model in names and golden.is_file():
            yield model, golden


def _parses(text: str, file: str) -> bool:
    """Does the test parse? (Only asked of tests without expectations.)"""
    try:
        parse_litmus(text, file)
    except MemlitmusError:
        return False
    return True


def _kind_of(
    name: str, folder: Path, root: Path, cache: dict[Path, dict[str, Kind]]
) -> Kind | None:
    """The nearest `kinds.txt` entry for `name`, looking from the test's folder up to the
    directory given on the command line."""
    stop = root.resolve()
    here = folder.resolve()
    while True:
        if here not in cache:
            kinds_file = here / "kinds.txt"
            cache[here] = read_kinds(kinds_file) if kinds_file.is_file() else {}
        if name in cache[here]:
            return cache[here][name]
        if here == stop or here.parent == here or stop not in here.parents:
            return None
        here = here.parent
