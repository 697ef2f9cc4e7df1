// SPDX-License-Identifier: GPL-2.0-or-later
/* Calls into the legacy vsyscall page (0xffffffffff600000): gettimeofday, time, getcpu
 * entries, then in children an entry that is none of them and bad pointers (SIGSEGV). */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    printf("segv code %d addr %p\n", si->si_code, si->si_addr);
    _exit(3);
}

int main(int argc, char **argv) {
    struct timeval tv = {0, 0};
    long (*vgtod)(struct timeval *, void *) = (void *)0xffffffffff600000UL;
    long (*vtime)(long *) = (void *)0xffffffffff600400UL;
    long (*vgetcpu)(unsigned *, unsigned *, void *) = (void *)0xffffffffff600800UL;
    long r = vgtod(&tv, NULL);
    time_t now = time(NULL);
    printf("gettimeofday %ld close %d\n", r, tv.tv_sec - now <= 1 && now - tv.tv_sec <= 1);
    long t2 = 0, t = vtime(&t2);
    printf("time close %d same %d\n", t - now <= 1 && now - t <= 1, t == t2);
    unsigned cpu = 99, node = 99;
    r = vgetcpu(&cpu, &node, NULL);
    printf("getcpu %ld node %u cpu<64 %d\n", r, node, cpu < 64);
    if (argc > 1) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, NULL);
    }
    for (int which = 0; which < 3; which++) {
        pid_t pid = fork();
        if (pid == 0) {
            if (which == 0) ((long (*)(void))0xffffffffff600100UL)();
            if (which == 1) vgtod((struct timeval *)8, NULL);
            if (which == 2) vtime((long *)8);
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        printf("case %d: %s %d\n", which, WIFSIGNALED(status) ? "signal" : "exit",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    return 0;
}
