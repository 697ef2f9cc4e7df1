// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memops.c - guest memory accesses with known counts and sizes.
 *
 * For each access size W in 1, 2, 4 and 8 bytes, one hand-written assembly loop
 * runs ACCESSES_PER_SIZE times and, per iteration, stores W bytes to a static
 * buffer, loads the same W bytes back (zero-extended) and adds them up:
 *
 *   store W bytes / load W bytes / add / add $W,ptr / inc value / dec n / jnz
 *
 * So the four loops make exactly ACCESSES_PER_SIZE (1000) stores and 1000 loads
 * of each size: 4000 stores and 4000 loads, all naturally aligned, inside a
 * 8000-byte buffer in .bss, plus whatever libc start-up, printf and exit do
 * (not counted here). The stored values start at 0x11 << (8 * W - 8) and count
 * up by one, so the 1-byte values wrap around.
 *
 * Expected status: 0
 * Expected stdout:
 *   "size=1 stores=1000 loads=1000 sum=128660\n"
 *   "size=2 stores=1000 loads=1000 sum=4851500\n"
 *   "size=4 stores=1000 loads=1000 sum=285213171500\n"
 *   "size=8 stores=1000 loads=1000 sum=7493989779945004844\n"
 */
#include <stdint.h>
#include <stdio.h>

#define ACCESSES_PER_SIZE 1000

static uint64_t buffer[ACCESSES_PER_SIZE];

/* One loop per size; the instruction suffixes and register modifiers set the width. */
#define DEFINE_ACCESS_LOOP(name, width, store_insn, load_insn)                       \
    static uint64_t name(uint64_t first_value)                                     \
    {                                                                              \
        uint64_t sum = 0;                                                          \
        uint64_t value = first_value;                                              \
        uint64_t loaded;                                                           \
        char *cursor = (char *)buffer;                                             \
        long remaining = ACCESSES_PER_SIZE;                                        \
        __asm__ volatile("1:\n\t" store_insn "\n\t" load_insn "\n\t"               \
                         "add %[loaded], %[sum]\n\t"                               \
                         "add $" #width ", %[cursor]\n\t"                          \
                         "inc %[value]\n\t"                                        \
                         "dec %[remaining]\n\t"                                    \
                         "jnz 1b\n\t"                                              \
                         : [sum] "+r"(sum), [value] "+r"(value),                   \
                           [loaded] "=&r"(loaded), [cursor] "+r"(cursor),          \
                           [remaining] "+r"(remaining)                             \
                         :                                                         \
                         : "cc", "memory");                                        \
        return sum;                                                                \
    }

DEFINE_ACCESS_LOOP(access_1, 1, "movb %b[value], (%[cursor])", "movzbq (%[cursor]), %[loaded]")
DEFINE_ACCESS_LOOP(access_2, 2, "movw %w[value], (%[cursor])", "movzwq (%[cursor]), %[loaded]")
DEFINE_ACCESS_LOOP(access_4, 4, "movl %k[value], (%[cursor])", "movl (%[cursor]), %k[loaded]")
DEFINE_ACCESS_LOOP(access_8, 8, "movq %q[value], (%[cursor])", "movq (%[cursor]), %q[loaded]")

int main(void)
{
    static const struct {
        int size;
        uint64_t first_value;
        uint64_t (*run)(uint64_t);
    } loops[] = {
        {1, 0x11, access_1},
        {2, 0x1100, access_2},
        {4, 0x11000000, access_4},
        {8, 0x1100000000000000, access_8},
    };

    for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
        uint64_t sum = loops[i].run(loops[i].first_value);
        printf("size=%d stores=%d loads=%d sum=%llu\n", loops[i].size, ACCESSES_PER_SIZE,
               ACCESSES_PER_SIZE, (unsigned long long)sum);
    }
    return 0;
}
