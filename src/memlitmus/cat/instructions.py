"""Executing cat instructions, and the checks a model records.

`Interp` is the complete interpreter: it runs instructions in order, updating an
environment, and evaluates their expressions with an `ExprEvaluator` over a shared
`Context`. `let` and `let rec` bind names; `include`
runs an already resolved file; procedures are defined and `call`ed; `enum` declares tags;
`forall`, `match` and `if` choose what to run; bell's `instructions X[tags]` binds
annotation sets; checks (`acyclic`, `irreflexive`, `empty`, as plain checks, `flag`s or
`undefined_unless`) are recorded as `CheckOutcome`s. `show` and `debug` have no effect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from memlitmus.cat import ast as A
from memlitmus.cat.algebra import Algebra, Kind
from memlitmus.cat.core import Context
from memlitmus.cat.exprs import ExprEvaluator
from memlitmus.cat.values import (
    EMPTY,
    CrossV,
    Env,
    OrdersV,
    Poly,
    Proc,
    RelV,
    SetV,
    TagV,
    Thunk,
    ValSetV,
    Value,
    bind,
    describe,
    err,
    tag_names,
    unsupported,
)
from memlitmus.errors import Span

S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class CheckOutcome(Generic[S, R]):
    """One check executed by a model, with the value it constrains.

    `flag` checks (`flag ~empty e as name`) do not constrain executions but are reported
    when they hold; `undefined_unless` checks mark executions as undefined when they fail;
    an `assert` that fails in an execution makes the test invalid (herd stops with an error).
    An execution is allowed by the model when every plain check holds (`negated` inverts
    the test). `value` is a relation for acyclic/irreflexive; `empty` also takes sets,
    see `value_kind`.
    """

    kind: A.CheckKind
    negated: bool
    flag: bool
    name: str | None
    value: S | R
    span: Span
    value_kind: Kind = "rel"
    undefined_unless: bool = False
    assertion: bool = False


class Interp(Generic[S, R]):
    """One evaluation of a model over one algebra."""

    def __init__(self, alg: Algebra[S, R], variants: frozenset[str]):
        self.ctx: Context[S, R] = Context(alg, variants)
        self.alg = alg
        self.exprs: ExprEvaluator[S, R] = ExprEvaluator(self.ctx)
        self.eval = self.exprs.eval
        self.top: Env = {}
        self.outcomes: list[CheckOutcome[S, R]] = []
        self.call_name: str | None = None
        self._exec: dict[type, Callable[[Any, Env], None]] = {
            A.LetIns: self._let_ins, A.LetRecIns: self._let_rec_ins, A.CheckIns: self._check,
            A.ShowIns: _skip, A.ShowAsIns: _skip, A.DebugIns: _skip,
            A.IncludeIns: self._include, A.ProcedureIns: self._procedure,
            A.CallIns: self._call, A.EnumIns: self._enum, A.ForallIns: self._forall,
            A.WithFromIns: self._with_from, A.EventsIns: self._events,
            A.MatchIns: self._match_ins, A.IfIns: self._if_ins,
        }

    # -- running instructions
    def run(self, body: Iterable[A.Ins], env: Env) -> None:
        """Execute instructions in order, updating `env` with their bindings."""
        for ins in body:
            self._exec[type(ins)](ins, env)

    # -- instructions
    def _let_ins(self, ins: A.LetIns, env: Env) -> None:
        env.update(self.exprs.lets.let_bindings(ins.bindings, env))

    def _let_rec_ins(self, ins: A.LetRecIns, env: Env) -> None:
        if ins.when is not None:
            raise unsupported("let rec ... when", ins.span)
        env.update(self.exprs.lets.let_rec(ins.bindings, env, ins.span))

    def _check(self, ins: A.CheckIns, env: Env) -> None:
        v = self.eval(ins.expr, env)
        kind: Kind = "rel"
        if ins.kind == "empty" and isinstance(v, SetV):
            value: Any = v.v
            kind = "set"
        elif ins.kind == "empty" and isinstance(v, ValSetV):
            raise unsupported("empty on a set of tags", ins.expr.span)
        else:
            value = self.ctx.to_rel(v, ins.expr.span)
        self.outcomes.append(CheckOutcome(
            ins.kind, ins.negated, ins.mode == "flag", ins.name or self.call_name, value,
            ins.span, kind, ins.mode == "undefined_unless", ins.mode == "assert"))

    def _include(self, ins: A.IncludeIns, env: Env) -> None:
        if ins.resolved is None:
            raise err(f"include `{ins.path}` is not resolved (load models with load_cat)",
                      ins.span)
        self.run(ins.resolved, env)

    def _procedure(self, ins: A.ProcedureIns, env: Env) -> None:
        proc_env = dict(env)
        proc = Proc(ins.param, ins.body, proc_env)
        if ins.rec:
            proc_env[ins.name] = Thunk(proc)
        env[ins.name] = Thunk(proc)

    def _call(self, ins: A.CallIns, env: Env) -> None:
        t = env.get(ins.name)
        proc = self.exprs.force(t, ins.span) if t is not None else None
        if not isinstance(proc, Proc):
            raise err(f"`{ins.name}` is not a procedure", ins.span)
        local = dict(proc.env)
        bind(proc.param, self.eval(ins.arg, env), local, ins.span)
        saved, self.call_name = self.call_name, ins.as_name or self.call_name
        try:
            self.run(proc.body, local)
        finally:
            self.call_name = saved

    def _enum(self, ins: A.EnumIns, env: Env) -> None:
        for tag in ins.tags:
            self.ctx.tag_enum[tag] = ins.name
        self.ctx.enums[ins.name] = ins.tags
        env[ins.name] = Thunk(ValSetV(tuple(TagV(t) for t in ins.tags)))

    def _forall(self, ins: A.ForallIns, env: Env) -> None:
        v = self.eval(ins.expr, env)
        if v is EMPTY:
            return
        if not isinstance(v, ValSetV):
            raise unsupported(f"forall over {describe(v)}", ins.expr.span)
        for elem in v.elems:
            local = dict(env)
            local[ins.var] = Thunk(elem)
            self.run(ins.body, local)

    def _with_from(self, ins: A.WithFromIns, env: Env) -> None:
        """`with x from S`: x ranges over the relations of S, one candidate execution each.

        Among several relations, the algebra chooses (`Algebra.choose`: the Z3 algebra
        leaves the choice to the solver, so an execution is allowed when one candidate
        passes, as in herd). memlitmus also supports the choice herd's models make of a
        coherence order
        (`with co from generate_cos(cobase)`, cos.cat): every candidate of that set is a
        per-location total order of the writes extending cobase, which is exactly what the
        execution's own `co` ranges over once it is required to extend cobase. So x is
        bound to `[s]; co; [s]` and the requirement is recorded as a check,
        `empty ([s]; base; [s] & loc) \\ co`: executions whose co does not extend the base
        are not candidates, as in herd, where they are never generated.
        """
        v = self.eval(ins.expr, env)
        if v is EMPTY or (isinstance(v, ValSetV) and len(v.elems) <= 1):
            # No candidate: the execution has none (a check that never holds). One: it is
            # x (lock.cat's choices of rf for lock reads, when a test has none).
            if isinstance(v, ValSetV) and v.elems:
                env[ins.var] = Thunk(v.elems[0])
                return
            self.outcomes.append(CheckOutcome(
                "empty", True, False, f"with {ins.var}", self.alg.empty_rel(), ins.span))
            return
        if isinstance(v, ValSetV):
            if not all(isinstance(elem, (RelV, Poly)) for elem in v.elems):
                raise unsupported(f"with {ins.var} from a set of {len(v.elems)} candidates "
                                  "that are not all relations", ins.span)
            chosen_rel = self.alg.choose(
                [self.ctx.to_rel(elem, ins.span) for elem in v.elems], ins.var)
            if chosen_rel is None:
                raise unsupported(f"with {ins.var} from a set of {len(v.elems)} candidates "
                                  "(a choice among several)", ins.span)
            env[ins.var] = Thunk(RelV(chosen_rel))
            return
        if isinstance(v, CrossV):
            self._with_from_cross(ins, v, env)
            return
        if not isinstance(v, OrdersV):
            raise unsupported(f"with {ins.var} from {describe(v)}", ins.span)
        alg = self.alg
        co = self.ctx.lookup_global("co", ins.span)
        only = alg.identity(v.events)
        chosen = alg.seq(alg.seq(only, self.ctx.to_rel(co, ins.span)), only)
        loc = self.ctx.to_rel(self.ctx.lookup_global("loc", ins.span), ins.span)
        base = alg.rel_inter(alg.seq(alg.seq(only, v.base), only), loc)
        self.outcomes.append(CheckOutcome(
            "empty", False, False, f"with {ins.var}", alg.rel_diff(base, chosen), ins.span))
        env[ins.var] = Thunk(RelV(chosen))

    def _with_from_cross(self, ins: A.WithFromIns, v: CrossV, env: Env) -> None:
        """`with x from cross(S)`, S's members present in some executions only (lock.cat's
        rf for failed trylocks and spin_is_locked): x is the union of one candidate chosen
        per present member (`Algebra.choose_each`), and an execution where a present
        member has no present candidate is none (herd's empty cross product)."""
        members = []
        for present, options in v.members:
            rels = []
            for option, cond in options:
                if not isinstance(option, (RelV, Poly)):
                    raise unsupported(f"with {ins.var} from a cross product of "
                                      f"{describe(option)}", ins.span)
                rels.append((self.ctx.to_rel(option, ins.span), cond))
            members.append((present, rels))
        chosen = self.alg.choose_each(members, ins.var)
        if chosen is None:
            raise unsupported(f"with {ins.var} from a cross product of {len(members)} "
                              "sets (a choice among several)", ins.span)
        env[ins.var] = Thunk(RelV(chosen))

    def _events(self, ins: A.EventsIns, env: Env) -> None:
        """Bell `instructions X[tags]`: bind `Tag` (capitalised) to annotated events."""
        if ins.kind != "instructions":
            return
        for arg in ins.args:
            v = self.eval(arg, env)
            if not isinstance(v, (TagV, ValSetV, Poly)):
                raise err(f"type error: tags expected, found {describe(v)}", arg.span)
            for tag in tag_names(v) if not isinstance(v, Poly) else ():
                name = tag[:1].upper() + tag[1:]
                if name not in env:
                    env[name] = Thunk(fn=self._annotation_fn(tag))

    def _annotation_fn(self, tag: str) -> Callable[[], Value]:
        return lambda: SetV(self.alg.annotation(tag))

    def _match_ins(self, ins: A.MatchIns, env: Env) -> None:
        v = self.eval(ins.scrutinee, env)
        if not isinstance(v, TagV):
            raise err(f"type error: match on tags, found {describe(v)}", ins.scrutinee.span)
        for tag, body in ins.clauses:
            if tag == v.name:
                self.run(body, env)
                return
        if ins.default is None:
            raise err(f"no clause matches '{v.name}", ins.span)
        self.run(ins.default, env)

    def _if_ins(self, ins: A.IfIns, env: Env) -> None:
        self.run(ins.then if self.exprs.cond(ins.cond, env) else ins.else_, env)


def _skip(ins: object, env: Env) -> None:
    """Instructions without effect on verdicts (show, unshow, debug)."""
