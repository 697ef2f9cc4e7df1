// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fpu_flags.c - the exception flags each x87 and SSE operation class raises.
 *
 * Written from the Intel SDM's exception tables (vol. 1 ch. 4.9 and 8.5,
 * vol. 1 ch. 11.5): every case clears the flags (fnclex, ldmxcsr), runs one
 * instruction with all exceptions masked, and prints the six flags it left
 * (IE DE ZE OE UE PE: bits 0-5 of the x87 status word and of MXCSR) and the
 * result's bits.  The last lines check that a thread and a forked child start
 * with the flags their parent had (Linux copies the whole FPU state).
 *
 * Expected status: 0
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MXCSR_DEFAULT 0x1f80u
#define MXCSR_DAZ 0x0040u
#define MXCSR_FZ 0x8000u

typedef struct {
    uint64_t mant;
    uint16_t sexp;
} __attribute__((packed, aligned(16))) x80;

static const char *flag_names(unsigned flags)
{
    static char text[32];
    static const char *const names[] = {"IE", "DE", "ZE", "OE", "UE", "PE"};

    text[0] = 0;
    for (int i = 0; i < 6; i++) {
        if (flags & (1u << i)) {
            if (text[0]) {
                strcat(text, "|");
            }
            strcat(text, names[i]);
        }
    }
    return text[0] ? text : "-";
}

/* ---- x87 ---- */

static x80 ld(long double v)
{
    x80 r;

    memcpy(&r, &v, 10);
    return r;
}

static x80 x80_bits(uint16_t sexp, uint64_t mant)
{
    x80 r = {mant, sexp};
    return r;
}

static void x87_clear(void)
{
    __asm__ volatile("fnclex");
}

static unsigned x87_flags(void)
{
    uint16_t sw;

    __asm__ volatile("fnstsw %0" : "=m"(sw));
    return sw & 0x3f;
}

static void x87_report(const char *name, const char *result)
{
    unsigned flags = x87_flags();

    printf("x87 %-22s %-12s %s\n", name, flag_names(flags), result);
}

static const char *x80_text(x80 v)
{
    static char text[40];

    snprintf(text, sizeof(text), "%04x:%016llx", v.sexp, (unsigned long long)v.mant);
    return text;
}

