// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * threads.c - issue 24's guest: one CPU-bound job split over N threads.
 *
 * The job is a fixed number of xorshift/FNV-1a rounds; with N threads each
 * runs 1/N of them on its own state (no shared cache lines while computing)
 * and adds its hash to a shared total with one atomic add at the end.  Under
 * an emulator that runs its vCPUs in parallel, N = 2 takes about half the wall time of N = 1 on a 2-core
 * machine; one that takes turns takes as long.
 *
 * Build: musl-gcc -O2 -static -pthread threads.c -o threads
 * Usage: threads <threads> [total rounds]   (default 300,000,000)
 * Output: "threads=<n> rounds=<total>\n"; stderr "loop <seconds> sum <hex>" (the
 * sum depends on N: each thread has its own seed).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_THREADS 16

struct job {
    uint64_t seed;
    uint64_t rounds;
};

static uint64_t total;

static void *work(void *arg)
{
    const struct job *job = arg;
    uint64_t x = job->seed, h = 0xcbf29ce484222325ull;

    for (uint64_t i = 0; i < job->rounds; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h = (h ^ (x & 0xff)) * 0x100000001b3ull;
    }
    __atomic_fetch_add(&total, h, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    uint64_t rounds = argc > 2 ? strtoull(argv[2], NULL, 0) : 300000000ull;
    pthread_t tids[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    struct timespec t0, t1;

    if (n < 1 || n > MAX_THREADS || rounds % (uint64_t)n) {
        fprintf(stderr, "usage: threads <1..%d> [rounds, a multiple of threads]\n",
                MAX_THREADS);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        jobs[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
        jobs[i].rounds = rounds / (uint64_t)n;
    }
    for (int i = 0; i < n; i++) {
        if (pthread_create(&tids[i], NULL, work, &jobs[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(tids[i], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("threads=%d rounds=%llu\n", n, (unsigned long long)rounds);
    fprintf(stderr, "loop %.3f sum %016llx\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            (unsigned long long)total);
    return 0;
}
