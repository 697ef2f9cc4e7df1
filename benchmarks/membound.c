// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * membound.c - memory-bound benchmark guest: loads and stores over a working
 * set far larger than the caches (and than an emulator's software TLB reach).
 *
 * It allocates two arrays of `megabytes` MiB of 64-bit words each (a permutation
 * and the data) and, each round:
 *   1. walks a random cyclic permutation of the words (pointer chasing: every
 *      load depends on the one before, and almost every one misses the caches
 *      and lands on another page);
 *   2. copies the first half of the array onto the second half, word by word
 *      (a memcpy-like streaming read and write), then sums the copy;
 *   3. does random read-modify-write increments at xorshift addresses, one for
 *      every two words.
 * The permutation is built once with Sattolo's algorithm, so the walk visits
 * every word. Everything is folded into a checksum, so the output is
 * deterministic and no work can be optimised away.
 *
 * Build: musl-gcc -O2 -static membound.c -o membound
 * Usage: membound [megabytes [rounds]]   (default DEFAULT_MEGABYTES, DEFAULT_ROUNDS;
 *        megabytes is the size of each of the two arrays)
 * Output: "megabytes=<n> rounds=<n> checksum=<16 hex digits>\n"; exit status 0.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_MEGABYTES 8
#define DEFAULT_ROUNDS 1

static uint64_t xorshift_state = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift64(void)
{
    xorshift_state ^= xorshift_state << 13;
    xorshift_state ^= xorshift_state >> 7;
    xorshift_state ^= xorshift_state << 17;
    return xorshift_state;
}

/* Sattolo's shuffle: next[] becomes a single cycle through all indices. */
static void build_cycle(uint64_t *next, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        next[i] = i;
    }
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = (size_t)(xorshift64() % i);
        uint64_t swap = next[i];
        next[i] = next[j];
        next[j] = swap;
    }
}

static uint64_t chase(const uint64_t *next, size_t count)
{
    uint64_t position = 0, checksum = 0;

    for (size_t step = 0; step < count; step++) {
        position = next[position];
        checksum += position;
    }
    return checksum;
}

static uint64_t copy_and_sum(uint64_t *words, size_t count)
{
    size_t half = count / 2;
    uint64_t sum = 0;

    for (size_t i = 0; i < half; i++) {
        words[half + i] = words[i] ^ 0x5555555555555555ull;
    }
    for (size_t i = 0; i < half; i++) {
        sum = sum * 31 + words[half + i];
    }
    return sum;
}

static uint64_t random_updates(uint64_t *words, size_t count)
{
    uint64_t checksum = 0;

    for (size_t update = 0; update < count / 2; update++) {
        size_t index = (size_t)(xorshift64() % count);
        words[index] += update;
        checksum ^= words[index];
    }
    return checksum;
}

int main(int argc, char **argv)
{
    long megabytes = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_MEGABYTES;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : DEFAULT_ROUNDS;

    if (megabytes <= 0 || rounds <= 0) {
        fprintf(stderr, "usage: membound [megabytes [rounds]]\n");
        return 2;
    }
    size_t count = (size_t)megabytes * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *next = malloc(count * sizeof(uint64_t));
    uint64_t *words = malloc(count * sizeof(uint64_t));
    if (next == NULL || words == NULL) {
        fprintf(stderr, "membound: out of memory\n");
        return 1;
    }
    build_cycle(next, count);
    for (size_t i = 0; i < count; i++) {
        words[i] = i * 0x100000001b3ull;
    }

    uint64_t checksum = 0;
    for (long round = 0; round < rounds; round++) {
        checksum = checksum * 0x100000001b3ull + chase(next, count);
        checksum = checksum * 0x100000001b3ull + copy_and_sum(words, count);
        checksum = checksum * 0x100000001b3ull + random_updates(words, count);
    }
    printf("megabytes=%ld rounds=%ld checksum=%016" PRIx64 "\n", megabytes, rounds, checksum);
    free(words);
    free(next);
    return 0;
}
