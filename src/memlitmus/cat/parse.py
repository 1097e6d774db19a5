"""Parsing cat files: text -> `CatModel`, with `include`s resolved by `load_cat`.

The Lark parser is built once per process (LALR, contextual lexer). Comments are blanked
out beforehand because herd's `(* ... *)` comments nest, which a regular lexer cannot do.
Loaded models are cached by path, so a suite that evaluates one model on thousands of
tests reads and parses each file once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from memlitmus.cat import ast as A
from memlitmus.errors import CatError, Span
from memlitmus.grammar_files import grammar_path

MODELS_DIR = Path(__file__).resolve().parent / "models"
"""The cat files shipped with memlitmus (stdlib.cat, sc.cat, x86tso.cat)."""

_PARSER: Lark | None = None
_TERMINAL_NAMES: dict[str, str] = {}
_SOURCES: dict[str, str] = {}
_MODEL_CACHE: dict[tuple[str, tuple[str, ...]], tuple[int, A.CatModel]] = {}

# Friendly names for the regex terminals in "expected ..." messages.
_TOKEN_DESCRIPTIONS = {
    "NAME": "identifier", "TAG": "tag", "STRING": "string", "$END": "end of file",
}


def parse_cat(text: str, file: str) -> A.CatModel:
    """Parse the text of a cat file; `file` names it in spans and error messages.

    `include` instructions are left unresolved (see `load_cat`/`resolve_includes`).
    Raises `CatError` with a `file:line:col` span on any syntax error.
    """
    _SOURCES[file] = text
    cleaned = _blank_comments(text, file)
    try:
        tree = _parser().parse(cleaned)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, cleaned, file) from None
    try:
        model = _Builder(file).transform(tree)
    except VisitError as exc:  # our own CatError, raised while building the AST
        if isinstance(exc.orig_exc, CatError):
            raise exc.orig_exc from None
        raise
    assert isinstance(model, A.CatModel)
    return model


def load_cat(path: str | Path, search_dirs: Sequence[Path] = ()) -> A.CatModel:
    """Read, parse and resolve the includes of a cat file (cached by path and mtime).

    Includes are looked up relative to the including file, then in `search_dirs`, then in
    the models shipped with memlitmus.
    """
    return _load(Path(path), tuple(Path(d) for d in search_dirs), ())


def resolve_includes(
    model: A.CatModel, search_dirs: Sequence[Path] = (), base_dir: Path | None = None
) -> A.CatModel:
    """Return `model` with every `include` replaced by the loaded file's instructions."""
    base = base_dir if base_dir is not None else Path(model.file).parent
    dirs = tuple(Path(d) for d in search_dirs)
    stack = (str(Path(model.file).resolve()),)
    body = _resolve_block(model.instructions, base, dirs, stack)
    return dataclasses.replace(model, instructions=body)


def source_of(file: str) -> str | None:
    """The text of a file parsed in this process (for rendering errors), if known."""
    return _SOURCES.get(file)


def shipped_model(name: str) -> Path:
    """The path of a cat file shipped with memlitmus, e.g. `shipped_model("sc.cat")`."""
    return MODELS_DIR / name


# ---------------------------------------------------------------- parser plumbing


def _parser() -> Lark:
    """Build the LALR parser on first use and keep it for the life of the process."""
    global _PARSER
    if _PARSER is None:
        grammar = grammar_path("cat.lark").read_text(encoding="utf-8")
        # A basic (not contextual) lexer reserves keywords everywhere, as herd does, so
        # `let x = a |` followed by `let` reports the `let`, not a later token.
        _PARSER = Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True)
        for term in _PARSER.terminals:
            if term.pattern.type == "str":
                _TERMINAL_NAMES[term.name] = f"`{term.pattern.value}`"
    return _PARSER


def _describe(terminal: str) -> str:
    return _TOKEN_DESCRIPTIONS.get(terminal) or _TERMINAL_NAMES.get(terminal, terminal)


