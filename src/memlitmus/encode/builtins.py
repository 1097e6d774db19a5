"""The primitive sets and relations a cat model starts from, for one symbolic execution."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from memlitmus.encode.execution import ExecutionEncoding
from memlitmus.encode.herd_registers import RegisterEvents
from memlitmus.encode.relations import Pair, ZRel, ZSet
from memlitmus.encode.terms import Cond, Term, conj, disj, neg, to_cond
from memlitmus.events import Event

LOCK_TAGS = frozenset({"LKR", "LKW", "UL", "LF", "IsLocked"})
"""The kernel's lock events (`IsLocked`: spin_is_locked), not reads or writes in herd's
view (see `Builtins`)."""

LOCK_READS = frozenset({"LKR", "LF", "IsLocked"})
"""The lock events that read: herd's rf never reaches them (lock.cat chooses theirs)."""

HERD_AARCH64_EMPTY_SETS = frozenset({
    # herd's AArch64 events memlitmus never makes: implicit accesses (NExp: page-table
    # walks, tag checks, instruction fetches), faults and exceptions (but those of UDF
    # and SVC, whose events carry these tags), TLB and cache maintenance, MTE tags,
    # guarded control stacks, spurious and speculated events.
    "NExp", "T", "GCS", "PTE", "PTEV", "PTEINV", "PA", "D-PTE", "AF", "DB", "Instr",
    "FAULT", "FAULT-RD", "FAULT-WR", "EXC-ENTRY", "EXC-RET", "MMU", "Translation",
    "AccessFlag", "Permission", "AddressSize", "Exclusive", "TagCheck", "PacCheck",
    "SPURIOUS", "SPEC", "PRED", "TLBI", "TLBInXS", "TLBIIS",
    "DC.CVAU", "DC.CIVAC", "DC.CVAC", "DC.IVAC", "DC.ZVA", "DC.CVAP", "DC.CVADP",
    "IC.IALLUIS", "IC.IALLU", "IC.IVAU", "Restricted-CMODX",
})
"""herd's AArch64 event sets that are empty on every memlitmus execution (herd's
`machAction.ml` and `AArch64Arch_herd.ml` list them; they are non-empty in herd only with
the `vmsa`, `memtag` or `ifetch` variants, with TLBI/DC/IC instructions, or with faults)."""


