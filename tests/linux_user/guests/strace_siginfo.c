// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strace_siginfo: signals taken with a value (sigqueue with a small, a negative and a
 * pointer-sized sival, and a POSIX timer's SI_TIMER), a kernel's SIGALRM and a child's
 * SIGCHLD, so that tests/linux_user/test_strace_printers.py can compare the
 * "--- SIG... {...} ---" lines pyqemu -strace prints with qemu-x86_64 7.2's.
 *
 * Expected status: 0
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t taken;

static void handler(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)info, (void)context;
    taken++;
}

static void wait_for(int count)
{
    while (taken < count) {
        pause();
    }
}

int main(void)
{
    struct sigaction action = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
    struct itimerspec soon = {{0, 0}, {0, 1000000}};
    union sigval values[3] = {{.sival_int = 42}, {.sival_ptr = (void *)(intptr_t)-5},
                              {.sival_ptr = (void *)0x7fffdeadbeef}};
    timer_t timer;

    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGRTMIN, &action, NULL);
    sigaction(SIGALRM, &action, NULL);
    sigaction(SIGCHLD, &action, NULL);
    for (int i = 0; i < 3; i++) {
        sigqueue(getpid(), i == 1 ? SIGRTMIN : SIGUSR1, values[i]);
    }
    event.sigev_value.sival_int = 7;
    timer_create(CLOCK_MONOTONIC, &event, &timer);
    timer_settime(timer, 0, &soon, NULL);
    wait_for(4);
    alarm(1);
    wait_for(5);
    if (fork() == 0) {
        _exit(3);
    }
    wait_for(6);
    printf("%d\n", (int)taken);
    return 0;
}
