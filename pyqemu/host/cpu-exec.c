// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The execution loop (QEMU's accel/tcg/cpu-exec.c): one engine per vCPU,
 * over guest memory that is host memory at the same address (guest_base 0),
 * mapped with uc_mem_map_ptr; cpu_exec runs guest code until a syscall
 * handler, a fault, a signal or its exit request (a kick, queued work)
 * stops it, runs the work queued on it at the top of its loop, and says why.
 * Here too: creating and destroying vCPUs, the hooks that stop the engine
 * (syscalls, invalid accesses, interrupts) and the choice of the engine
 * hooks the plugins need (cpu_sync_hooks).  Syscalls always come through
 * the engine's syscall hook, served by syscall.c's pass-through table when
 * it can and by Python otherwise; no Python runs on the block paths.
 *
 * Layer: the top of the execution side, called by Python (host.h); calls
 * translator.c, plugin-gen.c, tb-maint.c, syscall.c, cpus-common.c (cpu.h), core.c
 * (plugin.h), the target (target.h) and the engine (engine.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* what sigreturn returns to do_syscall in QEMU (linux-user/signal.py's QEMU_ESIGRETURN) */
#define QEMU_ESIGRETURN 513

/*
 * patch 0008's uc_tb_sites_parallel: from a process's first thread on, QEMU
 * translates with CF_PARALLEL and reports an atomic read-modify-write as one
 * access, read and written; the engine's sites do the same once told.
 */
static bool parallel_cpus;

const char *cpu_strerror(int err)
{
    return uc_strerror((uc_err)err);
}

/*
 * Patch 0024: the engine runs an atomic it cannot make one host atomic as
 * one instruction of its own (patch 0020's step); with other vCPUs running
 * that step must be alone, as QEMU's cpu_exec_step_atomic runs it between
 * start_exclusive and end_exclusive.  Called on the vCPU's thread, inside
 * uc_emu_start.
 */
static void cpu_exclusive_step(uc_engine *uc, bool start)
{
    CPUState *cpu = current_cpu;

    (void)uc;
    if (start) {
        cpu_exec_end(cpu);
        start_exclusive();
    } else {
        end_exclusive();
        cpu_exec_start(cpu);
    }
}

void cpu_thread_init(void)
{
    engine_init();
    engine_thread_init();
}

/*
 * The process's first thread is being created: as QEMU's do_fork sets
 * CF_PARALLEL, translate for parallel execution from now on (atomics are
 * reported as QEMU's parallel code reports them) and flush what was made.
 */
void cpu_enable_parallel(void)
{
    if (parallel_cpus) {
        return;
    }
    parallel_cpus = true;
    page_watch_enable();
    if (engine.exclusive_step) {
        engine.exclusive_step(cpu_exclusive_step);
    }
    for (CPUState *c = cpu_list; c && engine.tb_parallel; c = c->next) {
        engine.tb_parallel(c->uc, true);
    }
    tb_flush_request(current_cpu);
}

/*
 * A guest syscall (the target's instruction hook, or its syscall interrupt):
 * the number and arguments are in @regs (target-<arch>.c); the engine moves
 * the pc @pc_advance bytes on after the call (past the instruction).
 */
static void cpu_syscall(uc_engine *uc, CPUState *cpu, const int *regs, unsigned int pc_advance)
{
    uint64_t vals[7];
    void *ptrs[7];
    int64_t num, ret = -ENOSYS;
    int action;

    plugin_store_done(cpu);
    cpu->syscall_pc_advance = pc_advance;
    for (int i = 0; i < 7; i++) {
        ptrs[i] = &vals[i];
    }
    uc_reg_read_batch(uc, (int *)regs, ptrs, 7);
    num = (int64_t)vals[0];
    if (plugin_mask_has(EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL))) {
        qemu_plugin_vcpu_syscall(cpu, num, vals[1], vals[2], vals[3], vals[4], vals[5],
                                 vals[6], 0, 0);
    }
    /*
     * A pass-through call is served in C (syscall.c: out of guest code when
     * other vCPUs exist), anything else in Python, out of guest code until
     * the syscall is done: an exclusive section need not wait for it.  The
     * plugins' syscall callbacks run inside, as the safe work that frees
     * their lists and records waits for them.
     */
    if (syscall_fast(cpu, num, &vals[1], &ret)) {
        action = SYSCALL_SET_RET;
    } else {
        cpu_exec_end(cpu);
        action = pyqemu_syscall(cpu, num, &vals[1], &ret);
        cpu_exec_start(cpu);
    }
    switch (action) {
    case SYSCALL_SET_RET:
        uc_reg_write(uc, target->ret_reg, &ret);
        if (plugin_mask_has(EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL_RET))) {
            qemu_plugin_vcpu_syscall_ret(cpu, num, ret);
        }
        break;
    case SYSCALL_REGS_SET: {
        /* the engine may step over the syscall instruction after this hook */
        uint64_t pc;

        if (pc_advance) {
            uc_reg_read(uc, target->pc_reg, &pc);
            pc -= pc_advance;
            uc_reg_write(uc, target->pc_reg, &pc);
        }
        /* sigreturn: QEMU reports its result, -QEMU_ESIGRETURN, like any other */
        if (plugin_mask_has(EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL_RET))) {
            qemu_plugin_vcpu_syscall_ret(cpu, num, -QEMU_ESIGRETURN);
        }
        break;
    }
    default:
        cpu->exit_reason = EXCP_SYSCALL_STOP;
        uc_emu_stop(uc);
        break;
    }
    /*
     * A host signal or a kick that came while the syscall ran (in Python, or
     * blocked in the host kernel) may have found another vCPU in cpu_running,
     * or none, and stopped nothing: leave now, as QEMU's cpu_loop looks at
     * pending signals and exit requests after each syscall.  Otherwise a guest
     * that spins after the syscall (waiting for that very signal) never stops.
     */
    if (cpu_exit_requested(cpu)) {
        uc_emu_stop(uc);
    }
}

