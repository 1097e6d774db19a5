"""`memlitmus herd7 [herd options] FILE...`: herd7's command line, herd7's text.

Enough of herd7's options (herd/herd.ml) for scripts written for herd7, such as the
kernel's tools/memory-model/scripts, to run on memlitmus (docs/herd7-command-line.md):

* `-model NAME|FILE.cat`, `-cat FILE.cat`, `-conf FILE.cfg`: the model. As in herd7 the
  last one given wins (a configuration sets the model with its `model` key); without one,
  the architecture's default model. `-conf linux-kernel.cfg` where no such file exists
  is the shipped lkmm.
* `-I DIR`, `-bell FILE`, `-macros FILE.def`, `-variant NAME`: as for `memlitmus run`
  (`herd_config.herd_setup`).
* `-speedcheck fast|true|false`: accepted; the block lists every final state, as herd7's
  lists the states found (top_herd.ml prints `States N` under every speedcheck).
* `-timeout S`: seconds of solving per test; past it the verdict is Unknown: the block
  has no `Observation` line (herd7 prints nothing for such a test) and, as herd7, the
  exit status stays 0.
* `-set-libdir DIR`, `HERDLIB`: herd's search path (`herd_path`): a model file name is
  looked up in the current folder, `-I`, `$HERDLIB`, the libdir (memlitmus's library
  stands in for herd's unless `-set-libdir` names another).
* `-help`, `--help`, `-h`: the supported options.
* `-q`, `-v`: accepted (diagnostics only). `-version`: memlitmus's version.

Any other option is refused (status 2), never ignored: an option that changes what herd7
computes must not be dropped silently. Without FILE, file names are read from stdin, one
per line, as herd7 does. Each test prints herd7's block; a model that cannot judge a test
prints herd7's `Warning: File "...": ... (User error)` line on stderr; status 2 then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from memlitmus import __version__
from memlitmus.errors import MemlitmusError, error_line
from memlitmus.herd_config import herd_setup
from memlitmus.options import Options
from memlitmus.runner import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNKNOWN,
    run_files,
    seconds,
)

__all__ = ["HerdRequest", "main", "parse_herd_args"]


class HerdUsageError(Exception):
    """A herd7 command line memlitmus does not understand."""


@dataclass
class HerdRequest:
    """What a herd7 command line asks for."""

    files: list[str] = field(default_factory=list)
    model: str | None = None  # the last -model or -cat
    conf: Path | None = None
    conf_last: bool = False  # -conf came after the last -model: its `model` key wins
    include: list[Path] = field(default_factory=list)
    bell: Path | None = None
    macros: Path | None = None
    variants: list[str] = field(default_factory=list)
    speedcheck: str | None = None  # None: unset (the configuration's, else false)
    timeout_s: float | None = None
    libdir: Path | None = None
    version: bool = False
    help: bool = False


def _set_model(request: HerdRequest, text: str) -> None:
    request.model, request.conf_last = text, False


def _set_conf(request: HerdRequest, text: str) -> None:
    request.conf, request.conf_last = Path(text), True


def _add_include(request: HerdRequest, text: str) -> None:
    request.include.append(Path(text))


def _set_bell(request: HerdRequest, text: str) -> None:
    request.bell = Path(text)


def _set_macros(request: HerdRequest, text: str) -> None:
    request.macros = Path(text)


def _add_variant(request: HerdRequest, text: str) -> None:
    request.variants.append(text)


def _set_speedcheck(request: HerdRequest, text: str) -> None:
    if text not in ("fast", "true", "false"):
        raise HerdUsageError(f"-speedcheck takes fast, true or false, not `{text}`")
    request.speedcheck = text


def _set_timeout(request: HerdRequest, text: str) -> None:
    try:
        request.timeout_s = seconds(text)
    except argparse.ArgumentTypeError as err:
        raise HerdUsageError(f"-timeout: {err}") from None


def _set_libdir(request: HerdRequest, text: str) -> None:
    request.libdir = Path(text)


_WITH_VALUE: dict[str, Callable[[HerdRequest, str], None]] = {
    "-model": _set_model,
    "-cat": _set_model,
    "-conf": _set_conf,
    "-speedcheck": _set_speedcheck,
    "-timeout": _set_timeout,
    "-I": _add_include,
    "-bell": _set_bell,
    "-macros": _set_macros,
    "-variant": _add_variant,
    "-set-libdir": _set_libdir,
}
_FLAGS = frozenset({"-q", "-v"})
_HELP = frozenset({"-help", "--help", "-h"})

USAGE = """\
Usage: memlitmus herd7 [options] [test]*  (herd7's command line; docs/herd7-command-line.md)
  -model NAME.cat | -cat NAME.cat   the model, found on herd's search path
  -conf FILE.cfg                    read herd's configuration file
  -I DIR                            add DIR to the search path
  -set-libdir DIR                   herd's library folder (default: memlitmus's models)
  -bell FILE                        a bell file, run before the model
  -macros FILE.def                  kernel primitives of C tests
  -variant NAME                     enable a variant
  -speedcheck fast|true|false       accepted (the block lists every final state)
  -timeout S                        seconds per test; past it the test prints no verdict
  -q, -v                            diagnostics (accepted)
  -version                          print the version
  -help, --help, -h                 print this list
