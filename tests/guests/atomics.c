// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * atomics.c - atomic read-modify-writes before and after the process has threads.
 *
 * work() runs the same atomic operations (fetch-add, compare-exchange that
 * succeeds and that fails, exchange, fetch-or) first on the only thread,
 * then on a second thread, then again on the first once that one is joined:
 * the threads never run work() at the same time, so every operation
 * succeeds or fails the same way each run.  QEMU translates for parallel
 * execution from the first thread on, which changes how plugins see these
 * accesses (tests/linux_user/test_threads.py).
 *
 * Expected status: 0
 * Expected stdout: "counter=3000 word=3000 swapped=3000 bits=0xff\n"
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define ROUNDS 1000

static int counter;
static long word, swapped;
static uint32_t bits;

__attribute__((noinline)) static void *work(void *arg)
{
    for (int i = 0; i < ROUNDS; i++) {
        long expected = word, wrong = -1;

        __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
        __atomic_compare_exchange_n(&word, &expected, expected + 1, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        __atomic_compare_exchange_n(&word, &wrong, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        __atomic_exchange_n(&swapped, swapped + 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_or(&bits, 1u << (i % 8), __ATOMIC_SEQ_CST);
    }
    return arg;
}

int main(void)
{
    pthread_t thread;

    work(NULL);
    if (pthread_create(&thread, NULL, work, NULL) != 0 || pthread_join(thread, NULL) != 0) {
        return 1;
    }
    work(NULL);
    printf("counter=%d word=%ld swapped=%ld bits=%#x\n", counter, word, swapped,
           (unsigned)bits);
    return 0;
}
