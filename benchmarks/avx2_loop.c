/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * avx2_loop.c - issue 23's AVX2 loop: ROUNDS passes over two arrays that stay in the
 * L1 cache (2048 int32 and 2048 float, 16 KiB), each pass doing 256-bit integer
 * arithmetic (vpmulld, vpaddd, vpxor, vpsrld, vpshufb, vpmaxud) on one and FMA3 float
 * arithmetic (vfnmadd, vmulps, vaddps, vmaxps, vminps) on the other, eight lanes an
 * instruction.  Prints a checksum of both arrays (the same under every emulator) and, on
 * stderr, the CPU seconds the loop took ("loop <seconds> s": the process's CPU time, which
 * a busy machine disturbs less than wall time).
 *
 * Build: musl-gcc -O2 -static -mavx2 -mfma avx2_loop.c -o avx2_loop
 * Usage: avx2_loop [rounds]   (default 10000)
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 2048

static int32_t ints[N] __attribute__((aligned(32)));
static float floats[N] __attribute__((aligned(32)));

static void integer_pass(void)
{
    const __m256i mul = _mm256_set1_epi32(0x01000193);
    const __m256i add = _mm256_set1_epi32(0x3c6ef372);
    const __m256i shuffle = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14,
                                             13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8,
                                             15, 14, 13, 12);

    for (int i = 0; i < N; i += 8) {
        __m256i v = _mm256_load_si256((const __m256i *)&ints[i]);
        __m256i h = _mm256_add_epi32(_mm256_mullo_epi32(v, mul), add);

        h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 13));
        h = _mm256_shuffle_epi8(h, shuffle);
        h = _mm256_add_epi32(h, _mm256_max_epu32(v, _mm256_xor_si256(h, add)));
        _mm256_store_si256((__m256i *)&ints[i], h);
    }
}

static void float_pass(void)
{
    /* the logistic map at r = 3.9 (chaotic, so the values never settle), kept in [0, 1] */
    const __m256 r = _mm256_set1_ps(3.9f);
    const __m256 zero = _mm256_setzero_ps();
    const __m256 one = _mm256_set1_ps(1.0f);

    for (int i = 0; i < N; i += 8) {
        __m256 x = _mm256_load_ps(&floats[i]);
        __m256 rx = _mm256_mul_ps(r, x);
        __m256 y = _mm256_fnmadd_ps(rx, x, rx);

        y = _mm256_min_ps(_mm256_max_ps(y, zero), one);
        _mm256_store_ps(&floats[i], _mm256_add_ps(_mm256_mul_ps(y, one), zero));
    }
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    struct timespec start, end;
    uint64_t sum = 0;

    if (rounds <= 0) {
        return 2;
    }
    for (int i = 0; i < N; i++) {
        ints[i] = i * 2654435761u;
        floats[i] = (float)(i % 97 + 1) / 99.0f;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    for (long r = 0; r < rounds; r++) {
        integer_pass();
        float_pass();
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
    for (int i = 0; i < N; i++) {
        uint32_t bits;

        memcpy(&bits, &floats[i], sizeof(bits));
        sum = sum * 31 + (uint32_t)ints[i] + bits;
    }
    printf("rounds=%ld checksum=%016llx\n", rounds, (unsigned long long)sum);
    fprintf(stderr, "loop %.6f s\n",
            (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
