// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sent_fault_signals: SIGSEGV, SIGBUS, SIGILL and SIGFPE sent by a process (kill,
 * tgkill through raise, sigqueue) rather than raised by a fault.  "handled" catches
 * each with an SA_SIGINFO handler and prints what it got; "default" sends itself
 * SIGSEGV with the default action and dies of it.  The output must be the same
 * natively, under qemu-x86_64 7.2 and under pyqemu
 * (tests/linux_user/test_signal_dispositions.py).  (Blocked and taken with
 * sigtimedwait they are not compared: qemu 7.2 dies of the first.)
 *
 * Expected status: 0 ("handled"); killed by SIGSEGV ("default")
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const int SIGNALS[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

static void handler(int sig, siginfo_t *info, void *context)
{
    char line[96];
    int n;

    (void)context;
    n = snprintf(line, sizeof(line), "handled %d code %d sender %s value %d\n", sig,
                 info->si_code, info->si_pid == getpid() ? "self" : "other",
                 info->si_code == SI_QUEUE ? info->si_value.sival_int : 0);
    if (n > 0) {
        ssize_t ignored = write(1, line, (size_t)n);
        (void)ignored;
    }
}

static void send_each(void)
{
    for (unsigned i = 0; i < sizeof(SIGNALS) / sizeof(SIGNALS[0]); i++) {
        union sigval value = {.sival_int = (int)i + 40};

        kill(getpid(), SIGNALS[i]);
        raise(SIGNALS[i]);
        sigqueue(getpid(), SIGNALS[i], value);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "handled";
    struct sigaction action = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};

    for (unsigned i = 0; i < sizeof(SIGNALS) / sizeof(SIGNALS[0]); i++) {
        sigaction(SIGNALS[i], &action, NULL);
    }
    if (strcmp(mode, "default") == 0) {
        signal(SIGSEGV, SIG_DFL);
        kill(getpid(), SIGSEGV);
        puts("not reached");
        return 1;
    }
    send_each();
    return 0;
}
