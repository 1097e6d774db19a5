"""Parsing cat files: text -> `CatModel`, with `include`s resolved by `load_cat`.

The Lark parser is built once per process (LALR, basic lexer). Comments are blanked
out beforehand because herd's `(* ... *)` comments nest, which a regular lexer cannot do.
Loaded models are cached by path, so a suite that evaluates one model on thousands of
tests reads and parses each file once.

This module holds the public API, the Lark parser, comment blanking and include
resolution; `transform` builds the AST from Lark's tree and `syntax_errors` turns Lark
exceptions into `CatError`s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedInput, VisitError

from memlitmus.cat import ast as A
from memlitmus.cat.syntax_errors import TERMINAL_NAMES, syntax_error
from memlitmus.cat.transform import Builder
from memlitmus.errors import CatError, Span, reject_binary
from memlitmus.grammar_files import grammar_path

# MODELS_DIR is re-exported: the cat package's callers read the library folder here
from memlitmus.herd_path import MODELS_DIR as MODELS_DIR
from memlitmus.herd_path import first_file
from memlitmus.nesting import check_tree

_PARSER: Lark | None = None
_SOURCES: dict[str, str] = {}
_MODEL_CACHE: dict[tuple[str, tuple[str, ...]], tuple[int, A.CatModel]] = {}


def parse_cat(text: str, file: str) -> A.CatModel:
    """Parse the text of a cat file; `file` names it in spans and error messages.

    `include` instructions are left unresolved (see `load_cat`/`resolve_includes`).
    Raises `CatError` with a `file:line:col` span on any syntax error.
    """
    _SOURCES[file] = text
    reject_binary(text, file, "a cat file")
    cleaned = _blank_comments(text, file)
    try:
        tree = _parser().parse(cleaned)
    except UnexpectedInput as exc:
        raise syntax_error(exc, text, cleaned, file) from None
    check_tree(tree, "an expression", CatError, file)  # Builder recurses over the tree
    try:
        model = Builder(file).transform(tree)
    except VisitError as exc:  # our own CatError, raised while building the AST
        if isinstance(exc.orig_exc, CatError):
            raise exc.orig_exc from None
        raise
    assert isinstance(model, A.CatModel)
    return model


def load_cat(path: str | Path, search_dirs: Sequence[Path] = ()) -> A.CatModel:
    """Read, parse and resolve the includes of a cat file (cached by path and mtime).

    Includes are looked up as herd does: in the current folder, then in `search_dirs`
    (herd's `-I`, `HERDLIB`, `-set-libdir`: `herd_path.SearchPath.include_dirs`), then
    where herd's libdir would be: the including file's folder and memlitmus's library.
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
                TERMINAL_NAMES[term.name] = f"`{term.pattern.value}`"
    return _PARSER


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
        # undecodable bytes become U+FFFD, which the parser reports at their position
        text = resolved.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CatError(f"cannot read cat file `{path}`: {exc.strerror or exc}") from None
    model = parse_cat(text, str(path))
    body = _resolve_block(model.instructions, resolved.parent, search_dirs, stack + key[:1])
    model = dataclasses.replace(model, instructions=body)
    _MODEL_CACHE[key] = (mtime, model)
    return model


def _find_include(name: str, base: Path, search_dirs: tuple[Path, ...]) -> Path | None:
    # herd's order (lib/myLib.ml): the current folder, then -I, HERDLIB and a set libdir
    # (`search_dirs`, herd_path.SearchPath.include_dirs), then herd's libdir: there the
    # including file's folder (herd's libdir files include each other: ours lacks some)
    # and memlitmus's library stand in for it.
    return first_file(name, (Path.cwd(), *search_dirs, base, MODELS_DIR))


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
