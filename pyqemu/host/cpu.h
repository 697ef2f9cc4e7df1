/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vCPU (QEMU's include/hw/core/cpu.h): struct CPUState, which every
 * layer of the execution side reads, and the cross-layer services of
 * cpus-common.c: the list of vCPUs, the running vCPU, stop requests, the
 * queue of work run with the vCPU stopped (async_safe_run_on_cpu) and
 * exclusive sections.
 */
#ifndef PYQEMU_HOST_CPU_H
#define PYQEMU_HOST_CPU_H

#include <signal.h>

#include "plugin.h"
#include "engine.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE ((uint64_t)1 << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(uint64_t)0 << TARGET_PAGE_BITS)

#define EV_BIT(ev) (1u << (ev))

#define HOST_NSIG 65    /* host signal numbers 1..64 */
#define HOST_SIGRTMIN 32    /* Linux's first real-time signal; those below are standard */
#define SIGNAL_RT_SLOTS 64  /* real-time signals held at once per queue (more are dropped) */

/*
 * Host signals caught for the guest and not yet taken (user-signal.c): a
 * standard signal has one slot, as Linux keeps one of each pending; each
 * real-time one takes a free slot of rt[], as Linux queues every one.  A
 * slot's state is claimed by compare-and-swap before its siginfo is
 * written, so two threads' handlers never write one slot.
 */
struct signal_slot {
    int state;          /* SIGNAL_SLOT_FREE, _WRITING or _READY (user-signal.c) */
    int sig;
    uint64_t seq;       /* arrival order of real-time signals */
    siginfo_t info;
};

typedef struct SignalQueue {
    struct signal_slot standard[HOST_SIGRTMIN];     /* by number, 1..31 */
    struct signal_slot rt[SIGNAL_RT_SLOTS];
    uint64_t next_seq;
} SignalQueue;

/* A store the engine announced and has not yet been seen to complete. */
struct plugin_pending_store {
    const struct qemu_plugin_insn *insn;   /* NULL: none pending */
    uint64_t vaddr;
    qemu_plugin_meminfo_t info;
};

struct CPUState {
    uc_engine *uc;
    csh cs;
    cs_insn *cs_insn;
    unsigned int cpu_index;
    uint64_t serial;            /* unique over the process's life, from 1 (an index is reused) */
    CPUState *next;

    uc_hook h_block, h_code, h_mem_read, h_mem_write, h_edge;
    uc_hook h_noncanonical;
    bool instrumented;              /* the engine calls the plugins from its code (0006+0007) */
    bool notified;                  /* the engine calls tb_translated (0006) */
    uc_hook h_syscall, h_invalid, h_intr;
    bool want_code_hook, want_mem_hooks;

    /* one instruction hook per address where an engine block is cut */
    uc_hook *split_hooks;
    uint64_t *split_addrs;
    size_t n_split, split_cap;

    /* an engine block's instructions, decoded before they become blocks */
    struct qemu_plugin_insn *decoded;
    size_t decoded_cap;

    /* the block and instruction whose sites the engine is filling in (tb_site) */
    struct qemu_plugin_tb *site_head, *site_piece;
    size_t site_next;
    const struct qemu_plugin_insn *site_insn;
    bool sites_track_tb;            /* every block stores cur_tb (site_fill_block) */
    bool engine_flush;              /* drop the engine's translations at the next stop */

    /* the block and instruction being executed: hooks set them; on our engine the
       generated code stores cur_tb at each block start (site_fill_block) */
    struct qemu_plugin_tb *cur_tb;
    size_t cur_insn;
    struct qemu_plugin_insn *mem_insn;
    struct plugin_pending_store store;

    /* the task's signal mask, shared with Python (syscall-signal.c); NULL: none */
    TaskSignals *task_signals;
    /* QEMU's cpu->exit_request: leave cpu_exec at the next safe point (qemu_cpu_kick) */
    volatile sig_atomic_t exit_request;
    /* host signals sent to this vCPU's thread alone (tgkill, tkill): user-signal.c */
    volatile sig_atomic_t thread_signal_any;
    SignalQueue thread_signals;
    /* in guest code (cpu_exec_start..cpu_exec_end); an exclusive section waits for it */
    bool running, has_waiter;           /* under qemu_cpu_list_lock */
    struct qemu_work_item *work_first, *work_last;  /* async_run_on_cpu, under the work lock */
    /* why emulation stopped */
    volatile sig_atomic_t async_stops;      /* uc_emu_stop_async calls made for it */
    uint64_t unexplained_pc;    /* pc of the last stop nothing explained, else UINT64_MAX */
    bool restart;
    uint64_t uncache_start, uncache_end;    /* engine code to drop before a restart */
    uint64_t drops_seen;        /* its engine dropped the records dropped up to this one */
    /* its write hooks on pages with code that other vCPUs may run (user-exec.c) */
    uc_hook *watch_hooks;
    uint64_t *watch_pages;
    size_t n_watch, watch_cap;
    uint64_t watch_gen;         /* the watched pages' changes its hooks follow */
    int exit_reason;
    cpu_exit_info stop;
    /* bytes the pc of the syscall in progress lies before the instruction after it */
    unsigned int syscall_pc_advance;
};

/* ---- cpus-common.c ---- */

extern __thread CPUState *current_cpu __attribute__((tls_model("initial-exec")));
/* QEMU's thread_cpu: the vCPU this host thread runs (its last cpu_exec), for host signals */
extern __thread CPUState *thread_cpu __attribute__((tls_model("initial-exec")));
extern CPUState *cpu_list;
extern CPUState *volatile cpu_running;      /* the vCPU last inside uc_emu_start, if any */
/*
 * A host signal caught for the guest is pending (user-signal.c): the
 * handler also kicks its thread's vCPU; any vCPU at the top of cpu_exec
 * takes it to Python (not read inside the engine: cpu_exit_requested).
 */
extern volatile sig_atomic_t signal_any;

void cpu_list_add(CPUState *cpu);
void cpu_list_remove(CPUState *cpu);
void cpu_stop_async(CPUState *cpu);
void qemu_cpu_kick(CPUState *cpu);

/*
 * Exclusive sections (QEMU's cpus-common.c): cpu_exec_start/cpu_exec_end
 * bracket a vCPU's guest code (uc_emu_start, less its syscalls);
 * start_exclusive kicks every vCPU inside such a bracket, waits until each
 * has left it and keeps all out until end_exclusive.  Called by a thread
 * that runs no guest code at the time.
 */
void cpu_exec_start(CPUState *cpu);
void cpu_exec_end(CPUState *cpu);
void start_exclusive(void);
void end_exclusive(void);
bool cpu_in_guest(CPUState *cpu);

/*
 * Work for one vCPU (QEMU's async_run_on_cpu): queued on it from any thread,
 * which sets its exit request; run by its own thread at the top of its
 * execution loop, in order (process_queued_cpu_work), before cpu_exec
 * returns EXCP_KICK.
 *
 * Work that needs every vCPU out of guest code (QEMU's async_safe_run_on_cpu):
 * queued process-wide, run by the vCPU that next reaches the top of its
 * execution loop (process_queued_safe_work) in an exclusive section; the
 * vCPU named is kicked, or every vCPU when none is.  A request equal to one
 * already queued (same function and data) is not queued twice.
 */
typedef void (*run_on_cpu_func)(CPUState *cpu, uintptr_t data);
void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, uintptr_t data);
void async_safe_run_on_cpu(CPUState *cpu, run_on_cpu_func func, uintptr_t data);
bool cpu_safe_work_pending(void);
bool process_queued_cpu_work(CPUState *cpu);
bool process_queued_safe_work(CPUState *cpu);

