// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sigsuspend.c - waits for signals with sigsuspend, the race-free way to wait.
 *
 * Round 1: SIGUSR1 is blocked and already pending when sigsuspend unblocks it,
 * so the handler runs at once.  Round 2: SIGALRM is blocked, a timer fires
 * while sigsuspend sleeps.  Each time the handler must run with the temporary
 * mask plus its own signal blocked (SIGUSR2 is in the temporary mask), and
 * sigsuspend must return -1/EINTR with the original mask back in place.  A
 * signal the guest ignores must not end the wait: SIGCHLD (ignored by
 * default) arrives first in round 2.
 *
 * Expected status: 0
 * Expected stdout: see tests/linux_user/test_corpus.py
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, usr2_blocked_inside, own_blocked_inside;

static void on_signal(int signo)
{
    sigset_t now;

    sigprocmask(SIG_BLOCK, NULL, &now);
    handled = signo;
    usr2_blocked_inside = sigismember(&now, SIGUSR2);
    own_blocked_inside = sigismember(&now, signo);
}

static int wait_for(int signo)
{
    sigset_t during, after;
    int ret, err;

    sigemptyset(&during);
    sigaddset(&during, SIGUSR2);
    handled = 0;
    ret = sigsuspend(&during);
    err = errno;
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("%s: ret=%d %s handled=%s inside: usr2 %d own %d; after: blocked again %d\n",
           strsignal(signo), ret, err == EINTR ? "EINTR" : strerror(err),
           handled == signo ? "yes" : "no", usr2_blocked_inside, own_blocked_inside,
           sigismember(&after, signo) && !sigismember(&after, SIGUSR2));
    return ret == -1 && err == EINTR && handled == signo ? 0 : 1;
}

int main(void)
{
    struct sigaction action;
    struct itimerval timer;
    sigset_t blocked;
    int failures = 0;

    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGALRM, &action, NULL);

    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, NULL);

    kill(getpid(), SIGUSR1);
    failures += wait_for(SIGUSR1);

    kill(getpid(), SIGCHLD);       /* ignored by default: sigsuspend keeps waiting */
    memset(&timer, 0, sizeof(timer));
    timer.it_value.tv_usec = 50000;
    setitimer(ITIMER_REAL, &timer, NULL);
    failures += wait_for(SIGALRM);

    printf("%s\n", failures ? "FAILED" : "done");
    return failures;
}
