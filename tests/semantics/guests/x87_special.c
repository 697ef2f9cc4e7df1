// SPDX-License-Identifier: GPL-2.0-or-later
/* x87 transcendental and special-case instructions over operand patterns (issue 26).
 *
 * Every line is "<group> <op> <operands> -> <result(s)> sw=<status word>", with 80-bit values
 * printed as sign/exponent and significand in hex and the status word after the operation
 * (exception flags, C0-C3, TOP).  Each case starts from fninit with all exceptions masked.
 * Operand classes follow the SDM's table of x87 encodings: zeros, denormals, pseudo-denormals
 * (exponent 0 with the integer bit set), unnormals (exponent nonzero, integer bit clear),
 * normals, infinities, pseudo-infinities/NaNs (exponent 0x7fff, integer bit clear), QNaNs and
 * SNaNs.  The "group" word lets the test compare one group at a time. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { uint64_t mant; uint16_t se; } __attribute__((packed)) f80;

static const f80 VALUES[] = {
    {0, 0x0000}, {0, 0x8000},                                    /* +-0 */
    {0x8000000000000000ull, 0x3fff}, {0x8000000000000000ull, 0xbfff}, /* +-1 */
    {0x8000000000000000ull, 0x3ffe}, {0x8000000000000000ull, 0xbffe}, /* +-0.5 */
    {0xc000000000000000ull, 0x4000},                             /* 3 */
    {0xb17217f7d1cf79acull, 0x3ffe},                             /* ln 2 */
    {0xc90fdaa22168c235ull, 0x4000}, {0xc90fdaa22168c235ull, 0xc000}, /* +-pi */
    {0xc90fdaa22168c235ull, 0x3fff},                             /* pi/2 */
    {0xffffffffffffffffull, 0x3ffe},                             /* 1 - 2^-64 */
    {0x8000000000000001ull, 0x3fff},                             /* 1 + 2^-63 */
    {0x8000000000000000ull, 0x3fb9}, {0x8000000000000000ull, 0xbfb9}, /* +-2^-70 */
    {0x8000000000000000ull, 0x3f00},                             /* 2^-255 */
    {0xa000000000000000ull, 0x403e},                             /* 2^63 * 1.25 */
    {0x8000000000000000ull, 0x4040},                             /* 2^65 */
    {0xd3c21bcecceda100ull, 0x4049},                             /* 1e22 */
    {0x8000000000000000ull, 0x4410}, {0x8000000000000000ull, 0xc410}, /* +-2^1041 */
    {0xfffffffffffffffeull, 0x7ffe},                             /* near max */
    {0x8000000000000000ull, 0x0001},                             /* min normal */
    {0x0000000000000001ull, 0x0000}, {0x4000000000000000ull, 0x8000}, /* denormals */
    {0x8000000000000000ull, 0x0000}, {0xc000000000000000ull, 0x8000}, /* pseudo-denormals */
    {0x4000000000000000ull, 0x3fff}, {0x0000000000000000ull, 0x4001}, /* unnormals */
    {0x8000000000000000ull, 0x7fff}, {0x8000000000000000ull, 0xffff}, /* +-inf */
    {0xc000000000000000ull, 0x7fff}, {0xc000000000000001ull, 0xffff}, /* QNaNs */
    {0xa000000000000000ull, 0x7fff}, {0x8000000000000001ull, 0xffff}, /* SNaNs */
    {0x0000000000000000ull, 0x7fff}, {0x4000000000000000ull, 0x7fff}, /* pseudo-inf/NaN */
};
#define NVALUES (sizeof VALUES / sizeof VALUES[0])

static void show(const f80 *v) { printf(" %04x:%016llx", v->se, (unsigned long long)v->mant); }

static void fpu_reset(uint16_t cw)
{
    __asm__ volatile("fninit\n\tfldcw %0" : : "m"(cw));
}

/* one operand in, one result out */
#define UNARY(name, insn)                                                              \
    static uint16_t name(const f80 *in, f80 *out)                                      \
    {                                                                                  \
        uint16_t sw;                                                                   \
        __asm__ volatile("fldt %2\n\t" insn "\n\tfnstsw %1\n\tfstpt %0"                \
                         : "=m"(*out), "=m"(sw) : "m"(*in));                           \
        return sw;                                                                     \
    }
