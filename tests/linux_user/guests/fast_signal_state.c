// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rt_sigprocmask, which pyqemu serves in C (pyqemu/host/syscall-signal.c),
 * mixed with signals: ROUNDS rounds of block SIGUSR1 / restore the old mask
 * (what libc does around fork, pthread_create, ...), then SIGUSR1 sent to
 * itself while blocked (queued), blocked again (nothing unblocked: C), read
 * back, then unblocked: the handler must run before the next instruction
 * after the syscall.  Then the answers the Python row gives: a bad how,
 * a bad sigsetsize, an unreadable set, an unwritable old set (the mask stays),
 * SIGKILL and SIGSTOP never blocked, a NULL set (read only).  Then
 * rt_sigaction (served in C too): ROUNDS rounds of install and read back,
 * the action in force when the signal comes, and the answers the Python row
 * gives (bad signal, size, SIGKILL, unreadable act, read-only oldact).  Raw
 * syscalls with the kernel's 8-byte sigset and struct sigaction, each
 * result printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 50
#define BIT(sig) (1ull << ((sig) - 1))

static volatile int handled;

static void handler(int sig)
{
    (void)sig;
    handled++;
}

struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static long action_call(int sig, const struct kernel_sigaction *act,
                        struct kernel_sigaction *old, long size)
{
    long r = syscall(SYS_rt_sigaction, sig, act, old, size);

    return r < 0 ? -errno : r;
}

static void print_action(const char *what, long r, const struct kernel_sigaction *a)
{
    printf("%s %ld handler %s flags %lx mask %llx\n", what, r,
           a->handler == handler ? "handler" : a->handler ? "other" : "default",
           a->flags, (unsigned long long)a->mask);
}

static void sigaction_cases(uint64_t *ro, uint64_t *none)
{
    struct kernel_sigaction act, old = {0}, dfl = {0};
    long r = 0;

    /* libc's action for SIGUSR1 (signal() above): its flags and restorer */
    action_call(SIGUSR1, NULL, &act, 8);
    act.mask = BIT(SIGUSR2) | BIT(SIGKILL);

    for (int i = 0; i < ROUNDS; i++) {
        r |= action_call(SIGUSR2, &act, &old, 8) | action_call(SIGUSR2, &dfl, NULL, 8);
    }
    print_action("sigaction rounds", r, &old);
    r = action_call(SIGUSR2, &act, NULL, 8);
    r |= action_call(SIGUSR2, NULL, &old, 8);
    print_action("installed", r, &old);
    handled = 0;
    kill(getpid(), SIGUSR2);
    printf("usr2 handled %d\n", handled);
    printf("bad signal %ld\n", action_call(65, NULL, &old, 8));
    printf("signal 0 %ld\n", action_call(0, NULL, &old, 8));
    printf("bad size %ld\n", action_call(SIGUSR2, &act, &old, 16));
    printf("kill %ld\n", action_call(SIGKILL, &act, NULL, 8));
    r = action_call(SIGKILL, NULL, &old, 8);
    print_action("kill read", r, &old);
    printf("unreadable act %ld\n", action_call(SIGUSR2, (void *)none, &old, 8));
    printf("read-only old %ld\n", action_call(SIGUSR2, &dfl, (void *)ro, 8));
    r = action_call(SIGUSR2, NULL, &old, 8);
    print_action("after read-only old", r, &old);
}

static long mask_call(int how, const uint64_t *set, uint64_t *old, long size)
{
    long r = syscall(SYS_rt_sigprocmask, how, set, old, size);

    return r < 0 ? -errno : r;
}

int main(void)
{
    uint64_t usr1 = BIT(SIGUSR1), old = 0, now = 0, all = ~0ull;
    uint64_t *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long r;

    signal(SIGUSR1, handler);
    for (int i = 0; i < ROUNDS; i++) {
        if (mask_call(SIG_BLOCK, &usr1, &old, 8) || mask_call(SIG_SETMASK, &old, NULL, 8)) {
            printf("round %d failed\n", i);
        }
    }
    printf("rounds done, old %llx\n", (unsigned long long)old);

    r = mask_call(SIG_BLOCK, &usr1, &old, 8);
    printf("block %ld old %llx\n", r, (unsigned long long)old);
    kill(getpid(), SIGUSR1);
    printf("sent, handled %d\n", handled);
    r = mask_call(SIG_BLOCK, &usr1, &now, 8);
    printf("block again %ld old %llx handled %d\n", r, (unsigned long long)now, handled);
    r = mask_call(SIG_UNBLOCK, &usr1, &now, 8);
    printf("unblock %ld old %llx handled %d\n", r, (unsigned long long)now, handled);

    printf("bad how %ld\n", mask_call(7, &usr1, &now, 8));
    printf("bad size %ld\n", mask_call(SIG_BLOCK, &usr1, &now, 4));
    printf("unreadable set %ld\n", mask_call(SIG_BLOCK, none, &now, 8));
    printf("read-only old %ld\n", mask_call(SIG_BLOCK, &usr1, ro, 8));
    r = mask_call(SIG_BLOCK, NULL, &now, 8);
    printf("query %ld mask %llx\n", r, (unsigned long long)now);
    r = mask_call(SIG_SETMASK, &all, NULL, 8);
    r = mask_call(SIG_SETMASK, &usr1, &now, 8);
    printf("all %ld mask %llx\n", r, (unsigned long long)now);
    r = mask_call(SIG_SETMASK, NULL, NULL, 8);
    printf("nothing %ld\n", r);
    kill(getpid(), SIGUSR1);
    r = mask_call(SIG_SETMASK, &old, NULL, 8);
    printf("restored %ld handled %d\n", r, handled);
    sigaction_cases(ro, none);
    return 0;
}