/* The pending store completed (something happened after it): report it. */
static inline void plugin_store_done(CPUState *cpu)
{
    const struct qemu_plugin_insn *insn = cpu->store.insn;

    if (insn) {
        cpu->store.insn = NULL;
        qemu_plugin_vcpu_mem_cb(cpu->cpu_index, insn, cpu->store.vaddr, cpu->store.info);
    }
}

/*
 * Must this vCPU leave the engine?  Its exit request (QEMU's
 * cpu->exit_request), which every request aimed at it sets: work queued on
 * it, a kick, safe work (on it, or on every vCPU when queued from a thread
 * that runs none), an exclusive section starting, a host signal caught on
 * its thread.  However the stop is made (uc_emu_stop_async at once, or the
 * block hook's check: cpu_stop_async), this is what the vCPU looks at;
 * cpu_exec then finds the reason by draining the queues and looking at the
 * pending signals.
 */
static inline bool cpu_exit_requested(const CPUState *cpu)
{
    return __atomic_load_n(&cpu->exit_request, __ATOMIC_ACQUIRE);
}

/* Leave the engine before the block that is about to run; cpu_exec runs it again. */
static inline void abandon_block(CPUState *cpu, uc_engine *uc)
{
    cpu->restart = true;
    uc_emu_stop(uc);
}

/*
 * A block is about to run.  QEMU checks for an exit request before a block
 * and runs none of its callbacks then: queued work (a flush), a kick or a
 * signal stops here, and the block runs (with its callbacks) after the stop.
 */
static inline bool tb_may_start(CPUState *cpu, uc_engine *uc)
{
    if (cpu_exit_requested(cpu)) {
        abandon_block(cpu, uc);
        return false;
    }
    return true;
}

#endif