/* one operand in, two results out (ST0 then ST1) */
#define UNARY2(name, insn)                                                             \
    static uint16_t name(const f80 *in, f80 *out)                                      \
    {                                                                                  \
        uint16_t sw;                                                                   \
        __asm__ volatile("fldt %3\n\t" insn "\n\tfnstsw %2\n\tfstpt %0\n\tfstpt %1"    \
                         : "=m"(out[0]), "=m"(out[1]), "=m"(sw) : "m"(*in));           \
        return sw;                                                                     \
    }
/* ST1 = a, ST0 = b; one result left (the instruction pops) */
#define BINARY_POP(name, insn)                                                         \
    static uint16_t name(const f80 *a, const f80 *b, f80 *out)                         \
    {                                                                                  \
        uint16_t sw;                                                                   \
        __asm__ volatile("fldt %2\n\tfldt %3\n\t" insn "\n\tfnstsw %1\n\tfstpt %0"     \
                         : "=m"(*out), "=m"(sw) : "m"(*a), "m"(*b));                   \
        return sw;                                                                     \
    }
/* ST1 = a, ST0 = b; both left (ST0 then ST1) */
#define BINARY_KEEP(name, insn)                                                        \
    static uint16_t name(const f80 *a, const f80 *b, f80 *out)                         \
    {                                                                                  \
        uint16_t sw;                                                                   \
        __asm__ volatile("fldt %3\n\tfldt %4\n\t" insn                                 \
                         "\n\tfnstsw %2\n\tfstpt %0\n\tfstpt %1"                       \
                         : "=m"(out[0]), "=m"(out[1]), "=m"(sw) : "m"(*a), "m"(*b));   \
        return sw;                                                                     \
    }

UNARY(op_f2xm1, "f2xm1")
UNARY(op_fsin, "fsin")
UNARY(op_fcos, "fcos")
UNARY(op_fsqrt, "fsqrt")
UNARY(op_frndint, "frndint")
UNARY(op_fxam, "fxam")
UNARY2(op_fptan, "fptan")
UNARY2(op_fsincos, "fsincos")
UNARY2(op_fxtract, "fxtract")
BINARY_POP(op_fpatan, "fpatan")
BINARY_POP(op_fyl2x, "fyl2x")
BINARY_POP(op_fyl2xp1, "fyl2xp1")
BINARY_KEEP(op_fscale, "fscale")
BINARY_KEEP(op_fprem, "fprem")
BINARY_KEEP(op_fprem1, "fprem1")

static const struct { const char *name; uint16_t (*fn)(const f80 *, f80 *); int outs; } UNARIES[] = {
    {"f2xm1", op_f2xm1, 1}, {"fsin", op_fsin, 1}, {"fcos", op_fcos, 1},
    {"fsqrt", op_fsqrt, 1}, {"frndint", op_frndint, 1}, {"fxam", op_fxam, 1},
    {"fptan", op_fptan, 2}, {"fsincos", op_fsincos, 2}, {"fxtract", op_fxtract, 2},
};
static const struct { const char *name; uint16_t (*fn)(const f80 *, const f80 *, f80 *); int outs; } BINARIES[] = {
    {"fpatan", op_fpatan, 1}, {"fyl2x", op_fyl2x, 1}, {"fyl2xp1", op_fyl2xp1, 1},
    {"fscale", op_fscale, 2}, {"fprem", op_fprem, 2}, {"fprem1", op_fprem1, 2},
};