/* st(0) = a, st(1) = b; INSN; the result in st(0) is stored, b popped */
#define X87_BINARY(name, insn, a_val, b_val)                                            \
    do {                                                                               \
        x80 a = (a_val), b = (b_val), r;                                               \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %2\n\tfldt %1\n\t" insn "\n\tfstpt %0\n\tfstp %%st(0)" \
                         : "=m"(r) : "m"(a), "m"(b));                                  \
        x87_report(name, x80_text(r));                                                 \
    } while (0)

#define X87_UNARY(name, insn, a_val)                                                   \
    do {                                                                               \
        x80 a = (a_val), r;                                                            \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %1\n\t" insn "\n\tfstpt %0" : "=m"(r) : "m"(a));        \
        x87_report(name, x80_text(r));                                                 \
    } while (0)

/* a load of a narrower format: LOAD reads src, the 80-bit value is stored */
#define X87_LOAD(name, load, src_val, type)                                            \
    do {                                                                               \
        type src = (src_val);                                                          \
        x80 r;                                                                         \
        x87_clear();                                                                   \
        __asm__ volatile(load " %1\n\tfstpt %0" : "=m"(r) : "m"(src));                 \
        x87_report(name, x80_text(r));                                                 \
    } while (0)

/* a store to a narrower format, which pops: STORE writes dst from a */
#define X87_STORE(name, store, a_val, type, fmt)                                       \
    do {                                                                               \
        x80 a = (a_val);                                                               \
        type dst;                                                                      \
        char text[40];                                                                 \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %1\n\t" store " %0" : "=m"(dst) : "m"(a));              \
        snprintf(text, sizeof(text), fmt, dst);                                        \
        x87_report(name, text);                                                        \
    } while (0)

/* a compare of st(0) = a with st(1) = b that pops both; the result is C3 C2 C0 */
#define X87_COMPARE(name, insn, a_val, b_val)                                          \
    do {                                                                               \
        x80 a = (a_val), b = (b_val);                                                  \
        uint16_t sw;                                                                   \
        char text[16];                                                                 \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %2\n\tfldt %1\n\t" insn "\n\tfnstsw %0"                \
                         : "=m"(sw) : "m"(a), "m"(b));                                 \
        snprintf(text, sizeof(text), "cc=%x", (sw >> 8) & 0x45);                       \
        x87_report(name, text);                                                        \
    } while (0)

/* fcomi/fucomi: the result is ZF PF CF */
#define X87_COMPARE_EFLAGS(name, insn, a_val, b_val)                                   \
    do {                                                                               \
        x80 a = (a_val), b = (b_val);                                                  \
        uint64_t rflags;                                                               \
        char text[16];                                                                 \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %2\n\tfldt %1\n\t" insn "\n\tpushfq\n\tpopq %0\n\t"    \
                         "fstp %%st(0)\n\tfstp %%st(0)"                                \
                         : "=r"(rflags) : "m"(a), "m"(b) : "cc");                      \
        snprintf(text, sizeof(text), "zpc=%x", (unsigned)(rflags & 0x45));             \
        x87_report(name, text);                                                        \
    } while (0)

/* fbstp: 18 packed BCD digits and a sign byte; the top two bytes are printed */
#define X87_FBSTP(name, a_val)                                                         \
    do {                                                                               \
        x80 a = (a_val);                                                               \
        uint8_t bcd[10];                                                               \
        char text[40];                                                                 \
        x87_clear();                                                                   \
        __asm__ volatile("fldt %1\n\tfbstp %0" : "=m"(bcd) : "m"(a));                  \
        snprintf(text, sizeof(text), "%02x%02x%02x..%02x", bcd[9], bcd[8], bcd[7], bcd[0]); \
        x87_report(name, text);                                                        \
    } while (0)

static void x87_cases(void)
{
    x80 one = ld(1.0L), two = ld(2.0L), three = ld(3.0L), zero = ld(0.0L);
    x80 minus_one = ld(-1.0L), huge = ld(0x1p16000L), tiny = ld(0x1p-16000L);
    x80 inf = x80_bits(0x7fff, 0x8000000000000000ull);
    x80 denormal = x80_bits(0x0000, 0x0000000000001000ull);
    x80 qnan = x80_bits(0x7fff, 0xc000000000000001ull);
    x80 snan = x80_bits(0x7fff, 0xa000000000000001ull);
    x80 two_and_half = ld(2.5L), big = ld(1e10L), third = ld(1.0L / 3);
    x80 large = ld(1e300L), small = ld(1e-300L);
    /* encodings the 80-bit format allows and the x87 rejects or treats apart */
    x80 unnormal = x80_bits(0x4000, 0x4000000000000000ull);
    x80 pseudo_inf = x80_bits(0x7fff, 0x0000000000000000ull);
    x80 pseudo_nan = x80_bits(0x7fff, 0x4000000000000000ull);
    x80 pseudo_denormal = x80_bits(0x0000, 0x8000000000000000ull);
    x80 minus_inf = x80_bits(0xffff, 0x8000000000000000ull);

    X87_BINARY("fadd exact", "fadd %%st(1), %%st", one, two);
    X87_BINARY("fdiv inexact", "fdiv %%st(1), %%st", one, three);
    X87_BINARY("fdiv by zero", "fdiv %%st(1), %%st", one, zero);
    X87_BINARY("fdiv 0/0", "fdiv %%st(1), %%st", zero, zero);
    X87_BINARY("fsub inf-inf", "fsub %%st(1), %%st", inf, inf);
    X87_BINARY("fmul 0*inf", "fmul %%st(1), %%st", zero, inf);
    X87_BINARY("fmul overflow", "fmul %%st(1), %%st", huge, huge);
    X87_BINARY("fmul underflow", "fmul %%st(1), %%st", tiny, tiny);
    X87_BINARY("fmul exact tiny", "fmul %%st(1), %%st", tiny, one);
    X87_BINARY("fadd denormal", "fadd %%st(1), %%st", denormal, one);
    X87_BINARY("fadd denormal exact", "fadd %%st(1), %%st", denormal, zero);
    X87_BINARY("fmul denormals", "fmul %%st(1), %%st", denormal, denormal);
    X87_BINARY("fdiv denormal/0", "fdiv %%st(1), %%st", denormal, zero);
    X87_BINARY("fadd snan+denormal", "fadd %%st(1), %%st", snan, denormal);
    X87_BINARY("fadd qnan+denormal", "fadd %%st(1), %%st", qnan, denormal);
    X87_BINARY("fadd inf+denormal", "fadd %%st(1), %%st", inf, denormal);
    X87_BINARY("fadd snan", "fadd %%st(1), %%st", snan, one);
    X87_BINARY("fadd qnan", "fadd %%st(1), %%st", qnan, one);
    X87_BINARY("fprem x/0", "fprem", one, zero);
    X87_BINARY("fprem exact", "fprem", three, two);
    X87_BINARY("fadd unnormal", "fadd %%st(1), %%st", unnormal, one);
    X87_BINARY("fadd pseudo-inf", "fadd %%st(1), %%st", pseudo_inf, one);
    X87_BINARY("fadd pseudo-nan", "fadd %%st(1), %%st", pseudo_nan, one);
    X87_BINARY("fadd pseudo-denormal", "fadd %%st(1), %%st", pseudo_denormal, one);
    X87_BINARY("fmul unnormal", "fmul %%st(1), %%st", one, unnormal);
    X87_UNARY("fsqrt unnormal", "fsqrt", unnormal);
    X87_UNARY("frndint unnormal", "frndint", unnormal);
    X87_UNARY("fxtract 2", "fxtract\n\tfstp %%st(0)", two);
    X87_UNARY("fxtract 0 exponent", "fxtract\n\tfstp %%st(0)", zero);
    X87_UNARY("fxtract 0 significand", "fxtract\n\tfxch\n\tfstp %%st(0)", zero);
    X87_UNARY("fxtract denormal", "fxtract\n\tfstp %%st(0)", denormal);
    X87_UNARY("fxtract -inf", "fxtract\n\tfxch\n\tfstp %%st(0)", minus_inf);
    X87_UNARY("fxtract snan", "fxtract\n\tfstp %%st(0)", snan);
    X87_BINARY("fscale 1 by 2", "fscale", one, two);
    X87_BINARY("fscale 3 by 2.5", "fscale", three, two_and_half);
    X87_BINARY("fscale overflow", "fscale", huge, ld(30000.0L));
    X87_BINARY("fscale underflow", "fscale", tiny, ld(-3000.0L));
    X87_BINARY("fscale 0 by inf", "fscale", zero, inf);
    X87_BINARY("fscale inf by -inf", "fscale", inf, minus_inf);
    X87_BINARY("fscale 2 by -inf", "fscale", two, minus_inf);
    X87_BINARY("fscale denormal by 1", "fscale", denormal, one);
    X87_BINARY("fscale snan", "fscale", one, snan);
    X87_UNARY("ftst denormal", "ftst", denormal);
    X87_UNARY("ftst qnan", "ftst", qnan);
    X87_UNARY("fsqrt -1", "fsqrt", minus_one);
    X87_UNARY("fsqrt 2", "fsqrt", two);
    X87_UNARY("fsqrt 4", "fsqrt", ld(4.0L));
    X87_UNARY("fsqrt snan", "fsqrt", snan);
    X87_UNARY("fsqrt denormal", "fsqrt", denormal);
    X87_UNARY("frndint denormal", "frndint", denormal);
    X87_UNARY("frndint 2.5", "frndint", two_and_half);
    X87_UNARY("frndint 2", "frndint", two);
    X87_UNARY("fchs snan", "fchs", snan);
    X87_UNARY("fabs snan", "fabs", snan);

    X87_LOAD("fld m32 snan", "flds", 0x7fa00000u, uint32_t);
    X87_LOAD("fld m64 snan", "fldl", 0x7ff4000000000000ull, uint64_t);
    X87_LOAD("fld m32 denormal", "flds", 0x00000001u, uint32_t);
    X87_LOAD("fld m64 denormal", "fldl", 0x0000000000000001ull, uint64_t);
    X87_LOAD("fld m80 snan", "fldt", snan, x80);
    X87_LOAD("fld m80 denormal", "fldt", denormal, x80);
    X87_LOAD("fild m32", "fildl", -7, int32_t);

    X87_STORE("fst m32 overflow", "fstps", large, uint32_t, "%08x");
    X87_STORE("fst m32 underflow", "fstps", small, uint32_t, "%08x");
    X87_STORE("fst m64 inexact", "fstpl", third, uint64_t, "%016lx");
    X87_STORE("fst m64 snan", "fstpl", snan, uint64_t, "%016lx");
    X87_STORE("fst m64 exact", "fstpl", two, uint64_t, "%016lx");
    X87_STORE("fst m64 denormal", "fstpl", denormal, uint64_t, "%016lx");
    X87_STORE("fist m32 denormal", "fistpl", denormal, int32_t, "%08x");
    X87_STORE("fist m32 unnormal", "fistpl", unnormal, int32_t, "%08x");
    X87_STORE("fst m32 unnormal", "fstps", unnormal, uint32_t, "%08x");
    X87_STORE("fist m32 range", "fistpl", big, int32_t, "%08x");
    X87_STORE("fist m32 inexact", "fistpl", two_and_half, int32_t, "%08x");
    X87_STORE("fist m16 range", "fistps", ld(40000.0L), int16_t, "%04hx");
    X87_STORE("fist m64 nan", "fistpll", qnan, int64_t, "%016lx");
    X87_STORE("fisttp m32 range", "fisttpl", big, int32_t, "%08x");
    X87_STORE("fisttp m32 inexact", "fisttpl", two_and_half, int32_t, "%08x");

    X87_FBSTP("fbstp 1234.5", ld(1234.5L));
    X87_FBSTP("fbstp -99", ld(-99.0L));
    X87_FBSTP("fbstp range", ld(1e20L));
    X87_FBSTP("fbstp qnan", qnan);

    X87_COMPARE("fcompp less", "fcompp", one, two);
    X87_COMPARE("fcompp qnan", "fcompp", qnan, one);
    X87_COMPARE("fucompp qnan", "fucompp", qnan, one);
    X87_COMPARE("fucompp snan", "fucompp", snan, one);
    X87_COMPARE("fcompp denormal", "fcompp", denormal, one);
    X87_COMPARE("fucompp denormal", "fucompp", one, denormal);
    X87_COMPARE("fcompp unnormal", "fcompp", unnormal, one);
    X87_COMPARE("fucompp unnormal", "fucompp", unnormal, one);
    X87_COMPARE_EFLAGS("fcomi qnan", "fcomi %%st(1), %%st", qnan, one);
    X87_COMPARE_EFLAGS("fucomi qnan", "fucomi %%st(1), %%st", qnan, one);
    X87_COMPARE_EFLAGS("fucomi snan", "fucomi %%st(1), %%st", one, snan);
    X87_COMPARE_EFLAGS("fcomi greater", "fcomi %%st(1), %%st", three, two);
}

/* ---- SSE ---- */

static void sse_set(uint32_t mxcsr)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static unsigned sse_flags(void)
{
    uint32_t mxcsr;

    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    return mxcsr & 0x3f;
}

static double d_bits(uint64_t bits)
{
    double d;

    memcpy(&d, &bits, 8);
    return d;
}

static uint64_t bits_d(double d)
{
    uint64_t bits;

    memcpy(&bits, &d, 8);
    return bits;
}

static float f_bits(uint32_t bits)
{
    float f;

    memcpy(&f, &bits, 4);
    return f;
}

static uint32_t bits_f(float f)
{
    uint32_t bits;

    memcpy(&bits, &f, 4);
    return bits;
}

static void sse_report(const char *name, const char *result)
{
    unsigned flags = sse_flags();

    sse_set(MXCSR_DEFAULT);
    printf("sse %-22s %-12s %s\n", name, flag_names(flags), result);
}

/* a = a INSN b, scalar or packed double */
#define SSE_PD(name, insn, a_val, b_val, mxcsr)                                        \
    do {                                                                               \
        double a = (a_val), b = (b_val);                                               \
        char text[40];                                                                 \
        sse_set(mxcsr);                                                                \
        __asm__ volatile(insn " %1, %0" : "+x"(a) : "x"(b));                           \
        snprintf(text, sizeof(text), "%016lx", bits_d(a));                             \
        sse_report(name, text);                                                        \
    } while (0)

#define SSE_PS(name, insn, a_val, b_val, mxcsr)                                        \
    do {                                                                               \
        float a = (a_val), b = (b_val);                                                \
        char text[40];                                                                 \
        sse_set(mxcsr);                                                                \
        __asm__ volatile(insn " %1, %0" : "+x"(a) : "x"(b));                           \
        snprintf(text, sizeof(text), "%08x", bits_f(a));                               \
        sse_report(name, text);                                                        \
    } while (0)

/* a conversion or compare whose result is in a general register */
#define SSE_TO_GPR(name, insn, a_val, type)                                            \
    do {                                                                               \
        type a = (a_val);                                                              \
        int64_t r = 0;                                                                 \
        char text[40];                                                                 \
        sse_set(MXCSR_DEFAULT);                                                        \
        __asm__ volatile(insn " %1, %0" : "+r"(r) : "x"(a));                           \
        snprintf(text, sizeof(text), "%016lx", (unsigned long)r);                      \
        sse_report(name, text);                                                        \
    } while (0)

/* the same with a 32-bit destination (%k0: the register's low half) */
#define SSE_TO_GPR32(name, insn, a_val, type)                                          \
    do {                                                                               \
        type a = (a_val);                                                              \
        int64_t r = 0;                                                                 \
        char text[40];                                                                 \
        sse_set(MXCSR_DEFAULT);                                                        \
        __asm__ volatile(insn " %1, %k0" : "+r"(r) : "x"(a));                          \
        snprintf(text, sizeof(text), "%08x", (unsigned)r);                             \
        sse_report(name, text);                                                        \
    } while (0)

/* cvtss2sd: a float in, a double out */
#define SSE_CVTSS2SD(name, src_val)                                                    \
    do {                                                                               \
        float src = (src_val);                                                         \
        double r = 0;                                                                  \
        char text[40];                                                                 \
        sse_set(MXCSR_DEFAULT);                                                        \
        __asm__ volatile("cvtss2sd %1, %0" : "+x"(r) : "x"(src));                      \
        snprintf(text, sizeof(text), "%016lx", bits_d(r));                             \
        sse_report(name, text);                                                        \
    } while (0)

#define SSE_COMPARE(name, insn, a_val, b_val)                                          \
    do {                                                                               \
        double a = (a_val), b = (b_val);                                               \
        uint64_t rflags;                                                               \
        char text[16];                                                                 \
        sse_set(MXCSR_DEFAULT);                                                        \
        __asm__ volatile(insn " %2, %1\n\tpushfq\n\tpopq %0"                           \
                         : "=r"(rflags) : "x"(a), "x"(b) : "cc");                      \
        snprintf(text, sizeof(text), "zpc=%x", (unsigned)(rflags & 0x45));             \
        sse_report(name, text);                                                        \
    } while (0)

typedef double v2d __attribute__((vector_size(16)));

static void sse_cases(void)
{
    double snan = d_bits(0x7ff4000000000000ull), qnan = d_bits(0x7ff8000000000001ull);
    double denormal = d_bits(0x0000000000000010ull), inf = d_bits(0x7ff0000000000000ull);
    float snan_f = f_bits(0x7fa00000u), denormal_f = f_bits(0x00000010u);

    SSE_PD("addsd exact", "addsd", 1.0, 2.0, MXCSR_DEFAULT);
    SSE_PD("divsd inexact", "divsd", 1.0, 3.0, MXCSR_DEFAULT);
    SSE_PD("divsd by zero", "divsd", 1.0, 0.0, MXCSR_DEFAULT);
    SSE_PD("divsd 0/0", "divsd", 0.0, 0.0, MXCSR_DEFAULT);
    SSE_PD("subsd inf-inf", "subsd", inf, inf, MXCSR_DEFAULT);
    SSE_PD("mulsd 0*inf", "mulsd", 0.0, inf, MXCSR_DEFAULT);
    SSE_PD("mulsd overflow", "mulsd", 1e300, 1e300, MXCSR_DEFAULT);
    SSE_PD("mulsd underflow", "mulsd", 1e-300, 1e-300, MXCSR_DEFAULT);
    SSE_PD("mulsd exact tiny", "mulsd", 0x1p-1040, 0x1p-10, MXCSR_DEFAULT);
    SSE_PD("mulsd underflow fz", "mulsd", 1e-300, 1e-300, MXCSR_DEFAULT | MXCSR_FZ);
    SSE_PD("addsd denormal", "addsd", denormal, 1.0, MXCSR_DEFAULT);
    SSE_PD("addsd denormal exact", "addsd", denormal, 0.0, MXCSR_DEFAULT);
    SSE_PD("addsd denormal daz", "addsd", denormal, 0.0, MXCSR_DEFAULT | MXCSR_DAZ);
    SSE_PD("mulsd denormals", "mulsd", denormal, denormal, MXCSR_DEFAULT);
    SSE_PD("divsd denormal/0", "divsd", denormal, 0.0, MXCSR_DEFAULT);
    SSE_PD("addsd snan+denormal", "addsd", snan, denormal, MXCSR_DEFAULT);
    SSE_PD("addsd qnan+denormal", "addsd", qnan, denormal, MXCSR_DEFAULT);
    SSE_PD("addsd inf+denormal", "addsd", inf, denormal, MXCSR_DEFAULT);
    SSE_PD("sqrtsd denormal", "sqrtsd", 0.0, denormal, MXCSR_DEFAULT);
    SSE_PD("minsd denormal", "minsd", 1.0, denormal, MXCSR_DEFAULT);
    SSE_PD("cmpltsd denormal", "cmpltsd", denormal, 1.0, MXCSR_DEFAULT);
    SSE_PD("cvtsd2ss denormal", "cvtsd2ss", 0.0, denormal, MXCSR_DEFAULT);
    SSE_PD("roundsd denormal", "roundsd $4,", 0.0, denormal, MXCSR_DEFAULT);
    SSE_PD("addsd snan", "addsd", snan, 1.0, MXCSR_DEFAULT);
    SSE_PD("addsd qnan", "addsd", qnan, 1.0, MXCSR_DEFAULT);
    SSE_PD("sqrtsd -1", "sqrtsd", 0.0, -1.0, MXCSR_DEFAULT);
    SSE_PD("sqrtsd 2", "sqrtsd", 0.0, 2.0, MXCSR_DEFAULT);
    SSE_PD("minsd qnan", "minsd", 1.0, qnan, MXCSR_DEFAULT);
    SSE_PD("maxsd snan", "maxsd", snan, 1.0, MXCSR_DEFAULT);
    SSE_PD("cmpeqsd qnan", "cmpeqsd", qnan, 1.0, MXCSR_DEFAULT);
    SSE_PD("cmpltsd qnan", "cmpltsd", qnan, 1.0, MXCSR_DEFAULT);
    SSE_PD("cmpunordsd snan", "cmpunordsd", snan, 1.0, MXCSR_DEFAULT);
    SSE_PD("cvtsd2ss overflow", "cvtsd2ss", 0.0, 1e300, MXCSR_DEFAULT);
    SSE_PD("cvtsd2ss underflow", "cvtsd2ss", 0.0, 1e-300, MXCSR_DEFAULT);
    SSE_PD("cvtsd2ss snan", "cvtsd2ss", 0.0, snan, MXCSR_DEFAULT);
    SSE_PD("roundsd 2.5 inexact", "roundsd $4,", 0.0, 2.5, MXCSR_DEFAULT);
    SSE_PD("roundsd 2.5 quiet", "roundsd $12,", 0.0, 2.5, MXCSR_DEFAULT);
    SSE_PD("divsd round up", "divsd", 1.0, 3.0, MXCSR_DEFAULT | 0x4000);
    SSE_PS("divss inexact", "divss", 1.0f, 3.0f, MXCSR_DEFAULT);
    SSE_PS("mulss overflow", "mulss", 1e30f, 1e30f, MXCSR_DEFAULT);
    SSE_PS("addss snan", "addss", snan_f, 1.0f, MXCSR_DEFAULT);
    SSE_PS("addss denormal", "addss", denormal_f, 1.0f, MXCSR_DEFAULT);
    SSE_CVTSS2SD("cvtss2sd snan", snan_f);
    SSE_CVTSS2SD("cvtss2sd denormal", denormal_f);
    SSE_TO_GPR32("cvttsd2si range", "cvttsd2si", 1e10, double);
    SSE_TO_GPR32("cvtsd2si inexact", "cvtsd2si", 2.5, double);
    SSE_TO_GPR32("cvttsd2si nan", "cvttsd2si", qnan, double);
    SSE_TO_GPR32("cvttss2si range", "cvttss2si", 1e10f, float);
    SSE_TO_GPR("cvtsd2si64 range", "cvtsd2si", 1e19, double);
    SSE_TO_GPR("cvttsd2si64 inexact", "cvttsd2si", -2.5, double);
    SSE_COMPARE("comisd qnan", "comisd", qnan, 1.0);
    SSE_COMPARE("ucomisd qnan", "ucomisd", qnan, 1.0);
    SSE_COMPARE("ucomisd snan", "ucomisd", 1.0, snan);
    SSE_COMPARE("comisd less", "comisd", 1.0, 2.0);
    SSE_COMPARE("comisd denormal", "comisd", denormal, 1.0);
    SSE_TO_GPR32("cvtsd2si denormal", "cvtsd2si", denormal, double);

    {
        /* packed: each lane raises its own flags, MXCSR gets their union */
        v2d a = {1.0, 1.0}, b = {3.0, 0.0};
        char text[40];

        sse_set(MXCSR_DEFAULT);
        __asm__ volatile("divpd %1, %0" : "+x"(a) : "x"(b));
        snprintf(text, sizeof(text), "%016lx %016lx", bits_d(a[0]), bits_d(a[1]));
        sse_report("divpd 1/3 1/0", text);
    }
    {
        /* cvtsi2sd: 2^53+1 has no double */
        int64_t n = (1ll << 53) + 1;
        double r;
        char text[40];

        sse_set(MXCSR_DEFAULT);
        __asm__ volatile("cvtsi2sdq %1, %0" : "=x"(r) : "r"(n));
        snprintf(text, sizeof(text), "%016lx", bits_d(r));
        sse_report("cvtsi2sd inexact", text);
    }
}

/* ---- inheritance ---- */

static void show_inherited(const char *who)
{
    uint16_t sw;
    uint32_t mxcsr;

    __asm__ volatile("fnstsw %0\n\tstmxcsr %1" : "=m"(sw), "=m"(mxcsr));
    printf("%s: x87 %s", who, flag_names(sw & 0x3f));
    printf(" sse %s\n", flag_names(mxcsr & 0x3f));
}

static void *thread_main(void *arg)
{
    show_inherited((const char *)arg);
    return NULL;
}

int main(void)
{
    pthread_t thread;
    pid_t pid;
    int status;

    x87_cases();
    sse_cases();

    /* x87 ZE and SSE IE alone, raised by arithmetic, must reach the new thread and
       child; nothing between here and there does floating-point work */
    fflush(stdout);
    {
        double minus = -4.0, r = 0;

        __asm__ volatile("fnclex\n\tfldz\n\tfld1\n\tfdiv %%st(1), %%st\n\t"
                         "fstp %%st(0)\n\tfstp %%st(0)" ::: "memory");
        sse_set(MXCSR_DEFAULT);
        __asm__ volatile("sqrtsd %1, %0" : "+x"(r) : "x"(minus));
    }
    pthread_create(&thread, NULL, thread_main, "thread");
    pthread_join(thread, NULL);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        show_inherited("fork");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    return 0;
}
