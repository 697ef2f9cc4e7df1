// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * storeload.c - engine micro-benchmark: a load and a store to the same page
 * in every iteration (read-modify-write of one 8-byte cell of a page-aligned
 * array), the pattern that kept Unicorn 2.1.4's stores on its slow path.
 *
 * Build: musl-gcc -O2 -static storeload.c -o storeload
 * Usage: storeload <iterations>; prints "storeload <checksum>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CELLS 512 /* one 4 KiB page of uint64_t */

static uint64_t page[CELLS] __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000UL;
    uint64_t sum = 0;

    for (unsigned long i = 0; i < iterations; i++) {
        uint64_t *cell = &page[i & (CELLS - 1)];

        *cell += i;
        /* keep the compiler from merging iterations: the store must happen now */
        __asm__ volatile("" ::: "memory");
    }
    for (unsigned i = 0; i < CELLS; i++) {
        sum ^= page[i] * (i + 1);
    }
    printf("storeload %016llx\n", (unsigned long long)sum);
    return 0;
}
