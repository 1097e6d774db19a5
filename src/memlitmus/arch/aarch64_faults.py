"""AArch64 instructions that fault: UDF (undefined instruction) and SVC (supervisor call),
and what a fault does to its thread, as herd 7.58 has them.

herd (herd/AArch64Sem.ml `I_UDF`, `I_SVC`) gives each a fault event (`mk_fault`: no
location, direction R, no annotation, type `UndefinedInstruction` or `SupervisorCall`,
an exception entry since it is no asynchronous tag check) and sets ELR_EL1; what follows
is herd's fault handling (herd/mem.ml `add_fault`, lib/fault.ml `Handling`), chosen by
the test's `Variant=` words over herd's `-variant` (`base.fault_handling_of`):

* `fatal` or `precise`, and the default: the thread stops; its registers keep the values
  they had (`stop`).
* `faultToNext` or `skip`: the thread goes on with the next instruction.
* `handled` or `imprecise`: herd re-runs the instruction in the thread's fault handler
  (`P0.F` code); without one, a UDF or SVC faults again and herd drops the execution.
  memlitmus has no fault handlers: refused by name.

The event is in herd's sets `FAULT`, `FAULT-RD`, `EXC-ENTRY` and the set of its type
(herd/machAction.ml `fault_sets`), which herd's aarch64.cat sees (`EXC-ENTRY` is an
instruction-fetch barrier there, `IFB`). ELR_EL1 takes the faulting instruction's
label (UDF) or the next one's (SVC) when there is one (`_set_elr`).
"""

from __future__ import annotations

from memlitmus.arch.aarch64_runner import A64Thread, Handler
from memlitmus.arch.aarch64_trace import label_value
from memlitmus.arch.base import operands
from memlitmus.errors import Span, UnsupportedError
from memlitmus.events import Fault
from memlitmus.litmus.ast import AsmThread, Imm, Instr

__all__ = ["FAULT_TAGS", "HANDLERS", "raise_fault"]

FAULT_TAGS = frozenset({"FAULT", "FAULT-RD", "FAULT-WR", "EXC-ENTRY",
                        "UndefinedInstruction", "SupervisorCall"})
"""herd's event sets of the faults memlitmus makes (a model knows them when empty)."""

def raise_fault(t: A64Thread, fault: Fault, tags: frozenset[str], span: Span) -> None:
    """A fault of the instruction being run, then what the test's fault handling makes
    of it (see the module)."""
    mode = t.tb.fault_handling
    if mode == "handled":
        raise UnsupportedError(
            "a fault under herd's fault handling `handled` (herd re-runs the faulting "
            "instruction in the thread's fault handler; memlitmus has none: use "
            "`Variant=fatal` or `faultToNext`)", span)
    t.tb.fault(fault, tags, span)
    if mode == "fatal":
        t.tb.stop()


def _exception(ftype: str) -> Handler:
    """UDF #imm / SVC #imm: an exception of type `ftype` (herd: no location, a read)."""
    def handler(t: A64Thread, instr: Instr) -> None:
        (imm,) = operands(instr, 1)
        if not (isinstance(imm, Imm) and isinstance(imm.value, int)):
            raise UnsupportedError(f"`{instr.mnemonic}` takes an immediate (`#0`)", instr.span)
        _set_elr(t, after=ftype == "SupervisorCall")
        raise_fault(t, Fault(t.tb.instr_labels, None, ftype),
                    frozenset({"FAULT", "FAULT-RD", "EXC-ENTRY", ftype}), instr.span)
    return handler


def _set_elr(t: A64Thread, after: bool) -> None:
    """ELR_EL1 := the faulting instruction's address (UDF) or the next one's (SVC), as
    herd sets it (`get_instr_label`, `get_link_addr`): the least label there, as a code
    label value (`label:"P0:L0"`). With no label there herd gives the instruction's
    numeric address, which memlitmus does not lay out: ELR_EL1 is then left as it was."""
    if t.trace is not None:
        proc, index = t.trace.at
        labels = t.trace.labels_after(t.trace.at) if after else \
            t.trace.labels_before(t.trace.at)
    else:
        proc = t.tb.tid
        thread = t.tb.peers.get(proc)
        code = thread.code if isinstance(thread, AsmThread) else ()
        labels = []
        for stmt in code[t.index + 1:] if after else ():
            if isinstance(stmt, Instr):
                break
            labels.append(stmt.name)
        if not after:
            labels = sorted(t.tb.instr_labels)
    if labels:  # a code address, not a location: no initial write (herd has none)
        t.tb.set_address("ELR_EL1", label_value(proc, min(labels)))


HANDLERS: dict[str, Handler] = {
    "UDF": _exception("UndefinedInstruction"),
    "SVC": _exception("SupervisorCall"),
}