unsigned int cpu_syscall_pc_advance(CPUState *cpu)
{
    return cpu->syscall_pc_advance;
}

/* the target's syscall instruction hook */
static void cpu_hook_syscall(uc_engine *uc, void *opaque)
{
    cpu_syscall(uc, opaque, target->syscall_regs, target->syscall_pc_advance);
}

static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                         int64_t value, void *opaque)
{
    CPUState *cpu = opaque;

    (void)uc;
    (void)size;
    (void)value;
    cpu->exit_reason = EXCP_SEGV;
    cpu->stop.fault_addr = addr;
    switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT:
        /* the announced store is this one: it never happened */
        cpu->store.insn = NULL;
        cpu->stop.fault_write = 1;
        break;
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
        plugin_store_done(cpu);
        cpu->stop.fault_write = 2;
        break;
    default:
        plugin_store_done(cpu);
        cpu->stop.fault_write = 0;
        break;
    }
    return false;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    CPUState *cpu = opaque;
    const int *syscall_regs = target->intr_syscall_regs(intno);

    if (syscall_regs) {
        cpu_syscall(uc, cpu, syscall_regs, 0);
        return;
    }
    plugin_store_done(cpu);
    cpu->exit_reason = EXCP_INTR;
    cpu->stop.intno = (int)intno;
    uc_emu_stop(uc);
}

/* -cpu: the engine's model for every new vCPU (UC_CPU_*), or -1 for the target's. */
static int engine_cpu_model = -1;

void cpu_set_engine_model(int model)
{
    engine_cpu_model = model;
}

/* the last vCPU serial handed out (CPUState.serial) */
static uint64_t cpu_serials;

