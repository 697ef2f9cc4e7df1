// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pthreads.c - four threads each add 1..COUNT_PER_THREAD into one atomic
 * counter (one lock-prefixed add per step); main joins them and prints the total.
 *
 * Expected status: 0
 * Expected stdout: "threads=4 total=200020000\n"  (4 * 10000 * 10001 / 2)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define THREAD_COUNT 4
#define COUNT_PER_THREAD 10000

static atomic_long shared_total;

static void *add_range(void *unused)
{
    (void)unused;
    for (long step = 1; step <= COUNT_PER_THREAD; step++) {
        atomic_fetch_add(&shared_total, step);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREAD_COUNT];

    for (int i = 0; i < THREAD_COUNT; i++) {
        if (pthread_create(&threads[i], NULL, add_range, NULL) != 0) {
            printf("pthread_create %d failed\n", i);
            return 1;
        }
    }
    for (int i = 0; i < THREAD_COUNT; i++) {
        if (pthread_join(threads[i], NULL) != 0) {
            printf("pthread_join %d failed\n", i);
            return 1;
        }
    }
    printf("threads=%d total=%ld\n", THREAD_COUNT, atomic_load(&shared_total));
    return 0;
}
