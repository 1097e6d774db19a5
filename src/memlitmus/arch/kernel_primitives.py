"""The kernel primitives of the LKMM: one table line per primitive → event shape and tag.

The facts follow herd's `linux-kernel.def` (herdtools7 7.58): which events each primitive
makes and which annotation they carry. Annotations are given as the event-set names the
cat model sees (herd capitalises bell annotations: `'once` → `Once`, `'rcu-lock` →
`Rcu-lock`). Atomic read-modify-writes put their annotation on both events and add `RMW`;
the model's bell part then filters them as herd's does (`Acquire` only on reads, no
ordering for a failed `cmpxchg`, ...).

Columns: NAME SHAPE TAG ARGS [OP [TEST]]

* SHAPE: `load` / `store` (one access), `store_mb` (a store then an `Mb` fence), `fence`,
  `xchg`, `cmpxchg`, `rmw` (atomic op), `add_unless`, `lock`, `unlock`, `trylock`,
  `islocked`, `srcu_lock` (a read of the srcu struct), `srcu_unlock` (a write of the
  cookie), `sync_srcu` (a grace-period fence bound to the srcu struct).
* ARGS: the parameters in call order. `*X` is an lvalue such as `*x` (herd's `__load(X)`
  with `X` = `*x`): the access goes to `x`. `X` is a pointer, `V`, `W` values.
* OP (for `rmw`): the update and the value returned: `+V` `-V` `+1` `-1` `&V` `|V`
  `^V` `&~V`, then `:none` (no result: herd's `noreturn`), `:new` or `:old`.
* TEST: a comparison of the new value with 0 (`==0`, `<0`), for `*_and_test` and
  `add_negative`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

TABLE = """
# name                            shape        tag                     args    op
READ_ONCE                         load         Once                    *X
WRITE_ONCE                        store        Once                    *X,V
smp_load_acquire                  load         Acquire                 X
smp_store_release                 store        Release                 X,V
rcu_dereference                   load         Once                    *X
rcu_assign_pointer                store        Release                 *X,V
smp_store_mb                      store_mb     Once                    *X,V

smp_mb                            fence        Mb                      -
smp_rmb                           fence        Rmb                     -
smp_wmb                           fence        Wmb                     -
barrier                           fence        Barrier                 -
smp_mb__before_atomic             fence        Before-atomic           -
smp_mb__after_atomic              fence        After-atomic            -
smp_mb__after_spinlock            fence        After-spinlock          -
smp_mb__after_unlock_lock         fence        After-unlock-lock       -
smp_mb__after_srcu_read_unlock    fence        After-srcu-read-unlock  -
# Not in herd's linux-kernel.def: the mandatory barriers, which the LKMM does not model,
# judged as their smp_ forms (no weaker; on hardware they lower to MFENCE/DSB, see
# memlitmus.kernel.tables).
mb                                fence        Mb                      -
rmb                               fence        Rmb                     -
wmb                               fence        Wmb                     -

xchg                              xchg         Mb                      X,V
xchg_relaxed                      xchg         Once                    X,V
xchg_acquire                      xchg         Acquire                 X,V
xchg_release                      xchg         Release                 X,V
cmpxchg                           cmpxchg      Mb                      X,V,W
cmpxchg_relaxed                   cmpxchg      Once                    X,V,W
cmpxchg_acquire                   cmpxchg      Acquire                 X,V,W
cmpxchg_release                   cmpxchg      Release                 X,V,W

spin_lock                         lock         LKR                     X
spin_unlock                       unlock       UL                      X
spin_trylock                      trylock      LKR                     X
spin_is_locked                    islocked     IsLocked                X

rcu_read_lock                     fence        Rcu-lock                -
rcu_read_unlock                   fence        Rcu-unlock              -
synchronize_rcu                   fence        Sync-rcu                -
synchronize_rcu_expedited         fence        Sync-rcu                -
# Not in linux-kernel.def: synchronize_sched() is synchronize_rcu() since Linux 4.20.
synchronize_sched                 fence        Sync-rcu                -