Search path: the current folder, -I folders, $HERDLIB, the libdir. Any other herd7
option is refused (status 2). Without a test, file names are read from stdin.
"""


def parse_herd_args(argv: Sequence[str]) -> HerdRequest:
    """herd7's options and file names (raises HerdUsageError)."""
    request = HerdRequest()
    args = iter(argv)
    for arg in args:
        if arg == "-version":
            request.version = True
        elif arg in _HELP:
            request.help = True
        elif arg in _FLAGS:
            continue
        elif arg in _WITH_VALUE:
            value = next(args, None)
            if value is None:
                raise HerdUsageError(f"option `{arg}` needs an argument")
            _WITH_VALUE[arg](request, value)
        elif arg.startswith("-") and arg != "-":
            raise HerdUsageError(f"herd7 option `{arg}` is not supported")
        else:
            request.files.append(arg)
    return request


def main(argv: Sequence[str]) -> int:
    """Run a herd7 command line; returns the exit status."""
    try:
        request = parse_herd_args(argv)
    except HerdUsageError as err:
        print(error_line(str(err)), file=sys.stderr)
        return EXIT_REJECTED
    if request.help:
        print(USAGE, end="")
        return EXIT_OK
    if request.version:
        print(f"memlitmus {__version__} (herd7 command line)")
        return EXIT_OK
    try:
        herd = herd_setup(request.conf, request.include, request.bell, request.macros,
                          request.variants, request.libdir)
        spec = request.model
        if herd.conf_model is not None and (spec is None or request.conf_last):
            spec = herd.conf_model
        models = [] if spec is None else [herd.setup.resolve(spec)]
    except MemlitmusError as err:
        print(error_line(err.render()), file=sys.stderr)
        return EXIT_REJECTED
    files = request.files or [line.strip() for line in sys.stdin if line.strip()]
    # herd has no kernel mappings: a C test under an architecture's model is refused
    # herd's top_herd.ml prints `States N` and the states found under every speedcheck
    # (`fast` only stops the enumeration early): the block keeps its states here too
    timeout_s = request.timeout_s if request.timeout_s is not None else herd.timeout_s
    options = Options(timeout_s=timeout_s, macros=herd.macros, setup=herd.setup,
                      kernel_mappings=False)
    status = run_files(files, [m.spec for m in models], "herd", options)
    # herd7 exits 0 after a test it timed out on (herd/herd.ml drops it silently): the
    # missing `Observation` line is what the kernel's scripts take for a timeout
    return EXIT_OK if status == EXIT_UNKNOWN else status
