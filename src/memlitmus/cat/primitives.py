"""The cat primitives implemented in Python, and the herd primitives memlitmus lacks.

`domain` and `range` work over any algebra (and leave the polymorphic empty value and
universe as they are); `different-values` and `same-value` are delegated to the algebra's
`rel_primitive`, which may decline. Primitives are looked up after the model's bindings
and before the algebra's builtins (see `Context.lookup_global`).
"""

from __future__ import annotations

from memlitmus.cat.values import (
    EMPTY,
    Host,
    OrdersV,
    Poly,
    Prim,
    RelV,
    SetV,
    TupleV,
    Value,
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


PRIMITIVES: dict[str, Value] = {
    "domain": Prim("domain", _prim_domain),
    "range": Prim("range", _prim_range),
    "different-values": _rel_primitive("different-values"),
    "same-value": _rel_primitive("same-value"),
    "linearisations-loc": Prim("linearisations-loc", _prim_orders),
    **{name: Prim(name, _no_page_table_entries)
       for name in ("same-oa", "oa-changes", "at-least-one-writable")},
}
"""The primitives every evaluation starts with, by name."""
