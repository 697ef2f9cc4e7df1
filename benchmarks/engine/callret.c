// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * callret.c - engine micro-benchmark: a call to and a return from a tiny
 * function in every iteration.  The call pushes the return address (a
 * store) and the ret pops it and branches through it (a load and an
 * indirect jump the engine must look up).
 *
 * Build: musl-gcc -O2 -static callret.c -o callret
 * Usage: callret <iterations>; prints "callret <checksum>".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline, noclone)) static uint64_t step(uint64_t x)
{
    __asm__ volatile("");
    return x * 5 + 1;
}

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000UL;
    uint64_t acc = 1;

    for (unsigned long i = 0; i < iterations; i++) {
        acc = step(acc) ^ i;
    }
    printf("callret %016llx\n", (unsigned long long)acc);
    return 0;
}
