// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host signals meant for the guest (QEMU's linux-user/signal.c, its
 * host_signal_handler half): the handler records the signal and its siginfo
 * and asks its thread's vCPU to stop; Python takes them between blocks
 * (cpu_signal_take) and delivers them to the guest; pause, rt_sigsuspend and
 * rt_sigtimedwait wait here for the next one.  The host's disposition of
 * each signal follows the guest's action, as QEMU's do_sigaction sets it: a
 * signal the guest ignores (SIG_IGN, or the default of SIGCHLD, SIGURG,
 * SIGWINCH, SIGCONT) and no guest task blocks is left to the host kernel,
 * which drops it without interrupting a blocked syscall, and so is a
 * job-control stop (SIGTSTP, SIGTTIN, SIGTTOU at their default), which stops
 * the process; a handler's SA_RESTART is the host handler's, so the kernel
 * restarts what it would restart.  While a syscall made for the guest runs,
 * the host thread blocks what the guest blocks (cpu_signal_guest_mask_enter).
 *
 * Layer: called by Python (host.h), syscall.c, syscall-signal.c, uaccess.c
 * and plugin-crash.c (internal.h); calls cpus-common.c (cpu.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu.h"
#include "internal.h"

#define TARGET_SIG_DFL 0
#define TARGET_SIG_IGN 1
#define TARGET_SA_RESTART 0x10000000u
#define SIG_BIT(sig) (1ull << ((sig) - 1))
/*
 * default action the kernel's own: ignore (SIGCONT: continue, nothing for a
 * running process) or stop the process (job control: qemu's fatal_signal 0)
 */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | \
                         SIG_BIT(SIGCONT) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | \
                         SIG_BIT(SIGTTOU))

/*
 * Signals sent to the process (kill, timers, the terminal): any thread may
 * take them.  Signals sent to one thread (tgkill, tkill: si_code SI_TKILL)
 * are its vCPU's (CPUState's thread_signals), taken by that thread only, as
 * Linux keeps a thread's pending set apart from the process's.  The host's
 * siginfo of each: the guest's layout (QEMU passes it on).
 */
static SignalQueue process_signals;

/*
 * A slot's states: a handler claims a free one (compare-and-swap, so of two
 * threads' handlers only one wins), writes its siginfo and publishes it
 * (release); the taker copies a ready one and frees it.
 */
enum { SIGNAL_SLOT_FREE, SIGNAL_SLOT_WRITING, SIGNAL_SLOT_READY };

