// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handoff.c - two threads hand a turn to each other ROUNDS times through a
 * mutex and a condition variable (futex waits and wakes: each handoff blocks
 * one thread in the kernel until the other wakes it).  Prints the round count
 * and the seconds the handoffs took (on stderr: "loop <seconds> s").
 *
 * Build: musl-gcc -O2 -static handoff.c -o handoff
 * Usage: handoff [rounds]   (default 20000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int turn;
static long rounds;

/* Wait for @mine, then hand the turn to the other thread, @rounds times. */
static void take_turns(int mine)
{
    for (long i = 0; i < rounds; i++) {
        pthread_mutex_lock(&lock);
        while (turn != mine) {
            pthread_cond_wait(&changed, &lock);
        }
        turn = !mine;
        pthread_cond_signal(&changed);
        pthread_mutex_unlock(&lock);
    }
}

static void *second(void *arg)
{
    take_turns(1);
    return arg;
}

int main(int argc, char **argv)
{
    struct timespec start, end;
    pthread_t thread;

    rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    if (rounds <= 0) {
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_create(&thread, NULL, second, NULL);
    take_turns(0);
    pthread_join(thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("rounds=%ld handoffs=%ld\n", rounds, 2 * rounds);
    fprintf(stderr, "loop %.6f s\n",
            (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
