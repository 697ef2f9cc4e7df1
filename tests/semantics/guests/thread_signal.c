// SPDX-License-Identifier: GPL-2.0-or-later
/* A signal sent to a thread that spins waiting for it (pthread_kill right after
 * pthread_create): the spinning vCPU must give up its turn and take the signal. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

static volatile int thread_sig;

static void on_thread_sig(int sig)
{
    thread_sig++;
}

static void *worker(void *arg)
{
    while (!thread_sig) {
    }
    return NULL;
}

int main(void)
{
    pthread_t th;

    signal(SIGUSR1, on_thread_sig);
    for (int round = 0; round < 20; round++) {
        thread_sig = 0;
        pthread_create(&th, NULL, worker, NULL);
        pthread_kill(th, SIGUSR1);
        pthread_join(th, NULL);
    }
    printf("thread signal %d\n", thread_sig);
    return 0;
}
