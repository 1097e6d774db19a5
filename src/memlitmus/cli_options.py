"""Command-line options shared by `memlitmus run` and `memlitmus suite`: herd's model
options (`-I`, `-conf`, `-bell`, `-macros`, `-variant`), resolved by
`herd_config.herd_setup` (docs/herd7-command-line.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_herd_model_options"]


def add_herd_model_options(parser: argparse.ArgumentParser) -> None:
    """Add herd's model options to `parser`, as a group: `args.include` (folders),
    `args.conf`, `args.bell`, `args.macros` (paths or None), `args.variant` (names)."""
    herd = parser.add_argument_group("herd's model options")
    herd.add_argument("-I", dest="include", action="append", default=[], type=Path,
                      metavar="DIR", help="a folder of herd's search path: for model files "
                      "and their includes")
    herd.add_argument("--conf", "-conf", type=Path, metavar="FILE.cfg",
                      help="a herd configuration: its model, bell, macros, variant, include, "
                           "speedcheck and timeout keys (linux-kernel.cfg, when no such "
                           "file exists: lkmm)")
    herd.add_argument("--bell", "-bell", type=Path, metavar="FILE",
                      help="a bell file, run before the model")
    herd.add_argument("--macros", "-macros", type=Path, metavar="FILE.def",
                      help="kernel primitives for C tests, in place of the built-in table")
    herd.add_argument("--variant", "-variant", action="append", default=[], metavar="NAME",
                      help="enable a herd variant: `if \"NAME\"` in cat files, and in the "
                           "front end (`mixed`: mixed-size accesses; `NV2`)")
