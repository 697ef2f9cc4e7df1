// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alarm_spin.c - spins in a loop with no syscall until a SIGALRM handler ends it.
 *
 * An emulator must stop running guest code when a host signal arrives, even
 * though the loop never leaves the translated code; a request that lands just
 * as the emulator (re)enters its engine must not be lost either, so this is
 * done many times with a short interval timer.
 *
 * Expected status: 0
 * Expected stdout: "spun through 50 alarms\n"
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#define ROUNDS 50

static volatile sig_atomic_t alarmed;

static void on_alarm(int signo)
{
    (void)signo;
    alarmed = 1;
}

int main(void)
{
    struct sigaction action;
    struct itimerval once;

    memset(&action, 0, sizeof(action));
    action.sa_handler = on_alarm;
    if (sigaction(SIGALRM, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    memset(&once, 0, sizeof(once));
    once.it_value.tv_usec = 500;
    for (int round = 0; round < ROUNDS; round++) {
        alarmed = 0;
        if (setitimer(ITIMER_REAL, &once, NULL) != 0) {
            perror("setitimer");
            return 1;
        }
        while (!alarmed) {
        }
    }
    printf("spun through %d alarms\n", ROUNDS);
    return 0;
}
