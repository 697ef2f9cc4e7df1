// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thread_stress.c - eight threads changing the address space, writing and
 * running code, and taking signals, all at once.
 *
 * Each of THREADS threads runs ROUNDS rounds of: mmap a page read-write,
 * write a small function into it (mov eax, imm32; ret) with a value of its
 * own, mprotect it read-execute, call it, check the value, then mprotect it
 * read-write again, rewrite the value, make it executable and call it again
 * (code changed after it ran), munmap it; and an atomic add to a shared
 * total.  Meanwhile the main thread sends SIGUSR1 to each worker as it
 * starts and then to the workers in turn while they run (pthread_kill), and
 * an interval timer sends the process SIGALRM; handlers
 * count them with atomic adds.  Any wrong value, lost add or stale code is
 * counted as an error.
 *
 * Expected status: 0
 * Expected stdout: "threads 8 rounds 50 total 400 errors 0\n" (and the
 * signal counts, which vary, on stderr).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#define THREADS 8
#define ROUNDS 50

static int total, errors, usr1, alrm;

static void on_signal(int sig)
{
    __atomic_fetch_add(sig == SIGUSR1 ? &usr1 : &alrm, 1, __ATOMIC_RELAXED);
}

/* mov eax, value; ret */
static void emit(unsigned char *code, uint32_t value)
{
    code[0] = 0xb8;
    memcpy(code + 1, &value, 4);
    code[5] = 0xc3;
}

static int call_and_check(unsigned char *page, uint32_t value)
{
    uint32_t (*fn)(void) = (uint32_t (*)(void))(uintptr_t)page;

    if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) {
        return 1;
    }
    return fn() != value;
}

static void *work(void *arg)
{
    uint32_t id = (uint32_t)(uintptr_t)arg;

    for (uint32_t round = 0; round < ROUNDS; round++) {
        unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        uint32_t value = id << 16 | round;
        int bad;

        if (page == MAP_FAILED) {
            __atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
            continue;
        }
        emit(page, value);
        bad = call_and_check(page, value);
        bad |= mprotect(page, 4096, PROT_READ | PROT_WRITE) != 0;
        emit(page, ~value);
        bad |= call_and_check(page, ~value);
        bad |= munmap(page, 4096) != 0;
        if (bad) {
            __atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
        }
        __atomic_fetch_add(&total, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    struct sigaction sa;
    struct itimerval timer = {{0, 2000}, {0, 2000}};

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &timer, NULL);
    for (int i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, work, (void *)(uintptr_t)i) != 0) {
            return 1;
        }
        pthread_kill(threads[i], SIGUSR1);
    }
    for (int i = 0; __atomic_load_n(&total, __ATOMIC_SEQ_CST) < THREADS * ROUNDS / 2; i++) {
        pthread_kill(threads[i % THREADS], SIGUSR1);
        usleep(1000);
    }
    timer.it_value.tv_usec = timer.it_interval.tv_usec = 0;
    setitimer(ITIMER_REAL, &timer, NULL);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("threads %d rounds %d total %d errors %d\n", THREADS, ROUNDS, total, errors);
    fprintf(stderr, "usr1 %d alrm %d\n", usr1, alrm);
    return 0;
}
