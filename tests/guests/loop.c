// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loop.c - pure computation in two hand-written assembly loops, so the number of
 * guest instructions they execute does not depend on the compiler or its flags:
 *
 *   sum loop:  add n,acc / dec n / jnz          3 instructions x ITERATIONS
 *   lcg loop:  imul mul,x / add inc,x / dec n / jnz   4 instructions x ITERATIONS
 *
 * With the default ITERATIONS = 1000000 the loops execute exactly 7000000
 * instructions between them (plus libc start-up and the few instructions around
 * them). Output goes through write(2) only: the program makes no other system
 * calls than the ones its libc start-up and exit make. An optional argv[1]
 * replaces the iteration count (must be >= 1).
 *
 * Expected status: 0
 * Expected stdout (default count):
 *   "iterations=1000000\nsum=500000500000\nlcg=14884097605143612481\n"
 */
#include <stdlib.h>
#include <unistd.h>

#define DEFAULT_ITERATIONS 1000000UL
#define LCG_MULTIPLIER 6364136223846793005UL
#define LCG_INCREMENT 1442695040888963407UL

/* Sum of 1..count (count >= 1). */
static unsigned long sum_loop(unsigned long count)
{
    unsigned long acc = 0;

    __asm__ volatile("1:\n\t"
                     "add %[count], %[acc]\n\t"
                     "dec %[count]\n\t"
                     "jnz 1b\n\t"
                     : [acc] "+r"(acc), [count] "+r"(count)
                     :
                     : "cc");
    return acc;
}

/* count steps of x = x * LCG_MULTIPLIER + LCG_INCREMENT (mod 2^64) from x = 1. */
static unsigned long lcg_loop(unsigned long count)
{
    unsigned long x = 1;
    unsigned long multiplier = LCG_MULTIPLIER;
    unsigned long increment = LCG_INCREMENT;

    __asm__ volatile("1:\n\t"
                     "imul %[mul], %[x]\n\t"
                     "add %[inc], %[x]\n\t"
                     "dec %[count]\n\t"
                     "jnz 1b\n\t"
                     : [x] "+r"(x), [count] "+r"(count)
                     : [mul] "r"(multiplier), [inc] "r"(increment)
                     : "cc");
    return x;
}

/* Appends "label=value\n" to buffer at *used; no stdio, so no extra syscalls. */
static void append_line(char *buffer, size_t *used, const char *label, unsigned long value)
{
    char digits[24];
    int digit_count = 0;

    while (*label != '\0') {
        buffer[(*used)++] = *label++;
    }
    buffer[(*used)++] = '=';
    do {
        digits[digit_count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (digit_count > 0) {
        buffer[(*used)++] = digits[--digit_count];
    }
    buffer[(*used)++] = '\n';
}

int main(int argc, char **argv)
{
    unsigned long iterations = DEFAULT_ITERATIONS;
    char report[128];
    size_t used = 0;

    if (argc > 1) {
        iterations = strtoul(argv[1], NULL, 10);
        if (iterations == 0) {
            return 2;
        }
    }
    append_line(report, &used, "iterations", iterations);
    append_line(report, &used, "sum", sum_loop(iterations));
    append_line(report, &used, "lcg", lcg_loop(iterations));
    return write(STDOUT_FILENO, report, used) == (ssize_t)used ? 0 : 1;
}
