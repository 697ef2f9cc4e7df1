// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every layer of the execution side shares about vCPUs (QEMU's
 * cpus-common.c and hw/core/cpu-common.c): the list of vCPUs, the vCPU this
 * thread runs and the one inside the engine, the exit request that asks a
 * vCPU to stop (qemu_cpu_kick, cpu_stop_async), each vCPU's queue
 * of work run by its own thread at its safe point (async_run_on_cpu) and the
 * queue of work run with every vCPU out of guest code (async_safe_run_on_cpu).
 *
 * Layer: below everything that runs guest code or plugins; calls only the
 * engine boundary (engine.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"

__thread CPUState *current_cpu __attribute__((tls_model("initial-exec")));
__thread CPUState *thread_cpu __attribute__((tls_model("initial-exec")));
CPUState *cpu_list;
CPUState *volatile cpu_running;
volatile sig_atomic_t signal_any;

/*
 * QEMU's qemu_cpu_list_lock: guards cpu_list changes, each vCPU's running
 * and has_waiter, and pending_cpus, the state of an exclusive section: 0
 * none, otherwise 1 + the running vCPUs its owner still waits for.
 */
static pthread_mutex_t qemu_cpu_list_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t exclusive_cond = PTHREAD_COND_INITIALIZER;     /* owner: one left */
static pthread_cond_t exclusive_resume = PTHREAD_COND_INITIALIZER;   /* the rest: it ended */
static int pending_cpus;

unsigned int cpu_index_of(const CPUState *cpu)
{
    return cpu->cpu_index;
}

CPUState *plugin_first_cpu(void)
{
    return cpu_list;
}

CPUState *cpu_next(CPUState *cpu)
{
    return cpu->next;
}

void cpu_list_add(CPUState *cpu)
{
    pthread_mutex_lock(&qemu_cpu_list_lock);
    cpu->next = cpu_list;
    cpu_list = cpu;
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

static void cpu_work_drop(CPUState *cpu);

void cpu_list_remove(CPUState *cpu)
{
    cpu_work_drop(cpu);     /* work for a vCPU that will not run again */
    pthread_mutex_lock(&qemu_cpu_list_lock);
    for (CPUState **link = &cpu_list; *link; link = &(*link)->next) {
        if (*link == cpu) {
            *link = cpu->next;
            break;
        }
    }
    pthread_mutex_unlock(&qemu_cpu_list_lock);
    if (thread_cpu == cpu) {
        thread_cpu = NULL;  /* host signals on this thread find no vCPU now */
    }
}

/*
 * Do the vCPUs run guest code at once?  On an engine with the patches that
 * takes (stops from other threads, parallel atomics, the exclusive atomic
 * step); the stock engine's vCPUs take turns (accel/cpus.py).
 */
bool cpu_runs_parallel(void)
{
    engine_init();
    return engine.stop_async && engine.tb_instrument && engine.tb_parallel &&
           engine.exclusive_step;
}

/* ---- exclusive sections (QEMU's start_exclusive, cpu_exec_start) ---- */

/*
 * This vCPU is about to run guest code: wait while an exclusive section is
 * in progress, then count as running (a section started later waits for
 * it to call cpu_exec_end).
 */
void cpu_exec_start(CPUState *cpu)
{
    pthread_mutex_lock(&qemu_cpu_list_lock);
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &qemu_cpu_list_lock);
    }
    cpu->running = true;
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

bool cpu_in_guest(CPUState *cpu)
{
    bool running;

    pthread_mutex_lock(&qemu_cpu_list_lock);
    running = cpu->running;
    pthread_mutex_unlock(&qemu_cpu_list_lock);
    return running;
}

/* This vCPU left guest code (its engine returned, or a syscall begins). */
void cpu_exec_end(CPUState *cpu)
{
    pthread_mutex_lock(&qemu_cpu_list_lock);
    cpu->running = false;
    if (cpu->has_waiter) {
        cpu->has_waiter = false;
        if (--pending_cpus == 1) {
            pthread_cond_signal(&exclusive_cond);
        }
    }
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

/*
 * Wait until no other vCPU runs guest code, and keep them out until
 * end_exclusive: each running one is kicked and waited for.  The caller is
 * a thread that runs no guest code now (outside cpu_exec_start/_end).
 */
void start_exclusive(void)
{
    pthread_mutex_lock(&qemu_cpu_list_lock);
    while (pending_cpus) {
        pthread_cond_wait(&exclusive_resume, &qemu_cpu_list_lock);
    }
    pending_cpus = 1;
    for (CPUState *c = cpu_list; c; c = c->next) {
        if (c->running && !c->has_waiter) {
            c->has_waiter = true;
            pending_cpus++;
            qemu_cpu_kick(c);
        }
    }
    while (pending_cpus > 1) {
        pthread_cond_wait(&exclusive_cond, &qemu_cpu_list_lock);
    }
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

void end_exclusive(void)
{
    pthread_mutex_lock(&qemu_cpu_list_lock);
    pending_cpus = 0;
    pthread_cond_broadcast(&exclusive_resume);
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

/* Is a vCPU running guest code (inside the engine) on this process now? */
bool cpu_exec_running(void)
{
    return cpu_running != NULL;     /* volatile: read by the crash handler, which calls nothing */
}

/*
 * How a kick, a signal or queued work stops a running vCPU.  On an engine
 * with uc_emu_stop_async (pyqemu's patch 0005, on top of 0003's inline exit
 * check), it is stopped directly at its next block, and needs no block hook
 * unless plugins translate blocks.  On the stock engine an asynchronous
 * uc_emu_stop can run a store twice, so a permanent block hook checks for
 * requests instead (tb_may_start).
 *
 * A stop from outside the engine's hooks is safe at the next block start
 * unless hooks watch the guest.  One landing while a memory hook runs would
 * stop right after that access and run its instruction again; one landing
 * while the block hook runs (before the engine's exit check) would stop the
 * block after its callbacks ran, and they would run again.  So with hooks,
 * requests wait for the next block's own check (tb_may_start).  Callbacks
 * called from the generated code (tb_site) come after the exit check: a
 * stop landing in one takes effect at the next block, as in QEMU.
 */
void cpu_stop_async(CPUState *cpu)
{
    if (cpu && engine.stop_async && !cpu->h_block && !cpu->h_mem_read) {
        __atomic_fetch_add(&cpu->async_stops, 1, __ATOMIC_RELAXED);
        engine.stop_async(cpu->uc);
    }
}

/*
 * Set this vCPU's exit request and stop it at its next safe point (QEMU's
 * qemu_cpu_kick after setting cpu->exit_request): like the signal handler,
 * it stops the engine itself when that is safe (cpu_stop_async) and
 * otherwise leaves it to the next block's check.  cpu_exec then runs the
 * vCPU's queued work and returns EXCP_KICK.  Async-signal-safe.  (Not named
 * cpu_exit, QEMU's name for setting the request alone: the engine exports
 * its own cpu_exit, and ours would take its place.)
 */
void qemu_cpu_kick(CPUState *cpu)
{
    if (cpu) {
        __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELEASE);
        cpu_stop_async(cpu);
    }
}

/* ---- work run by one vCPU's thread at its safe point ---- */

struct qemu_work_item {
    struct qemu_work_item *next;
    run_on_cpu_func func;
    uintptr_t data;
};

/* guards every vCPU's work_first/work_last (QEMU has one per vCPU; one is enough here) */
static pthread_mutex_t cpu_work_lock = PTHREAD_MUTEX_INITIALIZER;

void async_run_on_cpu(CPUState *cpu, run_on_cpu_func func, uintptr_t data)
{
    struct qemu_work_item *wi = malloc(sizeof(*wi));

    if (!wi) {
        abort();    /* as QEMU's g_new */
    }
    wi->next = NULL;
    wi->func = func;
    wi->data = data;
    pthread_mutex_lock(&cpu_work_lock);
    if (cpu->work_last) {
        cpu->work_last->next = wi;
    } else {
        cpu->work_first = wi;
    }
    cpu->work_last = wi;
    pthread_mutex_unlock(&cpu_work_lock);
    qemu_cpu_kick(cpu);
}

/* Take the vCPU's whole queue (work queued by the work runs at the next safe point). */
static struct qemu_work_item *cpu_work_take(CPUState *cpu)
{
    struct qemu_work_item *first;

    pthread_mutex_lock(&cpu_work_lock);
    first = cpu->work_first;
    cpu->work_first = cpu->work_last = NULL;
    pthread_mutex_unlock(&cpu_work_lock);
    return first;
}

/* Run the work queued on this vCPU, in order; true when there was any. */
bool process_queued_cpu_work(CPUState *cpu)
{
    struct qemu_work_item *wi = cpu_work_take(cpu), *next;
    bool any = wi != NULL;

    for (; wi; wi = next) {
        next = wi->next;
        wi->func(cpu, wi->data);
        free(wi);
    }
    return any;
}

static void cpu_work_drop(CPUState *cpu)
{
    struct qemu_work_item *wi = cpu_work_take(cpu), *next;

    for (; wi; wi = next) {
        next = wi->next;
        free(wi);
    }
}

/* ---- work run with every vCPU out of guest code ---- */

#define CPU_WORK_MAX 8

/* the safe work queue, under safe_work_lock; safe_work_pending: it is not empty */
static pthread_mutex_t safe_work_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    run_on_cpu_func func;
    uintptr_t data;
} cpu_work[CPU_WORK_MAX];
static size_t n_cpu_work;
static volatile int safe_work_pending;

bool cpu_safe_work_pending(void)
{
    return __atomic_load_n(&safe_work_pending, __ATOMIC_ACQUIRE);
}

/*
 * Queue work to run with every vCPU out of guest code and stop @cpu, or,
 * with no vCPU (asked from a thread that runs none), every vCPU, so that
 * one reaches its safe point soon; whichever does runs the work there in an
 * exclusive section (process_queued_safe_work).  Not from a signal handler.
 */
void async_safe_run_on_cpu(CPUState *cpu, run_on_cpu_func func, uintptr_t data)
{
    bool queued = false;

    pthread_mutex_lock(&safe_work_lock);
    for (size_t i = 0; i < n_cpu_work; i++) {
        if (cpu_work[i].func == func && cpu_work[i].data == data) {
            queued = true;
            break;
        }
    }
    if (!queued) {
        if (n_cpu_work == CPU_WORK_MAX) {
            abort();    /* a handful of kinds of work exist, each queued once */
        }
        cpu_work[n_cpu_work].func = func;
        cpu_work[n_cpu_work].data = data;
        n_cpu_work++;
        __atomic_store_n(&safe_work_pending, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&safe_work_lock);
    if (cpu) {
        qemu_cpu_kick(cpu);
        return;
    }
    pthread_mutex_lock(&qemu_cpu_list_lock);
    for (CPUState *c = cpu_list; c; c = c->next) {
        qemu_cpu_kick(c);
    }
    pthread_mutex_unlock(&qemu_cpu_list_lock);
}

/*
 * Run the queued safe work, in order, in an exclusive section (the caller
 * is at its safe point); true when there was any.  Work may queue more
 * work: it runs at the next safe point.
 */
bool process_queued_safe_work(CPUState *cpu)
{
    size_t n;
    struct {
        run_on_cpu_func func;
        uintptr_t data;
    } work[CPU_WORK_MAX];

    if (!cpu_safe_work_pending()) {
        return false;
    }
    start_exclusive();
    pthread_mutex_lock(&safe_work_lock);
    n = n_cpu_work;
    memcpy(work, cpu_work, n * sizeof(work[0]));
    n_cpu_work = 0;
    __atomic_store_n(&safe_work_pending, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&safe_work_lock);
    for (size_t i = 0; i < n; i++) {
        work[i].func(cpu, work[i].data);
    }
    end_exclusive();
    return n > 0;
}
