"""The cat primitives implemented in Python, and the herd primitives memlitmus lacks.

`domain` and `range` work over any algebra (and leave the polymorphic empty value and
universe as they are); `different-values` and `same-value` are delegated to the algebra's
`rel_primitive`, which may decline. `map` (herd's stdlib function) and `cross` (herd's
cross.cat) are primitives so that they work on event sets and relations whose elements
exist in some executions only (`CondSetV`, `CrossV`). Primitives are looked up after the
model's bindings and before the algebra's builtins (see `Context.lookup_global`). """

from __future__ import annotations

from itertools import product

from memlitmus.cat.values import (
    EMPTY,
    CondSetV,
    CrossV,
    ElemV,
    Host,
    OrdersV,
    Poly,
    Prim,
    RelV,
    SetV,
    TagV,
    TupleV,
    ValSetV,
    Value,
    dedupe,
    describe,
    err,
)
from memlitmus.errors import Span

# herd primitives memlitmus does not implement: named so the error says so.
UNSUPPORTED_PRIMITIVES = frozenset({
    "classes-loc", "partition", "linearisations", "fromto", "tag2events",
    "tag2scope", "tag2level", "tag2fenceset", "narrower", "wider", "fail",
})


def _prim_domain(interp: Host, v: Value, span: Span) -> Value:
    if isinstance(v, Poly):
        return v
    return SetV(interp.alg.domain(interp.to_rel(v, span)))


def _prim_range(interp: Host, v: Value, span: Span) -> Value:
    if isinstance(v, Poly):
        return v
    return SetV(interp.alg.range(interp.to_rel(v, span)))


def _prim_orders(interp: Host, v: Value, span: Span) -> Value:
    """`linearisations-loc(s, pco)`: the per-location total orders of s extending pco.

    herd's cross.cat computes this set as `cross(co_locs(pco, partition s))`, one
    linearisation per location combined in every way; memlitmus keeps it symbolic.
    """
    if not isinstance(v, TupleV) or len(v.elems) != 2:
        raise err("type error: `linearisations-loc` takes (event set, relation)", span)
    return OrdersV(interp.to_set(v.elems[0], span), interp.to_rel(v.elems[1], span))


def _rel_primitive(name: str) -> Prim:
    """A relation -> relation primitive implemented by the algebra, if it can."""

    def call(interp: Host, v: Value, span: Span) -> Value:
        result = interp.alg.rel_primitive(name, interp.to_rel(v, span))
        if result is None:
            raise err(f"unsupported cat primitive `{name}` (for this algebra)", span)
        return RelV(result)

    return Prim(name, call)


def _no_page_table_entries(interp: Host, v: Value, span: Span) -> Value:
    """herd's page-table primitives (`same-oa(r)`: the pairs of r whose page-table entries
    map the same output address; `oa-changes(S, r)`, `at-least-one-writable(S, r)`: the
    entries of S whose output address, or write permission, changes along r). They only
    ever keep page-table accesses, and memlitmus's executions have none (herd makes them
    with the `vmsa` variant): the empty value, a set or a relation as it is used."""
    return EMPTY


def _prim_map(interp: Host, fn: Value, span: Span) -> Value:
    """`map f S` (herd's stdlib.cat): the set of the values f takes on the elements of S.

    S a set of values: applied to each, in order, equal results kept once. S an event
    set or a relation: f is applied to each event or pair that may be in S (an `ElemV`),
    and the result is a `CondSetV` holding each f(e) under the condition that e is in S
    (f's result is computed as if e were there: herd evaluates it only in the executions
    where it is). S a `CondSetV`: f is applied to each element, conditions kept.
    """

    def over(host: Host, s: Value, call: Span) -> Value:
        if s is EMPTY:
            return EMPTY
        if isinstance(s, ValSetV):
            results = dedupe([host.apply(fn, x, call) for x in s.elems])
            return ValSetV(results) if results else EMPTY
        if isinstance(s, CondSetV):
            return CondSetV(tuple((host.apply(fn, x, call), c) for x, c in s.items))
        if isinstance(s, SetV):
            elems = [(ElemV(k, "event"), c) for k, c in host.alg.set_elements(s.v)]
        elif isinstance(s, RelV):
            elems = [(ElemV(k, "pair"), c) for k, c in host.alg.rel_elements(s.v)]
        else:
            raise err(f"type error: `map` takes a set, found {describe(s)}", call)
        if not elems:
            return EMPTY
        return CondSetV(tuple((host.apply(fn, x, call), c) for x, c in elems))

    return Prim("map", over)


def _prim_cross(interp: Host, sets: Value, span: Span) -> Value:
    """`cross(S)` (herd's cross.cat), S a set of sets of relations: every union of one
    relation taken from each member of S (none when a member is empty; `{0}` when S is).

    When S or one of its members is a `CondSetV` (lock.cat's candidates for the rf of lock
    reads, built by `map` over event sets), the result is a symbolic `CrossV`, which only
    `with x from` takes; otherwise the unions are listed.
    """
    if sets is EMPTY:
        return ValSetV((EMPTY,))
    members = _members(sets, span)
    if isinstance(sets, CondSetV) or any(isinstance(m, CondSetV) for m, _ in members):
        return CrossV(tuple((cond, _members(m, span)) for m, cond in members))
    unions: list[Value] = []
    for choice in product(*(_members(m, span) for m, _ in members)):
        acc: Value = EMPTY
        for r, _ in choice:
            acc = _union(interp, acc, r, span)
        unions.append(acc)
    return ValSetV(dedupe(unions)) if unions else EMPTY


def _members(v: Value, span: Span) -> tuple[tuple[Value, object], ...]:
    """The elements of a set of values with their conditions (True: always there)."""
    if v is EMPTY:
        return ()
    if isinstance(v, CondSetV):
        return v.items
    if isinstance(v, ValSetV):
        return tuple((x, True) for x in v.elems)
    if isinstance(v, TagV):
        return ((v, True),)
    raise err(f"type error: `cross` takes a set of sets, found {describe(v)}", span)


def _union(interp: Host, a: Value, b: Value, span: Span) -> Value:
    if a is EMPTY:
        return b
    if b is EMPTY:
        return a
    if isinstance(a, SetV) and isinstance(b, SetV):
        return SetV(interp.alg.set_union(a.v, b.v))
    return RelV(interp.alg.rel_union(interp.to_rel(a, span), interp.to_rel(b, span)))


PRIMITIVES: dict[str, Value] = {
    "map": Prim("map", _prim_map),
    "cross": Prim("cross", _prim_cross),
    "domain": Prim("domain", _prim_domain),
    "range": Prim("range", _prim_range),
    "different-values": _rel_primitive("different-values"),
    "same-value": _rel_primitive("same-value"),
    "linearisations-loc": Prim("linearisations-loc", _prim_orders),
    **{name: Prim(name, _no_page_table_entries)
       for name in ("same-oa", "oa-changes", "at-least-one-writable")},
}
"""The primitives every evaluation starts with, by name."""
