"""herd's macro files (`-macros linux-kernel.def`): kernel primitives defined by the user.

A `.def` file defines each primitive as herd's C front end expands it, one per line::

    READ_ONCE(X) __load{ONCE}(X)                      // an expression
    smp_store_mb(X,V) { __store{ONCE}(X,V); __fence{MB}; }   // a block of statements
    atomic_read(X) READ_ONCE(*X)                      // another macro of the file
    atomic_dec_and_test(X) __atomic_op_return{MB}(X,-,1) == 0

`read_macros` turns every definition into a row of the same `Primitive` table the C front
end reads (`kernel_primitives.TABLE`): the internal call gives the SHAPE (`__load` →
load, `__xchg` → xchg, `__atomic_fetch_op` → rmw returning the old value, `__load{srcu-lock}`
→ srcu_lock, a store then `__fence{MB}` → store_mb, ...), `{TAG}` the annotation, and the
macro's parameters, in call order, the ARGS by role (X the location, V and W the values;
`*X` when the location is an lvalue written bare, as in `__load{ONCE}(X)`).

Annotations are named as the event sets the model sees (herd capitalises the first letter:
`'rcu-lock` → `Rcu-lock`); where the built-in table spells one differently (`ONCE` and
`Once`), the row takes the built-in spelling and keeps herd's in `herd_tag`: events carry
both, so the shipped lkmm and the kernel's own bell file both read them.
Errors are `UnsupportedError`s at `file:line:col`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.errors import Span, UnsupportedError

_HEAD = re.compile(r"([A-Za-z_]\w*)\s*\(([^)]*)\)\s*(.*)$")
_CALL = re.compile(r"(\w+)\s*(?:\{([^}]*)\})?\s*(?:\((.*)\))?\s*((?:==|<)\s*0)?$")

# herd's internal calls: name -> (shape, fixed annotation or None to take {TAG}).
_INTERNAL = {
    "__load": ("load", None), "__store": ("store", None), "__fence": ("fence", None),
    "__xchg": ("xchg", None), "__cmpxchg": ("cmpxchg", None),
    "__atomic_op": ("rmw", None), "__atomic_op_return": ("rmw", None),
    "__atomic_fetch_op": ("rmw", None), "__atomic_add_unless": ("add_unless", None),
    "__lock": ("lock", "LKR"), "__unlock": ("unlock", "UL"), "__trylock": ("trylock", "LKR"),
    "__islocked": ("islocked", "IsLocked"), "__srcu": ("sync_srcu", None),
}
_RESULT = {"__atomic_op": "none", "__atomic_op_return": "new", "__atomic_fetch_op": "old"}
_SRCU_SHAPES = {("load", "srcu-lock"): "srcu_lock", ("store", "srcu-unlock"): "srcu_unlock"}
_ROLES = ("X", "V", "W")


@dataclass(frozen=True)
class _Call:
    """One internal call of a definition, after macro expansion."""

    name: str
    tag: str | None
    args: tuple[str, ...]
    test: str


def read_macros(path: Path) -> dict[str, Primitive]:
    """Every primitive `path` defines, by name, as rows of the C front end's table.

    Raises `UnsupportedError` (with `file:line:col`) for a line it cannot read or a body
    that is no shape memlitmus knows.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnsupportedError(f"cannot read macro file `{path}`: {exc.strerror}") from None
    return parse_macros(text, str(path))


def parse_macros(text: str, file: str) -> dict[str, Primitive]:
    """The primitives defined by the text of a `.def` file (see `read_macros`)."""
    raw: dict[str, tuple[tuple[str, ...], list[str], Span]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0].strip()
        if not code:
            continue
        span = Span(file, number, len(line) - len(line.lstrip()) + 1)
        head = _HEAD.match(code)
        if head is None:
            raise UnsupportedError("unreadable macro definition (expected `NAME(ARGS) BODY`)",
                                   span)
        name, params, body = head.groups()
        names = tuple(p.strip() for p in params.split(",") if p.strip())
        if body.startswith("{"):
            if not body.endswith("}"):
                raise UnsupportedError(f"`{name}`: unterminated block", span)
            stmts = [s.strip() for s in body[1:-1].split(";") if s.strip()]
        else:
            stmts = [body]
        raw[name] = (names, stmts, span)
    table: dict[str, Primitive] = {}
    for name, (params, stmts, span) in raw.items():
        calls = [c for s in stmts for c in _expand(s, raw, span, depth=0)]
        table[name] = _primitive(name, params, calls, span)
    return table


