"""Run a suite: look each test × model up in the cache, judge the rest (local workers or
Dask), check every result against its expectations, in the suite's order whatever -j.

A test × model gets one status:

* PASS — a verdict, and every expectation bound to that model holds;
* FAIL — a verdict, and some expectation does not hold (the reasons say which);
* UNKNOWN — no verdict: past `--timeout` or `--max-memory`;
* ERROR — the file was rejected (`file:line:col: message`) or memlitmus crashed on it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from memlitmus.options import Options
from memlitmus.results import FileError, ModelResult, Observation
from memlitmus.suite.cache import ResultCache, cache_key
from memlitmus.suite.discover import SuiteTest
from memlitmus.suite.workers import Outcome, Task, execute, run_dask, run_local
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB

__all__ = ["Status", "SuiteRun", "TestRun", "check", "judge_inline", "run_suite"]


class Status(Enum):
    """The outcome of one test × model in a suite."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    ERROR = "error"


@dataclass(frozen=True)
class TestRun:
    """One test × model: its status, why, and what the judge gave."""

    file: str
    model: str
    status: Status
    reasons: tuple[str, ...] = ()
    result: ModelResult | None = None
    error: FileError | None = None
    cached: bool = False
    time_s: float = 0.0  # judging time of this model (0 when cached)
    file_wall_s: float = 0.0  # the worker's wall time for the whole file (all its models)
    file_cpu_s: float = 0.0  # the worker's CPU time for the whole file

    @property
    def observation(self) -> str:
        """The verdict's word, `Unknown`, or `Error`."""
        if self.result is not None:
            return self.result.observation.value
        return Observation.UNKNOWN.value if self.status is Status.UNKNOWN else "Error"


@dataclass
class SuiteRun:
    """Every test × model of a run, in suite order, and how the run went."""

    runs: list[TestRun]
    wall_s: float
    judged: int  # test × model pairs judged in this run (not from the cache)
    cache_hits: int

    def count(self, status: Status) -> int:
        """How many test × model pairs ended with `status`."""
        return sum(r.status is status for r in self.runs)

    @property
    def passed(self) -> bool:
        """True when every test × model passed."""
        return all(r.status is Status.PASS for r in self.runs)


def check(test: SuiteTest, model: str, result: ModelResult | FileError) -> TestRun:
    """The status of `result` (of `test` under `model`) against its expectations."""
    if isinstance(result, FileError):
        return TestRun(test.file, model, Status.ERROR, (result.message.splitlines()[0],),
                       error=result)
    if result.observation is Observation.UNKNOWN:
        reason = result.unknown_reason or "solver gave up"
        return TestRun(test.file, model, Status.UNKNOWN, (reason,), result=result,
                       time_s=result.time_s)
    reasons = tuple(why for e in test.expectations[model] for why in e.failures(result))
    status = Status.FAIL if reasons else Status.PASS
    return TestRun(test.file, model, status, reasons, result=result, time_s=result.time_s)


def run_suite(
    tests: Sequence[SuiteTest], options: Options, *, jobs: int = 1,
    dask: str | None = None, cache: ResultCache | None = None,
    progress: Callable[[TestRun], None] | None = None,
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
) -> SuiteRun:
    """Judge every test under its models and check the results.

    `options.count` is switched on for tests with a herd `.expected` block (it prints
    herd's execution counts).  Results come back in the order of `tests`, then of each
    test's models, whatever `jobs` (0: in this process) or `dask` (a scheduler address)
    is.  In worker processes each
    test × model is bounded by `options.timeout_s` and `max_memory_mb` (past them:
    Unknown); on Dask by the solver's timeout only.
    """
    start = time.perf_counter()
    done: dict[tuple[int, str], TestRun] = {}
    tasks: list[Task] = []
    keys: dict[tuple[int, str], str] = {}

    def record(index: int, run: TestRun) -> None:
        done[(index, run.model)] = run
        if progress is not None:
            progress(run)

    for index, test in enumerate(tests):
        opts = dataclasses.replace(options, count=options.count or test.needs_count)
        missing = []
        for model in test.models:
            hit = None
            if cache is not None:
                keys[(index, model)] = cache_key(test.text, model, opts)
                hit = cache.get(keys[(index, model)])
            if hit is None:
                missing.append(model)
            else:
                run = check(test, model, _renamed(hit, test.file))
                record(index, dataclasses.replace(run, cached=True, time_s=0.0))
        if missing:
            tasks.append(Task(index, test.file, test.text, tuple(missing), opts))
    hits = len(done)
    by_index = {task.index: task for task in tasks}

    def finished(outcome: Outcome) -> None:
        task = by_index[outcome.index]
        test = tests[outcome.index]
        fresh: list[tuple[str, ModelResult | FileError]] = []
        for position, model in enumerate(task.models):
            if outcome.error is not None:
                run = check(test, model, outcome.error)
                if not outcome.error.internal:
                    fresh.append((keys.get((task.index, model), ""), outcome.error))
            else:
                result = outcome.results[position]
                run = check(test, model, result)
                if isinstance(result, ModelResult) and (
                        result.observation is not Observation.UNKNOWN):
                    fresh.append((keys.get((task.index, model), ""), result))
            record(task.index, dataclasses.replace(
                run, file_wall_s=outcome.wall_s, file_cpu_s=outcome.cpu_s))
        if cache is not None:
            cache.put(fresh)

    if dask is not None:
        run_dask(dask, tasks, finished)
    elif jobs == 0:  # in this process, unbounded (the benchmarks' and tests' way)
        for task in tasks:
            finished(execute(task))
    else:
        run_local(tasks, jobs, finished, max_memory_mb)
    ordered = [done[(i, m)] for i, test in enumerate(tests) for m in test.models]
    return SuiteRun(ordered, time.perf_counter() - start, len(ordered) - hits, hits)


def judge_inline(test: SuiteTest, options: Options) -> list[TestRun]:
    """Judge one test in this process (no worker, no cache) and check it: for callers
    that parallelise on their own, such as the agreement tests under pytest-xdist."""
    opts = dataclasses.replace(options, count=options.count or test.needs_count)
    outcome = execute(Task(0, test.file, test.text, test.models, opts))
    if outcome.error is not None:
        return [check(test, model, outcome.error) for model in test.models]
    return [check(test, model, result)
            for model, result in zip(test.models, outcome.results, strict=True)]


def _renamed(result: ModelResult | FileError, file: str) -> ModelResult | FileError:
    """A cached result (stored under whatever path the same text had) named by `file`."""
    if isinstance(result, FileError):
        return FileError(file, result.message.replace(result.file, file), result.internal)
    return dataclasses.replace(result, file=file)