static bool signal_slot_claim(struct signal_slot *slot)
{
    int free_state = SIGNAL_SLOT_FREE;

    return __atomic_compare_exchange_n(&slot->state, &free_state, SIGNAL_SLOT_WRITING, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * Queue sig with its siginfo, from a signal handler (atomics only): a
 * standard signal already pending is dropped with its siginfo, as Linux
 * drops it; a real-time one is queued each time while a slot is free.
 */
static void signal_queue(SignalQueue *queue, volatile sig_atomic_t *any, int sig,
                         const siginfo_t *info)
{
    struct signal_slot *slot = NULL;

    if (sig < HOST_SIGRTMIN) {
        if (signal_slot_claim(&queue->standard[sig])) {
            slot = &queue->standard[sig];
        }
    } else {
        for (int i = 0; i < SIGNAL_RT_SLOTS && !slot; i++) {
            if (signal_slot_claim(&queue->rt[i])) {
                slot = &queue->rt[i];
            }
        }
    }
    if (!slot) {
        return;
    }
    slot->sig = sig;
    slot->seq = __atomic_fetch_add(&queue->next_seq, 1, __ATOMIC_RELAXED);
    slot->info = *info;
    __atomic_store_n(&slot->state, SIGNAL_SLOT_READY, __ATOMIC_RELEASE);
    __atomic_store_n(any, 1, __ATOMIC_SEQ_CST);
}

/* Is a host signal pending for the vCPU of this thread (its own, or the process's)? */
static bool signal_pending_here(void)
{
    CPUState *cpu = thread_cpu;

    return __atomic_load_n(&signal_any, __ATOMIC_ACQUIRE) ||
           (cpu && __atomic_load_n(&cpu->thread_signal_any, __ATOMIC_ACQUIRE));
}

/*
 * The host handler only records the signal, as QEMU's host_signal_handler
 * queues it, and asks the vCPU of the thread the host delivered it to
 * (thread_cpu: a thread-directed signal's own, a process-directed one's
 * chosen thread, as Linux chooses one not blocking it) to stop at its next
 * block start (tb_may_start); on a thread that has run no vCPU yet, the
 * vCPU last in the engine.  A vCPU that is not in the engine finds
 * signal_any at the top of its next cpu_exec.
 *
 * On the stock engine it must not call uc_emu_stop: the engine also checks
 * for a stop request after each guest load and store, and leaves by
 * restarting the current instruction, so a request that lands just after a
 * store would run that instruction twice (a lost or doubled "add [mem]" in
 * the guest).  Stops requested from the block hook happen before any
 * instruction of the block.  Our engine's uc_emu_stop_async stops at the
 * next block start, which is as safe, and is used when there is no block
 * hook (cpu_stop_async).
 */
static void host_signal_handler(int sig, siginfo_t *info, void *uc)
{
    CPUState *cpu = thread_cpu;
    int saved_errno = errno;    /* the interrupted code's (the kick may set it) */

    (void)uc;
    if (cpu && info->si_code == SI_TKILL) {
        signal_queue(&cpu->thread_signals, &cpu->thread_signal_any, sig, info);
    } else {
        signal_queue(&process_signals, &signal_any, sig, info);
    }
    qemu_cpu_kick(cpu ? cpu : __atomic_load_n(&cpu_running, __ATOMIC_RELAXED));
    errno = saved_errno;
}

/*
 * SIGSEGV, SIGBUS, SIGILL and SIGFPE come to plugin-crash.c's handler, which
 * reports a fault of the emulator or a plugin.  One that a process sent (kill,
 * tgkill, sigqueue: si_code <= 0) is no fault: it is the guest's, queued as
 * any other signal is, as QEMU's host_signal_handler takes only si_code > 0
 * for a fault.  True when @info is such a signal, now queued.
 */
bool cpu_signal_sent(int sig, siginfo_t *info, void *uc)
{
    if (info->si_code > 0) {
        return false;
    }
    host_signal_handler(sig, info, uc);
    return true;
}

/*
 * The host's side of the guest's signals (process-wide, as dispositions are):
 * which signals the guest receives through host_signal_handler (caught),
 * which the host ignored before (inherited_ignored), and which are now left
 * to the kernel (host_quiet: SIG_IGN in host_ignore, else SIG_DFL) or come
 * to the handler with SA_RESTART (host_restart).  Changed under
 * disposition_lock.
 */
static uint64_t caught, inherited_ignored, host_quiet, host_ignore, host_restart;
/* how many guest tasks block each signal (cpu_signal_mask_changed keeps it) */
static uint32_t blockers[HOST_NSIG];
static pthread_mutex_t disposition_lock = PTHREAD_MUTEX_INITIALIZER;

/* Make @sig's host disposition: the kernel's (@quiet: SIG_IGN or SIG_DFL) or ours. */
static int disposition_set(int sig, bool quiet, bool ignore, bool restart)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sigfillset(&sa.sa_mask);
    if (quiet) {
        sa.sa_handler = ignore ? SIG_IGN : SIG_DFL;
    } else {
        sa.sa_sigaction = host_signal_handler;
        sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
    }
    if (sigaction(sig, &sa, NULL) != 0) {
        return -errno;
    }
    host_quiet = quiet ? host_quiet | SIG_BIT(sig) : host_quiet & ~SIG_BIT(sig);
    host_ignore = quiet && ignore ? host_ignore | SIG_BIT(sig) : host_ignore & ~SIG_BIT(sig);
    host_restart = restart ? host_restart | SIG_BIT(sig) : host_restart & ~SIG_BIT(sig);
    return 0;
}

/*
 * Give host signal @sig to the guest (QEMU's signal_init): one the host
 * ignored stays ignored and the guest's action starts as SIG_IGN
 * (cpu_signal_inherited_ignored), one ignored by default stays the kernel's
 * until the guest handles or blocks it; the others come to the handler.
 */
int cpu_signal_catch(int sig)
{
    struct sigaction old;
    int ret;

    if (sig <= 0 || sig >= HOST_NSIG) {
        return -EINVAL;
    }
    if (sigaction(sig, NULL, &old) != 0) {
        return -errno;
    }
    pthread_mutex_lock(&disposition_lock);
    if (caught & SIG_BIT(sig)) {
        /* caught before (a second run in this process): the first one saw the host's */
        pthread_mutex_unlock(&disposition_lock);
        return 0;
    }
    caught |= SIG_BIT(sig);
    /* CPython ignores SIGPIPE and SIGXFSZ itself: whether the parent did is unknown */
    if (sig == SIGPIPE || sig == SIGXFSZ) {
        old.sa_handler = SIG_DFL;
    }
    if (old.sa_handler == SIG_IGN) {
        inherited_ignored |= SIG_BIT(sig);
    }
    ret = disposition_set(sig, old.sa_handler == SIG_IGN || (DEFAULT_IGNORED & SIG_BIT(sig)),
                          old.sa_handler == SIG_IGN, false);
    pthread_mutex_unlock(&disposition_lock);
    return ret;
}

uint64_t cpu_signal_inherited_ignored(void)
{
    return __atomic_load_n(&inherited_ignored, __ATOMIC_RELAXED);
}

/* @sig's disposition for guest action @act while @blocked (some guest task blocks it). */
static void disposition_sync__locked(const target_sigaction *act, int sig, bool blocked)
{
    bool ignore = act->handler == TARGET_SIG_IGN;
    bool quiet = ignore || (act->handler == TARGET_SIG_DFL && !blocked &&
                            (DEFAULT_IGNORED & SIG_BIT(sig)));
    bool restart = act->handler > TARGET_SIG_IGN && (act->flags & TARGET_SA_RESTART);

    bool same = quiet == !!(host_quiet & SIG_BIT(sig)) &&
                (quiet && ignore) == !!(host_ignore & SIG_BIT(sig)) &&
                restart == !!(host_restart & SIG_BIT(sig));

    if ((caught & SIG_BIT(sig)) && !same) {
        disposition_set(sig, quiet, ignore, restart);
    }
}

void cpu_signal_sync_host(const target_sigaction *actions, int sig)
{
    if (!actions || sig < 1 || sig >= HOST_NSIG ||
        !(__atomic_load_n(&caught, __ATOMIC_RELAXED) & SIG_BIT(sig))) {
        return;
    }
    pthread_mutex_lock(&disposition_lock);
    disposition_sync__locked(&actions[sig - 1], sig, blockers[sig] > 0);
    pthread_mutex_unlock(&disposition_lock);
}

/*
 * Task @ts's mask changed from @old (its own thread, or its creator before it
 * runs; a task that ends changes it to 0): count the tasks that block each
 * signal whose default the kernel may take, and follow them.
 */
void cpu_signal_mask_changed(TaskSignals *ts, uint64_t old)
{
    uint64_t changed = (old ^ ts->mask) & DEFAULT_IGNORED;

    if (!changed) {
        return;
    }
    pthread_mutex_lock(&disposition_lock);
    for (int sig = 1; changed; sig++, changed >>= 1) {
        if (!(changed & 1)) {
            continue;
        }
        if (ts->mask & SIG_BIT(sig)) {
            blockers[sig]++;
        } else if (blockers[sig]) {
            blockers[sig]--;
        }
        if (ts->actions) {
            disposition_sync__locked(&ts->actions[sig - 1], sig, blockers[sig] > 0);
        }
    }
    pthread_mutex_unlock(&disposition_lock);
}

/* The host sigset of a guest mask (bit n-1 for signal n: the same numbers on the host). */
static void host_sigset(uint64_t mask, sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; mask; sig++, mask >>= 1) {
        if (mask & 1) {
            sigaddset(set, sig);
        }
    }
}

