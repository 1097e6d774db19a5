"""The `explain` and `report` subcommands (kept out of cli.py, which only registers them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from rich.console import Console

from memlitmus.errors import MemlitmusError
from memlitmus.explain import explain
from memlitmus.litmus.parse import load_litmus
from memlitmus.arch.registry import default_model_for
from memlitmus.models import resolve

EXIT_OK, EXIT_REJECTED = 0, 2


def add_outcome_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `explain` and `report` on the CLI's subparsers."""
    ex = sub.add_parser("explain", help="is a final state allowed under a model, and why")
    ex.add_argument("file", help="a litmus file")
    ex.add_argument("-m", "--model", default=None,
                    help="model name or .cat file; default: the arch's model")
    ex.add_argument("--state", default=None, metavar="'0:r0=1; 1:r1=0;'",
                    help="the final state (some of its bindings); default: the condition's")
    ex.add_argument("--timeout", type=float, default=None, metavar="S",
                    help="seconds of solving; past it the answer is Unknown")


def _explain(args: argparse.Namespace) -> int:
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    try:
        test = load_litmus(args.file)
        model = resolve(args.model or default_model_for(test.arch))
        return explain(test, model, args.state, console, args.timeout)
    except OSError as err:
        print(f"{args.file}: cannot read: {err.strerror or err}", file=sys.stderr)
    except MemlitmusError as err:
        print(f"memlitmus: {err.render()}", file=sys.stderr)
    return EXIT_REJECTED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"explain": _explain}
