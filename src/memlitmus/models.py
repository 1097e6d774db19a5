"""The shipped memory models (cat files), what each judges, and how names resolve.

A model names the architectures it judges (`judges`, header words; None: every
architecture). A user's `.cat` file is tried on anything. herd7's spellings are accepted
beside ours: its file names for the shipped models (`x86tso.cat`, `aarch64.cat`,
`linux-kernel.cat`, ...) and `-conf linux-kernel.cfg` (see `resolve` and `shipped_conf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from memlitmus.cat.ast import CatModel, ForallIns, IfIns, IncludeIns, Ins, MatchIns, ProcedureIns
from memlitmus.cat.parse import load_cat
from memlitmus.errors import ModelError
from memlitmus.herd_path import SearchPath, is_implicit

MODELS_DIR = Path(__file__).parent / "cat" / "models"


@dataclass(frozen=True)
class ModelInfo:
    """A shipped model: its file, aliases, herd7's names for it, what it judges, what it is.

    `herd_names` are the file names herd7's `-model` takes for the same model (herd's
    `herd/libdir/`); `judges` the architectures (header words) it judges, None for all.
    """

    name: str
    file: str
    aliases: tuple[str, ...]
    herd_names: tuple[str, ...]
    judges: frozenset[str] | None
    description: str

    def names(self) -> tuple[str, ...]:
        """Every name the model answers to: its own, its aliases, herd's file names."""
        return (self.name, *self.aliases, *self.herd_names)


SHIPPED: tuple[ModelInfo, ...] = (
    ModelInfo("sc", "sc.cat", (), ("sc.cat",), None,
              "Sequential consistency (Lamport 1979)"),
    ModelInfo("x86tso", "x86tso.cat", ("tso", "x86"), ("x86tso.cat",),
              frozenset({"X86", "X86_64"}),
              "x86-TSO (Owens, Sarkar, Sewell 2009): store buffers, MFENCE, locked RMWs"),
    ModelInfo("armv8", "armv8.cat", ("aarch64",), ("aarch64.cat",),
              frozenset({"AArch64"}),
              "ARMv8 multicopy-atomic (Pulte et al. 2018, Arm ARM B2.3): ob acyclic"),
    ModelInfo("lkmm", "lkmm.cat", ("linux",), ("linux-kernel.cat",),
              frozenset({"C"}),
              "Linux-kernel memory model (Alglave, Maranget, McKenney, Parri, Stern 2018)"),
)

# The shipped models' files that herd 7.58's own libdir holds (herd/libdir); the kernel's
# linux-kernel.cat is not among them: it lives in the kernel's tools/memory-model.
HERD_LIBDIR_FILES = frozenset({"sc.cat", "x86tso.cat", "aarch64.cat"})

# herd7's `-conf` files that stand for a shipped model (tools/memory-model/linux-kernel.cfg).
HERD_CONFS = {"linux-kernel.cfg": "lkmm"}


@dataclass(frozen=True)
class Model:
    """A model ready to judge with: its display name, parsed cat text and what it judges,
    and, as herd's `-bell` and `-variant` give them, a bell file run before it and
    enabled variants.

    `judges` holds the architectures (header words) the model judges; None means any
    (sc, and every user `.cat` file, which is tried on anything).
    """

    name: str
    cat: CatModel
    judges: frozenset[str] | None = None
    shipped: bool = False  # a shipped model, whose name keys an architecture's lowerings
    path: str = ""  # the cat file's absolute path
    bell: CatModel | None = None  # herd's `-bell`: a bell file run before the model
    variants: frozenset[str] = frozenset()  # herd's `-variant`s
    herd_view: bool = False
    """True for a user's cat file: it sees executions as herd's front ends present them
    (kernel lock events are not in R and W: herd's lock.cat adds them itself)."""

    @property
    def spec(self) -> str:
        """A text `resolve` maps back to this model (its name, or a user's file path)."""
        return self.name if self.shipped else self.path

    def judges_arch(self, arch: str) -> bool:
        """Whether a test of architecture `arch` may be judged under this model."""
        return self.judges is None or arch in self.judges


