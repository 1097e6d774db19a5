"""Judge one litmus test under one or more models: the pipeline from AST to results.

Each model is routed to the front end whose events it judges (`front_end_for`): the
test's own architecture's, or a lowering the architecture's descriptor registers for that
model. The test is lowered and encoded once per front end, shared by its models. A model
that judges neither gets a `PairError`, never a verdict over events it cannot read (a
fence it does not know would otherwise be dropped silently).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import z3

from memlitmus import mixed_size
from memlitmus.arch.descriptor import Architecture, Lowering
from memlitmus.arch.registry import arch_of
from memlitmus.cat.ast import mentions
from memlitmus.encode.model import ModelEncoding, encode_model
from memlitmus.encode.terms import Cond
from memlitmus.encoded_test import TestEncoding
from memlitmus.errors import MemlitmusError, ModelError, UnsupportedError
from memlitmus.faults import absent_text, matches
from memlitmus.litmus.ast import FaultAtom, LitmusTest, MemLoc
from memlitmus.litmus.names import condition_text, kind_of, state_sort_key
from memlitmus.models import Model, resolve
from memlitmus.observe import prop_cond, prop_holds, value_text
from memlitmus.options import Options as Options
from memlitmus.outcomes.search import Probe, Row, forbidden_outcomes, witnesses
from memlitmus.results import ModelResult, Observation, PairError, State
from memlitmus.solve import (
    Session,
    SolverGaveUp,
    Status,
    count_executions,
    enumerate_values,
    evaluate_int,
)


def judge(
    test: LitmusTest, models: Sequence[Model], options: Options
) -> list[ModelResult | PairError]:
    """Every requested model's verdict on the test, in the order given (see `judge_each`)."""
    return list(judge_each(test, models, options))


def judge_each(
    test: LitmusTest, models: Sequence[Model], options: Options, started: float | None = None
) -> Iterator[ModelResult | PairError]:
    """Each requested model's verdict on the test, one at a time, as each is reached.

    A model that cannot judge the test (`front_end_for` finds no front end, its cat text
    fails on the test's events, or a lowering rejects the test) gives a `PairError`; the
    other models are judged all the same. Raises MemlitmusError when the test's own
    front end rejects it (an unsupported instruction): then no model can judge it.

    `options.timeout_s` bounds each model; the first model's budget starts at `started`
    (a `time.perf_counter()` reading, default now) so that reading and encoding the test
    count against it, as building a lowering's encoding counts against the model that
    first needs it.
    """
    arch = arch_of(test)
    clock: float | None = time.perf_counter() if started is None else started
    encodings: dict[object, tuple[TestEncoding, float] | PairError] = {}
    for model in models:
        route = route_of(arch, model, options.kernel_mappings)
        if route is None:
            yield _pair_error(test, model, _not_judged(test, arch, model))
            continue
        if route not in encodings:
            clock = time.perf_counter() if clock is None else clock
            encodings[route] = _encode(test, options, route, arch, model, clock)
        encoded = encodings[route]
        if isinstance(encoded, PairError):
            yield _pair_error(test, model, encoded.message)
            continue
        encoding, setup = encoded
        try:
            yield _judge_one(encoding, model, options, setup, clock)
        except MemlitmusError as err:  # e.g. a user's cat file naming an unknown tag
            yield _pair_error(test, model, err.render())
        clock = None  # later models' budgets start when they do


Route = Lowering | type[Architecture]


def route_of(arch: type[Architecture], model: Model, mappings: bool = True) -> Route | None:
    """How `model` judges a test of `arch`: through a lowering the descriptor registers
    for that (shipped) model (C lowered through a kernel mapping), else the architecture
    itself when the model judges it (a user's `.cat` file judges any, unless it is an
    architecture's model, `models.architectures_of`), else None. Without `mappings`
    (herd7's command line) a lowering serves only a model that judges `arch` anyway
    (sc): an architecture's model gets no C test."""
    lowering = arch.lowerings.get(model.name) if model.shipped else None
    if lowering is not None and (mappings or model.judges_arch(arch.name)):
        return lowering
    if model.judges_arch(arch.name):
        return arch
    return None


def _not_judged(test: LitmusTest, arch: type[Architecture], model: Model) -> str:
    """The error of a model that does not judge the test's architecture, at the
    architecture's name in the file's header (`SB.litmus:1:1: model ...`). For a C test
    and a model of hardware the kernel has a mapping for, it names the way that exists:
    the shipped model of that hardware through the mapping (`memlitmus run`)."""
    judges = ", ".join(sorted(model.judges or ()))
    assert model.judges is not None  # a model judging any architecture judges this one
    message = f"model `{model.name}` does not judge {arch.name} tests (it judges {judges})"
    through = sorted(name for name in arch.lowerings
                     if model.judges & (resolve(name).judges or frozenset()))
    if through:
        shown = model.name if model.shipped else Path(model.path).name
        message = (f"`{shown}` is a model for {judges} tests; this is a {arch.name} test "
                   f"(judge it through the kernel's mapping with `memlitmus run -m "
                   f"{through[0]}`, `--mapping` to pick the table)")
    return ModelError(message, test.span, test.source).render()


