// SPDX-License-Identifier: GPL-2.0-or-later
/* Issue 23: ordinary loops that gcc -O3 -march=x86-64-v3 turns into AVX2, FMA and BMI code
 * (sums, dot products, saxpy, copies, string scans, min/max, conversions, indexed loads,
 * conditional updates, byte counts, bit tricks).  Printed results, compared with the CPU
 * and qemu-x86_64 7.2.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1003      /* not a multiple of the vector length: the tails run too */

static int32_t ia[N], ib[N], ic[N];
static int64_t la[N];
static uint8_t bytes[N + 64];
static uint16_t hw[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N];
static int32_t idx[N];
static char text[4096];

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

__attribute__((noinline)) static int64_t sum_i32(const int32_t *a, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
}

__attribute__((noinline)) static float dot_f32(const float *a, const float *b, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

__attribute__((noinline)) static double dot_f64(const double *a, const double *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

__attribute__((noinline)) static void saxpy(float *y, const float *x, float a, int n)
{
    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static void copy_bytes(uint8_t *d, const uint8_t *s, int n)
{
    for (int i = 0; i < n; i++) d[i] = s[i];
}

__attribute__((noinline)) static size_t my_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

__attribute__((noinline)) static int count_byte(const uint8_t *s, int n, uint8_t c)
{
    int k = 0;
    for (int i = 0; i < n; i++) k += s[i] == c;
    return k;
}

__attribute__((noinline)) static void minmax(const int32_t *a, int n, int32_t *mn, int32_t *mx)
{
    int32_t lo = a[0], hi = a[0];
    for (int i = 1; i < n; i++) {
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    *mn = lo;
    *mx = hi;
}

__attribute__((noinline)) static uint8_t max_u8(const uint8_t *a, int n)
{
    uint8_t m = 0;
    for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m;
    return m;
}

__attribute__((noinline)) static void mul_add(int32_t *c, const int32_t *a, const int32_t *b, int n)
{
    for (int i = 0; i < n; i++) c[i] = a[i] * b[i] + (a[i] >> 3) - (b[i] << 2);
}

__attribute__((noinline)) static void conv(float *f, double *d, const int32_t *a, int n)
{
    for (int i = 0; i < n; i++) {
        f[i] = (float)a[i] * 0.5f;
        d[i] = (double)f[i] + (double)(a[i] & 0xff);
    }
}

__attribute__((noinline)) static int64_t gather_sum(const int32_t *a, const int32_t *ix, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += a[ix[i]];
    return s;
}

__attribute__((noinline)) static float gather_f(const float *a, const int32_t *ix, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++) s += a[ix[i]] * 2.0f;
    return s;
}

__attribute__((noinline)) static void clamp(int32_t *a, int n, int32_t lo, int32_t hi)
{
    for (int i = 0; i < n; i++) {
        if (a[i] < lo) a[i] = lo;
        if (a[i] > hi) a[i] = hi;
    }
}

__attribute__((noinline)) static void cond_store(int32_t *c, const int32_t *a, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i] & 1) c[i] = a[i] * 3;
    }
}

__attribute__((noinline)) static void reverse(int32_t *d, const int32_t *s, int n)
{
    for (int i = 0; i < n; i++) d[i] = s[n - 1 - i];
}

__attribute__((noinline)) static void shifts(int32_t *d, const int32_t *a, const int32_t *b, int n)
{
    for (int i = 0; i < n; i++) d[i] = (int32_t)((uint32_t)a[i] >> (b[i] & 31)) ^ (a[i] << (b[i] & 15));
}

__attribute__((noinline)) static int64_t mul64(const int64_t *a, int n)
{
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += a[i] * (a[i] >> 7);
    return s;
}

__attribute__((noinline)) static void sqrt_div(float *d, const float *a, const float *b, int n)
{
    for (int i = 0; i < n; i++) d[i] = __builtin_sqrtf(a[i] * a[i] + 1.0f) / (b[i] + 3.0f);
}

