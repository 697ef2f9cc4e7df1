// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thread_jit.c - code written by one thread and run by another that ran
 * the old code before (cross-modifying code, Intel SDM vol. 3 8.1.3).
 *
 * One read-write-execute page holds "mov eax, imm32; ret".  In each round
 * one thread (the main thread in even rounds, the worker in odd ones)
 * rewrites the immediate, then publishes the round with a release store;
 * the other thread, which has called the code of the round before, waits
 * for it, executes a serializing instruction (cpuid, as the SDM asks of
 * the executing processor) and calls the code, which must return the new
 * value.  Both threads then call it once more, so that each has run the
 * page's current code before it is written again.  A stale result is an
 * error.
 *
 * Expected status: 0
 * Expected stdout: "rounds 200 stale 0\n"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define ROUNDS 200

static unsigned char *page;
static int round_written = -1;   /* the last round whose code is in the page */
static int round_seen[2] = {-1, -1};     /* the last round each thread has run */
static int stale;

static uint32_t value_of(int round)
{
    return 0x1000u + (uint32_t)round * 7u;
}

static uint32_t call_code(void)
{
    uint32_t (*fn)(void) = (uint32_t (*)(void))(uintptr_t)page;
    unsigned int a = 0, b, c = 0, d;

    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
    return fn();
}

static void write_code(int round)
{
    uint32_t value = value_of(round);

    page[0] = 0xb8;
    memcpy(page + 1, &value, 4);
    page[5] = 0xc3;
    __atomic_store_n(&round_written, round, __ATOMIC_RELEASE);
}

/* thread @me (0 main, 1 worker) writes even or odd rounds and runs the others' */
static void play(int me)
{
    for (int round = 0; round < ROUNDS; round++) {
        if (round % 2 == me) {
            /* the other has run the previous round's code: now replace it */
            while (__atomic_load_n(&round_seen[1 - me], __ATOMIC_ACQUIRE) < round - 1) {
            }
            write_code(round);
        } else {
            while (__atomic_load_n(&round_written, __ATOMIC_ACQUIRE) < round) {
            }
        }
        if (call_code() != value_of(round)) {
            __atomic_fetch_add(&stale, 1, __ATOMIC_RELAXED);
        }
        __atomic_store_n(&round_seen[me], round, __ATOMIC_RELEASE);
        /* both have run this round's code before the next write */
        while (__atomic_load_n(&round_seen[1 - me], __ATOMIC_ACQUIRE) < round) {
        }
    }
}

static void *worker(void *arg)
{
    (void)arg;
    play(1);
    return NULL;
}

int main(void)
{
    pthread_t thread;

    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        return 1;
    }
    if (pthread_create(&thread, NULL, worker, NULL) != 0) {
        return 1;
    }
    play(0);
    pthread_join(thread, NULL);
    printf("rounds %d stale %d\n", ROUNDS, stale);
    return 0;
}