CPUState *cpu_create(unsigned int cpu_index)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    uc_err err;

    if (!cpu) {
        return NULL;
    }
    cpu->cpu_index = cpu_index;
    cpu->serial = __atomic_add_fetch(&cpu_serials, 1, __ATOMIC_RELAXED);
    cpu->unexplained_pc = UINT64_MAX;
    engine_init();
    err = uc_open(target->uc_arch, target->uc_mode, &cpu->uc);
    if (err != UC_ERR_OK) {
        free(cpu);
        return NULL;
    }
    if (engine_cpu_model >= 0 || target->uc_cpu_model >= 0) {
        uc_ctl_set_cpu_model(cpu->uc, engine_cpu_model >= 0 ? engine_cpu_model
                                                             : target->uc_cpu_model);
    }
    if (target->setup && !target->setup(cpu->uc)) {
        goto fail_engine;
    }
    uc_ctl_exits_enable(cpu->uc);
    if (parallel_cpus && engine.tb_parallel) {
        engine.tb_parallel(cpu->uc, true);
    }
    if (cs_open(target->cs_arch, target->cs_mode, &cpu->cs) != CS_ERR_OK) {
        goto fail_engine;
    }
    cpu->cs_insn = cs_malloc(cpu->cs);
    if (!cpu->cs_insn || !tb_maint_init(cpu)) {
        goto fail_disas;
    }
    if ((target->install_syscall_hook &&
         !target->install_syscall_hook(cpu, cpu->uc, &cpu->h_syscall, cpu_hook_syscall)) ||
        uc_hook_add(cpu->uc, &cpu->h_invalid, UC_HOOK_MEM_INVALID, (void *)hook_invalid, cpu, 1,
                    0) != UC_ERR_OK ||
        uc_hook_add(cpu->uc, &cpu->h_intr, UC_HOOK_INTR, (void *)hook_intr, cpu, 1, 0) != UC_ERR_OK) {
        goto fail_disas;    /* uc_close drops the hooks that were added */
    }
    cpu_list_add(cpu);
    return cpu;

fail_disas:
    if (cpu->cs_insn) {
        cs_free(cpu->cs_insn, 1);
    }
    cs_close(&cpu->cs);
fail_engine:
    uc_close(cpu->uc);
    free(cpu);
    return NULL;    /* Python: EngineError "cannot create the engine" */
}

void cpu_destroy(CPUState *cpu)
{
    cpu_list_remove(cpu);
    if (!cpu_list) {
        tb_lock();
        tb_records_clear();     /* the last vCPU: the records are nobody's any more */
        tb_unlock();
    }
    page_watch_free(cpu);
    free(cpu->decoded);
    free(cpu->split_hooks);
    free(cpu->split_addrs);
    cs_free(cpu->cs_insn, 1);
    cs_close(&cpu->cs);
    uc_close(cpu->uc);
    free(cpu);
}

/* uc_hook_add on every address from @begin to @end; *hook stays 0 on failure. */
static uc_err hook_add(CPUState *cpu, uc_hook *hook, int type, void *fn, uint64_t begin,
                       uint64_t end, uc_err err)
{
    uc_err added;

    if (err != UC_ERR_OK) {
        return err;     /* an earlier one failed: add no more */
    }
    added = uc_hook_add(cpu->uc, hook, type, fn, cpu, begin, end);
    if (added != UC_ERR_OK) {
        *hook = 0;
    }
    return added;
}

/*
 * Make the engine's hooks match what the plugins need.  The engine decides
 * at translation which blocks call a hook, so any change flushes its cache.
 * Returns the engine's error when a hook could not be added (cpu_exec then
 * stops with EXCP_ENGINE); the hooks added so far stay, and are kept track of.
 */