__attribute__((noinline)) static uint32_t widen_sum(const uint16_t *h, const uint8_t *b, int n)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += (uint32_t)h[i] * b[i];
    return s;
}

__attribute__((noinline)) static uint64_t bits(const int64_t *a, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = (uint64_t)a[i];
        s += (uint64_t)__builtin_ctzll(v | 1) + (uint64_t)__builtin_clzll(v | 1)
           + (v & ~(v >> 3)) + (v & -v) + (v ^ (v - 1));
    }
    return s;
}

static uint32_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

int main(void)
{
    for (int i = 0; i < N; i++) {
        ia[i] = (int32_t)rnd() >> (i % 17);
        ib[i] = (int32_t)(rnd() % 2001) - 1000;
        la[i] = ((int64_t)rnd() << 32) | rnd();
        fa[i] = (float)(int32_t)(rnd() % 20001 - 10000) / 128.0f;
        fb[i] = (float)(rnd() % 1000) / 64.0f;
        da[i] = (double)(int32_t)rnd() / 3.0;
        db[i] = (double)(rnd() % 100000) / 7.0;
        idx[i] = (int32_t)(rnd() % N);
        hw[i] = (uint16_t)rnd();
    }
    for (int i = 0; i < N + 64; i++) bytes[i] = (uint8_t)(rnd() >> 13);
    for (int i = 0; i < (int)sizeof text - 1; i++) text[i] = (char)('a' + rnd() % 26);
    text[3001] = 0;

    printf("sum_i32 %lld\n", (long long)sum_i32(ia, N));
    printf("dot_f32 %a\n", dot_f32(fa, fb, N));
    printf("dot_f64 %a\n", dot_f64(da, db, N));
    memcpy(fc, fb, sizeof fc);
    saxpy(fc, fa, 1.75f, N);
    printf("saxpy %08x\n", hash_bytes(fc, sizeof fc));
    uint8_t copy[N + 64];
    for (int off = 0; off < 5; off++) {
        memset(copy, 0, sizeof copy);
        copy_bytes(copy + off, bytes + 3 - off % 3, N - off);
        printf("copy %d %08x\n", off, hash_bytes(copy, sizeof copy));
    }
    for (int cut = 0; cut < 70; cut += 13) {
        char saved = text[cut * 41 + 7];
        text[cut * 41 + 7] = 0;
        printf("strlen %zu %zu\n", my_strlen(text + cut), strlen(text + cut));
        text[cut * 41 + 7] = saved;
    }
    printf("count %d %d\n", count_byte(bytes, N, 7), count_byte(bytes + 1, N, 200));
    int32_t mn, mx;
    minmax(ia, N, &mn, &mx);
    printf("minmax %d %d max_u8 %u\n", mn, mx, max_u8(bytes, N));
    mul_add(ic, ia, ib, N);
    printf("mul_add %08x\n", hash_bytes(ic, sizeof ic));
    conv(fc, da, ib, N);
    printf("conv %08x %08x\n", hash_bytes(fc, sizeof fc), hash_bytes(da, sizeof da));
    printf("gather %lld %a\n", (long long)gather_sum(ia, idx, N), gather_f(fa, idx, N));
    memcpy(ic, ia, sizeof ic);
    clamp(ic, N, -100000, 2000000);
    printf("clamp %08x\n", hash_bytes(ic, sizeof ic));
    cond_store(ic, ib, N);
    printf("cond_store %08x\n", hash_bytes(ic, sizeof ic));
    reverse(ic, ia, N);
    printf("reverse %08x\n", hash_bytes(ic, sizeof ic));
    shifts(ic, ia, ib, N);
    printf("shifts %08x\n", hash_bytes(ic, sizeof ic));
    printf("mul64 %lld\n", (long long)mul64(la, N));
    sqrt_div(fc, fa, fb, N);
    printf("sqrt_div %08x\n", hash_bytes(fc, sizeof fc));
    printf("widen_sum %u\n", widen_sum(hw, bytes, N));
    printf("bits %llu\n", (unsigned long long)bits(la, N));
    return 0;
}