def resolve(
    name_or_path: str, search_dirs: Sequence[Path] = (), standin: bool = True
) -> Model:
    """A shipped model by name or alias, or a cat file found on herd's search path
    (`herd_path`): the current folder, then `search_dirs` (herd's `-I`, `HERDLIB` and a
    `-set-libdir`, which also serve the model's includes), then, where herd's libdir
    would be, memlitmus's library under herd's file names (`x86tso.cat`,
    `aarch64.cat`, `linux-kernel.cat`), unless `standin` is False (a libdir was set).

    A file found is a user's model, tried on any architecture (`architectures_of`).
    Raises ModelError for a `.cat` name found nowhere, or an unknown name (the message
    lists every name).
    """
    for info in SHIPPED:
        if name_or_path == info.name or name_or_path in info.aliases:
            return _shipped(info)
    path = SearchPath(tuple(search_dirs)).lookup(name_or_path)
    if path is not None:
        return _load(path.stem, str(path.resolve()), None, False,
                     tuple(str(d) for d in search_dirs))
    if standin and is_implicit(name_or_path):
        for info in SHIPPED:
            if name_or_path in info.herd_names:
                return _shipped(info)
    if name_or_path.endswith(".cat"):
        where = "" if not search_dirs else f" (looked in {', '.join(map(str, search_dirs))})"
        raise ModelError(f"no such cat file: {name_or_path}{where}")
    listing = "\n".join(f"  {line}" for line in name_lines())
    raise ModelError(f"unknown model `{name_or_path}`; the shipped models and their names:\n"
                     f"{listing}")


def herd_name_of_shipped(name: str) -> str | None:
    """The shipped model herd's libdir file `name` stands for (`x86tso.cat` → x86tso)."""
    return next((info.name for info in SHIPPED if name in info.herd_names), None)


def shipped_conf(path: Path) -> str | None:
    """The shipped model a herd7 `-conf` file stands for when the file does not exist
    (`linux-kernel.cfg` → lkmm); None when it exists (then it is read, `herd_config`)
    or names no shipped model."""
    return None if path.is_file() else HERD_CONFS.get(path.name)


def other_names(info: ModelInfo) -> tuple[str, ...]:
    """A shipped model's aliases, herd's file names and `-conf` files for it."""
    confs = tuple(f"-conf {conf}" for conf, name in HERD_CONFS.items() if name == info.name)
    return (*info.aliases, *info.herd_names, *confs)


def name_lines() -> list[str]:
    """One line per shipped model: `x86tso: tso, x86, x86tso.cat` (for error messages)."""
    width = max(len(info.name) for info in SHIPPED)
    return [f"{info.name + ':':<{width + 1}} {', '.join(other_names(info))}" for info in SHIPPED]


def _shipped(info: ModelInfo) -> Model:
    return _load(info.name, str(MODELS_DIR / info.file), info.judges, True)


@dataclass(frozen=True)
class ModelSetup:
    """herd's `-I`, `HERDLIB`, `-set-libdir`, `-bell` and `-variant`, applied to every
    model judged, and the display labels of the users' cat files judged together
    (`with_labels`)."""

    search_dirs: tuple[Path, ...] = ()  # -I, HERDLIB, a -set-libdir (herd_path)
    bell: CatModel | None = None
    variants: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()  # (a user's cat file's absolute path, label)
    libdir_set: bool = False  # -set-libdir: memlitmus's library no longer stands in

    def resolve(self, name_or_path: str) -> Model:
        """`resolve(name_or_path)` with this setup's search path, bell, variants and
        label."""
        return self.apply(resolve(name_or_path, self.search_dirs, not self.libdir_set))

    def apply(self, model: Model) -> Model:
        """`model` with this setup's bell (if any) and variants added, named by its label."""
        label = dict(self.labels).get(model.path) if not model.shipped else None
        if self.bell is None and not self.variants and label is None:
            return model
        return replace(model, name=label or model.name, bell=self.bell or model.bell,
                       variants=model.variants | self.variants)

    def with_labels(self, specs: Sequence[str]) -> ModelSetup:
        """This setup, naming the users' cat files among `specs` (the models judged
        together) by `model_labels`: each model a distinct column and record."""
        paths = [str(Path(spec).resolve()) if _is_user_file(spec) else spec
                 for spec in specs]
        labels = model_labels(paths)
        return replace(self, labels=tuple(
            (path, labels[path]) for path in paths if _is_user_file(path)))

    def label(self, spec: str) -> str:
        """The name results of `spec` go under when it cannot be resolved (a user's cat
        file that does not read): its label, else the file's stem."""
        return dict(self.labels).get(str(Path(spec).resolve()), Path(spec).stem)


