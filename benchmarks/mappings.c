// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mappings.c - benchmark guest for the cost of the mmap family with many live mappings
 * (issue 19): an emulator whose bookkeeping scans its mappings pays per call in
 * proportion to how many are live, so the run's time grows faster than its count.
 *
 * Phases, each on N mappings of one page (N from the command line):
 *   map      mmap N anonymous private pages (read/write, placed by the kernel) and
 *            write a word into each;
 *   protect  mprotect every third one read-only (each splits a run of adjacent pages);
 *   brk      grow the break one page at a time N/4 times, writing into each page, then
 *            give it back in one call;
 *   unmap    munmap the N pages one by one, the odd ones first, then the even ones.
 * Between phases the data is read back, so a mapping that lost its contents is seen.
 *
 * Build: musl-gcc -O2 -static mappings.c -o mappings
 * Usage: mappings [N]   (default 1000)
 * Output: "mappings=<N> checksum=<16 hex digits>\n" on stdout, exit status 0; with
 * MAPPINGS_TIMES set in the environment, each phase's seconds on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static double now(void)
{
    struct timespec ts;

    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void phase(const char *name, double *last)
{
    double t = now();

    if (getenv("MAPPINGS_TIMES")) {
        fprintf(stderr, "%-8s %.4f s\n", name, t - *last);
    }
    *last = t;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    long steps = n / 4;
    uint64_t checksum = 0xcbf29ce484222325ull;
    uint64_t **pages;
    char *heap;
    double last = now();

    if (n <= 0) {
        fprintf(stderr, "usage: mappings [N > 0]\n");
        return 2;
    }
    pages = calloc(n, sizeof(*pages));
    if (!pages) {
        return 1;
    }
    for (long i = 0; i < n; i++) {
        void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        pages[i] = p;
        pages[i][0] = (uint64_t)i * 0x9e3779b97f4a7c15ull;
    }
    phase("map", &last);
    for (long i = 0; i < n; i += 3) {
        if (mprotect(pages[i], PAGE, PROT_READ) != 0) {
            perror("mprotect");
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        checksum = (checksum ^ pages[i][0]) * 0x100000001b3ull;
    }
    phase("protect", &last);
    /* the brk syscall itself: musl's sbrk() refuses to move the break */
    heap = (char *)syscall(SYS_brk, 0);
    for (long i = 0; i < steps; i++) {
        char *top = heap + (i + 1) * PAGE;

        if ((char *)syscall(SYS_brk, top) != top) {
            fprintf(stderr, "brk: cannot grow to %p\n", (void *)top);
            return 1;
        }
        heap[i * PAGE] = (char)i;
    }
    for (long i = 0; i < steps; i++) {
        checksum = (checksum ^ (uint8_t)heap[i * PAGE]) * 0x100000001b3ull;
    }
    if ((char *)syscall(SYS_brk, heap) != heap) {
        fprintf(stderr, "brk: cannot shrink\n");
        return 1;
    }
    phase("brk", &last);
    for (long start = 1; start >= 0; start--) {
        /* odd pages first: each call splits a run in the middle of the list */
        for (long i = start; i < n; i += 2) {
            checksum = (checksum ^ pages[i][0]) * 0x100000001b3ull;
            if (munmap(pages[i], PAGE) != 0) {
                perror("munmap");
                return 1;
            }
        }
    }
    phase("unmap", &last);
    printf("mappings=%ld checksum=%016llx\n", n, (unsigned long long)checksum);
    return 0;
}