static uc_err cpu_sync_hooks(CPUState *cpu)
{
    bool want_block = plugin_mask_has(EV_BIT(QEMU_PLUGIN_EV_VCPU_TB_TRANS));
    bool instrument = want_block && engine.tb_instrument;
    /* with threads, each translation may watch its pages (user-exec.c) */
    bool notify = instrument || (page_watch_enabled() && engine.tb_instrument);
    bool block_hook = (want_block && !instrument) || !engine.stop_async;
    bool changed = false;
    uc_err err = UC_ERR_OK;

    if (instrument != cpu->instrumented || notify != cpu->notified) {
        /*
         * Both flush the engine's translations themselves.  The engine calls
         * tb_translated only with sites; without records, they fill nothing.
         */
        cpu->instrumented = instrument;
        cpu->notified = notify;
        if (notify) {
            engine.tb_sites(cpu->uc, tb_site, tb_helper_mem, cpu->cpu_index);
            engine.tb_instrument(cpu->uc, tb_translated, NULL, cpu);
        } else {
            engine.tb_instrument(cpu->uc, NULL, NULL, NULL);
            engine.tb_sites(cpu->uc, NULL, NULL, 0);
        }
    }
    /*
     * The block hook serves tb_trans subscribers when the engine cannot
     * instrument blocks itself and, on an engine without uc_emu_stop_async,
     * is where a kick, a signal or a flush stops the vCPU (tb_may_start).
     */
    if (block_hook && !cpu->h_block) {
        err = hook_add(cpu, &cpu->h_block, UC_HOOK_BLOCK, (void *)hook_block, 1, 0, err);
        changed = true;
    } else if (!block_hook && cpu->h_block) {
        uc_hook_del(cpu->uc, cpu->h_block);
        cpu->h_block = 0;
        changed = true;
    }
    /*
     * Non-canonical block addresses fault; hook_block checks them itself.
     * Bounded, so the engine calls it for no other block, and alone among
     * block hooks when there, so the engine calls it directly.
     */
    if (!cpu->h_block && !cpu->h_noncanonical) {
        err = hook_add(cpu, &cpu->h_noncanonical, UC_HOOK_BLOCK, (void *)hook_noncanonical,
                       target->invalid_pc_first, target->invalid_pc_last, err);
        changed = true;
    } else if (cpu->h_block && cpu->h_noncanonical) {
        uc_hook_del(cpu->uc, cpu->h_noncanonical);
        cpu->h_noncanonical = 0;
        changed = true;
    }
    want_block = want_block && !instrument;   /* what remains is the block hook's edge check */
    if (want_block && !cpu->h_edge) {
        err = hook_add(cpu, &cpu->h_edge, UC_HOOK_EDGE_GENERATED, (void *)hook_edge_generated,
                       1, 0, err);
        changed = true;
    } else if (!want_block && cpu->h_edge) {
        uc_hook_del(cpu->uc, cpu->h_edge);
        cpu->h_edge = 0;
        split_hooks_clear(cpu);
        changed = true;
    }
    if (cpu->want_code_hook && !cpu->h_code) {
        err = hook_add(cpu, &cpu->h_code, UC_HOOK_CODE, (void *)hook_code, 1, 0, err);
        if (cpu->h_code) {
            split_hooks_clear(cpu);
        }
        changed = true;
    }
    if (cpu->want_mem_hooks && !cpu->h_mem_read) {
        err = hook_add(cpu, &cpu->h_mem_read, UC_HOOK_MEM_READ_AFTER, (void *)hook_mem, 1, 0,
                       err);
        err = hook_add(cpu, &cpu->h_mem_write, UC_HOOK_MEM_WRITE, (void *)hook_mem, 1, 0, err);
        if (cpu->h_mem_read && !cpu->h_mem_write) {
            uc_hook_del(cpu->uc, cpu->h_mem_read);    /* both or neither */
            cpu->h_mem_read = 0;
        }
        changed = true;
    }
    if (changed) {
        uc_ctl_flush_tb(cpu->uc);
    }
    return err;
}

