"""herd's configuration and macro files: `-conf`, `-macros`, `-bell`, `-variant`, `-I`.

The kernel's own files (../shared/models/linux-kernel) are reference data: tests reading
them skip when the folder is absent.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from memlitmus import cli
from memlitmus.arch.kernel_macros import parse_macros, read_macros
from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.cat import load_cat
from memlitmus.errors import UnsupportedError
from memlitmus.herd_config import read_config
from memlitmus.judge import Options, judge
from memlitmus.litmus.parse import parse_litmus
from memlitmus.models import ModelSetup, resolve
from memlitmus.results import Observation
from tests.conftest import CORPUS, ROOT, corpus_tests, problems_of

KERNEL = ROOT / ".." / "shared" / "models" / "linux-kernel"
needs_kernel = pytest.mark.skipif(not KERNEL.is_dir(), reason="../shared/models absent")

# MP whose reader uses a primitive the built-in table does not have.
MP_TWIN = """C MP+release+acquire-twin
{}
P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	smp_store_release(y, 1);
}
P1(int *x, int *y)
{
	int r0;
	int r1;
	r0 = my_load_acquire(y);
	r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""
TWIN_DEF = "my_load_acquire(X) __load{ACQUIRE}(*X)\n"


@needs_kernel
def test_the_kernels_def_agrees_with_the_builtin_table() -> None:
    defined = read_macros(KERNEL / "linux-kernel.def")
    builtin = primitives()
    both = sorted(set(defined) & set(builtin))
    # the built-in table also has the mandatory barriers and synchronize_sched, which the
    # .def lacks (kernel_primitives: judged as their smp_ / synchronize_rcu forms)
    assert sorted(set(builtin) - set(defined)) == ["mb", "rmb", "synchronize_sched", "wmb"]
    assert len(both) == len(defined) == 114
    assert [n for n in both if defined[n] != builtin[n]] == []


def test_def_bodies_become_table_rows() -> None:
    table = parse_macros(
        "// comment\n"
        "READ_ONCE(X) __load{ONCE}(X)\n"
        "WRITE_ONCE(X,V) { __store{ONCE}(X,V); }\n"
        "atomic_read(X) READ_ONCE(*X)\n"
        "smp_store_mb(X,V) { __store{ONCE}(X,V); __fence{MB}; }\n"
        "rcu_read_lock() { __fence{rcu-lock}; }\n"
        "srcu_read_unlock(X,Y) { __store{srcu-unlock}(*X,Y); }\n"
        "atomic_inc(X) { __atomic_op{NORETURN}(X,+,1); }\n"
        "atomic_sub_and_test(V,X) __atomic_op_return{MB}(X,-,V) == 0\n"
        "my_fence() { __fence{my-barrier}; }\n",
        "t.def",
    )
    assert table["READ_ONCE"] == Primitive("READ_ONCE", "load", "Once", ("*X",))
    assert table["atomic_read"] == Primitive("atomic_read", "load", "Once", ("X",))
    assert table["WRITE_ONCE"].args == ("*X", "V")
    assert table["smp_store_mb"].shape == "store_mb"
    assert table["rcu_read_lock"] == Primitive("rcu_read_lock", "fence", "Rcu-lock", ())
    assert table["srcu_read_unlock"] == Primitive(
        "srcu_read_unlock", "srcu_unlock", "Srcu-unlock", ("X", "V"))
    assert table["atomic_inc"] == Primitive(
        "atomic_inc", "rmw", "Noreturn", ("X",), "+", "1", "none")
    assert table["atomic_sub_and_test"] == Primitive(
        "atomic_sub_and_test", "rmw", "Mb", ("V", "X"), "-", "V", "new", "==0")
    # An annotation of the user's own is named as herd names the event set.
    assert table["my_fence"].tag == "My-barrier"


@pytest.mark.parametrize(
    ("text", "message", "col"),
    [
        ("  what is this\n", "unreadable macro definition", 3),
        ("f(X) __frobnicate{MB}(X)\n", "unknown macro or herd primitive `__frobnicate`", 1),
        ("f(X) { __load{ONCE}(X); __load{ONCE}(X); }\n", "a body of 2 accesses", 1),
    ],
)
def test_def_errors_name_file_line_col(text: str, message: str, col: int) -> None:
    with pytest.raises(UnsupportedError) as info:
        parse_macros("// header\n" + text, "t.def")
    assert message in info.value.message
    assert info.value.span is not None
    assert (info.value.span.file, info.value.span.line, info.value.span.col) == ("t.def", 2, col)


def test_a_primitive_added_to_a_def_is_usable(tmp_path: Path) -> None:
    test = parse_litmus(MP_TWIN, "MP-twin.litmus")
    lkmm = resolve("lkmm")
    with pytest.raises(UnsupportedError, match="unsupported macro or function `my_load_acquire`"):
        judge(test, [lkmm], Options())
    base = (KERNEL / "linux-kernel.def").read_text() if KERNEL.is_dir() else (
        "READ_ONCE(X) __load{ONCE}(X)\nWRITE_ONCE(X,V) { __store{ONCE}(X,V); }\n"
        "smp_store_release(X,V) { __store{RELEASE}(*X,V); }\n")
    copy = tmp_path / "linux-kernel.def"
    copy.write_text(base + TWIN_DEF)
    (result,) = judge(test, [lkmm], Options(macros=read_macros(copy)))
    assert result.observation is Observation.NEVER
    # The same primitive without acquire ordering lets the reads reorder.
    copy.write_text(base + TWIN_DEF.replace("ACQUIRE", "ONCE"))
    (relaxed,) = judge(test, [lkmm], Options(macros=read_macros(copy)))
    assert relaxed.observation is Observation.SOMETIMES


@needs_kernel
def test_the_kernels_cfg_names_its_files_and_variant() -> None:
    conf = read_config(KERNEL / "linux-kernel.cfg")
    assert conf.model is not None and conf.model.name == "linux-kernel.cat"
    assert conf.bell is not None and conf.bell.name == "linux-kernel.bell"
    assert conf.macros is not None and conf.macros.name == "linux-kernel.def"
    assert conf.variants == ("lkmmv2",)


def test_cfg_ignores_display_keys_and_finds_files_on_the_search_path(tmp_path: Path) -> None:
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "m.cat").write_text('"m"\nacyclic po | rf | co | fr as sc\n')
    cfg = tmp_path / "c.cfg"
    cfg.write_text("model m.cat\nvariant a,b\ngraph columns\nedgeattr hb,color,indigo\n")
    conf = read_config(cfg, [inc])
    assert conf.model == inc / "m.cat" and conf.variants == ("a", "b")
    assert conf.bell is None and conf.macros is None


