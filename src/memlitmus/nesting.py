"""Bounds on nesting, so that no input, however deep, reaches Python's recursion limit.

The parsers are LALR automata (no recursion), but what they build is walked recursively
afterwards: the litmus AST by the front ends, the event program's expressions by the
dependency analysis and the Z3 encoder, cat parse trees by the AST builder and cat
expressions by the interpreter. Each walk takes a few Python frames per level, and Python
stops at 1,000 frames. Rather than make every walk iterative, inputs are measured where
they are made, iteratively, and anything deeper than `MAX_NESTING` levels is rejected with
its position: herd's suites peak at 21 levels (a final condition), 11 (a C thread) and 9
(an expression of the event program), so the bound leaves a wide margin both ways.

A chain of one operator (`a /\\ b /\\ c ...`, `r0 + r0 + r0 ...`) is no nesting in the
text, but it is a level of the walks per operator: it is counted as a fraction of a level
(`CHAIN_LINK` of `LEVEL`), so that a flat condition or C sum of about 230 terms passes
while the walks never go past 250 levels, which they take safely (measured: conditions
and C sums of 300 terms judged, 450 overflow). Cat parse trees get no discount: the cat
walks take more frames per level.

- `check_tree`: a parsed structure (litmus AST dataclasses, a Lark tree), before anything
  walks it recursively;
- `ExprDepth`: the event program's expressions, which grow without any nesting in the
  text (`r = r + 1` a thousand times), measured as a thread's registers are assigned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lark import Token, Tree

from memlitmus.errors import MemlitmusError, Span, UnsupportedError
from memlitmus.events import AddrOf, BinOp, Expr, Ite

MAX_NESTING = 100
# The cost of a level, and of one more link of a chain of one operator: the walks stay
# within MAX_NESTING * LEVEL / CHAIN_LINK = 250 levels whatever mix of the two.
LEVEL, CHAIN_LINK = 5, 2

ErrorClass = Callable[[str, Span | None], MemlitmusError]


def too_deep(what: str) -> str:
    """The message of every nesting bound."""
    return f"{what} nested deeper than {MAX_NESTING} levels"


def check_tree(root: object, what: str, error: ErrorClass, file: str) -> None:
    """Raise `error(message, span)` when `root` nests deeper than `MAX_NESTING` levels.

    Levels are dataclass instances (tuples and lists in between do not count) or Lark
    `Tree`s; a dataclass of the same operator as its parent (`_operator`) is a chain link,
    `CHAIN_LINK / LEVEL` of a level. The span is the deepest node's own `span` (or Lark
    position), or the nearest enclosing node's.
    """
    stack: list[tuple[object, int, Span | None, object]] = [(root, 0, None, None)]
    while stack:
        node, cost, span, parent = stack.pop()
        children: Iterable[object]
        if isinstance(node, Tree):
            span = _tree_span(node, file) or span
            children = node.children
        elif hasattr(node, "__dataclass_fields__") and not isinstance(node, type):
            own = getattr(node, "span", None)
            span = own if isinstance(own, Span) else span
            children = vars(node).values()
        elif isinstance(node, (tuple, list)):
            stack.extend((child, cost, span, parent) for child in node)
            continue
        else:
            continue
        operator = _operator(node)
        cost += CHAIN_LINK if operator is not None and operator == parent else LEVEL
        if cost > MAX_NESTING * LEVEL:
            raise error(too_deep(what), span)
        stack.extend((child, cost, span, operator) for child in children)


def _operator(node: object) -> object:
    """What makes `node` one link of a chain with a parent of the same: its class and
    operator (`op`); None for a node that never chains."""
    if isinstance(node, Tree):  # cat's walks take more frames per level: no discount
        return None
    fields = getattr(node, "__dataclass_fields__", {})
    if "left" in fields and "right" in fields:
        return (type(node), getattr(node, "op", None))
    return None


def _tree_span(tree: Tree[Token], file: str) -> Span | None:
    meta = tree.meta
    if getattr(meta, "empty", True) or getattr(meta, "line", None) is None:
        return None
    return Span(file, meta.line, meta.column)


@dataclass
class ExprDepth:
    """The depth of event-program expressions, memoised (expressions share subterms, so
    a walk without memo could be exponential)."""

    # id -> (expression, depth); holding the expression keeps its id from being reused
    known: dict[int, tuple[Expr, int]] = field(default_factory=dict)
    # names of the locations whose address a newly measured expression holds (`$x`),
    # for the caller to collect: herd gives every such name a location
    pointers: list[str] = field(default_factory=list)

    def of(self, expr: Expr) -> int:
        """The cost of `expr`'s levels (a leaf is `LEVEL`; an operand of the same
        operator as its parent, a chain link, `CHAIN_LINK`)."""
        stack: list[Expr] = [expr]
        while stack:
            top = stack[-1]
            if id(top) in self.known:
                stack.pop()
                continue
            parts = _parts(top)
            missing = [p for p in parts if id(p) not in self.known]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            self.known[id(top)] = (top, max(
                (self.known[id(p)][1] + _link(top, p) for p in parts), default=LEVEL))
            if isinstance(top, AddrOf):
                self.pointers.append(top.name)
        return self.known[id(expr)][1]

    def check(self, expr: Expr, span: Span | None) -> Expr:
        """`expr`, or UnsupportedError at `span` when it nests past `MAX_NESTING`."""
        if self.of(expr) > MAX_NESTING * LEVEL:
            raise UnsupportedError(
                too_deep("a computed value") + " (a register computed from itself too "
                "many times)", span)
        return expr


def _link(parent: Expr, part: Expr) -> int:
    """The cost of `parent` above its operand `part`: a chain link when both are the
    same operator."""
    if isinstance(parent, BinOp) and isinstance(part, BinOp) and parent.op == part.op:
        return CHAIN_LINK
    return LEVEL


def _parts(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, Ite):
        return (expr.cond, expr.then, expr.other)
    origin = getattr(expr, "origin", None)  # a folded constant: what it was folded from
    return () if origin is None else (origin,)