/*
 * The engine returned @err after a run begun with @async_stops stops made:
 * why it stopped (the exit reason, in the vCPU too), or -1 to run again.
 * Called in guest code (before cpu_exec_end): it reads the vCPU's records.
 */
static int cpu_exec_stopped(CPUState *cpu, uc_err err, sig_atomic_t async_stops, uint64_t *pc)
{
    /* a store still announced was made: the engine stopped after it */
    plugin_store_done(cpu);
    if (cpu->uncache_end) {
        uc_ctl_remove_cache(cpu->uc, cpu->uncache_start, cpu->uncache_end);
        cpu->uncache_start = cpu->uncache_end = 0;
    }
    if (cpu->engine_flush) {
        cpu->engine_flush = false;
        uc_ctl_flush_tb(cpu->uc);
    }
    if (cpu->restart) {
        return -1;
    }
    uc_reg_read(cpu->uc, target->pc_reg, pc);
    if (!cpu->exit_reason && err == UC_ERR_OK &&
        (cpu_exit_requested(cpu) ||
         __atomic_load_n(&cpu->async_stops, __ATOMIC_RELAXED) != async_stops)) {
        return -1;  /* reported at the top of the loop, or a stale stop request */
    }
    if (!cpu->exit_reason && err == UC_ERR_OK && cpu->unexplained_pc != *pc) {
        /*
         * A stop with no reason: a kick's uc_emu_stop_async that landed
         * between the async_stops snapshot and uc_emu_start (the two steps
         * of cpu_stop_async are not one), or hlt and the like.  Run again
         * once: a stale request does not come back, hlt stops here again.
         */
        cpu->unexplained_pc = *pc;
        return -1;
    }
    cpu->unexplained_pc = UINT64_MAX;
    if (!cpu->exit_reason) {
        /* stopped with no hook saying why: an engine error, or hlt and the like */
        cpu->exit_reason = err == UC_ERR_INSN_INVALID ? EXCP_ILL : EXCP_ENGINE;
    }
    /* a block cut short: take back the folded adds it never earned */
    if (cpu->exit_reason != EXCP_SYSCALL_STOP && cpu->cur_tb &&
        (cpu->instrumented ? cpu->cur_tb->folds : !cpu->h_code) &&
        tb_contains(cpu->cur_tb, *pc)) {
        unfold_insn_inline(cpu->cur_tb, *pc);
    }
    return cpu->exit_reason;
}

