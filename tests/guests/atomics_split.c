// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * atomics_split.c - lock add on a 4-byte word that straddles two cache
 * lines, from two threads at once.  The CPU makes it atomic (a split lock);
 * an emulator whose host cannot do it as one host atomic must run it with
 * the other threads stopped (QEMU's cpu_exec_step_atomic), or updates are
 * lost.
 *
 * Expected status: 0
 * Expected stdout: "split 600000\n"
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 2
#define ADDS 300000

static char line[192] __attribute__((aligned(64)));

static void *work(void *arg)
{
    volatile uint32_t *word = (volatile uint32_t *)(line + 62);

    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        __asm__ volatile("lock addl $1, %0" : "+m"(*word));
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];

    for (int i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, work, NULL) != 0) {
            return 1;
        }
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("split %u\n", *(volatile uint32_t *)(line + 62));
    return 0;
}
