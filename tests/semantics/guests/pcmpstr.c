// SPDX-License-Identifier: GPL-2.0-or-later
/* SSE4.2 string compares (issue 26): pcmpistri, pcmpistrm, pcmpestri and pcmpestrm with every
 * imm8 (source format, aggregation, polarity, index/mask selection) over string pairs with and
 * without terminating zeros, printing ECX or XMM0 and the flags CF ZF SF OF (AF, PF cleared).
 * The imm8 is an immediate, so each value gets its own function through the IMM macros. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint8_t b[16]; } __attribute__((aligned(16))) vec;

#define FLAGS_MASK 0x8d5u   /* OF SF ZF AF PF CF */

#define DEFINE(imm)                                                                         \
    static void istri_##imm(const vec *a, const vec *b, uint32_t *ecx, uint64_t *fl)        \
    {                                                                                       \
        __asm__ volatile("movdqa %2, %%xmm1\n\tmovdqa %3, %%xmm2\n\t"                       \
                         "pcmpistri $" #imm ", %%xmm2, %%xmm1\n\tpushfq\n\tpopq %1\n\t"     \
                         "movl %%ecx, %0"                                                   \
                         : "=r"(*ecx), "=r"(*fl) : "m"(*a), "m"(*b)                         \
                         : "rcx", "xmm1", "xmm2", "cc");                                    \
    }                                                                                       \
    static void istrm_##imm(const vec *a, const vec *b, vec *out, uint64_t *fl)             \
    {                                                                                       \
        __asm__ volatile("movdqa %2, %%xmm1\n\tmovdqa %3, %%xmm2\n\t"                       \
                         "pcmpistrm $" #imm ", %%xmm2, %%xmm1\n\tpushfq\n\tpopq %1\n\t"     \
                         "movdqa %%xmm0, %0"                                                \
                         : "=m"(*out), "=r"(*fl) : "m"(*a), "m"(*b)                         \
                         : "xmm0", "xmm1", "xmm2", "cc");                                   \
    }                                                                                       \
    static void estri_##imm(const vec *a, const vec *b, int64_t la, int64_t lb,             \
                            uint32_t *ecx, uint64_t *fl)                                    \
    {                                                                                       \
        __asm__ volatile("movdqa %2, %%xmm1\n\tmovdqa %3, %%xmm2\n\tmovq %4, %%rax\n\t"     \
                         "movq %5, %%rdx\n\t"                                               \
                         "pcmpestri $" #imm ", %%xmm2, %%xmm1\n\tpushfq\n\tpopq %1\n\t"     \
                         "movl %%ecx, %0"                                                   \
                         : "=r"(*ecx), "=r"(*fl) : "m"(*a), "m"(*b), "r"(la), "r"(lb)       \
                         : "rax", "rcx", "rdx", "xmm1", "xmm2", "cc");                      \
    }                                                                                       \
    static void estrm_##imm(const vec *a, const vec *b, int64_t la, int64_t lb,             \
                            vec *out, uint64_t *fl)                                         \
    {                                                                                       \
        __asm__ volatile("movdqa %2, %%xmm1\n\tmovdqa %3, %%xmm2\n\tmovq %4, %%rax\n\t"     \
                         "movq %5, %%rdx\n\t"                                               \
                         "pcmpestrm $" #imm ", %%xmm2, %%xmm1\n\tpushfq\n\tpopq %1\n\t"     \
                         "movdqa %%xmm0, %0"                                                \
                         : "=m"(*out), "=r"(*fl) : "m"(*a), "m"(*b), "r"(la), "r"(lb)       \
                         : "rax", "rdx", "xmm0", "xmm1", "xmm2", "cc");                     \
    }