def _syntax_error(exc: UnexpectedInput, text: str, cleaned: str, file: str) -> CatError:
    """Turn a Lark exception into a CatError saying what was found and what was expected."""
    line, col = _error_position(exc, cleaned)
    if isinstance(exc, UnexpectedCharacters):
        # Every terminal could start at a token boundary: listing them would not help.
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
        found = f"character `{text[pos]}`" if pos < len(text) else "character"
        expected = set()
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        found = "end of file" if tok.type == "$END" else f"`{tok.value}`"
        expected = _acceptable(exc)
    else:  # pragma: no cover - other UnexpectedInput kinds are not raised by LALR
        found, expected = "input", set()
    names = sorted({_describe(t) for t in expected})
    if len(names) > 12:
        names = names[:12] + ["..."]
    message = f"syntax error: unexpected {found}"
    if names:
        message += "; expected " + ("one of " if len(names) > 1 else "") + ", ".join(names)
    return CatError(message, Span(file, line, col), text)


def _acceptable(exc: UnexpectedToken) -> set[str]:
    """The tokens the parser could really take here.

    LALR merges states, so the raw action table (`exc.expected`) may list tokens that are
    only valid in other contexts; simulating the parser on each candidate is exact.
    """
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        try:
            return set(parser.accepts())
        except Exception:  # pragma: no cover - fall back on the raw table
            pass
    return set(exc.expected or ())


def _error_position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    line, col = getattr(exc, "line", -1), getattr(exc, "column", -1)
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if not at_end and isinstance(line, int) and isinstance(col, int) and line > 0 and col > 0:
        return line, col
    # End of input: point just after the last non-blank character.
    stripped = text.rstrip()
    lines = stripped.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _blank_comments(text: str, file: str) -> str:
    """Replace comments by spaces (keeping newlines) so positions stay exact.

    herd's comments: `(* ... *)`, which nest, and `//` or `#` up to the end of line.
    String literals are skipped so that a `#` inside a file name is kept.
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = text.find('"', i + 1)
            i = n if end < 0 else end + 1
        elif c == "(" and text.startswith("(*", i):
            i = _blank_block(text, out, i, file)
        elif c == "#" or (c == "/" and text.startswith("//", i)):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        else:
            i += 1
    return "".join(out)


def _blank_block(text: str, out: list[str], start: int, file: str) -> int:
    """Blank a nested `(* ... *)` comment starting at `start`; return the index after it."""
    depth, i, n = 0, start, len(text)
    while i < n:
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*)", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                break
        else:
            i += 1
    if depth != 0:
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        raise CatError("unterminated comment", Span(file, line, col), text)
    for k in range(start, i):
        if out[k] != "\n":
            out[k] = " "
    return i


# ---------------------------------------------------------------- loading


def _load(path: Path, search_dirs: tuple[Path, ...], stack: tuple[str, ...]) -> A.CatModel:
    resolved = path.resolve()
    key = (str(resolved), tuple(str(d) for d in search_dirs))
    try:
        mtime = resolved.stat().st_mtime_ns
        cached = _MODEL_CACHE.get(key)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        text = resolved.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatError(f"cannot read cat file `{path}`: {exc.strerror or exc}") from None
    model = parse_cat(text, str(path))
    body = _resolve_block(model.instructions, resolved.parent, search_dirs, stack + key[:1])
    model = dataclasses.replace(model, instructions=body)
    _MODEL_CACHE[key] = (mtime, model)
    return model


def _find_include(name: str, base: Path, search_dirs: tuple[Path, ...]) -> Path | None:
    for folder in (base, *search_dirs, MODELS_DIR):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _resolve_block(
    body: tuple[A.Ins, ...], base: Path, dirs: tuple[Path, ...], stack: tuple[str, ...]
) -> tuple[A.Ins, ...]:
    """Resolve includes in a list of instructions, including nested blocks."""
    return tuple(_resolve_ins(ins, base, dirs, stack) for ins in body)


def _resolve_ins(
    ins: A.Ins, base: Path, dirs: tuple[Path, ...], stack: tuple[str, ...]
) -> A.Ins:
    def block(b: tuple[A.Ins, ...]) -> tuple[A.Ins, ...]:
        return _resolve_block(b, base, dirs, stack)

    if isinstance(ins, A.IncludeIns):
        found = _find_include(ins.path, base, dirs)
        if found is None:
            raise CatError(f"cannot find included file `{ins.path}`", ins.span)
        if str(found.resolve()) in stack:
            raise CatError(f"recursive include of `{ins.path}`", ins.span)
        included = _load(found, dirs, stack)
        return dataclasses.replace(ins, resolved=included.instructions)
    if isinstance(ins, A.IfIns):
        return dataclasses.replace(ins, then=block(ins.then), else_=block(ins.else_))
    if isinstance(ins, A.MatchIns):
        clauses = tuple((tag, block(b)) for tag, b in ins.clauses)
        default = None if ins.default is None else block(ins.default)
        return dataclasses.replace(ins, clauses=clauses, default=default)
    if isinstance(ins, (A.ProcedureIns, A.ForallIns)):
        return dataclasses.replace(ins, body=block(ins.body))
    return ins


# ---------------------------------------------------------------- tree -> AST


@dataclasses.dataclass(frozen=True)
class _Test:
    kind: A.CheckKind
    negated: bool
    expr: A.Expr
    name: str | None
    span: Span


@dataclasses.dataclass(frozen=True)
class _Pat:
    name: str | None
    span: Span


@dataclasses.dataclass(frozen=True)
class _Clause:
    tag: str | None  # None: the default clause `_ -> ...`
    body: Any


@dataclasses.dataclass(frozen=True)
class _ElemClause:
    before: str | None
    elem: str | None
    rest: str | None
    body: A.Expr


def _tuple_pat(pats: list[_Pat], span: Span) -> A.Pattern:
    """herd's rule: one formal is a plain variable, otherwise a tuple pattern."""
    if len(pats) == 1:
        return A.PVar(pats[0].name, pats[0].span)
    return A.PTuple(tuple(p.name for p in pats), span)


