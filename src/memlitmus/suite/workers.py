"""Where tests are judged: worker processes on this machine, or a Dask cluster.

A `Task` carries a test's text (not only its path, so that a Dask worker on another
machine needs no shared file system) and the models to judge it under.  `execute` judges
one task in the calling process and never raises.  `run_local` keeps N worker processes
busy through `memlitmus.worker.Judge` (the bounded worker of `memlitmus run`): a test
past `--timeout` or `--max-memory` is Unknown, and a worker that dies (a crash in the
solver, the kernel's OOM killer) costs only the test it held, reported as an internal
error.  `run_dask` sends tasks to a `dask.distributed` scheduler with a bounded number
in flight.
"""

from __future__ import annotations

import importlib
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.results import FileError, ModelResult, PairError
from memlitmus.worker import DEFAULT_MAX_MEMORY_MB, Judge

__all__ = ["Outcome", "Task", "crashed", "execute", "run_dask", "run_local"]


@dataclass(frozen=True)
class Task:
    """One test to judge under some models (shipped names, aliases or .cat paths)."""

    index: int
    file: str
    text: str
    models: tuple[str, ...]
    options: Options


@dataclass(frozen=True)
class Outcome:
    """What judging a task gave: one result per model in task order (an Unknown one for
    a model past its time or memory bound), or one error for the file."""

    index: int
    results: tuple[ModelResult | FileError, ...] = ()  # FileError: the model's error
    error: FileError | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0


def execute(task: Task) -> Outcome:
    """Judge `task` in this process; every failure becomes part of the Outcome."""
    wall, cpu = time.perf_counter(), time.process_time()
    error = None
    results: tuple[ModelResult | FileError, ...] = ()
    try:
        test = parse_litmus(task.text, task.file)
        models = [task.options.setup.resolve(m) for m in task.models]
        results = tuple(_as_result(r) for r in judge(test, models, task.options))
    except MemlitmusError as err:
        error = FileError(task.file, err.render())
    except Exception:  # noqa: BLE001 — one broken test must not stop a suite
        error = FileError(task.file, f"{task.file}: internal error\n{traceback.format_exc()}",
                          internal=True)
    return Outcome(task.index, results, error,
                   time.process_time() - cpu, time.perf_counter() - wall)


def crashed(task: Task, why: str) -> Outcome:
    """The Outcome of a task whose worker died."""
    return Outcome(task.index, error=FileError(task.file, f"{task.file}: {why}", internal=True))


# ---------------------------------------------------------------- local worker processes

def run_local(tasks: Sequence[Task], jobs: int, done: Callable[[Outcome], None],
              max_memory_mb: int = DEFAULT_MAX_MEMORY_MB) -> None:
    """Judge `tasks` in `jobs` worker processes, calling `done` (in this thread) as each
    finishes.

    Each of `jobs` threads drives its own `memlitmus.worker.Judge` (the worker process of
    `memlitmus run`, which bounds each test and model by `timeout_s` and `max_memory_mb`,
    encoding included, and survives a worker that dies); the threads only wait on pipes.
    """
    if not tasks:
        return
    pending: queue.SimpleQueue[Task] = queue.SimpleQueue()
    for task in tasks:
        pending.put(task)
    finished: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
    stop = threading.Event()

    def serve() -> None:
        judges: list[tuple[Options, Judge]] = []  # Options may hold a dict: not hashable
        try:
            while not stop.is_set():
                try:
                    task = pending.get_nowait()
                except queue.Empty:
                    return
                finished.put(_judge_task(task, judges, max_memory_mb))
        finally:
            for _, judge_ in judges:
                judge_.close()

    threads = [threading.Thread(target=serve, name=f"memlitmus-suite-{n}", daemon=True)
               for n in range(max(1, min(jobs, len(tasks))))]
    for thread in threads:
        thread.start()
    try:
        for _ in tasks:
            done(finished.get())
    except BrokenPipeError:
        # the reader went away (`suite | head`): let each thread finish its test and
        # close its worker, or multiprocessing's exit handler races the threads' closing
        stop.set()
        for thread in threads:
            thread.join()
        raise
    for thread in threads:
        thread.join()


def _judge_task(
    task: Task, judges: list[tuple[Options, Judge]], max_memory_mb: int
) -> Outcome:
    """One task through this thread's Judge for the task's options; never raises."""
    wall = time.perf_counter()
    try:
        judge_ = next((j for options, j in judges if options == task.options), None)
        if judge_ is None:
            judge_ = Judge(task.options, max_memory_mb)
            judges.append((task.options, judge_))
        got = judge_.judge_file(task.file, list(task.models))
    except Exception:  # noqa: BLE001 — a bug here must not hang the run
        return crashed(task, f"internal error\n{traceback.format_exc()}")
    elapsed = time.perf_counter() - wall
    if isinstance(got, FileError):
        return Outcome(task.index, error=got, wall_s=elapsed)
    # the worker's CPU is not ours to read: the judging time stands in for it
    results = tuple(_as_result(r) for r in got)
    cpu = sum(r.time_s for r in results if isinstance(r, ModelResult))
    return Outcome(task.index, results, cpu_s=cpu, wall_s=elapsed)


def _as_result(result: ModelResult | PairError) -> ModelResult | FileError:
    """A suite counts a pair its model cannot judge (`PairError`: a model error, such as
    the kernel's linux-kernel.cat run without its bell, or an architecture it does not
    judge) as an ERROR with the reason, as `run` exits 2 for it; Unknown is kept for
    the time and memory bounds (docs/suite.md)."""
    if isinstance(result, ModelResult):
        return result
    return FileError(result.file, result.message)


# ------------------------------------------------------------------------ dask.distributed

def run_dask(address: str, tasks: Sequence[Task], done: Callable[[Outcome], None],
             in_flight: int = 2000) -> None:
    """Judge `tasks` on the Dask cluster at `address` (`tcp://host:8786`, or a scheduler
    file `*.json`), at most `in_flight` submitted at a time so that a 100,000-test suite
    does not flood the scheduler.  A task whose worker keeps dying (Dask's
    `distributed.scheduler.allowed-failures`) is reported as an internal error."""
    # dask is an optional extra (`pip install '.[dask]'`) and has no type hints
    distributed: Any = importlib.import_module("distributed")
    if address.endswith(".json"):
        client = distributed.Client(scheduler_file=address)
    else:
        client = distributed.Client(address)
    try:
        pending: Iterator[Task] = iter(tasks)
        owner = {}
        running = distributed.as_completed()
        for task in _take(pending, in_flight):
            future = client.submit(execute, task, pure=False)
            owner[future.key] = task
            running.add(future)
        for future in running:
            task = owner.pop(future.key)
            try:
                outcome = future.result()
            except Exception as err:  # noqa: BLE001 — KilledWorker, lost connection...
                outcome = crashed(task, f"dask: {type(err).__name__}: {err}")
            future.release()
            done(outcome)
            for nxt in _take(pending, 1):
                new = client.submit(execute, nxt, pure=False)
                owner[new.key] = nxt
                running.add(new)
    finally:
        client.close()


def _take(tasks: Iterator[Task], count: int) -> list[Task]:
    taken = []
    for task in tasks:
        taken.append(task)
        if len(taken) == count:
            break
    return taken
