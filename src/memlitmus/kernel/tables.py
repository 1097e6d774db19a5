# ruff: noqa: E501  (a data table: one kernel primitive per line, with its source)
"""The kernel's own mappings: one table per target, primitive → the instructions it emits.

Each line reads `NAME | INSTRUCTIONS | KERNEL SOURCE`. INSTRUCTIONS are real X86_64
(AT&T) or AArch64 instructions separated by `;`, written with placeholders that the
lowering binds (`memlitmus.kernel.templates`):

* `{x}` the register holding the accessed address; `{v}`, `{w}` the primitive's value
  arguments (V and W of `arch.kernel_primitives`); `{r}` the register that holds the
  value *read* (the old value of an RMW) when the instructions are done; `{t}`, `{u}`
  scratch registers; `{s}` a store-exclusive status register; `{sp}` (x86) a pointer to
  the thread's private stack slot.
* `%L:`, `%E:` … labels, renamed per use. A backward branch is a retry loop: the
  iteration that exits is the one that succeeds (store-exclusive loops are the AArch64
  front end's own; any other backward branch — a `cmpxchg` or spin loop — is read as
  "the branch is not taken").
* `-`: no instruction (a compiler barrier only). `=`: the primitive's own events as the
  C front end makes them (the `sc` table). `@grace-period`: a grace period, with remote
  fences (`memlitmus.kernel.grace`), not an instruction sequence. Two lines are not
  primitives but the grace period's own code: `@gp-fence`, the caller's full fences, and
  `@gp-handshake`, a remote thread's exchange at its fence point (`{x}` its location,
  `{v}` the value 2).

The value a primitive returns to C is computed from `{r}` by its shape (`:new`,
`_and_test`, `trylock` ... as in `arch.kernel_primitives`), so the instruction that
recomputes it in the kernel (`add w0, w0, w1` after `ldadd`, `sete`) is left out: it is
register arithmetic and makes no event. Sources are Linux v6.x paths; `-` lines and the
`_relaxed`/`_acquire`/`_release` variants that x86 does not define fall back to the fully
ordered forms (include/linux/atomic/atomic-arch-fallback.h).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

from memlitmus.arch.kernel_primitives import Primitive, primitives
from memlitmus.errors import Span, UnsupportedError

X86 = """
READ_ONCE                      | movq ({x}),{r} | include/asm-generic/rwonce.h (__READ_ONCE: volatile load)
WRITE_ONCE                     | movq {v},({x}) | include/asm-generic/rwonce.h (__WRITE_ONCE: volatile store)
smp_load_acquire               | movq ({x}),{r} | arch/x86/include/asm/barrier.h (__smp_load_acquire: READ_ONCE; barrier())
smp_store_release              | movq {v},({x}) | arch/x86/include/asm/barrier.h (__smp_store_release: barrier(); WRITE_ONCE)
rcu_dereference                | movq ({x}),{r} | include/linux/rcupdate.h (READ_ONCE of the pointer)
rcu_assign_pointer             | movq {v},({x}) | include/linux/rcupdate.h (smp_store_release)
smp_store_mb                   | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/barrier.h (__smp_store_mb: xchg)
smp_mb                         | lock addq $0,({sp}) | arch/x86/include/asm/barrier.h (__smp_mb: lock; addl $0,-4(%rsp))
smp_rmb                        | - | arch/x86/include/asm/barrier.h (__smp_rmb: dma_rmb() = barrier())
smp_wmb                        | - | arch/x86/include/asm/barrier.h (__smp_wmb: barrier())
barrier                        | - | include/linux/compiler.h (compiler barrier)
smp_mb__before_atomic          | - | arch/x86/include/asm/barrier.h (barrier(): atomics are LOCK-prefixed)
smp_mb__after_atomic           | - | arch/x86/include/asm/barrier.h (barrier(): atomics are LOCK-prefixed)
smp_mb__after_spinlock         | - | include/linux/spinlock.h (no-op: the lock is a LOCK-prefixed cmpxchg)
smp_mb__after_unlock_lock      | - | kernel/rcu/rcu.h (smp_mb() on powerpc only)
smp_mb__after_srcu_read_unlock | - | include/linux/srcu.h (barrier(): srcu_read_unlock has smp_mb)
mb                             | mfence | arch/x86/include/asm/barrier.h (mb(): mfence)
rmb                            | lfence | arch/x86/include/asm/barrier.h (rmb(): lfence)
wmb                            | sfence | arch/x86/include/asm/barrier.h (wmb(): sfence)
xchg                           | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/cmpxchg.h (arch_xchg: xchg, implicitly locked)
xchg_relaxed                   | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/cmpxchg.h (arch_xchg)
xchg_acquire                   | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/cmpxchg.h (arch_xchg)
xchg_release                   | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/cmpxchg.h (arch_xchg)
cmpxchg                        | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/cmpxchg.h (__raw_cmpxchg: LOCK_PREFIX cmpxchg)
cmpxchg_relaxed                | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/cmpxchg.h (__raw_cmpxchg)
cmpxchg_acquire                | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/cmpxchg.h (__raw_cmpxchg)
cmpxchg_release                | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/cmpxchg.h (__raw_cmpxchg)
spin_lock                      | %L: movq $0,{r} ; movq $1,{t} ; lock cmpxchgq ({x}),{t} ; jne %L | include/asm-generic/qspinlock.h (queued_spin_lock: atomic_try_cmpxchg_acquire 0 -> _Q_LOCKED_VAL)
spin_unlock                    | movq $0,({x}) | include/asm-generic/qspinlock.h (queued_spin_unlock: smp_store_release(&lock->locked, 0))
spin_trylock                   | movq ({x}),{r} ; cmpq $0,{r} ; jne %E ; movq $1,{t} ; lock cmpxchgq ({x}),{t} ; %E: | include/asm-generic/qspinlock.h (queued_spin_trylock: atomic_read, then one try_cmpxchg_acquire)
spin_is_locked                 | movq ({x}),{r} | include/asm-generic/qspinlock.h (queued_spin_is_locked: atomic_read)
rcu_read_lock                  | - | include/linux/rcupdate.h (__rcu_read_lock: preempt_disable(), a compiler barrier)
rcu_read_unlock                | - | include/linux/rcupdate.h (__rcu_read_unlock: preempt_enable())
synchronize_rcu                | @grace-period | kernel/rcu/tree.c (synchronize_rcu)
synchronize_rcu_expedited      | @grace-period | kernel/rcu/tree_exp.h (synchronize_rcu_expedited)
synchronize_sched              | @grace-period | include/linux/rcupdate.h (synchronize_rcu since v4.20)
@gp-fence                      | mfence | kernel/rcu/tree.c (the grace period's smp_mb()s: a full fence; MFENCE is the same fence as lock;addl in x86-TSO, with one event instead of two)
@gp-handshake                  | movq {v},{r} ; xchgq {r},({x}) | kernel/rcu/tree.c (a CPU's quiescent state seen by the grace period, through memory with a full barrier: a locked exchange, whose read and write are that barrier in x86-TSO; docs/kernel-mappings.md)
srcu_read_lock                 | movq $0,{r} ; lock addq $0,({sp}) | kernel/rcu/srcutree.c (__srcu_read_lock: this_cpu_inc(lock count); smp_mb() /* B */)
srcu_read_unlock               | lock addq $0,({sp}) | kernel/rcu/srcutree.c (__srcu_read_unlock: smp_mb() /* C */; this_cpu_inc(unlock count))
srcu_down_read                 | movq $0,{r} ; lock addq $0,({sp}) | kernel/rcu/srcutree.c (srcu_down_read: __srcu_read_lock)
srcu_up_read                   | lock addq $0,({sp}) | kernel/rcu/srcutree.c (srcu_up_read: __srcu_read_unlock)
synchronize_srcu               | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu)
synchronize_srcu_expedited     | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu_expedited)
atomic_read                    | movq ({x}),{r} | arch/x86/include/asm/atomic.h (arch_atomic_read: __READ_ONCE)
atomic_set                     | movq {v},({x}) | arch/x86/include/asm/atomic.h (arch_atomic_set: __WRITE_ONCE)
atomic_read_acquire            | movq ({x}),{r} | include/linux/atomic/atomic-arch-fallback.h (smp_load_acquire)
atomic_set_release             | movq {v},({x}) | include/linux/atomic/atomic-arch-fallback.h (smp_store_release)
atomic_xchg                    | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/atomic.h (arch_atomic_xchg: arch_xchg)
atomic_xchg_relaxed            | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/atomic.h (arch_atomic_xchg)
atomic_xchg_acquire            | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/atomic.h (arch_atomic_xchg)
atomic_xchg_release            | movq {v},{r} ; xchgq {r},({x}) | arch/x86/include/asm/atomic.h (arch_atomic_xchg)
atomic_cmpxchg                 | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/atomic.h (arch_atomic_cmpxchg: arch_cmpxchg)
atomic_cmpxchg_relaxed         | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/atomic.h (arch_atomic_cmpxchg)
atomic_cmpxchg_acquire         | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/atomic.h (arch_atomic_cmpxchg)
atomic_cmpxchg_release         | movq {v},{r} ; lock cmpxchgq ({x}),{w} | arch/x86/include/asm/atomic.h (arch_atomic_cmpxchg)
atomic_add_unless              | movq ({x}),{r} ; %L: cmpq {w},{r} ; je %E ; movq {r},{t} ; addq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L ; %E: | include/linux/atomic/atomic-arch-fallback.h (raw_atomic_fetch_add_unless: try_cmpxchg loop)
atomic_add                     | lock addq {v},({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_sub                     | lock subq {v},({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_and                     | lock andq {v},({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_or                      | lock orq {v},({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_xor                     | lock xorq {v},({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_andnot                  | movq $-1,{t} ; xorq {v},{t} ; lock andq {t},({x}) | arch/x86/include/asm/atomic.h (no arch_atomic_andnot: generic fallback and(~i))
atomic_inc                     | lock incq ({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_dec                     | lock decq ({x}) | arch/x86/include/asm/atomic.h (LOCK_PREFIX op)
atomic_add_return              | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_return_relaxed      | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_return_acquire      | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_return_release      | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_sub_return              | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_sub_return_relaxed      | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_sub_return_acquire      | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_sub_return_release      | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_inc_return              | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_inc_return_relaxed      | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_inc_return_acquire      | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_inc_return_release      | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_dec_return              | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_dec_return_relaxed      | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_dec_return_acquire      | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_dec_return_release      | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_add               | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_add_relaxed       | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_add_acquire       | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_add_release       | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_sub               | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_sub_relaxed       | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_sub_acquire       | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_sub_release       | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_inc               | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_inc_relaxed       | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_inc_acquire       | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_inc_release       | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_dec               | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_dec_relaxed       | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_dec_acquire       | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_dec_release       | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_fetch_and               | movq ({x}),{r} ; %L: movq {r},{t} ; andq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_and_relaxed       | movq ({x}),{r} ; %L: movq {r},{t} ; andq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_and_acquire       | movq ({x}),{r} ; %L: movq {r},{t} ; andq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_and_release       | movq ({x}),{r} ; %L: movq {r},{t} ; andq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_or                | movq ({x}),{r} ; %L: movq {r},{t} ; orq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_or_relaxed        | movq ({x}),{r} ; %L: movq {r},{t} ; orq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_or_acquire        | movq ({x}),{r} ; %L: movq {r},{t} ; orq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_or_release        | movq ({x}),{r} ; %L: movq {r},{t} ; orq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_xor               | movq ({x}),{r} ; %L: movq {r},{t} ; xorq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_xor_relaxed       | movq ({x}),{r} ; %L: movq {r},{t} ; xorq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_xor_acquire       | movq ({x}),{r} ; %L: movq {r},{t} ; xorq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_xor_release       | movq ({x}),{r} ; %L: movq {r},{t} ; xorq {v},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_op: try_cmpxchg loop)
atomic_fetch_andnot            | movq ({x}),{r} ; %L: movq {r},{t} ; movq $-1,{u} ; xorq {v},{u} ; andq {u},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_andnot: generic fallback to fetch_and(~i), op: try_cmpxchg loop)
atomic_fetch_andnot_relaxed    | movq ({x}),{r} ; %L: movq {r},{t} ; movq $-1,{u} ; xorq {v},{u} ; andq {u},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_andnot: generic fallback to fetch_and(~i), op: try_cmpxchg loop)
atomic_fetch_andnot_acquire    | movq ({x}),{r} ; %L: movq {r},{t} ; movq $-1,{u} ; xorq {v},{u} ; andq {u},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_andnot: generic fallback to fetch_and(~i), op: try_cmpxchg loop)
atomic_fetch_andnot_release    | movq ({x}),{r} ; %L: movq {r},{t} ; movq $-1,{u} ; xorq {v},{u} ; andq {u},{t} ; lock cmpxchgq ({x}),{t} ; jne %L | arch/x86/include/asm/atomic.h (arch_atomic_fetch_andnot: generic fallback to fetch_and(~i), op: try_cmpxchg loop)
atomic_sub_and_test            | movq $0,{r} ; subq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_dec_and_test            | movq $-1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_inc_and_test            | movq $1,{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_negative            | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_negative_relaxed    | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_negative_acquire    | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
atomic_add_negative_release    | movq {v},{r} ; lock xaddq {r},({x}) | arch/x86/include/asm/atomic.h (xadd: add_return = i + xadd; sub via -i; _and_test/add_negative use lock+setcc, same events)
"""

ARM64_COMMON = """
READ_ONCE                      | LDR {r},[{x}] | arch/arm64/include/asm/rwonce.h (__READ_ONCE: plain LDR; LDAR only with CONFIG_LTO)
WRITE_ONCE                     | STR {v},[{x}] | include/asm-generic/rwonce.h (__WRITE_ONCE: volatile store)
smp_load_acquire               | LDAR {r},[{x}] | arch/arm64/include/asm/barrier.h (__smp_load_acquire: ldar)
smp_store_release              | STLR {v},[{x}] | arch/arm64/include/asm/barrier.h (__smp_store_release: stlr)
rcu_dereference                | LDR {r},[{x}] | include/linux/rcupdate.h (READ_ONCE; the address dependency orders the use)
rcu_assign_pointer             | STLR {v},[{x}] | include/linux/rcupdate.h (smp_store_release)
smp_store_mb                   | STR {v},[{x}] ; DMB ISH | include/asm-generic/barrier.h (__smp_store_mb: WRITE_ONCE; __smp_mb())
smp_mb                         | DMB ISH | arch/arm64/include/asm/barrier.h (__smp_mb: dmb(ish))
smp_rmb                        | DMB ISHLD | arch/arm64/include/asm/barrier.h (__smp_rmb: dmb(ishld))
smp_wmb                        | DMB ISHST | arch/arm64/include/asm/barrier.h (__smp_wmb: dmb(ishst))
barrier                        | - | include/linux/compiler.h (compiler barrier)
smp_mb__before_atomic          | DMB ISH | include/asm-generic/barrier.h (__smp_mb__before_atomic: smp_mb())
smp_mb__after_atomic           | DMB ISH | include/asm-generic/barrier.h (__smp_mb__after_atomic: smp_mb())
smp_mb__after_spinlock         | DMB ISH | arch/arm64/include/asm/spinlock.h (smp_mb__after_spinlock: smp_mb())
smp_mb__after_unlock_lock      | - | kernel/rcu/rcu.h (smp_mb() on powerpc only)
smp_mb__after_srcu_read_unlock | - | include/linux/srcu.h (barrier(): srcu_read_unlock has smp_mb)
mb                             | DSB SY | arch/arm64/include/asm/barrier.h (mb(): dsb(sy))
rmb                            | DSB LD | arch/arm64/include/asm/barrier.h (rmb(): dsb(ld))
wmb                            | DSB ST | arch/arm64/include/asm/barrier.h (wmb(): dsb(st))
rcu_read_lock                  | - | include/linux/rcupdate.h (__rcu_read_lock: preempt_disable(), a compiler barrier)
rcu_read_unlock                | - | include/linux/rcupdate.h (__rcu_read_unlock: preempt_enable())
synchronize_rcu                | @grace-period | kernel/rcu/tree.c (synchronize_rcu)
synchronize_rcu_expedited      | @grace-period | kernel/rcu/tree_exp.h (synchronize_rcu_expedited)
synchronize_sched              | @grace-period | include/linux/rcupdate.h (synchronize_rcu since v4.20)
@gp-fence                      | DMB ISH | kernel/rcu/tree.c (the grace period's smp_mb()s)
@gp-handshake                  | SWPAL {v},{r},[{x}] | kernel/rcu/tree.c (a CPU's quiescent state seen by the grace period, through memory with a full barrier: an acquire-release exchange, ordered as DMB ISH is; docs/kernel-mappings.md)
srcu_read_lock                 | MOV {r},#0 ; DMB ISH | kernel/rcu/srcutree.c (__srcu_read_lock: this_cpu_inc(lock count); smp_mb() /* B */)
srcu_read_unlock               | DMB ISH | kernel/rcu/srcutree.c (__srcu_read_unlock: smp_mb() /* C */; this_cpu_inc(unlock count))
srcu_down_read                 | MOV {r},#0 ; DMB ISH | kernel/rcu/srcutree.c (srcu_down_read: __srcu_read_lock)
srcu_up_read                   | DMB ISH | kernel/rcu/srcutree.c (srcu_up_read: __srcu_read_unlock)
synchronize_srcu               | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu)
synchronize_srcu_expedited     | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu_expedited)
spin_unlock                    | STLR XZR,[{x}] | include/asm-generic/qspinlock.h (queued_spin_unlock: smp_store_release(&lock->locked, 0))
spin_is_locked                 | LDR {r},[{x}] | include/asm-generic/qspinlock.h (queued_spin_is_locked: atomic_read)
atomic_read                    | LDR {r},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_read: READ_ONCE)
atomic_set                     | STR {v},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_set: WRITE_ONCE)
atomic_read_acquire            | LDAR {r},[{x}] | include/linux/atomic/atomic-arch-fallback.h (smp_load_acquire)
atomic_set_release             | STLR {v},[{x}] | include/linux/atomic/atomic-arch-fallback.h (smp_store_release)
"""

ARM64_LSE = ARM64_COMMON + """
xchg                           | SWPAL {v},{r},[{x}] | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE mb: swpal)
xchg_relaxed                   | SWP {v},{r},[{x}] | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE: swp)
xchg_acquire                   | SWPA {v},{r},[{x}] | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE acq: swpa)
xchg_release                   | SWPL {v},{r},[{x}] | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE rel: swpl)
cmpxchg                        | MOV {r},{v} ; CASAL {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE mb: casal)
cmpxchg_relaxed                | MOV {r},{v} ; CAS {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE: cas)
cmpxchg_acquire                | MOV {r},{v} ; CASA {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE acq: casa)
cmpxchg_release                | MOV {r},{v} ; CASL {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE rel: casl)
atomic_xchg                    | SWPAL {v},{r},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_xchg: arch_xchg)
atomic_xchg_relaxed            | SWP {v},{r},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_xchg_relaxed)
atomic_xchg_acquire            | SWPA {v},{r},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_xchg_acquire)
atomic_xchg_release            | SWPL {v},{r},[{x}] | arch/arm64/include/asm/atomic.h (arch_atomic_xchg_release)
atomic_cmpxchg                 | MOV {r},{v} ; CASAL {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE mb: casal)
atomic_cmpxchg_relaxed         | MOV {r},{v} ; CAS {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE: cas)
atomic_cmpxchg_acquire         | MOV {r},{v} ; CASA {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE acq: casa)
atomic_cmpxchg_release         | MOV {r},{v} ; CASL {r},{w},[{x}] | arch/arm64/include/asm/atomic_lse.h (__CMPXCHG_CASE rel: casl)
atomic_add_unless              | %L: LDR {r},[{x}] ; CMP {r},{w} ; B.EQ %E ; ADD {t},{r},{v} ; MOV {u},{r} ; CASAL {u},{t},[{x}] ; CMP {u},{r} ; B.NE %L ; %E: | include/linux/atomic/atomic-arch-fallback.h (raw_atomic_fetch_add_unless: try_cmpxchg loop)
spin_lock                      | %L: MOV {r},#0 ; MOV {t},#1 ; CASA {r},{t},[{x}] ; CBNZ {r},%L | include/asm-generic/qspinlock.h (queued_spin_lock: atomic_try_cmpxchg_acquire 0 -> _Q_LOCKED_VAL: casa)
spin_trylock                   | LDR {r},[{x}] ; CBNZ {r},%E ; MOV {t},#1 ; CASA {r},{t},[{x}] ; %E: | include/asm-generic/qspinlock.h (queued_spin_trylock: atomic_read, then one try_cmpxchg_acquire)
atomic_add                     | STADD {v},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_sub                     | SUB {t},XZR,{v} ; STADD {t},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_and                     | MOV {t},#-1 ; EOR {t},{t},{v} ; STCLR {t},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_or                      | STSET {v},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_xor                     | STEOR {v},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_andnot                  | STCLR {v},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_inc                     | MOV {t},#1 ; STADD {t},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_dec                     | MOV {t},#-1 ; STADD {t},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_OP: st<op>; sub=neg+stadd, and=mvn+stclr)
atomic_add_return              | LDADDAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_add_return_relaxed      | LDADD {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_add_return_acquire      | LDADDA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_add_return_release      | LDADDL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_sub_return              | SUB {t},XZR,{v} ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_sub_return_relaxed      | SUB {t},XZR,{v} ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_sub_return_acquire      | SUB {t},XZR,{v} ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_sub_return_release      | SUB {t},XZR,{v} ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_inc_return              | MOV {t},#1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_inc_return_relaxed      | MOV {t},#1 ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_inc_return_acquire      | MOV {t},#1 ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_inc_return_release      | MOV {t},#1 ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_dec_return              | MOV {t},#-1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_dec_return_relaxed      | MOV {t},#-1 ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_dec_return_acquire      | MOV {t},#-1 ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_dec_return_release      | MOV {t},#-1 ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_add               | LDADDAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_add_relaxed       | LDADD {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_add_acquire       | LDADDA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_add_release       | LDADDL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_sub               | SUB {t},XZR,{v} ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_sub_relaxed       | SUB {t},XZR,{v} ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_sub_acquire       | SUB {t},XZR,{v} ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_sub_release       | SUB {t},XZR,{v} ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_inc               | MOV {t},#1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_inc_relaxed       | MOV {t},#1 ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_inc_acquire       | MOV {t},#1 ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_inc_release       | MOV {t},#1 ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_dec               | MOV {t},#-1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_dec_relaxed       | MOV {t},#-1 ; LDADD {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_dec_acquire       | MOV {t},#-1 ; LDADDA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_dec_release       | MOV {t},#-1 ; LDADDL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_and               | MOV {t},#-1 ; EOR {t},{t},{v} ; LDCLRAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_and_relaxed       | MOV {t},#-1 ; EOR {t},{t},{v} ; LDCLR {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_and_acquire       | MOV {t},#-1 ; EOR {t},{t},{v} ; LDCLRA {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_and_release       | MOV {t},#-1 ; EOR {t},{t},{v} ; LDCLRL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_or                | LDSETAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_or_relaxed        | LDSET {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_or_acquire        | LDSETA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_or_release        | LDSETL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_xor               | LDEORAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_xor_relaxed       | LDEOR {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_xor_acquire       | LDEORA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_xor_release       | LDEORL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_fetch_andnot            | LDCLRAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_fetch_andnot_relaxed    | LDCLR {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_fetch_andnot_acquire    | LDCLRA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_fetch_andnot_release    | LDCLRL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
atomic_sub_and_test            | SUB {t},XZR,{v} ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_dec_and_test            | MOV {t},#-1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_inc_and_test            | MOV {t},#1 ; LDADDAL {t},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_add_negative            | LDADDAL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP fully ordered: al; _return = fetch + op)
atomic_add_negative_relaxed    | LDADD {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _relaxed; _return = fetch + op)
atomic_add_negative_acquire    | LDADDA {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _acquire: a; _return = fetch + op)
atomic_add_negative_release    | LDADDL {v},{r},[{x}] | arch/arm64/include/asm/atomic_lse.h (ATOMIC_FETCH_OP _release: l; _return = fetch + op)
"""

ARM64_LLSC = ARM64_COMMON + """
xchg                           | %L: LDXR {r},[{x}] ; STLXR {s},{v},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE mb: ldxr/stlxr + dmb ish)
xchg_relaxed                   | %L: LDXR {r},[{x}] ; STXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE: ldxr/stxr)
xchg_acquire                   | %L: LDAXR {r},[{x}] ; STXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE acq: ldaxr/stxr)
xchg_release                   | %L: LDXR {r},[{x}] ; STLXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE rel: ldxr/stlxr)
cmpxchg                        | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STLXR {s},{w},[{x}] ; CBNZ {s},%L ; DMB ISH ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE mb: ldxr/stlxr + dmb ish; a failed compare skips the dmb)
cmpxchg_relaxed                | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE: ldxr/stxr)
cmpxchg_acquire                | %L: LDAXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE acq: ldaxr/stxr)
cmpxchg_release                | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STLXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE rel: ldxr/stlxr)
atomic_xchg                    | %L: LDXR {r},[{x}] ; STLXR {s},{v},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE mb)
atomic_xchg_relaxed            | %L: LDXR {r},[{x}] ; STXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE)
atomic_xchg_acquire            | %L: LDAXR {r},[{x}] ; STXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE acq)
atomic_xchg_release            | %L: LDXR {r},[{x}] ; STLXR {s},{v},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/cmpxchg.h (__XCHG_CASE rel)
atomic_cmpxchg                 | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STLXR {s},{w},[{x}] ; CBNZ {s},%L ; DMB ISH ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE mb)
atomic_cmpxchg_relaxed         | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE)
atomic_cmpxchg_acquire         | %L: LDAXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE acq)
atomic_cmpxchg_release         | %L: LDXR {r},[{x}] ; CMP {r},{v} ; B.NE %E ; STLXR {s},{w},[{x}] ; CBNZ {s},%L ; %E: | arch/arm64/include/asm/atomic_ll_sc.h (__CMPXCHG_CASE rel)
atomic_add_unless              | %L: LDR {r},[{x}] ; CMP {r},{w} ; B.EQ %E ; ADD {t},{r},{v} ; %M: LDXR {u},[{x}] ; CMP {u},{r} ; B.NE %F ; STLXR {s},{t},[{x}] ; CBNZ {s},%M ; DMB ISH ; %F: ; CMP {u},{r} ; B.NE %L ; %E: | include/linux/atomic/atomic-arch-fallback.h (raw_atomic_fetch_add_unless: try_cmpxchg loop over the LL/SC cmpxchg)
spin_lock                      | %L: LDAXR {r},[{x}] ; CBNZ {r},%L ; MOV {t},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | include/asm-generic/qspinlock.h (queued_spin_lock: try_cmpxchg_acquire: ldaxr/stxr)
spin_trylock                   | LDR {r},[{x}] ; CBNZ {r},%E ; %L: LDAXR {r},[{x}] ; CBNZ {r},%E ; MOV {t},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L ; %E: | include/asm-generic/qspinlock.h (queued_spin_trylock: atomic_read, then one try_cmpxchg_acquire)
atomic_add                     | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_sub                     | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_and                     | %L: LDXR {r},[{x}] ; AND {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_or                      | %L: LDXR {r},[{x}] ; ORR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_xor                     | %L: LDXR {r},[{x}] ; EOR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_andnot                  | %L: LDXR {r},[{x}] ; MOV {u},#-1 ; EOR {u},{u},{v} ; AND {t},{r},{u} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_inc                     | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_dec                     | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_add_return              | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_add_return_relaxed      | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_add_return_acquire      | %L: LDAXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_add_return_release      | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_sub_return              | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_sub_return_relaxed      | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_sub_return_acquire      | %L: LDAXR {r},[{x}] ; SUB {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_sub_return_release      | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_inc_return              | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_inc_return_relaxed      | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_inc_return_acquire      | %L: LDAXR {r},[{x}] ; ADD {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_inc_return_release      | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_dec_return              | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_dec_return_relaxed      | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_dec_return_acquire      | %L: LDAXR {r},[{x}] ; SUB {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_dec_return_release      | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_add               | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_add_relaxed       | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_add_acquire       | %L: LDAXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_add_release       | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_sub               | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_sub_relaxed       | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_sub_acquire       | %L: LDAXR {r},[{x}] ; SUB {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_sub_release       | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_inc               | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_inc_relaxed       | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_inc_acquire       | %L: LDAXR {r},[{x}] ; ADD {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_inc_release       | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_dec               | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_dec_relaxed       | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_dec_acquire       | %L: LDAXR {r},[{x}] ; SUB {t},{r},#1 ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_dec_release       | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_and               | %L: LDXR {r},[{x}] ; AND {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_and_relaxed       | %L: LDXR {r},[{x}] ; AND {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_and_acquire       | %L: LDAXR {r},[{x}] ; AND {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_and_release       | %L: LDXR {r},[{x}] ; AND {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_or                | %L: LDXR {r},[{x}] ; ORR {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_or_relaxed        | %L: LDXR {r},[{x}] ; ORR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_or_acquire        | %L: LDAXR {r},[{x}] ; ORR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_or_release        | %L: LDXR {r},[{x}] ; ORR {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_xor               | %L: LDXR {r},[{x}] ; EOR {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_xor_relaxed       | %L: LDXR {r},[{x}] ; EOR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_xor_acquire       | %L: LDAXR {r},[{x}] ; EOR {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_xor_release       | %L: LDXR {r},[{x}] ; EOR {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_fetch_andnot            | %L: LDXR {r},[{x}] ; MOV {u},#-1 ; EOR {u},{u},{v} ; AND {t},{r},{u} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_fetch_andnot_relaxed    | %L: LDXR {r},[{x}] ; MOV {u},#-1 ; EOR {u},{u},{v} ; AND {t},{r},{u} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_fetch_andnot_acquire    | %L: LDAXR {r},[{x}] ; MOV {u},#-1 ; EOR {u},{u},{v} ; AND {t},{r},{u} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_fetch_andnot_release    | %L: LDXR {r},[{x}] ; MOV {u},#-1 ; EOR {u},{u},{v} ; AND {t},{r},{u} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
atomic_sub_and_test            | %L: LDXR {r},[{x}] ; SUB {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_dec_and_test            | %L: LDXR {r},[{x}] ; SUB {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_inc_and_test            | %L: LDXR {r},[{x}] ; ADD {t},{r},#1 ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_add_negative            | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L ; DMB ISH | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr + dmb ish)
atomic_add_negative_relaxed    | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ATOMIC_OP: ldxr/stxr)
atomic_add_negative_acquire    | %L: LDAXR {r},[{x}] ; ADD {t},{r},{v} ; STXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldaxr/stxr)
atomic_add_negative_release    | %L: LDXR {r},[{x}] ; ADD {t},{r},{v} ; STLXR {s},{t},[{x}] ; CBNZ {s},%L | arch/arm64/include/asm/atomic_ll_sc.h (ldxr/stlxr)
"""

# Sequential consistency needs no instructions: every primitive keeps the events the C
# front end gives it (RMWs atomic through `rmw`, locks mutually exclusive through their
# assumptions); sc.cat ignores their annotations. Grace periods still need their remote
# fences: SC alone does not make a grace period wait for a reader that started before it.
SC = """
*                              | = | include/linux/ (each primitive as its LKMM events; sc.cat orders them all)
synchronize_rcu                | @grace-period | kernel/rcu/tree.c (synchronize_rcu)
synchronize_rcu_expedited      | @grace-period | kernel/rcu/tree_exp.h (synchronize_rcu_expedited)
synchronize_sched              | @grace-period | include/linux/rcupdate.h (synchronize_rcu since v4.20)
synchronize_srcu               | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu)
synchronize_srcu_expedited     | @grace-period | kernel/rcu/srcutree.c (synchronize_srcu_expedited)
@gp-fence                      | = | kernel/rcu/tree.c (the grace period's smp_mb()s, an Mb fence)
@gp-handshake                  | = | kernel/rcu/tree.c (a quiescent state: a read, an Mb fence, a write)
"""

KEEP = "="  # the primitive's own C events
GRACE_PERIOD = "@grace-period"
NOTHING = "-"


@dataclass(frozen=True)
class MappingLine:
    """One table line: `instructions` are the `;`-separated items (labels `%L:` too),
    empty for `-`; `special` is `=` or `@grace-period` for those lines."""

    name: str
    instructions: tuple[str, ...]
    source: str
    special: str = ""


@dataclass(frozen=True)
class Mapping:
    """One target's table. The architecture whose instructions it is written in is the
    one whose descriptor lists it (`Architecture.kernel_mapping`)."""

    name: str
    lines: dict[str, MappingLine]
    description: str

    def line(self, primitive: str, span: Span | None) -> MappingLine:
        """The line of `primitive`, or an error naming the primitive and the target."""
        found = self.lines.get(primitive) or self.lines.get("*")
        if found is None:
            raise UnsupportedError(
                f"`{primitive}` has no line in the {self.name} kernel mapping", span)
        return found

    def line_of(self, prim: Primitive, span: Span | None) -> MappingLine:
        """The line for primitive `prim` as the C front end reads it, which may come from
        a user's `-macros` file: the line of the built-in primitive of the same name when
        `prim` is that primitive, else the line of the first built-in primitive with
        `prim`'s semantics (`same_semantics`), so that `my_load(X) __load{acquire}(X)`
        lowers as `smp_load_acquire`. An error names the primitive and the target when
        no primitive of the kernel's has those semantics."""
        builtin = primitives()
        if builtin.get(prim.name) == prim:
            return self.line(prim.name, span)
        for name, known in builtin.items():
            if same_semantics(prim, known) and (name in self.lines or "*" in self.lines):
                return self.line(name, span)
        raise UnsupportedError(
            f"`{prim.name}` has no line in the {self.name} kernel mapping: no kernel "
            f"primitive has its semantics ({describe(prim)})", span)


def same_semantics(a: Primitive, b: Primitive) -> bool:
    """Do `a` and `b` make the same events from the same arguments?  Everything but the
    name counts, except whether the location is passed as `*p` or as `p` (`*X`/`X`: how
    the C front end finds the address, not what is done at it)."""
    def key(p: Primitive) -> Primitive:
        return dataclasses.replace(p, name="", args=tuple(a.lstrip("*") for a in p.args))
    return key(a) == key(b)


def describe(prim: Primitive) -> str:
    """`prim`'s semantics in a few words, for error messages."""
    parts = [f"shape {prim.shape}", f"annotation {prim.tag or 'none'}"]
    if prim.op:
        parts.append(f"update `{prim.op}` {prim.operand}, result {prim.result}")
    if prim.test:
        parts.append(f"test {prim.test}")
    return ", ".join(parts)


def parse_table(text: str) -> dict[str, MappingLine]:
    """`NAME | INSTRUCTIONS | SOURCE` lines (blank lines and `#` comments skipped)."""
    lines: dict[str, MappingLine] = {}
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        name, body, source = (part.strip() for part in raw.split("|"))
        if body in (KEEP, GRACE_PERIOD):
            lines[name] = MappingLine(name, (), source, body)
        else:
            items = () if body == NOTHING else tuple(i.strip() for i in body.split(";"))
            lines[name] = MappingLine(name, tuple(i for i in items if i), source)
    return lines


TARGETS: dict[str, tuple[str, str]] = {
    "x86": (X86, "x86-64 (arch/x86)"),
    "arm64": (ARM64_LSE, "arm64 with LSE atomics (the default since ARMv8.1)"),
    "arm64-llsc": (ARM64_LLSC, "arm64 with LL/SC atomics (CONFIG_ARM64_LSE_ATOMICS=n)"),
    "sc": (SC, "sequential consistency: each primitive as its events"),
}


@cache
def mapping(name: str) -> Mapping:
    """The table of target `name` (`x86`, `arm64`, `arm64-llsc`, `sc`)."""
    if name not in TARGETS:
        known = ", ".join(TARGETS)
        raise UnsupportedError(f"unknown kernel mapping `{name}` (known: {known})", None)
    text, description = TARGETS[name]
    return Mapping(name, parse_table(text), description)


def missing_lines(name: str) -> list[str]:
    """The C dialect's primitives that target `name` has no line for (should be none)."""
    table = mapping(name)
    return [p for p in primitives() if p not in table.lines and "*" not in table.lines]
