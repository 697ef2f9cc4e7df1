// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpubound.c - CPU-bound benchmark guest: a mix of what ordinary programs do.
 *
 * Each round fills an array from a xorshift generator, runs a table-driven
 * CRC-32 over its bytes, counts Collatz steps for a slice of it (data-dependent
 * branches), sorts it with qsort(3) (an indirect call per comparison), looks keys
 * up with bsearch(3), and folds everything into an FNV-1a hash. Loads, stores,
 * calls and branches are all well represented, and the only system calls are
 * start-up, one write and exit.
 *
 * Build: musl-gcc -O2 -static cpubound.c -o cpubound (about 1 s natively on the
 * 2-core development machine with the default round count).
 * Usage: cpubound [rounds]   (default DEFAULT_ROUNDS)
 * Output: "rounds=<n> checksum=<16 hex digits>\n"; exit status 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ROUNDS 530
#define ARRAY_LENGTH 4096
#define COLLATZ_SLICE 256
#define LOOKUPS_PER_ROUND 2048

static uint32_t crc_table[256];
static uint32_t values[ARRAY_LENGTH];

static void build_crc_table(void)
{
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
        }
        crc_table[byte] = crc;
    }
}

static uint32_t crc32_of(const void *data, size_t length)
{
    const uint8_t *bytes = data;
    uint32_t crc = 0xffffffffu;

    for (size_t i = 0; i < length; i++) {
        crc = crc_table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

static uint64_t fnv1a_of(const void *data, size_t length, uint64_t hash)
{
    const uint8_t *bytes = data;

    for (size_t i = 0; i < length; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static unsigned collatz_steps(uint64_t n)
{
    unsigned steps = 0;

    while (n > 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

static int compare_u32(const void *left, const void *right)
{
    uint32_t a = *(const uint32_t *)left;
    uint32_t b = *(const uint32_t *)right;

    return (a > b) - (a < b);
}

static uint64_t run_round(uint32_t *rng_state, uint64_t hash)
{
    for (size_t i = 0; i < ARRAY_LENGTH; i++) {
        values[i] = xorshift32(rng_state);
    }
    uint32_t crc = crc32_of(values, sizeof(values));
    hash = fnv1a_of(&crc, sizeof(crc), hash);

    unsigned total_steps = 0;
    for (size_t i = 0; i < COLLATZ_SLICE; i++) {
        total_steps += collatz_steps((values[i] & 0xfffff) + 1);
    }
    hash = fnv1a_of(&total_steps, sizeof(total_steps), hash);

    qsort(values, ARRAY_LENGTH, sizeof(values[0]), compare_u32);

    unsigned found = 0;
    for (size_t i = 0; i < LOOKUPS_PER_ROUND; i++) {
        /* Half of the keys are taken from the array, half are random. */
        uint32_t key = (i & 1) ? values[xorshift32(rng_state) % ARRAY_LENGTH]
                               : xorshift32(rng_state);
        found += bsearch(&key, values, ARRAY_LENGTH, sizeof(values[0]), compare_u32) != NULL;
    }
    hash = fnv1a_of(&found, sizeof(found), hash);
    return fnv1a_of(values, sizeof(values), hash);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_ROUNDS;
    uint32_t rng_state = 2463534242u;
    uint64_t hash = 0xcbf29ce484222325ull;

    if (rounds <= 0) {
        fprintf(stderr, "usage: cpubound [rounds > 0]\n");
        return 2;
    }
    build_crc_table();
    for (long round = 0; round < rounds; round++) {
        hash = run_round(&rng_state, hash);
    }
    printf("rounds=%ld checksum=%016llx\n", rounds, (unsigned long long)hash);
    return 0;
}