def _encode(
    test: LitmusTest, options: Options, route: Route, arch: type[Architecture],
    model: Model, start: float,
) -> tuple[TestEncoding, float] | PairError:
    """The test's encoding along `route`, and the seconds since `start`: an error of the
    architecture's own front end is the file's (raised), one of a lowering the pair's."""
    if route is arch:
        return TestEncoding(test, options, arch.front_end), time.perf_counter() - start
    assert not isinstance(route, type)
    try:
        encoding = TestEncoding(test, options, route.front_end_for(test, options.mapping))
    except MemlitmusError as err:
        return _pair_error(test, model, err.render())
    return encoding, time.perf_counter() - start


def _check_mixed_size(encoding: TestEncoding, model: Model) -> None:
    """Refuse (for this model) a mixed-size test whose threads share a location when the
    model has no single-copy-atomic classes (`mixed_size.shared_access`)."""
    if not encoding.program.byte_cells or mentions(model.cat, mixed_size.SCA_RELATIONS):
        return
    shared = mixed_size.shared_access(encoding.program.events)
    if shared is not None:
        name, event = shared
        raise UnsupportedError(
            f"mixed-size accesses to `{name}` by several threads (`Variant=mixed`) under "
            f"`{model.name}`, which has no single-copy-atomic classes (`sm`, `si`)",
            event.span, encoding.test.source)


def _pair_error(test: LitmusTest, model: Model, message: str) -> PairError:
    return PairError(test.file, test.name, test.arch, model.name, message)


def _judge_one(
    encoding: TestEncoding, model: Model, options: Options, setup: float, clock: float | None
) -> ModelResult:
    start = time.perf_counter()
    test = encoding.test
    _check_mixed_size(encoding, model)
    base = result_base(test, model.name)
    session = encoding.session
    session.start_clock(clock)
    try:
        with session.scope():
            observed = frozenset(o.loc.name for o in encoding.observed
                                 if isinstance(o.loc, MemLoc))
            axioms = encode_model(model, encoding.enc, encoding.arch.tags, observed,
                                  encoding.descriptor.herd_register_events)
            session.add(axioms.constraints)
            flags = _raised_flags(encoding, axioms)
            counts = _counts(encoding) if options.count else {}
            if options.verdict_only:
                result = _verdict_only(encoding, base)
            else:
                result, rows = _list_states(encoding, base, options.executions)
                if options.executions:
                    result = _with(result, executions=witnesses(_probe(encoding), model, rows))
            result = _with(result, flags=flags, **counts)
        if options.forbidden and not options.verdict_only:
            forbidden, bounded = forbidden_outcomes(
                _probe(encoding), model, axioms, {s.bindings for s in result.states})
            result = _with(result, forbidden=forbidden, forbidden_bounded=bounded)
    except SolverGaveUp as gave_up:
        result = _with(base, observation=Observation.UNKNOWN, unknown_reason=gave_up.reason)
    return _with(result, time_s=setup + time.perf_counter() - start)


def result_base(test: LitmusTest, model: str) -> ModelResult:
    """The fields of a result known before judging (observation Unknown)."""
    return ModelResult(
        file=test.file, test=test.name, arch=test.arch, model=model,
        kind=kind_of(test.condition.quantifier),
        condition=condition_text(test.condition, test.arch),
        metadata=test.metadata,
    )


def _list_states(
    encoding: TestEncoding, base: ModelResult, witnesses_next: bool = False
) -> tuple[ModelResult, list[Row]]:
    """The result with its states, and per state the row of values it was read from.
    With `witnesses_next` the blocking clauses of the enumeration are dropped after it."""
    terms = encoding.terms()
    if witnesses_next:
        with encoding.session.scope():
            rows = enumerate_values(encoding.session, terms)
    else:
        rows = enumerate_values(encoding.session, terms)
    states: list[tuple[State, bool, Row]] = []
    seen: set[State] = set()
    for row in rows:
        state, holds = _state_of(encoding, row)
        # rows that differ only in which read of a cycle holds the symbol are one state
        if state not in seen:
            seen.add(state)
            states.append((state, holds, row))
    states.sort(key=lambda swr: state_sort_key(swr[0], encoding.test.arch))
    witnesses = tuple(w for _, w, _ in states)
    observation = _observation(any(witnesses), not all(witnesses))
    result = _with(
        base, states=tuple(s for s, _, _ in states), witnesses=witnesses,
        observation=observation, ok=_ok(encoding.test.condition.quantifier, observation),
    )
    return result, [r for _, _, r in states]