def _expand(stmt: str, raw: Mapping[str, tuple[tuple[str, ...], list[str], Span]],
            span: Span, depth: int) -> list[_Call]:
    """The internal calls a statement stands for, expanding the file's other macros."""
    match = _CALL.match(stmt)
    if match is None:
        raise UnsupportedError(f"unsupported macro body `{stmt}`", span)
    name, tag, args_text, test = match.groups()
    args = tuple(a.strip() for a in (args_text or "").split(",") if a.strip())
    test = (test or "").replace(" ", "")
    if name in _INTERNAL:
        return [_Call(name, tag, args, test)]
    if name not in raw or depth > 8:
        raise UnsupportedError(f"unknown macro or herd primitive `{name}`", span)
    params, stmts, _ = raw[name]
    if len(params) != len(args):
        raise UnsupportedError(f"`{name}` takes {len(params)} argument(s)", span)
    subst = dict(zip(params, args, strict=True))
    out = []
    for inner in stmts:
        text = re.sub(r"\b\w+\b", lambda m: subst.get(m.group(0), m.group(0)), inner)
        text = text.replace("**", "")  # *(*X) with X := *x: the same lvalue
        out.extend(_expand(text, raw, span, depth + 1))
    # `OTHER(X) == 0`: the comparison applies to what the other macro returns.
    return [dataclasses.replace(c, test=test) for c in out] if test else out


def _primitive(name: str, params: tuple[str, ...], calls: list[_Call], span: Span) -> Primitive:
    """The table row for a definition made of `calls`."""
    if len(calls) == 2 and calls[0].name == "__store" and calls[1].name == "__fence" \
            and (calls[1].tag or "").lower() == "mb":
        shape, call = "store_mb", calls[0]
    elif len(calls) == 1:
        call = calls[0]
        shape = _INTERNAL[call.name][0]
        shape = _SRCU_SHAPES.get((shape, call.tag or ""), shape)
    else:
        raise UnsupportedError(f"`{name}`: a body of {len(calls)} accesses is no shape "
                               "memlitmus knows", span)
    fixed = _INTERNAL[call.name][1]
    tag = fixed or _set_name(call.tag, span, name)
    values = list(call.args)
    op = operand = result = ""
    if call.name in _RESULT:
        if len(values) != 3:
            raise UnsupportedError(f"`{name}`: {call.name} takes (X, op, V)", span)
        op, operand, result = values[1], values[2], _RESULT[call.name]
        values = [values[0], values[2]]
    roles: dict[str, str] = {}
    lvalue_shapes = {"load", "store", "store_mb", "srcu_lock", "srcu_unlock"}
    for role, arg in zip(_ROLES, values, strict=False):
        bare = arg.lstrip("*")
        if bare in params:
            lvalue = role == "X" and shape in lvalue_shapes and not arg.startswith("*")
            star = "*" if lvalue else ""
            roles[bare] = star + role
    if operand in params:
        operand = "V"  # otherwise a constant, such as the 1 of atomic_inc
    args = tuple(roles.get(p, p) for p in params)
    herd = "" if fixed or not call.tag else call.tag[:1].upper() + call.tag[1:]
    return Primitive(name, shape, tag, args, op, operand, result, call.test,
                     herd if herd != tag else "")


def _set_name(tag: str | None, span: Span, name: str) -> str:
    """The event-set name of annotation `tag`, spelt as the built-in table spells it."""
    if not tag:
        raise UnsupportedError(f"`{name}`: an annotation `{{...}}` is needed", span)
    herd = tag[:1].upper() + tag[1:]
    return _builtin_spelling().get(herd.lower(), herd)


@cache
def _builtin_spelling() -> dict[str, str]:
    """Annotation names of the built-in table, by their lower-case form."""
    return {p.tag.lower(): p.tag for p in primitives().values()}