/* constants under each rounding control */
static void constants(void)
{
    static const char *names[] = {"fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"};
    for (int rc = 0; rc < 4; rc++) {
        for (int pc = 0; pc < 4; pc += 2) {
            uint16_t cw = 0x007f | (uint16_t)(rc << 10) | (uint16_t)((pc ? 3 : 0) << 8);
            f80 out[7];
            uint16_t sw[7];
            fpu_reset(cw);
            __asm__ volatile("fld1\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[0]), "=m"(sw[0]));
            __asm__ volatile("fldl2t\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[1]), "=m"(sw[1]));
            __asm__ volatile("fldl2e\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[2]), "=m"(sw[2]));
            __asm__ volatile("fldpi\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[3]), "=m"(sw[3]));
            __asm__ volatile("fldlg2\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[4]), "=m"(sw[4]));
            __asm__ volatile("fldln2\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[5]), "=m"(sw[5]));
            __asm__ volatile("fldz\n\tfnstsw %1\n\tfstpt %0" : "=m"(out[6]), "=m"(sw[6]));
            for (int i = 0; i < 7; i++) {
                printf("fldcst %s cw=%04x ->", names[i], cw);
                show(&out[i]);
                printf(" sw=%04x\n", sw[i]);
            }
        }
    }
}

/* fbstp of each value under each rounding control; fbld of BCD patterns */
static void bcd(void)
{
    static const f80 extra[] = {
        {0xde0b6b3a763ffff0ull, 0x403b},   /* 999999999999999999 (not exact: rounded) */
        {0xde0b6b3a7640000ull << 4, 0x403b}, /* 1e18, out of range */
        {0x8000000000000000ull, 0x403a},   /* 2^59 */
        {0xc000000000000000ull, 0x3fff},   /* 1.5 */
        {0xa000000000000000ull, 0x4000},   /* 2.5 */
    };
    for (int rc = 0; rc < 4; rc++) {
        uint16_t cw = (uint16_t)(0x037f | (rc << 10));
        for (size_t i = 0; i < NVALUES + sizeof extra / sizeof extra[0]; i++) {
            const f80 *v = i < NVALUES ? &VALUES[i] : &extra[i - NVALUES];
            unsigned char out[10];
            uint16_t sw;
            memset(out, 0xa5, sizeof out);
            fpu_reset(cw);
            __asm__ volatile("fldt %2\n\tfbstp %0\n\tfnstsw %1" : "=m"(out), "=m"(sw) : "m"(*v));
            printf("fbstp rc=%d", rc);
            show(v);
            printf(" ->");
            for (int b = 9; b >= 0; b--)
                printf(" %02x", out[b]);
            printf(" sw=%04x\n", sw);
        }
    }
    static const unsigned char patterns[][10] = {
        {0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x00},
        {0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x80},
        {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00},
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80},
        {0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0x00},        /* invalid digit */
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
        {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f},        /* sign byte with other bits */
        {0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00},
    };
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        f80 out;
        uint16_t sw;
        fpu_reset(0x037f);
        __asm__ volatile("fbld %2\n\tfnstsw %1\n\tfstpt %0" : "=m"(out), "=m"(sw) : "m"(patterns[i]));
        printf("fbld %zu ->", i);
        show(&out);
        printf(" sw=%04x\n", sw);
    }
}

/* fisttp 16/32/64, fistp under each rounding control */
static void integer_stores(void)
{
    for (size_t i = 0; i < NVALUES; i++) {
        int16_t w;
        int32_t l;
        int64_t q;
        uint16_t sw16, sw32, sw64;
        fpu_reset(0x0f7f);     /* round up: fisttp must truncate all the same */
        __asm__ volatile("fldt %2\n\tfisttps %0\n\tfnstsw %1" : "=m"(w), "=m"(sw16) : "m"(VALUES[i]));
        fpu_reset(0x0f7f);
        __asm__ volatile("fldt %2\n\tfisttpl %0\n\tfnstsw %1" : "=m"(l), "=m"(sw32) : "m"(VALUES[i]));
        fpu_reset(0x0f7f);
        __asm__ volatile("fldt %2\n\tfisttpll %0\n\tfnstsw %1" : "=m"(q), "=m"(sw64) : "m"(VALUES[i]));
        printf("fisttp");
        show(&VALUES[i]);
        printf(" -> %04x sw=%04x %08x sw=%04x %016llx sw=%04x\n", (uint16_t)w, sw16, (uint32_t)l,
               sw32, (unsigned long long)q, sw64);
        for (int rc = 0; rc < 4; rc++) {
            fpu_reset((uint16_t)(0x037f | (rc << 10)));
            __asm__ volatile("fldt %2\n\tfistpll %0\n\tfnstsw %1" : "=m"(q), "=m"(sw64) : "m"(VALUES[i]));
            printf("fistp rc=%d", rc);
            show(&VALUES[i]);
            printf(" -> %016llx sw=%04x\n", (unsigned long long)q, sw64);
        }
    }
}

/* SNaN and special values through float/double loads and stores */
static void conversions(void)
{
    static const uint32_t floats[] = {0x7fa00000, 0xffc00001, 0x00000001, 0x80400000, 0x7f800000, 0x3f800000};
    static const uint64_t doubles[] = {0x7ff4000000000000ull, 0xfff8000000000001ull, 0x0000000000000001ull,
                                       0x8008000000000000ull, 0x7ff0000000000000ull};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        f80 out;
        uint16_t sw;
        fpu_reset(0x037f);
        __asm__ volatile("flds %2\n\tfnstsw %1\n\tfstpt %0" : "=m"(out), "=m"(sw) : "m"(floats[i]));
        printf("convert flds %08x ->", floats[i]);
        show(&out);
        printf(" sw=%04x\n", sw);
    }
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        f80 out;
        uint16_t sw;
        fpu_reset(0x037f);
        __asm__ volatile("fldl %2\n\tfnstsw %1\n\tfstpt %0" : "=m"(out), "=m"(sw) : "m"(doubles[i]));
        printf("convert fldl %016llx ->", (unsigned long long)doubles[i]);
        show(&out);
        printf(" sw=%04x\n", sw);
    }
    for (size_t i = 0; i < NVALUES; i++) {
        uint32_t f;
        uint64_t d;
        uint16_t swf, swd;
        for (int rc = 0; rc < 4; rc += 3) {
            fpu_reset((uint16_t)(0x037f | (rc << 10)));
            __asm__ volatile("fldt %2\n\tfstps %0\n\tfnstsw %1" : "=m"(f), "=m"(swf) : "m"(VALUES[i]));
            fpu_reset((uint16_t)(0x037f | (rc << 10)));
            __asm__ volatile("fldt %2\n\tfstpl %0\n\tfnstsw %1" : "=m"(d), "=m"(swd) : "m"(VALUES[i]));
            printf("convert fst rc=%d", rc);
            show(&VALUES[i]);
            printf(" -> %08x sw=%04x %016llx sw=%04x\n", f, swf, (unsigned long long)d, swd);
        }
    }
}

int main(void)
{
    for (size_t u = 0; u < sizeof UNARIES / sizeof UNARIES[0]; u++) {
        for (size_t i = 0; i < NVALUES; i++) {
            for (int rc = 0; rc < 4; rc += 3) {
                f80 out[2];
                uint16_t cw = (uint16_t)(0x037f | (rc << 10));
                memset(out, 0, sizeof out);
                fpu_reset(cw);
                uint16_t sw = UNARIES[u].fn(&VALUES[i], out);
                printf("%s %s rc=%d", UNARIES[u].name, UNARIES[u].name, rc);
                show(&VALUES[i]);
                printf(" ->");
                for (int k = 0; k < UNARIES[u].outs; k++)
                    show(&out[k]);
                printf(" sw=%04x\n", sw);
            }
        }
    }
    for (size_t b = 0; b < sizeof BINARIES / sizeof BINARIES[0]; b++) {
        for (size_t i = 0; i < NVALUES; i++) {
            for (size_t j = 0; j < NVALUES; j++) {
                f80 out[2];
                memset(out, 0, sizeof out);
                fpu_reset(0x037f);
                uint16_t sw = BINARIES[b].fn(&VALUES[i], &VALUES[j], out);
                printf("%s %s", BINARIES[b].name, BINARIES[b].name);
                show(&VALUES[i]);
                show(&VALUES[j]);
                printf(" ->");
                for (int k = 0; k < BINARIES[b].outs; k++)
                    show(&out[k]);
                printf(" sw=%04x\n", sw);
            }
        }
    }
    constants();
    bcd();
    integer_stores();
    conversions();
    return 0;
}