def _state_of(encoding: TestEncoding, row: Row) -> tuple[State, bool]:
    """The printed state of a row of observed values, and whether it satisfies the
    condition's proposition."""
    values, faults = encoding.split(row)
    symbols: dict[int, str] = {}  # thin-air symbols, named in order of appearance
    bindings: list[tuple[str, str]] = []
    for index, (obs, v) in enumerate(zip(encoding.observed, row, strict=False)):
        text = value_text(encoding.enc, v, symbols, obs.ctype)
        if obs.group is None:
            bindings.append((obs.name, text))
        elif index and encoding.observed[index - 1].group == obs.group:
            name, elements = bindings[-1]
            bindings[-1] = (name, f"{elements[:-1]},{text}}}")
        else:  # the first element of a whole array: `t={1,2}`
            bindings.append((obs.name, f"{{{text}}}"))
    def fault_holds(atom: FaultAtom) -> bool:
        return any(matches(atom, f.thread, f.fault) for f in faults)

    shown = tuple(f.text for f in faults if any(
        matches(a, f.thread, f.fault) for a in encoding.fault_atoms)) + tuple(
        absent_text(a) for a in reversed(encoding.fault_atoms) if not fault_holds(a))
    return (State(tuple(bindings), shown),
            prop_holds(encoding.prop, values, encoding.ident, fault_holds))


def _probe(encoding: TestEncoding) -> Probe:
    return Probe(
        encoding.session, encoding.enc, encoding.terms(),
        encoding.arch.tags, lambda row: _bindings_of(encoding, row),
    )


def _bindings_of(encoding: TestEncoding, row: Row) -> tuple[tuple[tuple[str, str], ...], bool]:
    state, holds = _state_of(encoding, row)
    return state.bindings, holds


def _verdict_only(encoding: TestEncoding, base: ModelResult) -> ModelResult:
    prop = prop_cond(encoding.prop, encoding.term_of, encoding.ident, encoding.fault_cond)
    session = encoding.session
    some_yes = _satisfiable(session, prop)
    some_no = _satisfiable(session, z3.Not(prop) if not isinstance(prop, bool) else not prop)
    observation = _observation(some_yes, some_no)
    # No execution at all (a deadlocking test): herd's counts are exactly 0 and 0, and
    # the kernel's `Result: DEADLOCK` (judgelitmus.sh) needs to tell this from Never.
    counts = {} if some_yes or some_no else {"positive": 0, "negative": 0}
    return _with(
        base, observation=observation, states_listed=False,
        ok=_ok(encoding.test.condition.quantifier, observation), **counts,
    )


def _counts(encoding: TestEncoding) -> dict[str, int]:
    """herd's Positive/Negative: allowed executions satisfying the proposition or not."""
    prop = encoding.prop

    def satisfies(model: z3.ModelRef) -> bool:
        values, faults = encoding.split(tuple(evaluate_int(model, t)
                                              for t in encoding.terms()))

        def fault_holds(atom: FaultAtom) -> bool:
            return any(matches(atom, f.thread, f.fault) for f in faults)
        return prop_holds(prop, values, encoding.ident, fault_holds)

    positive, negative = count_executions(
        encoding.session, encoding.enc.identity_atoms(), satisfies
    )
    return {"positive": positive, "negative": negative}


def _satisfiable(session: Session, cond: Cond) -> bool:
    if cond is False:
        return False
    if cond is True:
        return session.check() is Status.SAT
    return session.check(cond) is Status.SAT


def _raised_flags(encoding: TestEncoding, axioms: ModelEncoding) -> tuple[str, ...]:
    """The flags some allowed execution raises, each once, in the model's order: herd
    keeps a set of flag names (a model may name one flag in several checks, as herd's
    aarch64.cat does `Assuming-common-inner-shareable-domain` for each kind of DMB)."""
    raised: list[str] = []
    for name, cond in axioms.flags:
        if name not in raised and _satisfiable(encoding.session, cond):
            raised.append(name)
    return tuple(raised)


def _observation(some_yes: bool, some_no: bool) -> Observation:
    if not some_yes:
        return Observation.NEVER
    return Observation.SOMETIMES if some_no else Observation.ALWAYS


def _ok(quantifier: str, observation: Observation) -> bool:
    if quantifier == "exists":
        return observation is not Observation.NEVER
    if quantifier == "~exists":
        return observation is Observation.NEVER
    return observation is Observation.ALWAYS


def _with(result: ModelResult, **changes: object) -> ModelResult:
    return replace(result, **changes)  # type: ignore[arg-type]
