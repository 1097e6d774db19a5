"""Judge each file in a child process that the command line can stop: bounded time and
memory per test and model, whatever part of the work (parsing, encoding, solving) runs long.

Why a process (see docs/architecture.md, "Bounding a test"): Z3's timeout and
`memory_max_size` bound only the solver, but the Python side of a large test (building the
candidate executions, evaluating a cat model over them) can run for minutes and grow to
gigabytes between two solver calls, and Python cannot interrupt itself safely there. A
child process can be stopped at any instant, and its memory is its own.

- One long-lived worker (`fork` where the platform has it, so it starts in milliseconds and
  inherits the parent's parsed models) judges file after file; the parent sends a job and
  reads the results back one model at a time.
- Time: each model's budget is `timeout_s`; the first model's budget starts once the test
  is read (parsed, its models loaded), so building the executions and encoding the model
  count. The worker stops itself at the budget when the solver is running (Z3 timeout,
  `solve.Session`); if it has not answered `GRACE_S` later (it is in Python code), the
  parent kills it, reports that model Unknown (`solver timeout after S s`), starts a new
  worker and goes on with the remaining models. Reading is linear in the file's size but
  includes one-time costs (grammar tables, cat files), so it has its own bound,
  `max(timeout_s, READ_S)`.
- Memory: while it waits, the parent reads the worker's resident size (Linux
  `/proc/PID/statm`) every `POLL_S`; past `max_memory_mb` it kills the worker and reports
  the model Unknown (`memory ceiling of N MB exceeded`). Z3's own `memory_max_size` is set
  to the same ceiling, so the solver usually gives up first and the worker survives. Where
  there is no `/proc`, only Z3's ceiling applies.
- Ctrl-C reaches the whole process group; the worker ignores it and the parent, which
  turns it into exit status 130, kills the worker on the way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from memlitmus.arch.registry import default_model_for
from memlitmus.errors import MemlitmusError
from memlitmus.judge import Options, judge_each, result_base
from memlitmus.litmus.ast import LitmusTest
from memlitmus.litmus.parse import load_litmus
from memlitmus.models import Model, ModelSetup
from memlitmus.results import FileError, ModelResult, Observation, PairError
from memlitmus.solve import memory_reason, set_memory_ceiling, timeout_reason

DEFAULT_MAX_MEMORY_MB = 4096
GRACE_S = 0.5  # the worker's own (solver) timeout answers first when it can
POLL_S = 0.05  # how often the parent looks at the worker's memory while it waits
READ_S = 10.0  # the least bound on reading a test (see the module docstring)

# Messages from the worker: ("plan", [base result per model]), ("result", ModelResult or
# PairError), ("done", None), ("error", FileError), ("gave-up", reason).
Message = tuple[str, object]


@dataclass(frozen=True)
class Limits:
    """Per test and model: seconds (None: no bound) and megabytes of resident memory."""

    timeout_s: float | None = None
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB


class Judge:
    """Judges files in a worker process under `limits`; use as a context manager.

    `judge_file(file, models)` returns the results of the file under each model spec
    (names, aliases or `.cat` paths, as `models.resolve` takes them; none: the file's
    architecture's default model), or the FileError that rejected it. A model whose budget
    ran out is a result with Observation Unknown and its reason, never a verdict.
    """

    def __init__(self, options: Options, max_memory_mb: int = DEFAULT_MAX_MEMORY_MB):
        self.options = options
        self.max_memory_mb = max_memory_mb
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Judge:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (politely when it is idle, by force otherwise)."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(0.5)
            except (OSError, ValueError):
                pass
        self._kill()

    def judge_file(
        self, file: str, models: Sequence[str]
    ) -> list[ModelResult | PairError] | FileError:
        """The results of `file` under each of `models` (see the class docstring)."""
        done: list[ModelResult | PairError] = []
        pending = list(models)
        while True:
            outcome = self._attempt(file, pending)
            if isinstance(outcome, FileError):
                return outcome
            results, stopped = outcome
            done.extend(results)
            if stopped is None:
                return done
            done.append(stopped)
            pending = pending[len(results) + 1 :]
            if not pending:
                return done

    def _attempt(
        self, file: str, models: list[str]
    ) -> FileError | tuple[list[ModelResult | PairError], ModelResult | None]:
        """One job: the results received, and the Unknown result of the model the
        worker was stopped on (None when the job ran to its end)."""
        conn = self._worker()
        conn.send((file, models))
        plan: list[ModelResult] | None = None
        results: list[ModelResult | PairError] = []
        model_began = time.perf_counter()
        while True:
            reason = self._wait(conn, model_began, READ_S if plan is None else 0.0)
            if reason is not None:
                self._kill()
                if plan is None:
                    return FileError(file, f"{file}: gave up reading the test: {reason}",
                                     internal=True)
                stopped = replace(
                    plan[len(results)], observation=Observation.UNKNOWN,
                    unknown_reason=reason, time_s=time.perf_counter() - model_began,
                )
                return results, stopped
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                return self._died(file)
            if kind == "plan":
                plan = payload
                model_began = time.perf_counter()
            elif kind == "result":
                assert isinstance(payload, ModelResult | PairError)
                results.append(payload)
                model_began = time.perf_counter()
            elif kind == "done":
                return results, None
            elif kind == "error":
                assert isinstance(payload, FileError)
                return payload
            else:  # "gave-up": the worker ran out of memory in Python
                self._kill()
                assert plan is not None
                stopped = replace(plan[len(results)], observation=Observation.UNKNOWN,
                                  unknown_reason=str(payload))
                return results, stopped

    def _wait(self, conn: Connection, model_began: float, least: float) -> str | None:
        """Wait for a message; the reason to stop the worker if it is past a limit
        (the time bound is at least `least` seconds)."""
        timeout = self.options.timeout_s
        while True:
            if timeout is not None:
                left = model_began + max(timeout, least) + GRACE_S - time.perf_counter()
                if left <= 0:
                    return timeout_reason(timeout)
                if conn.poll(min(POLL_S, left)):
                    return None
            elif conn.poll(POLL_S):
                return None
            if self._resident_mb() > self.max_memory_mb:
                return memory_reason(self.max_memory_mb)

    def _resident_mb(self) -> float:
        """The worker's resident memory in megabytes (0 where it cannot be read)."""
        if self._process is None or self._process.pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self._process.pid}/statm").read_text().split()
        except OSError:
            return 0.0
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _died(self, file: str) -> FileError:
        code = None
        if self._process is not None:
            self._process.join(5)  # the pipe closes a moment before the process is gone
            code = self._process.exitcode
        self._kill()
        how = f"signal {-code}" if code is not None and code < 0 else f"status {code}"
        return FileError(file, f"{file}: internal error: the judging process died ({how})",
                         internal=True)

    def _worker(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._kill()
        methods = multiprocessing.get_all_start_methods()
        context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        parent, child = multiprocessing.Pipe()
        process: BaseProcess = context.Process(
            target=_serve, args=(child, self.options, self.max_memory_mb, os.getpid()),
            daemon=True,
            name="memlitmus-worker",
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return parent

    def _kill(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process.close()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None


PR_SET_PDEATHSIG = 1  # prctl(2), linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill the worker when the command line (pid `parent`)
    dies, even by SIGKILL: a job in Python code reads no pipe, so without this a long
    encoding would outlive its parent (and its memory with it). Elsewhere the worker ends
    at its next read of the closed pipe."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # the parent may have died between the fork and the prctl: no signal will come then
    if os.getppid() != parent:
        os._exit(0)


def _serve(conn: Connection, options: Options, max_memory_mb: int, parent: int) -> None:
    """The worker's loop: a job is (file, model specs); None ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _die_with_parent(parent)
    set_memory_ceiling(max_memory_mb)
    try:
        while (job := conn.recv()) is not None:
            file, models = job
            try:
                _run_job(conn, file, models, options)
            except MemoryError:
                conn.send(("gave-up", memory_reason(max_memory_mb)))
    except (EOFError, OSError, KeyboardInterrupt):  # the parent went away
        pass


def _resolve(setup: ModelSetup, spec: str, test: LitmusTest) -> Model | PairError:
    """The model `spec` names, or, for a user's cat file that does not read (a syntax
    error, an include not found), that pair's error: the file's other models are still
    judged. The command line has checked that every name is known."""
    try:
        return setup.resolve(spec)
    except MemlitmusError as err:
        return PairError(test.file, test.name, test.arch, setup.label(spec), err.render())


def _name(model: Model | PairError) -> str:
    return model.name if isinstance(model, Model) else model.model


def _run_job(conn: Connection, file: str, specs: list[str], options: Options) -> None:
    try:
        try:
            test = load_litmus(file)
        except OSError as err:  # missing, unreadable, a directory...
            conn.send(("error", FileError(file, f"{file}: cannot read: {err.strerror or err}")))
            return
        setup = options.setup
        models = [_resolve(setup, spec, test) for spec in specs] or [
            setup.resolve(default_model_for(test.arch))]
        conn.send(("plan", [result_base(test, _name(m)) for m in models]))
        judged = judge_each(test, [m for m in models if isinstance(m, Model)], options)
        for model in models:  # in the order asked, a model that does not read in its place
            conn.send(("result", model if isinstance(model, PairError) else next(judged)))
        conn.send(("done", None))
    except MemlitmusError as err:
        conn.send(("error", FileError(file, err.render())))
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 — one broken file must not stop a suite
        message = f"{file}: internal error\n{traceback.format_exc()}"
        conn.send(("error", FileError(file, message, internal=True)))
