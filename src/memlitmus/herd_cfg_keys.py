"""The keys of herd 7.58's configuration files (herd/lexConf_herd.mll, `handle_key`), and
what memlitmus does with each (`herd_config`): the same as with the command-line option
of that name under `memlitmus herd7` (docs/herd7-command-line.md)."""

from __future__ import annotations

__all__ = ["DISPLAY_KEYS", "SUPPORTED_KEYS", "UNSUPPORTED_KEYS"]

# Keys that take effect (herd_config._apply).
SUPPORTED_KEYS = frozenset({
    "model", "cat", "bell", "macros", "variant", "include", "conf", "speedcheck", "timeout",
})

# Keys that change which tests run, what herd computes or what its text block says, and
# memlitmus does not implement: refused, never dropped. The reason names what they do.
UNSUPPORTED_KEYS: dict[str, str] = {
    "names": "selects tests by name",
    "excl": "excludes tests by name",
    "rename": "renames tests",
    "kinds": "replaces tests' conditions",
    "conds": "replaces tests' conditions",
    "machsize": "sets the machine word size",
    "endian": "sets the byte order",
    "through": "lets executions through the model's checks",
    "skipchecks": "skips the model's checks",
    "strictskip": "skips the model's checks",
    "unroll": "bounds loop unrolling",
    "optace": "changes how executions are built",
    "archcheck": "changes which instructions the architecture accepts",
    "initwrites": "changes the initial writes",
    "badexecs": "changes how flagged executions count",
    "badflag": "changes which flag marks a bad execution",
    "dumpallfaults": "changes the faults the states show",
    "nshow": "stops after showing N executions",
    "restrict": "changes which tests print a block",
    "outcomereads": "changes the registers states show",
    "hexa": "prints values in hexadecimal",
}

# herd's graph and display keys, and diagnostics: they shape herd's pictures (with `-o`)
# and stderr only, so memlitmus ignores them, as documented.
DISPLAY_KEYS = frozenset({
    "verbose", "suffix", "debug", "show", "showflag", "showkind", "shortlegend",
    "texmacros", "dotmode", "dotcom", "view", "showevents", "graph", "mono", "fontname",
    "fontsize", "edgefontsizedelta", "penwidth", "arrowsize", "splines", "overlap", "sep",
    "margin", "pad", "scale", "xscale", "yscale", "dsiy", "siwidth", "boxscale", "ptscale",
    "squished", "showpo", "relabel", "withbox", "labelbox", "showfinalrf", "showinitrf",
    "finalrfpos", "initrfpos", "oneinit", "labelinit", "initpos", "threadposy",
    "showinitwrites", "showthread", "showlegend", "brackets", "showobserved", "movelabel",
    "fixedsize", "extrachars", "dotheader", "doshow", "unshow", "noid", "symetric",
    "classes", "showraw", "edgeattr", "shift", "edgemerge",
})
