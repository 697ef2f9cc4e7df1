// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thread_kill.c - a signal sent to one thread runs its handler on that thread.
 *
 * ROUNDS times: a new thread spins (no syscall) until its SIGUSR1 handler
 * has run; the main thread sends it SIGUSR1 with pthread_kill and spins too
 * (no syscall either) until the handler has run.  The handler notes the
 * thread it ran on.  Linux delivers a tgkill signal to the thread named, so
 * it is always the new thread, whichever of the two the emulator happens to
 * be running when the signal arrives.
 *
 * Expected status: 0
 * Expected stdout: "worker 20 main 0 other 0\n"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROUNDS 20

static volatile pid_t handled_by, worker_tid;

static void on_usr1(int sig)
{
    (void)sig;
    handled_by = (pid_t)syscall(SYS_gettid);
}

static void *spin(void *arg)
{
    worker_tid = (pid_t)syscall(SYS_gettid);
    while (!handled_by) {
    }
    return arg;
}

int main(void)
{
    struct sigaction sa;
    pid_t main_tid = (pid_t)syscall(SYS_gettid);
    int worker = 0, main_thread = 0, other = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_t thread;

        handled_by = worker_tid = 0;
        if (pthread_create(&thread, NULL, spin, NULL) != 0) {
            return 1;
        }
        while (!worker_tid) {
        }
        pthread_kill(thread, SIGUSR1);
        while (!handled_by) {
        }
        if (pthread_join(thread, NULL) != 0) {
            return 1;
        }
        if (handled_by == worker_tid) {
            worker++;
        } else if (handled_by == main_tid) {
            main_thread++;
        } else {
            other++;
        }
    }
    printf("worker %d main %d other %d\n", worker, main_thread, other);
    return 0;
}
