"""Malformed and unsupported litmus files: exact messages and positions, never a traceback."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from memlitmus.errors import LitmusSyntaxError, MemlitmusError, UnsupportedError
from memlitmus.litmus.parse import parse_litmus

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_inputs"
X86_CORPUS = ROOT / "../shared/corpus/x86"
BAD_FILES = sorted(BAD.glob("*.litmus"))

# Well formed, but beyond what memlitmus handles.
UNSUPPORTED = {"unknown_arch"}


def error_of(text: str, file: str) -> MemlitmusError:
    with pytest.raises(MemlitmusError) as info:
        parse_litmus(text, file)
    return info.value


def test_the_bad_input_corpus_is_there() -> None:
    assert len(BAD_FILES) >= 15
    for path in BAD_FILES:
        assert path.with_suffix(".error").is_file(), path


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_input_gives_the_expected_error(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    error = error_of(path.read_text(encoding="utf-8"), rel)
    expected = path.with_suffix(".error").read_text(encoding="utf-8").splitlines()[0]
    rendered = error.render().splitlines()
    assert rendered[0] == expected
    kind = UnsupportedError if path.stem in UNSUPPORTED else LitmusSyntaxError
    assert type(error) is kind
    # The offending line and a caret under the column follow the message.
    assert error.span is not None
    if error.span.line <= len(error.source.splitlines()) and error.source.strip():  # type: ignore[union-attr]
        assert len(rendered) == 3
        assert rendered[2] == "  " + " " * (error.span.col - 1) + "^"


def test_errors_render_without_reading_the_file() -> None:
    error = error_of("X86 SB\n{\n}\n P0 | Q1 ;\n", "/no/such/file.litmus")
    assert error.render().splitlines() == [
        "/no/such/file.litmus:4:7: unexpected `Q1`, expected a thread name (`P0`, `P1`, ...)",
        "   P0 | Q1 ;",
        "        ^",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "t:1:1: empty file (expected `ARCH name`)"),
        ("(* only a comment *)\n", "t:1:1: empty file (expected `ARCH name`)"),
        ("{ x=1; }", "t:1:1: unexpected `{`, expected `ARCH name`"),
        ("PPC foo\n{}\n",
         "t:1:1: unsupported architecture `PPC` (supported: AArch64, C, X86, X86_64)"),
        ("X86 T\n{ x=1; }\n", "t:2:9: unexpected end of file, expected `;` or a thread name"),
        (
            "X86 T\n{}\n P0 ;\n MFENCE ;\nexists",
            "t:5:7: unexpected end of file, expected a proposition",
        ),
        (
            "X86 T\n{}\n P0 ;\n MFENCE ;\nexists (x=1",
            "t:5:12: unexpected end of file, expected `)`",
        ),
        (
            "X86 T\n{}\n P0 ;\n MFENCE ;\nexists (x=1) locations [x]",
            "t:5:14: unexpected `locations` after the final condition",
        ),
        (
            "X86 T\n{}\n P0 ;\n MFENCE ;\nexists (x=)",
            "t:5:11: unexpected `)`, expected `{`, a location or a number",
        ),
        (
            "X86 T\n{}\n P0 | P1 ;\n MFENCE | ;\n | | ;\nexists (x=1)",
            "t:5:4: mismatch in instruction lines: this row has more cells than the 2 threads "
            "of the header row",
        ),
        (
            "X86 T\n{}\n P0 | P1 ;\n MFENCE ;\nexists (x=1)",
            "t:4:9: mismatch in instruction lines: this row has 1 cell, the header row names "
            "2 threads",
        ),
        (
            "X86 T\n{}\n P0 P1 ;\n MFENCE ;\nexists (x=1)",
            "t:3:5: unexpected `P1`, expected `;` or `|`",
        ),
        (
            "X86 T\n{}\n MFENCE ;\nexists (x=1)",
            "t:3:2: unexpected `MFENCE`, expected `;` or a thread name (`P0`, `P1`, ...)",
        ),
        ("X86 T\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1) (*", "t:5:14: unterminated comment"),
        (
            "X86 T\n{ 0:EAX=1; 1:EAX= }\n P0 ;\n MFENCE ;\nexists (x=1)",
            "t:2:19: unexpected `}`, expected a value",
        ),
    ],
)
def test_small_errors(text: str, message: str) -> None:
    assert error_of(text, "t").render().splitlines()[0].startswith(message)


def mutations(text: str, rng: random.Random, count: int) -> list[str]:
    """Damaged copies of `text`: a character deleted, inserted or duplicated."""
    alphabet = '()[]{}|;:,=$%~/\\ \n\tPx0-*"#'
    out = []
    for _ in range(count):
        i = rng.randrange(len(text) + 1)
        match rng.randrange(3):
            case 0:
                out.append(text[:i] + text[i + 1 :])
            case 1:
                out.append(text[:i] + rng.choice(alphabet) + text[i:])
            case _:
                j = rng.randrange(len(text) + 1)
                out.append(text[:i] + text[min(i, j) : max(i, j)] + text[i:])
    return out


SEEDS = [
    'X86 SB\n"doc"\nCom=Fr Fr\n{ x=0; int y=1; }\n P0 | P1 ;\n MOV [x],$1 | L0: MOV [y],$1 ;\n'
    " LOCK ADD [x+EAX],$-1 | JNE L0 ;\nlocations [x;]\nfilter (0:EAX=1)\n"
    "exists (0:EAX=0 /\\ ~1:EAX=0 \\/ [x]!=1 => true)\n",
    "X86_64 SB\n(* c *)\n{ uint64_t 0:rax; }\n P0 | P1 ;\n"
    " movl $1,(x) | lock xaddq %rax,8(%rbx) ;\n"
    " movl (y),%eax | xchgl (%rax,%rbx,1),%eax ;\n~exists (0:rax=0 /\\ 1:rax=0)\n",
]


def check_never_escapes(text: str) -> None:
    try:
        parse_litmus(text, "fuzz.litmus")
    except MemlitmusError as error:
        assert error.span is not None
        assert 1 <= error.span.line <= text.count("\n") + 2
        assert error.span.col >= 1
        error.render()


def test_damaged_inputs_only_raise_our_errors() -> None:
    rng = random.Random(1234)
    for seed in SEEDS:
        for text in mutations(seed, rng, 1500):
            check_never_escapes(text)


def test_damaged_corpus_files_only_raise_our_errors() -> None:
    if not X86_CORPUS.is_dir():
        pytest.skip("reference corpus ../shared/corpus not present")
    rng = random.Random(5678)
    files = sorted(X86_CORPUS.rglob("*.litmus"))[::20]
    for path in files:
        for text in mutations(path.read_text(encoding="utf-8"), rng, 20):
            check_never_escapes(text)


SB_X86 = """X86 SB
{ x=0; y=0; INIT }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
LOCATIONS
exists (0:EAX=0 /\\ COND)
"""


@pytest.mark.parametrize(("init", "locations", "cond", "where", "reg"), [
    ("", "", "5:EAX=0", "t.litmus:7:20", "5:EAX"),
    ("2:EBX=1;", "", "1:EAX=0", "t.litmus:2:13", "2:EBX"),
    ("", "locations [x; 3:EAX;]", "1:EAX=0", "t.litmus:6:1", "3:EAX"),
])
def test_a_register_of_a_thread_the_test_lacks_is_refused_as_herd_does(
    init: str, locations: str, cond: str, where: str, reg: str,
) -> None:
    """herd's genParserUtils.check_regs: `Bad process P5`, for the init block, the
    locations and the final condition."""
    text = SB_X86.replace("INIT", init).replace("LOCATIONS", locations).replace("COND", cond)
    error = error_of(text, "t.litmus")
    assert isinstance(error, UnsupportedError)
    assert error.render().splitlines()[0] == (
        f"{where}: Bad process P{reg[0]}: `{reg}` names a thread the test does not have "
        "(its threads: P0, P1)")


AARCH64_W = """AArch64 W
{ 0:X1=x; INIT }
 P0          ;
 LDR W0,[X1] ;