/* the emulator's own faults: never blocked on the host for the guest */
#define HOST_FAULTS (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGFPE) | \
                     SIG_BIT(SIGTRAP))

/*
 * Before a host syscall made for the guest on this thread: block on the host
 * the signals the guest blocks (QEMU runs guest syscalls with the host mask
 * the guest's), so one of them stays pending in the host kernel instead of
 * interrupting the call with EINTR; its handler takes it once
 * cpu_signal_guest_mask_leave restores @saved.  False (nothing to restore)
 * when the guest blocks none of the signals it receives.
 */
bool cpu_signal_guest_mask_enter(sigset_t *saved)
{
    CPUState *cpu = thread_cpu;
    uint64_t mask;
    sigset_t set;

    if (!cpu || !cpu->task_signals) {
        return false;
    }
    mask = cpu->task_signals->mask & __atomic_load_n(&caught, __ATOMIC_RELAXED) & ~HOST_FAULTS;
    if (!mask) {
        return false;
    }
    host_sigset(mask, &set);
    return pthread_sigmask(SIG_BLOCK, &set, saved) == 0;
}

void cpu_signal_guest_mask_leave(const sigset_t *saved)
{
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/*
 * execve as the host's (QEMU's do_execve without binfmt_misc): the new
 * program inherits the guest's blocked signals as Linux passes them on (the
 * host thread's mask is the guest's for the call, and back if it fails).
 */
long cpu_signal_execve(const char *path, uint64_t argv, uint64_t envp, uint64_t guest_mask)
{
    sigset_t mask, old;
    long r;

    host_sigset(guest_mask, &mask);
    pthread_sigmask(SIG_SETMASK, &mask, &old);
    r = syscall(SYS_execve, path, argv, envp);
    r = r == -1 ? -errno : r;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}

/*
 * pause(): sleep until a host signal caught for the guest arrives, or return
 * at once if one already has (it is delivered to the guest after the
 * syscall).  Every signal is blocked while signal_any is checked, and
 * sigsuspend unblocks them atomically, so none slips in between.
 */
void cpu_signal_wait(void)
{
    cpu_signal_wait_for(-1);
}

/*
 * The same wait, bounded by timeout_ns nanoseconds (negative: no bound), for
 * rt_sigtimedwait.  Returns 0 when a signal came (or had come), -EAGAIN when
 * the time ran out.
 */
int cpu_signal_wait_for(int64_t timeout_ns)
{
    sigset_t all, old;
    struct timespec ts;
    int ret = 0;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (!signal_pending_here()) {
        if (timeout_ns < 0) {
            sigsuspend(&old);
        } else {
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            if (ppoll(NULL, 0, &ts, &old) == 0 && !signal_pending_here()) {
                ret = -EAGAIN;
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ret;
}

/*
 * Take the signal Linux would deliver first from a queue: the lowest
 * number, and of one real-time number the first to come; 0 when none is
 * ready.  any is cleared first and set again while more may be ready, so a
 * handler that publishes meanwhile is seen by the next take.
 */
static int signal_take_from(volatile sig_atomic_t *any, SignalQueue *queue, uint8_t *info)
{
    struct signal_slot *best = NULL;
    int ready = 0, sig;

    if (!__atomic_exchange_n(any, 0, __ATOMIC_SEQ_CST)) {
        return 0;
    }
    for (sig = 1; sig < HOST_SIGRTMIN; sig++) {
        if (__atomic_load_n(&queue->standard[sig].state, __ATOMIC_ACQUIRE) ==
            SIGNAL_SLOT_READY) {
            best = best ? best : &queue->standard[sig];
            ready++;
        }
    }
    for (int i = 0; i < SIGNAL_RT_SLOTS; i++) {
        struct signal_slot *slot = &queue->rt[i];

        if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != SIGNAL_SLOT_READY) {
            continue;
        }
        ready++;
        if (!best || (best->sig >= HOST_SIGRTMIN &&
                      (slot->sig < best->sig ||
                       (slot->sig == best->sig && slot->seq < best->seq)))) {
            best = slot;
        }
    }
    if (ready > 1) {
        __atomic_store_n(any, 1, __ATOMIC_SEQ_CST);
    }
    if (!best) {
        return 0;
    }
    memcpy(info, &best->info, sizeof(siginfo_t));
    sig = best->sig;
    __atomic_store_n(&best->state, SIGNAL_SLOT_FREE, __ATOMIC_RELEASE);
    return sig;
}

/* the takers of process-directed signals: vCPUs take them at once */
static pthread_mutex_t signal_take_lock = PTHREAD_MUTEX_INITIALIZER;

/* The next host signal for this thread: its own first, then the process's. */
int cpu_signal_take(uint8_t *info)
{
    CPUState *cpu = thread_cpu;
    sigset_t all, old;
    int found = 0;

    if (!signal_pending_here()) {
        return 0;
    }
    /* the handler may write the sets meanwhile: take with signals blocked */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (cpu) {
        found = signal_take_from(&cpu->thread_signal_any, &cpu->thread_signals, info);
    }
    if (!found) {
        pthread_mutex_lock(&signal_take_lock);
        found = signal_take_from(&signal_any, &process_signals, info);
        pthread_mutex_unlock(&signal_take_lock);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return found;
}
