// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * atomics_mt.c - x86 atomics from several threads at once, including the
 * kinds an emulator cannot do with one host atomic.
 *
 * THREADS threads each run ROUNDS rounds of: lock add on an aligned word,
 * lock add on a word that straddles two cache lines (unaligned: the
 * emulator must run it another way and still atomically), lock xadd, xchg
 * as a spin lock around a plain increment, lock cmpxchg16b on a 16-byte
 * pair and lock cmpxchg8b on a pair of words.  Any lost update shows in the
 * totals.  Then, on the main thread with the others still alive, lock add
 * on a read-only page and on an unmapped page must raise SIGSEGV at that
 * address, as on the CPU.
 *
 * Expected status: 0
 * Expected stdout (THREADS 4, ROUNDS 20000):
 *   "add=80000 unaligned=80000 xadd=80000 locked=80000 pair=80000:80000 dword=80000"
 *   "segv ro=1 unmapped=1"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 20000

static uint64_t add_word;
static uint64_t xadd_word;
static int spin;
static uint64_t plain;
static _Alignas(64) unsigned char line[128];    /* an int at offset 62 straddles two lines */
static union { _Alignas(16) unsigned __int128 whole; uint64_t half[2]; } pair;
static union { uint64_t whole; uint32_t half[2]; } dword;

static void *work(void *arg)
{
    uint32_t *straddle = (uint32_t *)(line + 62);

    for (int i = 0; i < ROUNDS; i++) {
        uint64_t one = 1;

        __asm__ volatile("lock addq $1, %0" : "+m"(add_word));
        __asm__ volatile("lock addl $1, %0" : "+m"(*straddle));
        __asm__ volatile("lock xaddq %0, %1" : "+r"(one), "+m"(xadd_word));
        while (__atomic_exchange_n(&spin, 1, __ATOMIC_ACQUIRE)) {
            while (__atomic_load_n(&spin, __ATOMIC_RELAXED)) {
                __asm__ volatile("pause");
            }
        }
        plain++;
        __atomic_store_n(&spin, 0, __ATOMIC_RELEASE);
        for (;;) {
            uint64_t lo = pair.half[0], hi = pair.half[1];
            uint64_t nlo = lo + 1, nhi = hi + 1;
            unsigned char ok;

            __asm__ volatile("lock cmpxchg16b %1; sete %0"
                             : "=q"(ok), "+m"(pair.whole), "+a"(lo), "+d"(hi)
                             : "b"(nlo), "c"(nhi) : "cc");
            if (ok) {
                break;
            }
        }
        for (;;) {
            uint32_t lo = dword.half[0], hi = dword.half[1];
            uint32_t nlo = lo + 1, nhi = hi;
            unsigned char ok;

            __asm__ volatile("lock cmpxchg8b %1; sete %0"
                             : "=q"(ok), "+m"(dword.whole), "+a"(lo), "+d"(hi)
                             : "b"(nlo), "c"(nhi) : "cc");
            if (ok) {
                break;
            }
        }
    }
    return arg;
}

static sigjmp_buf env;
static void *volatile fault_addr;

static void on_segv(int sig, siginfo_t *info, void *uc)
{
    (void)sig;
    (void)uc;
    fault_addr = info->si_addr;
    siglongjmp(env, 1);
}

/* lock add on @where: 1 when it raised SIGSEGV at @where, 0 otherwise */
static int faults_at(void *where)
{
    fault_addr = NULL;
    if (sigsetjmp(env, 1) == 0) {
        __asm__ volatile("lock addl $1, (%0)" : : "r"(where) : "memory");
        return 0;
    }
    return fault_addr == where;
}

int main(void)
{
    pthread_t threads[THREADS];
    struct sigaction sa;
    long page = sysconf(_SC_PAGESIZE);
    char *ro, *gone;
    int ro_ok, gone_ok;

    for (int i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, work, NULL) != 0) {
            return 1;
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gone = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED || gone == MAP_FAILED || munmap(gone, page) != 0) {
        return 1;
    }
    ro_ok = faults_at(ro + 8);
    gone_ok = faults_at(gone + 8);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("add=%llu unaligned=%u xadd=%llu locked=%llu pair=%llu:%llu dword=%u\n",
           (unsigned long long)add_word, *(uint32_t *)(line + 62),
           (unsigned long long)xadd_word, (unsigned long long)plain,
           (unsigned long long)pair.half[0], (unsigned long long)pair.half[1], dword.half[0]);
    printf("segv ro=%d unmapped=%d\n", ro_ok, gone_ok);
    return 0;
}
