"""Reading one execution back from a solver model, and evaluating a model on it.

The symbolic encoding answers "is there an execution?"; to show one, the events, rf and
co are read off the Z3 model, and the cat model is run again over that one execution with
the explicit-set algebra (`cat.algebra.SetAlgebra`). That second run gives the model's
named relations exactly (least fixpoints included, where the symbolic encoding only keeps
an upper bound the solver may over-approximate) and says which checks fail. Nothing here
depends on the architecture: only on the event program and the cat model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import z3

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Event as SetEvent
from memlitmus.cat.algebra import SetAlgebra
from memlitmus.cat.instructions import CheckOutcome
from memlitmus.cat.interp import evaluate_with_bindings
from memlitmus.cat.values import RelV
from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.terms import LOCATION_STRIDE, Cond, Term, to_cond, to_int
from memlitmus.models import Model
from memlitmus.observe import value_text
from memlitmus.solve import evaluate_int
from memlitmus.witness import BASE_RELATIONS, Execution, Pair, WitnessEvent

Checks = list[CheckOutcome[frozenset[int], frozenset[Pair]]]


@dataclass(frozen=True)
class Concrete:
    """One execution: as data for reporters, and as the algebra the model runs over."""

    execution: Execution
    algebra: SetAlgebra
    checks: Checks  # the model's checks evaluated on this execution, in model order


def read_execution(
    enc: ExecutionEncoding, solver_model: z3.ModelRef, model: Model, known_tags: frozenset[str]
) -> Concrete:
    """The execution `solver_model` chose, with `model`'s named relations and checks."""

    def holds(cond: Cond) -> bool:
        if isinstance(cond, bool):
            return cond
        return bool(z3.is_true(solver_model.eval(cond, model_completion=True)))

    def value_of(term: Term) -> int:
        return evaluate_int(solver_model, to_int(term))

    program = enc.program
    present = {e.eid for e in enc.events if holds(enc.exec[e.eid])}
    static = _static_relations(enc, present, holds)
    # an event's place in its thread: after its po-predecessors (an event whose place the
    # execution chose, a grace period's remote fence, is listed last but ordered by po)
    before = Counter(b for _, b in static["po"])
    index = {eid: i for thread in program.po for i, eid in enumerate(sorted(
        (e for e in thread if e in present), key=lambda e: before[e]))}
    symbols: dict[int, str] = {}
    events: list[WitnessEvent] = []
    set_events: list[SetEvent] = []
    for e in enc.events:
        if e.eid not in present:
            continue
        loc = _location(enc, value_of(enc.addr[e.eid])) if e.eid in enc.addr else None
        raw: int | None = None
        if e.kind == "R":
            raw = value_of(enc.read_values[e.eid])
        elif e.kind == "W" and e.value is not None:
            raw = value_of(enc.value_term(e.value))
        text = None if raw is None else value_text(enc, raw, symbols)
        tags = tuple(sorted(t for t in e.tags if t != "IW"))
        events.append(WitnessEvent(e.eid, e.thread, index.get(e.eid, 0), e.kind, loc, text, tags))
        kind: Any = e.kind
        set_events.append(SetEvent(
            e.eid, None if e.is_init else e.thread, kind, loc, e.tags, e.tags, raw))
    rf = [p for p, c in enc.rf.items() if p[0] in present and p[1] in present and holds(c)]
    co = [p for p, c in enc.co.items() if p[0] in present and p[1] in present and holds(c)]
    algebra = SetAlgebra.from_events(
        set_events, rf=rf, co=co, po=static["po"], rmw=static["rmw"],
        amo=static.get("amo", ()), addr=static["addr"], data=static["data"],
        ctrl=static["ctrl"], known_tags=known_tags,
    )
    for name, pairs in static.items():
        algebra.relations.setdefault(name, frozenset(pairs))
    # as encode/builtins: herd's iico_order always exists, and sm/si also relate the
    # events of one single-copy-atomic access (`sca`: AArch64's LDXP, STXP)
    algebra.relations.setdefault("iico_order", frozenset())
    for name in ("sm", "si"):
        algebra.relations[name] = algebra.relations[name] | frozenset(static.get("sca", ()))
    outcomes, bindings = evaluate_with_bindings(
        model.cat, algebra, variants=model.variants, bell=model.bell)
    relations = {
        name: _sorted(algebra.relations.get(name, frozenset()))
        for name in (*BASE_RELATIONS, *sorted(set(static) - set(BASE_RELATIONS)))
    }
    named = {
        name: _sorted(value.v)
        for name in model_relation_names(model.cat)
        if isinstance(value := bindings.get(name), RelV)
    }
    checked = tuple(n for n in checked_names(model.cat) if n in named)
    return Concrete(Execution(tuple(events), relations, named, checked), algebra, outcomes)


def _static_relations(
    enc: ExecutionEncoding, present: set[int], holds: Any
) -> dict[str, list[Pair]]:
    """po (pairs of different instructions), rmw, addr, data, ctrl and the architecture's
    extra relations, restricted to the events present; path-dependent addr/data pairs
    only where their path was taken."""
    program = enc.program
    events = {e.eid: e for e in enc.events}
    po = [
        (a, b) for thread in program.po for i, a in enumerate(thread) for b in thread[i + 1:]
        if events[a].instr != events[b].instr
    ]
    # pairs ordered only under a condition, possibly against the lists' order
    listed = set(po)
    po += [p for p in program.dep_conditions.get("po", {}) if p not in listed]
    out: dict[str, list[Pair]] = {"po": po, "rmw": list(program.rmw),
                                  "addr": list(program.addr), "data": list(program.data),
                                  "ctrl": list(program.ctrl)}
    for name, extra in program.extra_relations.items():
        out[name] = list(extra)
    for name, pairs in out.items():
        when = program.dep_conditions.get(name, {})
        out[name] = [
            p for p in pairs if p[0] in present and p[1] in present
            and (p not in when or holds(to_cond(enc.value_term(when[p]))))
        ]
    return out


def _location(enc: ExecutionEncoding, address: int) -> str:
    """The name of the location at `address` (`x`, or `x+1` inside an array)."""
    base, offset = divmod(address, LOCATION_STRIDE)
    names = enc.program.locations
    if not 1 <= base <= len(names):
        return str(address)
    name = names[base - 1]
    return name if offset == 0 else f"{name}+{offset}"


def _sorted(pairs: Iterable[Pair]) -> tuple[Pair, ...]:
    return tuple(sorted(pairs))


def model_relation_names(cat: A.CatModel) -> list[str]:
    """Names bound by top-level `let`s of the model and the files it includes (the stdlib
    apart), in order of first definition."""
    names: list[str] = []
    for ins in _instructions(cat.instructions):
        if isinstance(ins, A.LetIns | A.LetRecIns):
            for binding in ins.bindings:
                name = getattr(binding.pattern, "name", None)
                if name is not None and name not in names:
                    names.append(name)
    return names


def checked_names(cat: A.CatModel) -> list[str]:
    """Names the model's plain checks mention directly, in order."""
    names: list[str] = []
    for ins in _instructions(cat.instructions):
        if isinstance(ins, A.CheckIns) and ins.mode != "flag":
            names.extend(sorted(n for n in ins.expr.fv if n not in names))
    return names


def _instructions(instructions: Iterable[A.Ins]) -> Iterable[A.Ins]:
    """The model's top-level instructions, included files (not the stdlib) inlined."""
    for ins in instructions:
        if isinstance(ins, A.IncludeIns):
            if ins.resolved is not None and not ins.path.endswith("stdlib.cat"):
                yield from _instructions(ins.resolved)
        else:
            yield ins