/* imm8 bits 0-6 are meaningful (bit 7 is reserved): all 128 values */
#define R8(x) DEFINE(x##0) DEFINE(x##1) DEFINE(x##2) DEFINE(x##3) \
              DEFINE(x##4) DEFINE(x##5) DEFINE(x##6) DEFINE(x##7)
R8(0) R8(01) R8(02) R8(03) R8(04) R8(05) R8(06) R8(07)
R8(010) R8(011) R8(012) R8(013) R8(014) R8(015) R8(016) R8(017)

typedef void (*istri_fn)(const vec *, const vec *, uint32_t *, uint64_t *);
typedef void (*istrm_fn)(const vec *, const vec *, vec *, uint64_t *);
typedef void (*estri_fn)(const vec *, const vec *, int64_t, int64_t, uint32_t *, uint64_t *);
typedef void (*estrm_fn)(const vec *, const vec *, int64_t, int64_t, vec *, uint64_t *);

#define E8(x, k) k##_##x##0, k##_##x##1, k##_##x##2, k##_##x##3, \
                 k##_##x##4, k##_##x##5, k##_##x##6, k##_##x##7
#define TABLE(k) E8(0, k), E8(01, k), E8(02, k), E8(03, k), E8(04, k), E8(05, k), E8(06, k), \
                 E8(07, k), E8(010, k), E8(011, k), E8(012, k), E8(013, k), E8(014, k),     \
                 E8(015, k), E8(016, k), E8(017, k)

static const istri_fn ISTRI[128] = {TABLE(istri)};
static const istrm_fn ISTRM[128] = {TABLE(istrm)};
static const estri_fn ESTRI[128] = {TABLE(estri)};
static const estrm_fn ESTRM[128] = {TABLE(estrm)};

static vec text(const char *s, size_t n)
{
    vec v;
    memset(&v, 0, sizeof v);
    memcpy(v.b, s, n);
    return v;
}

static void show(const vec *v)
{
    for (int i = 15; i >= 0; i--)
        printf("%02x", v->b[i]);
}

int main(void)
{
    /* (operand 1 = xmm1, operand 2 = xmm2) pairs: ranges, sets, equal strings, substrings,
     * empty strings, full 16-byte strings without a terminator, signed words */
    const vec a_side[] = {
        text("az", 2), text("aeiou", 5), text("hello", 5), text("lo", 2), text("", 0),
        text("0123456789abcdef", 16), text("\x80\xff\x01\x7f", 4), text("ab\0cd", 5),
        text("\x01\x00\xff\x7f\x00\x80", 6), text("abc", 3), text("aab", 3),
        text("ef", 2),
    };
    const vec b_side[] = {
        text("Hello, World!", 13), text("hello", 5), text("xxlolo", 6), text("", 0),
        text("0123456789abcdef", 16), text("zzzzzzzzzzzzzzzz", 16), text("\x7f\x80\x00", 3),
        text("\x02\x00\x00\x80\xff\x7f", 6), text("xxxxxxxxxxxxxxab", 16),
        text("xxaabxab", 8), text("abcdefghijklmnop", 16), text("xxxxxxxxxxxxxxxa", 16),
    };
    const int64_t lengths[][2] = {{2, 13}, {5, 5}, {0, 6}, {16, 16}, {-3, 20}, {17, -17}, {8, 3}};
    for (int imm = 0; imm < 128; imm++) {
        for (size_t i = 0; i < sizeof a_side / sizeof a_side[0]; i++) {
            for (size_t j = 0; j < sizeof b_side / sizeof b_side[0]; j++) {
                uint32_t ecx;
                uint64_t fl;
                vec m;
                ISTRI[imm](&a_side[i], &b_side[j], &ecx, &fl);
                printf("istri %02x %zu %zu ecx=%u fl=%03llx", imm, i, j, ecx,
                       (unsigned long long)(fl & FLAGS_MASK));
                ISTRM[imm](&a_side[i], &b_side[j], &m, &fl);
                printf(" | istrm ");
                show(&m);
                printf(" fl=%03llx\n", (unsigned long long)(fl & FLAGS_MASK));
            }
        }
        for (size_t i = 0; i < 3; i++) {
            for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
                uint32_t ecx;
                uint64_t fl;
                vec m;
                const vec *a = &a_side[i * 2], *b = &b_side[i * 2 + 1];
                ESTRI[imm](a, b, lengths[k][0], lengths[k][1], &ecx, &fl);
                printf("estri %02x %zu %zu ecx=%u fl=%03llx", imm, i, k, ecx,
                       (unsigned long long)(fl & FLAGS_MASK));
                ESTRM[imm](a, b, lengths[k][0], lengths[k][1], &m, &fl);
                printf(" | estrm ");
                show(&m);
                printf(" fl=%03llx\n", (unsigned long long)(fl & FLAGS_MASK));
            }
        }
    }
    return 0;
}