srcu_read_lock                    srcu_lock    Srcu-lock               X
srcu_read_unlock                  srcu_unlock  Srcu-unlock             X,V
srcu_down_read                    srcu_lock    Srcu-lock               X
srcu_up_read                      srcu_unlock  Srcu-unlock             X,V
synchronize_srcu                  sync_srcu    Sync-srcu               X
synchronize_srcu_expedited        sync_srcu    Sync-srcu               X

atomic_read                       load         Once                    X
atomic_set                        store        Once                    X,V
atomic_read_acquire               load         Acquire                 X
atomic_set_release                store        Release                 X,V

atomic_add                        rmw          Noreturn                V,X     +V:none
atomic_sub                        rmw          Noreturn                V,X     -V:none
atomic_and                        rmw          Noreturn                V,X     &V:none
atomic_or                         rmw          Noreturn                V,X     |V:none
atomic_xor                        rmw          Noreturn                V,X     ^V:none
atomic_andnot                     rmw          Noreturn                V,X     &~V:none
atomic_inc                        rmw          Noreturn                X       +1:none
atomic_dec                        rmw          Noreturn                X       -1:none

atomic_add_return                 rmw          Mb                      V,X     +V:new
atomic_add_return_relaxed         rmw          Once                    V,X     +V:new
atomic_add_return_acquire         rmw          Acquire                 V,X     +V:new
atomic_add_return_release         rmw          Release                 V,X     +V:new
atomic_sub_return                 rmw          Mb                      V,X     -V:new
atomic_sub_return_relaxed         rmw          Once                    V,X     -V:new
atomic_sub_return_acquire         rmw          Acquire                 V,X     -V:new
atomic_sub_return_release         rmw          Release                 V,X     -V:new
atomic_inc_return                 rmw          Mb                      X       +1:new
atomic_inc_return_relaxed         rmw          Once                    X       +1:new
atomic_inc_return_acquire         rmw          Acquire                 X       +1:new
atomic_inc_return_release         rmw          Release                 X       +1:new
atomic_dec_return                 rmw          Mb                      X       -1:new
atomic_dec_return_relaxed         rmw          Once                    X       -1:new
atomic_dec_return_acquire         rmw          Acquire                 X       -1:new
atomic_dec_return_release         rmw          Release                 X       -1:new

atomic_fetch_add                  rmw          Mb                      V,X     +V:old
atomic_fetch_add_relaxed          rmw          Once                    V,X     +V:old
atomic_fetch_add_acquire          rmw          Acquire                 V,X     +V:old
atomic_fetch_add_release          rmw          Release                 V,X     +V:old
atomic_fetch_sub                  rmw          Mb                      V,X     -V:old
atomic_fetch_sub_relaxed          rmw          Once                    V,X     -V:old
atomic_fetch_sub_acquire          rmw          Acquire                 V,X     -V:old
atomic_fetch_sub_release          rmw          Release                 V,X     -V:old
atomic_fetch_inc                  rmw          Mb                      X       +1:old
atomic_fetch_inc_relaxed          rmw          Once                    X       +1:old
atomic_fetch_inc_acquire          rmw          Acquire                 X       +1:old
atomic_fetch_inc_release          rmw          Release                 X       +1:old
atomic_fetch_dec                  rmw          Mb                      X       -1:old
atomic_fetch_dec_relaxed          rmw          Once                    X       -1:old
atomic_fetch_dec_acquire          rmw          Acquire                 X       -1:old
atomic_fetch_dec_release          rmw          Release                 X       -1:old
atomic_fetch_and                  rmw          Mb                      V,X     &V:old
atomic_fetch_and_relaxed          rmw          Once                    V,X     &V:old
atomic_fetch_and_acquire          rmw          Acquire                 V,X     &V:old
atomic_fetch_and_release          rmw          Release                 V,X     &V:old
atomic_fetch_or                   rmw          Mb                      V,X     |V:old
atomic_fetch_or_relaxed           rmw          Once                    V,X     |V:old
atomic_fetch_or_acquire           rmw          Acquire                 V,X     |V:old
atomic_fetch_or_release           rmw          Release                 V,X     |V:old
atomic_fetch_xor                  rmw          Mb                      V,X     ^V:old
atomic_fetch_xor_relaxed          rmw          Once                    V,X     ^V:old
atomic_fetch_xor_acquire          rmw          Acquire                 V,X     ^V:old
atomic_fetch_xor_release          rmw          Release                 V,X     ^V:old
atomic_fetch_andnot               rmw          Mb                      V,X     &~V:old
atomic_fetch_andnot_relaxed       rmw          Once                    V,X     &~V:old
atomic_fetch_andnot_acquire       rmw          Acquire                 V,X     &~V:old
atomic_fetch_andnot_release       rmw          Release                 V,X     &~V:old