int cpu_exec(CPUState *cpu, cpu_exit_info *info)
{
    uint64_t pc;
    uc_err err;
    sig_atomic_t async_stops;
    int reason;

    current_cpu = thread_cpu = cpu;
    for (;;) {
        /*
         * The safe point: the vCPU is out of the engine.  Its exit request
         * says only that something asked it to stop; the reasons are found
         * here, as QEMU's cpu_loop does after cpu_exec: the work queued on
         * it, the safe work, a pending host signal, else a kick.
         */
        bool exit_request = cpu_exit_requested(cpu);
        bool signal_pending;

        if (exit_request) {
            __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
            /*
             * A kick whose request this takes may still stop the next run
             * (its uc_emu_stop_async lands after): that stop is not the
             * same unexplained stop seen again, so it is forgiven once more.
             * Without this a spinning guest kicked often (a thread waiting
             * for the turn, an exclusive section) now and then took two
             * such stops at one pc and died of SIGSEGV as if at hlt.
             */
            cpu->unexplained_pc = UINT64_MAX;
        }
        if (process_queued_safe_work(cpu)) {
            cpu->want_code_hook = cpu->want_mem_hooks = false;
        }
        /*
         * From here the vCPU changes its engine (its queued work, hooks,
         * dropped code) and reads the records: safe work, which flushes every
         * engine, waits until cpu_exec_end.
         */
        cpu_exec_start(cpu);
        if (exit_request) {
            process_queued_cpu_work(cpu);
        }
        signal_pending = __atomic_load_n(&signal_any, __ATOMIC_ACQUIRE) ||
                         __atomic_load_n(&cpu->thread_signal_any, __ATOMIC_ACQUIRE);
        if (signal_pending || exit_request) {
            cpu_exec_end(cpu);
            uc_reg_read(cpu->uc, target->pc_reg, &pc);
            memset(info, 0, sizeof(*info));
            info->pc = pc;
            current_cpu = NULL;
            return signal_pending ? EXCP_SIGNAL : EXCP_KICK;
        }
        cpu->cur_tb = NULL;     /* in no block: what was dropped may go (tb_reclaim) */
        cpu->mem_insn = NULL;
        tb_reclaim(cpu, 0, 0);
        page_watch_sync(cpu);
        err = cpu_sync_hooks(cpu);
        if (err != UC_ERR_OK) {
            cpu_exec_end(cpu);
            uc_reg_read(cpu->uc, target->pc_reg, &pc);
            memset(info, 0, sizeof(*info));
            info->uc_err = err;
            info->pc = pc;
            current_cpu = NULL;
            return EXCP_ENGINE;
        }
        cpu->restart = false;
        cpu->exit_reason = 0;
        cpu->cur_tb = NULL;
        cpu->mem_insn = NULL;
        memset(&cpu->stop, 0, sizeof(cpu->stop));
        uc_reg_read(cpu->uc, target->pc_reg, &pc);
        async_stops = __atomic_load_n(&cpu->async_stops, __ATOMIC_RELAXED);
        __atomic_store_n(&cpu_running, cpu, __ATOMIC_RELAXED);
        err = uc_emu_start(cpu->uc, pc, 0, 0, 0);
        __atomic_store_n(&cpu_running, NULL, __ATOMIC_RELAXED);
        /*
         * Still in guest code for exclusive sections while the vCPU looks at
         * the records it stopped in (safe work may free them): cpu_exec_end
         * comes after.
         */
        reason = cpu_exec_stopped(cpu, err, async_stops, &pc);
        cpu_exec_end(cpu);
        if (reason < 0) {
            continue;
        }
        *info = cpu->stop;
        info->uc_err = err;
        info->pc = pc;
        current_cpu = NULL;
        return reason;
    }
}

int cpu_reg_read(CPUState *cpu, int regid, uint64_t *value)
{
    *value = 0;
    return uc_reg_read(cpu->uc, regid, value);
}

int cpu_reg_write(CPUState *cpu, int regid, uint64_t value)
{
    return uc_reg_write(cpu->uc, regid, &value);
}

/* Wide registers (ymm: 32 bytes, xmm: 16, fp: 10); buf must hold 64 bytes. */
int cpu_reg_read_bytes(CPUState *cpu, int regid, uint8_t *buf)
{
    return uc_reg_read(cpu->uc, regid, buf);
}

int cpu_reg_write_bytes(CPUState *cpu, int regid, const uint8_t *buf)
{
    return uc_reg_write(cpu->uc, regid, buf);
}

/*
 * Many registers in one call (a signal frame's): register i is read into, or written
 * from, buf + i * stride.  A register narrower than stride leaves the rest of its slot
 * alone; a wider one spills into the next slot, so the caller gives buf 64 bytes more.
 * Returns 0 or the first engine error.
 */
int cpu_reg_read_many(CPUState *cpu, const int *regids, size_t count, size_t stride,
                      uint8_t *buf)
{
    for (size_t i = 0; i < count; i++) {
        int err = uc_reg_read(cpu->uc, regids[i], buf + i * stride);

        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

int cpu_reg_write_many(CPUState *cpu, const int *regids, size_t count, size_t stride,
                       const uint8_t *buf)
{
    for (size_t i = 0; i < count; i++) {
        int err = uc_reg_write(cpu->uc, regids[i], buf + i * stride);

        if (err != UC_ERR_OK) {
            return err;
        }
    }
    return UC_ERR_OK;
}