class Builtins:
    """Computes each primitive on first use and caches it (a model touches only a few)."""

    def __init__(self, enc: ExecutionEncoding, known_tags: frozenset[str],
                 herd_view: bool = False, observed: frozenset[str] = frozenset(),
                 register_events: bool = False):
        """`herd_view`: present the events as herd's front ends do, for a user's cat file:
        kernel lock events (LKR LKW UL LF, and spin_is_locked's read) are not in R and W
        (herd's lock.cat adds them where it wants them), `rf` and `fr` leave out the lock
        reads (herd's rf relates plain accesses only: lock.cat gives LKR the rf its co
        implies and chooses the rf of LF, RL and RU), spin_is_locked's read is herd's `RL`
        when the value it reads says locked (non-zero) and `RU` otherwise (herd's two
        events, CSem.ml `IsLocked`), and FW holds the final writes of the locations the
        test observes (`observed`: its final condition and `locations`) only; memlitmus's
        own models count lock events as reads and writes and see every location's final
        write, and have no RL/RU events.

        With `register_events` (AArch64), herd's view also has herd's register and branch events
        (`herd_registers.RegisterEvents`: `rf-reg`, `iico_*`, `Rreg`, `DATA`, `BCC`,
        `same-instance`), `Exp` (every access is explicit) and herd's event sets that are
        empty on memlitmus's executions (`HERD_AARCH64_EMPTY_SETS`)."""
        self.enc = enc
        self.events = enc.events
        self.known_tags = known_tags | frozenset(t for e in self.events for t in e.tags)
        self._cache: dict[str, ZSet | ZRel] = {}
        self.regs = RegisterEvents.of(enc.program) if herd_view and register_events \
            else None
        self.guard: dict[int, Cond] = dict(enc.exec)
        if self.regs is not None:
            self.guard.update((g, enc.exec[e]) for g, e in self.regs.guard_of.items())

        def hidden(e: Event) -> bool:
            return herd_view and not LOCK_TAGS.isdisjoint(e.tags)

        self._makers: dict[str, Callable[[], ZSet | ZRel]] = {
            "_": lambda: ZSet(self.guard),
            "R": lambda: self._set(lambda e: e.kind == "R" and not hidden(e)),
            "W": lambda: self._set(lambda e: e.kind == "W" and not hidden(e)),
            "M": lambda: self._set(lambda e: e.is_memory),
            "F": lambda: self._set(lambda e: e.kind == "F"),
            "IW": lambda: self._set(lambda e: e.is_init),
            "FW": lambda: ZSet(enc.final_writes) if not herd_view else self._observed_fw(
                observed),
            "po": self._po,
            "loc": lambda: ZRel(self.loc) if not herd_view else self._herd_loc(),
            "int": lambda: self._static(self.int_pairs),
            "ext": lambda: self._static(self.ext_pairs),
            "id": lambda: self._static((e.eid, e.eid) for e in self.events),
            # herd's sm/si relate the events of one single-copy-atomic access (without
            # mixed sizes): each memory event, and the pairs a front end records as `sca`
            # (AArch64's LDXP/STXP, herd's `para_atomic`).
            "sm": self._single_copy_atomic,
            "si": self._single_copy_atomic,
            # herd's order between the accesses of one instruction (`E.seq_mem`)
            "iico_order": lambda: self._static(
                enc.program.extra_relations.get("iico_order", ())),
            "rf": lambda: ZRel(enc.rf) if not herd_view else self._plain_reads(enc.rf, 1),
            "co": lambda: ZRel(enc.co),
            "fr": lambda: ZRel(enc.fr) if not herd_view else self._plain_reads(enc.fr, 0),
            "rmw": lambda: self._static(enc.program.rmw),
            "addr": lambda: self._dependency("addr", enc.program.addr),
            "data": lambda: self._dependency("data", enc.program.data),
            "ctrl": lambda: self._static(enc.program.ctrl),
            "amo": lambda: self._static(enc.program.extra_relations.get("amo", ())),
            "po-loc": self._po_loc,
            # herd's spin_is_locked events, by the value read (herd's view only).
            "RL": lambda: self._is_locked(herd_view, locked=True),
            "RU": lambda: self._is_locked(herd_view, locked=False),
        }
        for base in ("rf", "co", "fr"):
            self._makers[base + "e"] = self._restricted(base, "ext")
            self._makers[base + "i"] = self._restricted(base, "int")
        if self.regs is not None:
            self._makers.update(self._register_makers(self.regs))

    def _po(self) -> ZRel:
        """Program order: the static pairs, and those that hold only under a condition
        (`ProgramBuilder.order_when`, either way round against the lists' order)."""
        conditional = self.enc.program.dep_conditions.get("po")
        if not conditional:
            return self._static(self.po_pairs)
        return self._dependency("po", frozenset([*self.po_pairs, *conditional]))

    def _register_makers(self, regs: RegisterEvents) -> dict[str, Callable[[], ZSet | ZRel]]:
        """herd's AArch64 register-level primitives (see `__init__`)."""
        def ghosts(*kinds: str) -> Callable[[], ZSet]:
            return lambda: ZSet({g: self.guard[g] for g in regs.of_kind(*kinds)})

        def rf_reg() -> ZRel:
            edges = dict(self._static(regs.rf_reg).edges)
            for pair, when in regs.rf_reg.items():
                if when is not None and pair in edges:
                    edges[pair] = conj(edges[pair], to_cond(self.enc.value_term(when)))
            return ZRel(edges)

        def po() -> ZRel:
            base = self._po().edges
            edges = dict(base)
            for (x, y), cond in regs.po_lifted(base).items():
                edges[(x, y)] = conj(cond, conj(self.guard[x], self.guard[y]))
            edges.update(self._static(regs.branch_po()).edges)
            return ZRel(edges)

        # empty unless the front end tags some event so (UDF's and SVC's faults)
        makers: dict[str, Callable[[], ZSet | ZRel]] = {
            name: (lambda name=name: self._set(lambda e: name in e.tags))  # type: ignore[misc]
            for name in HERD_AARCH64_EMPTY_SETS}
        makers.update({
            "Exp": lambda: self._set(lambda e: e.is_memory),
            "Rreg": ghosts("Rreg"),
            "Wreg": ghosts("Wreg"),
            "BCC": ghosts("BCC"),
            "B": ghosts("BCC"),
            "DATA": lambda: ZSet({g: self.guard[g] for g in regs.data_ports}),
            "ADDR": lambda: ZSet({g: self.guard[g] for g in regs.of_kind("Rreg")
                                  if g not in regs.data_ports}),
            "po": po,
            "same-instance": lambda: self._static(regs.same_instance()),
            "iico_data": lambda: self._static(regs.iico_data),
            "iico_ctrl": lambda: self._static(regs.iico_ctrl),
            "iico_order": lambda: self._static(regs.iico_order),
            "rf-reg": rf_reg,
            # memlitmus's locations are distinct symbols with no page offset of their
            # own: two accesses have the same low-order address bits when they access
            # the same location.
            "same-low-order-bits": lambda: ZRel(self.loc),
            "same-tag-loc": lambda: ZRel({}),
            "inv-domain": lambda: ZRel({}),
        })
        return makers

    def lookup(self, name: str) -> ZSet | ZRel | None:
        """The primitive called `name`, or None when there is no such primitive."""
        value = self._cache.get(name)
        if value is not None:
            return value
        maker = self._makers.get(name)
        if maker is not None:
            value = maker()
        elif name in self.known_tags:
            value = self._set(lambda e: name in e.tags)
        elif name in self.enc.program.extra_relations:
            value = self._dependency(name, self.enc.program.extra_relations[name])
        else:
            return None
        self._cache[name] = value
        return value

    def _plain_reads(self, edges: dict[Pair, Cond], read: int) -> ZRel:
        """rf (`read` 1: the read is the pair's second event) or fr (0: its first)
        without the lock reads' pairs, as herd's rf and fr (herd's view)."""
        events = self.events
        return ZRel({pair: c for pair, c in edges.items()
                     if LOCK_READS.isdisjoint(events[pair[read]].tags)})

    def _is_locked(self, herd_view: bool, locked: bool) -> ZSet:
        """herd's RL (`locked`) or RU: the spin_is_locked reads that read a locked (non-zero)
        or unlocked value. The read's value is the C result's (`c_primitives._islocked`),
        so the class and the returned value agree; lock.cat chooses the rf of each."""
        if not herd_view:
            return ZSet({})
        out: dict[int, Cond] = {}
        for e in self.events:
            if "IsLocked" in e.tags and e.kind == "R":
                is_locked = to_cond(self.enc.read_values[e.eid])
                out[e.eid] = conj(self.enc.exec[e.eid], is_locked if locked
                                  else neg(is_locked))
        return ZSet(out)

    def _single_copy_atomic(self) -> ZRel:
        # herd (machModelChecker.ml `calc_si`) adds each fault to its own class, but in
        # mixed-size mode (`byte_cells`), where the classes are the accesses' bytes only
        faults = not self.enc.program.byte_cells
        pairs = {(e.eid, e.eid) for e in self.events
                 if e.is_memory or (faults and e.kind == "FAULT")}
        return self._static(pairs | self.enc.program.extra_relations.get("sca", frozenset()))

    def _observed_fw(self, observed: frozenset[str]) -> ZSet:
        """herd's FW: the co-last writes of the observed locations (herd's final state)."""
        out: dict[int, Cond] = {}
        for eid, last in self.enc.final_writes.items():
            cond = conj(last, disj(self.enc.at_location(eid, n) for n in sorted(observed)))
            if cond is not False:
                out[eid] = cond
        return ZSet(out)

    def _herd_loc(self) -> ZRel:
        """`loc` as herd presents it: a synchronize_srcu() accesses its srcu struct, so it
        is on the same location as the struct's srcu_read_lock/unlock (memlitmus makes it a
        fence and records the pairs in the static relation `srcu-loc`)."""
        edges = dict(self.loc)
        srcu = self.enc.program.extra_relations.get("srcu-loc", ())
        static = self._static([*srcu, *((b, b) for _, b in srcu)]).edges
        edges.update((pair, cond) for pair, cond in static.items() if pair not in edges)
        return ZRel(edges)

    def rel(self, name: str) -> ZRel:
        """A primitive known to be a relation."""
        value = self.lookup(name)
        assert isinstance(value, ZRel)
        return value

    def _restricted(self, base: str, scope: str) -> Callable[[], ZRel]:
        """`base & ext` or `base & int`, from the events' threads: the pairs of `ext` and
        `int` are quadratic in the events, `base` (rf, co, fr) far fewer."""
        ex, events = self.enc.exec, self.events

        def external(a: int, b: int) -> bool:
            ea = events[a]
            return ea.thread != events[b].thread or (ea.is_init and a != b)

        def restricted() -> ZRel:
            keep = external if scope == "ext" else (lambda a, b: not external(a, b))
            return ZRel({(a, b): conj(c, conj(ex[a], ex[b]))
                         for (a, b), c in self.rel(base).edges.items() if keep(a, b)})
        return restricted

    def _po_loc(self) -> ZRel:
        """`po & loc`, from the po pairs: `loc` is quadratic in the memory events."""
        ex, events = self.enc.exec, self.events
        edges: dict[Pair, Cond] = {}
        for (a, b), c in self.rel("po").edges.items():
            # with herd's register events, po also orders them (ids after the events')
            if a >= len(events) or b >= len(events):
                continue
            if events[a].is_memory and events[b].is_memory:
                same = self.enc.same_loc(a, b)
                if same is not False:
                    edges[(a, b)] = conj(c, conj(conj(ex[a], ex[b]), same))
        return ZRel(edges)

    def _set(self, keep: Callable[[Event], bool]) -> ZSet:
        return ZSet({e.eid: self.enc.exec[e.eid] for e in self.events if keep(e)})

    def _static(self, pairs: object) -> ZRel:
        """A relation fixed by the program: only the events' own guards are dynamic."""
        ex = self.guard
        return ZRel({(a, b): conj(ex[a], ex[b]) for a, b in pairs})  # type: ignore[attr-defined]

    def _dependency(self, kind: str, pairs: frozenset[Pair]) -> ZRel:
        """A dependency relation (addr, data, pick-addr, ...): static pairs, except those
        that hold only on some paths (`EventProgram.dep_conditions`)."""
        edges = dict(self._static(pairs).edges)
        for pair, when in self.enc.program.dep_conditions.get(kind, {}).items():
            if pair in edges:
                edges[pair] = conj(edges[pair], to_cond(self.enc.value_term(when)))
        return ZRel(edges)

    @cached_property
    def event_values(self) -> dict[int, Term]:
        """The value each memory event reads or writes (for `different-values`)."""
        values: dict[int, Term] = {}
        for e in self.events:
            if e.kind == "R":
                values[e.eid] = self.enc.read_values[e.eid]
            elif e.kind == "W" and e.value is not None:
                values[e.eid] = self.enc.value_term(e.value)
        return values

    @cached_property
    def po_pairs(self) -> list[Pair]:
        """Program order: pairs of events of one thread from different instructions."""
        events = self.events
        pairs: list[Pair] = []
        for thread in self.enc.program.po:
            for i, a in enumerate(thread):
                pairs.extend(
                    (a, b) for b in thread[i + 1:] if events[a].instr != events[b].instr
                )
        return pairs

    @cached_property
    def int_pairs(self) -> list[Pair]:
        """Pairs of events of one thread (reflexive pairs included, as herd)."""
        return [(a, b) for t in self.enc.program.po for a in t for b in t]

    @cached_property
    def ext_pairs(self) -> list[Pair]:
        """Pairs of events of different threads; an initial write is external to all."""
        return [
            (a.eid, b.eid) for a in self.events for b in self.events
            if a.thread != b.thread or (a.is_init and a.eid != b.eid)
        ]

    @cached_property
    def loc(self) -> dict[Pair, Cond]:
        """Pairs of memory events that may access the same location."""
        mem = [e for e in self.events if e.is_memory]
        ex = self.enc.exec
        out: dict[Pair, Cond] = {}
        for a in mem:
            for b in mem:
                same = True if a.eid == b.eid else self.enc.same_loc(a.eid, b.eid)
                if same is not False:
                    out[(a.eid, b.eid)] = conj(conj(ex[a.eid], ex[b.eid]), same)
        return out