atomic_xchg                       xchg         Mb                      X,V
atomic_xchg_relaxed               xchg         Once                    X,V
atomic_xchg_acquire               xchg         Acquire                 X,V
atomic_xchg_release               xchg         Release                 X,V
atomic_cmpxchg                    cmpxchg      Mb                      X,V,W
atomic_cmpxchg_relaxed            cmpxchg      Once                    X,V,W
atomic_cmpxchg_acquire            cmpxchg      Acquire                 X,V,W
atomic_cmpxchg_release            cmpxchg      Release                 X,V,W

atomic_sub_and_test               rmw          Mb                      V,X     -V:new   ==0
atomic_dec_and_test               rmw          Mb                      X       -1:new   ==0
atomic_inc_and_test               rmw          Mb                      X       +1:new   ==0
atomic_add_negative               rmw          Mb                      V,X     +V:new   <0
atomic_add_negative_relaxed       rmw          Once                    V,X     +V:new   <0
atomic_add_negative_acquire       rmw          Acquire                 V,X     +V:new   <0
atomic_add_negative_release       rmw          Release                 V,X     +V:new   <0
atomic_add_unless                 add_unless   Mb                      X,V,W
"""

SHAPES = frozenset({
    "load", "store", "store_mb", "fence", "xchg", "cmpxchg", "rmw", "add_unless", "lock",
    "unlock", "trylock", "islocked", "srcu_lock", "srcu_unlock", "sync_srcu",
})


@dataclass(frozen=True)
class Primitive:
    """One line of the table."""

    name: str
    shape: str
    tag: str
    args: tuple[str, ...]  # "*X" (an lvalue `*p`), "X" (a pointer), "V", "W" (values)
    op: str = ""  # rmw update: "+", "-", "&", "|", "^", "&~"
    operand: str = ""  # rmw operand: "V" or a constant such as "1"
    result: str = ""  # rmw result: "none", "new", "old"
    test: str = ""  # comparison of the result with 0: "==0", "<0"
    herd_tag: str = field(default="", compare=False)
    """The annotation's event-set name as herd's bell names it, when a `.def` file spells it
    otherwise than `tag` (`ONCE` for `Once`): events carry both names."""

    def arg_index(self, name: str) -> int:
        """Where parameter `name` (X, V or W) is in the call's argument list."""
        for i, arg in enumerate(self.args):
            if arg.lstrip("*") == name:
                return i
        raise KeyError(name)


def _parse_line(line: str) -> Primitive:
    fields = line.split()
    name, shape, tag, args = fields[:4]
    if shape not in SHAPES:
        raise ValueError(f"kernel primitives table: unknown shape `{shape}` for `{name}`")
    prim = Primitive(name, shape, tag, () if args == "-" else tuple(args.split(",")))
    if len(fields) > 4:
        update, _, result = fields[4].partition(":")
        op = update.rstrip("V0123456789")
        prim = Primitive(name, shape, tag, prim.args, op, update[len(op):], result,
                         fields[5] if len(fields) > 5 else "")
    return prim


@cache
def primitives() -> dict[str, Primitive]:
    """Every kernel primitive by name, parsed once from TABLE."""
    table: dict[str, Primitive] = {}
    for raw in TABLE.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            prim = _parse_line(line)
            table[prim.name] = prim
    return table
