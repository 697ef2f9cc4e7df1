// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memloop.c - portable memory and arithmetic loop for the foreign guests: loads and
 * stores of 1, 2, 4 and 8 bytes, signed and unsigned, through volatile pointers.
 * Expected status: 0
 * Expected stdout: "sum=<a fixed number>\n"
 */
#include <stdint.h>
#include <stdio.h>

static volatile int8_t s8[64];
static volatile uint16_t u16[64];
static volatile int32_t s32[64];
static volatile uint64_t u64[64];

int main(void)
{
    int64_t sum = 0;

    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 64; i++) {
            s8[i] = (int8_t)(i * 7 - round);
            u16[i] = (uint16_t)(i * 1000 + round);
            s32[i] = -i * 100000 + round;
            u64[i] = (uint64_t)i << 40 | (uint64_t)round;
        }
        for (int i = 0; i < 64; i++) {
            sum += s8[i] + u16[i] + s32[i] + (int64_t)(u64[i] >> 20);
        }
    }
    printf("sum=%lld\n", (long long)sum);
    return 0;
}