def _flatten(op: A.OpKind, args: list[A.Expr]) -> tuple[A.Expr, ...]:
    """`a | (b | c)` -> one n-ary union, like herd's `do_op`."""
    out: list[A.Expr] = []
    for a in args:
        if isinstance(a, A.Op) and a.op == op:
            out.extend(a.args)
        else:
            out.append(a)
    return tuple(out)


def _strip_quotes(tok: Token) -> str:
    return str(tok)[1:-1]


@v_args(meta=True)
class _Builder(Transformer[Token, Any]):
    """Build AST nodes from Lark's parse tree, one method per grammar rule or alias."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def _span(self, meta: Any) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1)
        return Span(self.file, meta.line, meta.column)

    def _tok_span(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1)

    # -- model
    def start(self, meta: Any, ch: list[Any]) -> A.CatModel:
        name = next((c[1] for c in ch if isinstance(c, tuple) and c[0] == "name"), None)
        options = tuple(c[1] for c in ch if isinstance(c, tuple) and c[0] == "option")
        body = tuple(c for c in ch if not isinstance(c, tuple))
        return A.CatModel(name, options, body, self.file)

    def model_name(self, meta: Any, ch: list[Token]) -> tuple[str, str]:
        parts = [_strip_quotes(t) if t.type == "STRING" else str(t) for t in ch]
        return ("name", " ".join(parts))

    def model_option(self, meta: Any, ch: list[Token]) -> tuple[str, str]:
        return ("option", str(ch[0]))

    # -- instructions
    def let_ins(self, meta: Any, ch: list[Any]) -> A.LetIns:
        return A.LetIns(ch[0], self._span(meta))

    def let_rec_ins(self, meta: Any, ch: list[Any]) -> A.LetRecIns:
        when = ch[2] if len(ch) > 2 else None
        return A.LetRecIns(ch[1], when, self._span(meta))

    def when_clause(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return self._check(ch[0], "check")

    def _check(self, t: _Test, mode: A.CheckMode) -> A.CheckIns:
        return A.CheckIns(t.kind, t.negated, mode, t.expr, t.name, t.span)

    def check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return self._check(ch[0], "check")

    def flag_check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        return dataclasses.replace(self._check(ch[0], "flag"), span=self._span(meta))

    def undefined_unless_check(self, meta: Any, ch: list[Any]) -> A.CheckIns:
        check = self._check(ch[0], "undefined_unless")
        return dataclasses.replace(check, span=self._span(meta))

    def check_test(self, meta: Any, ch: list[Any]) -> _Test:
        name = ch[2] if len(ch) > 2 else None
        return _Test(ch[0], False, ch[1], name, self._span(meta))

    def neg_check_test(self, meta: Any, ch: list[Any]) -> _Test:
        return dataclasses.replace(self.check_test(meta, ch), negated=True)

    def check_name(self, meta: Any, ch: list[Token]) -> str:
        return str(ch[0])

    def acyclic(self, meta: Any, ch: list[Any]) -> str:
        return "acyclic"

    def irreflexive(self, meta: Any, ch: list[Any]) -> str:
        return "irreflexive"

    def empty(self, meta: Any, ch: list[Any]) -> str:
        return "empty"

    def show_as(self, meta: Any, ch: list[Any]) -> A.ShowAsIns:
        return A.ShowAsIns(ch[0], str(ch[1]), self._span(meta))

    def show(self, meta: Any, ch: list[Token]) -> A.ShowIns:
        return A.ShowIns(tuple(str(t) for t in ch), False, self._span(meta))

    def unshow(self, meta: Any, ch: list[Token]) -> A.ShowIns:
        return A.ShowIns(tuple(str(t) for t in ch), True, self._span(meta))

    def include(self, meta: Any, ch: list[Token]) -> A.IncludeIns:
        return A.IncludeIns(_strip_quotes(ch[0]), self._span(meta))

    def _procedure(self, meta: Any, ch: list[Any], tuple_params: bool) -> A.ProcedureIns:
        rec = isinstance(ch[0], Token) and ch[0].type == "REC"
        rest = ch[1:] if rec else ch
        name, params, body = str(rest[0]), rest[1], tuple(rest[2:])
        span = self._span(meta)
        param = _tuple_pat(params, span) if tuple_params else A.PVar(params.name, params.span)
        return A.ProcedureIns(name, param, body, rec, span)

    def procedure_tuple(self, meta: Any, ch: list[Any]) -> A.ProcedureIns:
        return self._procedure(meta, ch, True)

    def procedure_single(self, meta: Any, ch: list[Any]) -> A.ProcedureIns:
        return self._procedure(meta, ch, False)

    def call(self, meta: Any, ch: list[Any]) -> A.CallIns:
        as_name = ch[2] if len(ch) > 2 else None
        return A.CallIns(str(ch[0]), ch[1], as_name, self._span(meta))

    def enum_ins(self, meta: Any, ch: list[Token]) -> A.EnumIns:
        tags = tuple(str(t)[1:] for t in ch[1:])
        return A.EnumIns(str(ch[0]), tags, self._span(meta))

    def debug_ins(self, meta: Any, ch: list[Any]) -> A.DebugIns:
        return A.DebugIns(ch[0], self._span(meta))

    def forall_ins(self, meta: Any, ch: list[Any]) -> A.ForallIns:
        return A.ForallIns(str(ch[0]), ch[1], tuple(ch[2:]), self._span(meta))

    def with_ins(self, meta: Any, ch: list[Any]) -> A.WithFromIns:
        return A.WithFromIns(str(ch[0]), ch[1], self._span(meta))

    def instructions_ins(self, meta: Any, ch: list[Any]) -> A.EventsIns:
        args = tuple(ch[1]) if len(ch) > 1 else ()
        return A.EventsIns("instructions", str(ch[0]), args, self._span(meta))

    def default_ins(self, meta: Any, ch: list[Any]) -> A.EventsIns:
        args = tuple(ch[1]) if len(ch) > 1 else ()
        return A.EventsIns("default", str(ch[0]), args, self._span(meta))

    def match_ins(self, meta: Any, ch: list[Any]) -> A.MatchIns:
        clauses, default = ch[1]
        return A.MatchIns(ch[0], clauses, default, self._span(meta))

    def ins_clauses(self, meta: Any, ch: list[_Clause]) -> tuple[Any, Any]:
        return self._split_clauses(ch)

    def ins_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(str(ch[0])[1:], tuple(ch[1:]))

    def ins_default(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(None, tuple(ch))

    def if_ins(self, meta: Any, ch: list[Any]) -> A.IfIns:
        else_ = ch[2] if len(ch) > 2 else ()
        return A.IfIns(ch[0], ch[1], else_, self._span(meta))

    def ins_block(self, meta: Any, ch: list[Any]) -> tuple[A.Ins, ...]:
        return tuple(ch)

    def else_block(self, meta: Any, ch: list[Any]) -> tuple[A.Ins, ...]:
        return tuple(ch)

    # -- bindings
    def bindings(self, meta: Any, ch: list[A.Binding]) -> tuple[A.Binding, ...]:
        return tuple(ch)

    def bind_pattern(self, meta: Any, ch: list[Any]) -> A.Binding:
        span = self._span(meta)
        return A.Binding(_tuple_pat(ch[0], span), ch[1], span)

    def bind_tuple(self, meta: Any, ch: list[Any]) -> A.Binding:
        span = self._span(meta)
        pats: list[_Pat] = ch[0]
        pattern: A.Pattern = A.PTuple(tuple(p.name for p in pats), span)
        if len(pats) == 1:
            pattern = A.PVar(pats[0].name, pats[0].span)
        return A.Binding(pattern, ch[1], span)

    def bind_fun(self, meta: Any, ch: list[Any]) -> A.Binding:
        span, name, param = self._span(meta), str(ch[0]), ch[1]
        fun = A.Fun(A.PVar(param.name, param.span), ch[2], name, span)
        return A.Binding(A.PVar(name, self._tok_span(ch[0])), fun, span)

    def bind_fun_tuple(self, meta: Any, ch: list[Any]) -> A.Binding:
        span, name = self._span(meta), str(ch[0])
        params: list[_Pat] = ch[1]
        fun = A.Fun(self._params(params, span), ch[2], name, span)
        return A.Binding(A.PVar(name, self._tok_span(ch[0])), fun, span)

    @staticmethod
    def _params(pats: list[_Pat], span: Span) -> A.Pattern:
        # `f(x)` takes its argument whole; `f(x, y)` and `f()` destructure a tuple.
        return _tuple_pat(pats, span)

    def formals_n(self, meta: Any, ch: list[_Pat]) -> list[_Pat]:
        return list(ch)

    def formals(self, meta: Any, ch: list[_Pat]) -> list[_Pat]:
        return list(ch)

    def pat0(self, meta: Any, ch: list[Token]) -> _Pat:
        return _Pat(str(ch[0]), self._tok_span(ch[0]))

    def wildcard(self, meta: Any, ch: list[Any]) -> _Pat:
        return _Pat(None, self._span(meta))

    # -- expressions
    def let_in(self, meta: Any, ch: list[Any]) -> A.Bind:
        return A.Bind(ch[0], ch[1], self._span(meta))

    def let_rec_in(self, meta: Any, ch: list[Any]) -> A.BindRec:
        return A.BindRec(ch[1], ch[2], self._span(meta))

    def fun_single(self, meta: Any, ch: list[Any]) -> A.Fun:
        return A.Fun(A.PVar(ch[0].name, ch[0].span), ch[1], "*fun*", self._span(meta))

    def fun_tuple(self, meta: Any, ch: list[Any]) -> A.Fun:
        span = self._span(meta)
        return A.Fun(self._params(ch[0], span), ch[1], "*fun*", span)

    def try_with(self, meta: Any, ch: list[Any]) -> A.Try:
        return A.Try(ch[0], ch[1], self._span(meta))

    def if_exp(self, meta: Any, ch: list[Any]) -> A.If:
        return A.If(ch[0], ch[1], ch[2], self._span(meta))

    def match_exp(self, meta: Any, ch: list[Any]) -> A.Expr:
        span, body = self._span(meta), ch[1]
        if isinstance(body, tuple):
            clauses, default = body
            return A.Match(ch[0], clauses, default, span)
        empty_case, elem = body
        return A.MatchSet(
            ch[0], empty_case, elem.elem, elem.rest, elem.body, span, before=elem.before
        )

    def tag_clauses(self, meta: Any, ch: list[_Clause]) -> tuple[Any, Any]:
        return self._split_clauses(ch)

    @staticmethod
    def _split_clauses(ch: list[_Clause]) -> tuple[Any, Any]:
        clauses = tuple((c.tag, c.body) for c in ch if c.tag is not None)
        default = next((c.body for c in ch if c.tag is None), None)
        return clauses, default

    def tag_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(str(ch[0])[1:], ch[1])

    def default_clause(self, meta: Any, ch: list[Any]) -> _Clause:
        return _Clause(None, ch[0])

    def set_clauses(self, meta: Any, ch: list[Any]) -> list[Any]:
        first, second = ch
        if isinstance(first, _ElemClause):
            return [second, first]
        return [first, second]

    def empty_clause(self, meta: Any, ch: list[Any]) -> A.Expr:
        expr: A.Expr = ch[0]
        return expr

    def elem_clause(self, meta: Any, ch: list[Any]) -> _ElemClause:
        return _ElemClause(None, ch[0].name, ch[1].name, ch[2])

    def elem_clause3(self, meta: Any, ch: list[Any]) -> _ElemClause:
        return _ElemClause(ch[0].name, ch[1].name, ch[2].name, ch[3])

    def tuple_exp(self, meta: Any, ch: list[A.Expr]) -> A.TupleExp:
        return A.TupleExp(tuple(ch), self._span(meta))

    def _nary(self, op: A.OpKind, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op(op, _flatten(op, ch), self._span(meta))

    def union(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("union", meta, ch)

    def seq(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("seq", meta, ch)

    def inter(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return self._nary("inter", meta, ch)

    def add(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("add", tuple(ch), self._span(meta))

    def diff_op(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("diff", tuple(ch), self._span(meta))

    def product(self, meta: Any, ch: list[A.Expr]) -> A.Op:
        return A.Op("prod", tuple(ch), self._span(meta))

    def _op1(self, op: A.Op1Kind, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return A.Op1(op, ch[0], self._span(meta))

    def comp(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("comp", meta, ch)

    def star(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("star", meta, ch)

    def plus(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("plus", meta, ch)

    def opt(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("opt", meta, ch)

    def inv(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("inv", meta, ch)

    def toid(self, meta: Any, ch: list[A.Expr]) -> A.Op1:
        return self._op1("toid", meta, ch)

    def app(self, meta: Any, ch: list[A.Expr]) -> A.App:
        return A.App(ch[0], ch[1], self._span(meta))

    def var(self, meta: Any, ch: list[Token]) -> A.Var:
        return A.Var(str(ch[0]), self._tok_span(ch[0]))

    def empty_const(self, meta: Any, ch: list[Any]) -> A.Konst:
        return A.Konst("empty", self._span(meta))

    def universe(self, meta: Any, ch: list[Any]) -> A.Konst:
        return A.Konst("universe", self._span(meta))

    def tag(self, meta: Any, ch: list[Token]) -> A.Tag:
        return A.Tag(str(ch[0])[1:], self._tok_span(ch[0]))

    def explicit_set(self, meta: Any, ch: list[Any]) -> A.ExplicitSet:
        elems = tuple(ch[0]) if ch else ()
        return A.ExplicitSet(elems, self._span(meta))

    def unit(self, meta: Any, ch: list[Any]) -> A.TupleExp:
        return A.TupleExp((), self._span(meta))

    def args(self, meta: Any, ch: list[A.Expr]) -> list[A.Expr]:
        return list(ch)

    # -- conditions
    def cond_or_op(self, meta: Any, ch: list[A.Cond]) -> A.CondBin:
        return A.CondBin("or", ch[0], ch[1], self._span(meta))

    def cond_and_op(self, meta: Any, ch: list[A.Cond]) -> A.CondBin:
        return A.CondBin("and", ch[0], ch[1], self._span(meta))

    def cond_not_op(self, meta: Any, ch: list[A.Cond]) -> A.CondNot:
        return A.CondNot(ch[0], self._span(meta))

    def cond_variant(self, meta: Any, ch: list[Token]) -> A.CondVariant:
        return A.CondVariant(_strip_quotes(ch[0]), self._tok_span(ch[0]))

    def cond_eq(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("eq", ch[0], ch[1], self._span(meta))

    def cond_subset(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("subset", ch[0], ch[1], self._span(meta))

    def cond_in(self, meta: Any, ch: list[A.Expr]) -> A.CondCmp:
        return A.CondCmp("in", ch[0], ch[1], self._span(meta))
