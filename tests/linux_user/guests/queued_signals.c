/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals sent to a process that blocks them, in a burst from another
 * process: Linux keeps one of a standard signal pending (the first one's
 * siginfo) and queues every real-time one, in order.  The parent blocks
 * SIGUSR1 and SIGRTMIN+2, its child sigqueues each several times with
 * different values, and the parent, having reaped the child, unblocks them
 * and prints what its handler got.  The handler blocks both, so they come
 * one at a time, the lowest number first.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SENT 6

static volatile int got_sig[2 * SENT], got_value[2 * SENT];
static volatile int got;

static void on_signal(int sig, siginfo_t *info, void *uc)
{
    if (got < 2 * SENT) {
        got_sig[got] = sig;
        got_value[got] = info->si_value.sival_int;
        got++;
    }
}

int main(void)
{
    struct sigaction sa = { 0 };
    sigset_t block, pending;
    int rt = SIGRTMIN + 2;
    pid_t child;

    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, rt);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sa.sa_mask = block;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(rt, &sa, NULL);
    sigprocmask(SIG_BLOCK, &block, NULL);
    child = fork();
    if (child == 0) {
        for (int i = 1; i <= SENT; i++) {
            union sigval value = { .sival_int = i };

            sigqueue(getppid(), rt, value);
            value.sival_int = 100 + i;
            sigqueue(getppid(), SIGUSR1, value);
        }
        _exit(0);
    }
    while (waitpid(child, NULL, 0) < 0) {
    }
    sigpending(&pending);
    printf("pending usr1 %d rt %d\n", sigismember(&pending, SIGUSR1),
           sigismember(&pending, rt));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    for (int i = 0; i < got; i++) {
        printf("%s %d\n", got_sig[i] == SIGUSR1 ? "usr1" : "rt", got_value[i]);
    }
    return 0;
}
