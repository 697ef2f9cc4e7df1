// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host signals meant for the guest (QEMU's linux-user/signal.c, its
 * host_signal_handler half): the handler records the signal and its siginfo
 * and asks the running vCPU to stop; Python takes them between blocks
 * (cpu_signal_take) and delivers them to the guest; pause, rt_sigsuspend and
 * rt_sigtimedwait wait here for the next one.
 *
 * Layer: called by Python only (host.h); calls cpus-common.c (cpu.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "cpu.h"

#define HOST_NSIG 65
static volatile sig_atomic_t signal_pending[HOST_NSIG];
/* The host's siginfo of each pending signal: the guest's layout (QEMU passes it on). */
static siginfo_t signal_info[HOST_NSIG];

/*
 * The host handler only records the signal, as QEMU's host_signal_handler
 * queues it; every vCPU stops at its next block start (tb_may_start).
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
    (void)uc;
    signal_info[sig] = *info;
    signal_pending[sig] = 1;
    signal_any = 1;
    qemu_cpu_kick(cpu_running);  /* none there: the next cpu_exec sees signal_any */
}

int cpu_signal_catch(int sig)
{
    struct sigaction sa;

    if (sig <= 0 || sig >= HOST_NSIG) {
        return -EINVAL;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_signal_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? 0 : -errno;
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
    if (!signal_any) {
        if (timeout_ns < 0) {
            sigsuspend(&old);
        } else {
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            if (ppoll(NULL, 0, &ts, &old) == 0 && !signal_any) {
                ret = -EAGAIN;
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ret;
}

int cpu_signal_take(uint8_t *info)
{
    sigset_t all, old;
    int found = 0;

    if (!signal_any) {
        return 0;
    }
    /* the handler may write signal_info meanwhile: copy it with signals blocked */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    signal_any = 0;
    for (int sig = 1; sig < HOST_NSIG; sig++) {
        if (!signal_pending[sig]) {
            continue;
        }
        if (found) {
            signal_any = 1;
            break;
        }
        signal_pending[sig] = 0;
        memcpy(info, &signal_info[sig], sizeof(siginfo_t));
        found = sig;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return found;
}