LOCATIONS
exists (COND)
"""


@pytest.mark.parametrize(("init", "locations", "cond", "where", "reg"), [
    ("", "", "0:W0=0", "t.litmus:6:9", "W0"),
    ("", "", "0:X0=0 /\\ 0:w2=1", "t.litmus:6:19", "w2"),
    ("0:W3=1;", "", "0:X0=0", "t.litmus:2:11", "W3"),
    ("", "locations [0:WZR;]", "0:X0=0", "t.litmus:5:1", "WZR"),
])
def test_an_aarch64_w_register_outside_the_code_is_refused_as_herd_does(
    init: str, locations: str, cond: str, where: str, reg: str,
) -> None:
    """herd 7.58 reads the registers of the init block, locations and condition with
    AArch64Base.parse_reg (lib/symbReg.ml `get_reg`), which has no W registers."""
    text = AARCH64_W.replace("INIT", init).replace("LOCATIONS", locations)
    error = error_of(text.replace("COND", cond), "t.litmus")
    assert isinstance(error, UnsupportedError)
    assert error.render().splitlines()[0].startswith(f"{where}: {reg} is not a register")


def test_an_aarch64_x_register_in_the_condition_is_accepted() -> None:
    text = AARCH64_W.replace("INIT", "").replace("LOCATIONS", "").replace("COND", "0:X0=0")
    assert parse_litmus(text, "t.litmus").arch == "AArch64"


def test_a_register_its_thread_never_writes_is_accepted() -> None:
    """herd reads it as its initial value, 0."""
    text = SB_X86.replace("INIT", "").replace("LOCATIONS", "").replace("COND", "1:EBX=0")
    test = parse_litmus(text, "t.litmus")
    assert [t.proc for t in test.threads] == [0, 1]