def _is_user_file(spec: str) -> bool:
    """Whether `resolve` takes `spec` for a user's cat file (not a shipped model's name)."""
    if any(spec == info.name or spec in info.aliases for info in SHIPPED):
        return False
    return Path(spec).is_file() or spec.endswith(".cat") and not any(
        spec in info.herd_names for info in SHIPPED)


def model_labels(specs: Sequence[str]) -> dict[str, str]:
    """A distinct, stable label per model spec (a shipped model's name, or a user's cat
    file's path): a shipped model keeps its name; a user's file is named by its stem
    (`foo` for `a/foo.cat`) unless another model judged with it has the same stem or
    name, then by the shortest end of its path that tells it from those
    (`a/foo.cat` beside `b/foo.cat`; `m/sc.cat` beside the shipped `sc`)."""
    def stem(spec: str) -> str:
        return Path(spec).stem if _is_user_file(spec) else spec

    labels: dict[str, str] = {}
    for spec in specs:
        if not _is_user_file(spec):
            labels[spec] = spec
            continue
        clashing = [other for other in dict.fromkeys(specs)
                    if other != spec and stem(other) == stem(spec)]
        if not clashing:
            labels[spec] = stem(spec)
            continue
        parts = Path(spec).parts
        others = [Path(other).parts for other in clashing if _is_user_file(other)]
        depth = 2  # at least `folder/file.cat`: `sc.cat` would read as herd's sc.cat
        while depth < len(parts) and any(o[-depth:] == parts[-depth:] for o in others):
            depth += 1
        labels[spec] = "/".join(parts[-depth:]).lstrip("/") or spec
    return labels


# herd's library files written for one architecture's events (herd/libdir): a user's
# model that includes one, directly or through another file, is that architecture's
# model, as herd's own aarch64.cat (aarch64hwreqs.cat, aarch64util.cat, ...) and
# x86tso.cat (x86fences.cat) are. Tried on another architecture's test, such a model
# fails deep inside the library (`same-instance` is AArch64's), so the pair is refused.
ARCH_LIBRARIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("aarch64", frozenset({"AArch64"})),  # every aarch64*.cat
    ("x86fences.cat", frozenset({"X86", "X86_64"})),
    ("ppcfences.cat", frozenset({"PPC"})),
)


def architectures_of(cat: CatModel) -> frozenset[str] | None:
    """The architectures a user's model is written for: those of the architecture
    library files it includes, directly or not (`ARCH_LIBRARIES`), when they are all one
    architecture's; None (any architecture) when it reaches none, or several (herd's
    sc.cat, through fences.cat)."""
    found: set[frozenset[str]] = set()
    stack: list[Ins] = list(cat.instructions)
    while stack:
        ins = stack.pop()
        if isinstance(ins, IncludeIns):
            name = Path(ins.path).name
            for prefix, arches in ARCH_LIBRARIES:
                if name.startswith(prefix) and name.endswith(".cat"):
                    found.add(arches)
            stack.extend(ins.resolved or ())
        elif isinstance(ins, IfIns):  # the blocks `parse._resolve_ins` resolves
            stack.extend((*ins.then, *ins.else_))
        elif isinstance(ins, MatchIns):
            stack.extend(i for _, block in ins.clauses for i in block)
            stack.extend(ins.default or ())
        elif isinstance(ins, ProcedureIns | ForallIns):
            stack.extend(ins.body)
    # herd's fences.cat includes every architecture's fences: a model that reaches
    # several architectures' libraries is for any architecture
    return found.pop() if len(found) == 1 else None


@cache
def _load(
    name: str, path: str, judges: frozenset[str] | None, shipped: bool,
    search_dirs: tuple[str, ...] = (),
) -> Model:
    cat = load_cat(path, [Path(d) for d in search_dirs])
    if not shipped:
        judges = architectures_of(cat)
    return Model(name, cat, judges, shipped, path, herd_view=not shipped)