def test_cli_variant_reaches_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "v.cat"
    model.write_text('"v"\nif "strict" then acyclic po | rf | co | fr as sc end\n')
    sb = ROOT / "litmus" / "x86" / "SB.litmus"
    assert cli.main(["run", str(sb), "-m", str(model), "-f", "herd"]) == 0
    assert "Observation SB Sometimes" in capsys.readouterr().out
    assert cli.main(["run", str(sb), "-m", str(model), "-variant", "strict", "-f", "herd"]) == 0
    assert "Observation SB Never" in capsys.readouterr().out


@needs_kernel
def test_the_kernels_own_files_judge_the_lkmm_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """Every example of litmus/lkmm, with the kernel's linux-kernel.cfg (its .cat, .bell,
    .def, lock.cat), gives herd7's Observation: trylock.litmus too, whose failed trylock
    takes its rf from lock.cat's `with rfe-lf from cross(...)`."""
    examples = sorted((ROOT / "litmus" / "lkmm").glob("*.litmus"))
    assert any("trylock" in f.read_text() for f in examples)
    conf = str(KERNEL / "linux-kernel.cfg")
    assert cli.main(["run", *map(str, examples), "-conf", conf, "-f", "herd"]) == 0
    out = capsys.readouterr().out
    got = [line.split()[:3] for line in out.splitlines() if line.startswith("Observation")]
    want = [next(line.split()[:3] for line in f.with_suffix(".lkmm.expected").read_text()
                 .splitlines() if line.startswith("Observation")) for f in examples]
    assert got == want


