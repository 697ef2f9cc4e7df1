// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest's signal mask and actions served in C (QEMU's do_sigprocmask
 * and do_sigaction in linux-user/signal.c): rt_sigprocmask and rt_sigaction
 * read and change the mask and the process's actions kept in the vCPU's
 * TaskSignals, the struct Python's signal code (linux_user/signal.py,
 * syscall/signal.py) reads and writes too, so there is one state for both.
 * Anything that needs Python returns false and the Python row answers: no
 * TaskSignals given, a sigsetsize, how or signal it refuses, a set or
 * action the guest may not read or write (EFAULT answered there), a new
 * mask that unblocks a signal queued in Python (it delivers it before the
 * next block); for rt_sigaction also another vCPU in the process.
 *
 * Layer: called by syscall.c (internal.h) and Python (host.h); calls
 * uaccess.c and user-signal.c (internal.h).
 */
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include "cpu.h"
#include "internal.h"

#define PROT_R 1
#define PROT_W 2
#define SIGSET_SIZE 8
#define TARGET_NSIG 64
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
/* SIGKILL (9) and SIGSTOP (19): never blocked */
#define UNBLOCKABLE ((1ull << (9 - 1)) | (1ull << (19 - 1)))
/* signals 63 and 64: no host signal under qemu 7.2 (syscall/signal.py's QEMU_UNMAPPED_SIGNALS) */
#define QEMU_UNMAPPED_SIGNALS ((1ull << (63 - 1)) | (1ull << (64 - 1)))

/* The task whose signal state syscalls on @cpu change (NULL: Python serves them). */
void cpu_set_task_signals(CPUState *cpu, TaskSignals *signals)
{
    cpu->task_signals = signals;
    /* the host's dispositions follow the actions and this mask from now on */
    for (int sig = 1; signals && sig <= TARGET_NSIG; sig++) {
        cpu_signal_sync_host(signals->actions, sig);
    }
}

/*
 * Copy @size bytes from (@need PROT_R) or to (PROT_W) the guest at @addr, if
 * the guest may access them so: by loads and stores where no file is mapped
 * (the kernel's copy, syscall_host_copy, costs two syscalls' time more).
 */
static bool guest_copy(void *local, uint64_t addr, uint64_t size, int need)
{
    void *guest = (void *)(uintptr_t)addr;

    if (guest_range_direct_ok(addr, size, need)) {
        if (need == PROT_W) {
            memcpy(guest, local, size);
        } else {
            memcpy(local, guest, size);
        }
        return true;
    }
    return guest_range_ok(addr, size, need) &&
           syscall_host_copy(local, addr, size, need == PROT_W);
}

/*
 * rt_sigprocmask(how, set, oldset, sigsetsize), in qemu 7.2's order (the how,
 * the set read, the mask changed, the old mask stored), as syscall/signal.py's
 * do_rt_sigprocmask: the contract of syscall_fast.
 */
static bool do_sigprocmask_fast(CPUState *cpu, const uint64_t *a, long *ret)
{
    TaskSignals *ts = cpu->task_signals;
    uint64_t old, mask, bits;

    if (!ts || a[3] != SIGSET_SIZE) {
        return false;
    }
    old = mask = ts->mask;
    if (a[1]) {
        if (!guest_copy(&bits, a[1], SIGSET_SIZE, PROT_R)) {
            return false;
        }
        switch ((int32_t)a[0]) {
        case SIG_BLOCK:
            mask = old | bits;
            break;
        case SIG_UNBLOCK:
            mask = old & ~bits;
            break;
        case SIG_SETMASK:
            mask = bits;
            break;
        default:
            return false;
        }
        mask &= ~(UNBLOCKABLE | QEMU_UNMAPPED_SIGNALS);
    }
    /* a queued signal it unblocks: Python delivers it before the next block */
    if (ts->queued & ~mask) {
        return false;
    }
    /* an old set it cannot store: Python's EFAULT, after it changed the mask */
    if (a[2] && !guest_copy(&old, a[2], SIGSET_SIZE, PROT_W)) {
        return false;
    }
    ts->mask = mask;
    cpu_signal_mask_changed(ts, old);
    *ret = 0;
    return true;
}

/*
 * rt_sigaction(sig, act, oldact, sigsetsize) on the process's table, as
 * syscall/signal.py's do_rt_sigaction: only while this vCPU is the
 * process's only one (another thread's Python may read the table meanwhile),
 * and where it answers 0.
 */
static bool do_sigaction_fast(CPUState *cpu, const uint64_t *a, bool alone, long *ret)
{
    TaskSignals *ts = cpu->task_signals;
    int32_t sig = (int32_t)a[0];
    target_sigaction act, old;

    if (!alone || !ts || !ts->actions || a[3] != SIGSET_SIZE || sig < 1 || sig > TARGET_NSIG ||
        (a[1] && (UNBLOCKABLE & (1ull << (sig - 1))))) {
        return false;
    }
    if (a[1] && !guest_copy(&act, a[1], sizeof(act), PROT_R)) {
        return false;
    }
    if (a[2] && !guest_range_ok(a[2], sizeof(old), PROT_W)) {
        return false;
    }
    old = ts->actions[sig - 1];
    if (a[1]) {
        ts->actions[sig - 1] = act;     /* sa_mask as given, as qemu 7.2 keeps it */
        cpu_signal_sync_host(ts->actions, sig);
    }
    /* a page it cannot store to after all: Python stores the action again, then EFAULT */
    if (a[2] && !guest_copy(&old, a[2], sizeof(old), PROT_W)) {
        return false;
    }
    *ret = 0;
    return true;
}

bool syscall_fast_signal(CPUState *cpu, int32_t num, const uint64_t *a, bool alone, long *ret)
{
    switch (num) {
    case SYS_rt_sigprocmask:
        return do_sigprocmask_fast(cpu, a, ret);
    case SYS_rt_sigaction:
        return do_sigaction_fast(cpu, a, alone, ret);
    default:
        return false;
    }
}