IS_LOCKED = """C islocked
{}
P0(spinlock_t *s, int *x)
{
	WRITE_ONCE(*x, 1);
	spin_lock(s);
}
P1(spinlock_t *s, int *x)
{
	int r0 = spin_is_locked(s);
	int r1;
	smp_rmb();
	r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


def _states(out: str) -> list[str]:
    """The state lines of one `-f herd` result."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("States "))
    return lines[start + 1:start + 1 + int(lines[start].split()[1])]


@needs_kernel
@pytest.mark.parametrize("fence", ["", "smp_mb();"])
def test_spin_is_locked_under_the_kernels_files_gives_the_shipped_lkmms_verdict(
        fence: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """spin_is_locked() is herd's RL (it read a locked value: lock.cat gives it the rf of
    an external LKW) or RU event. Reading the lock held orders nothing by itself: r0=1 with
    r1=0 is allowed until P0 orders its store before its lock (smp_mb)."""
    test = tmp_path / "islocked.litmus"
    test.write_text(IS_LOCKED.replace("WRITE_ONCE(*x, 1);", f"WRITE_ONCE(*x, 1);{fence}"),
                    encoding="utf-8")
    outs = []
    for model in (["-conf", str(KERNEL / "linux-kernel.cfg")], ["-m", "lkmm"]):
        assert cli.main(["run", str(test), *model, "-f", "herd"]) == 0
        outs.append(capsys.readouterr().out)
    want = ["1:r0=0; 1:r1=0;", "1:r0=0; 1:r1=1;", "1:r0=1; 1:r1=1;"]
    if not fence:
        want.insert(2, "1:r0=1; 1:r1=0;")
    assert [_states(out) for out in outs] == [want, want]
    verdict = "Never" if fence else "Sometimes"
    assert all(f"Observation islocked {verdict} " in out for out in outs)


# The lkmm rows whose lock reads take their rf from lock.cat's `with … from cross(…)`:
# spin_is_locked() (RL/RU events) and a spin_trylock() that may fail outside a critical
# section (LF).
LOCK_READ_ROWS = [
    "herd-catalogue/linux/MP+polockmbonce+poacquiresilsil.litmus",
    "herd-catalogue/linux/MP+polockonce+poacquiresilsil.litmus",
    "herd-catalogue/linux/spinlock-is-locked-self.litmus",
    "paulmckrcu-litmus/manual/locked/CoWW+sil-lock-sil-unlock-sil.litmus",
    "paulmckrcu-litmus/manual/atomic/C-lock-write1.litmus",
]


@needs_kernel
@pytest.mark.skipif(not (CORPUS / "lkmm").is_dir(), reason="../shared/corpus absent")
@pytest.mark.parametrize("file", LOCK_READ_ROWS)
def test_the_kernels_files_judge_lock_reads_as_herd7(file: str) -> None:
    """herd7's Observation, states and flags for the row, judged with the kernel's
    linux-kernel.cfg (as `benchmarks/corpus.py lkmm --conf` does)."""
    conf = read_config(KERNEL / "linux-kernel.cfg")
    assert conf.model is not None and conf.macros is not None and conf.bell is not None
    test = corpus_tests(CORPUS / "lkmm", [file])[file]
    model = str(conf.model)
    test = dataclasses.replace(test, expectations={model: test.expectations["lkmm"]})
    options = Options(macros=read_macros(conf.macros), setup=ModelSetup(
        (), load_cat(conf.bell), frozenset(conf.variants)))
    assert problems_of(test, options) == {model: []}
