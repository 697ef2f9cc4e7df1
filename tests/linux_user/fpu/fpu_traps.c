// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fpu_traps.c - unmasked SSE exceptions (#XM) become SIGFPE.
 *
 * Each case unmasks one exception in MXCSR and runs an instruction that
 * raises it.  The SDM (vol. 1, 11.5.4): the destination is not updated, the
 * flag is set in MXCSR and #XM is taken at the instruction; Linux sends
 * SIGFPE with si_code from the first unmasked flag set (FPE_FLTINV,
 * FPE_FLTDIV, FPE_FLTOVF, FPE_FLTUND for underflow or denormal, FPE_FLTRES)
 * and si_addr and the saved rip at the instruction.  The handler prints
 * what it got, then masks every exception in the saved MXCSR, so the
 * instruction runs again, masked, when it returns.
 *
 * Expected status: 0
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define MXCSR_DEFAULT 0x1f80u
#define MASK_IE 0x0080u
#define MASK_DE 0x0100u
#define MASK_ZE 0x0200u
#define MASK_OE 0x0400u
#define MASK_UE 0x0800u
#define MASK_PE 0x1000u

static volatile int traps;
/*
 * Whether the handler prints the destination (xmm0) it interrupted: the SDM
 * keeps it for invalid, denormal, divide-by-zero and precision; what it holds
 * after an unmasked overflow or underflow is the processor's own business
 * (this AMD one leaves the exponent-adjusted result there).
 */
static volatile int show_destination;

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

static void on_fpe(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    const uint8_t *at = info->si_addr;
    uint32_t mxcsr, masked = MXCSR_DEFAULT;
    uint64_t xmm0;

    traps++;
    memcpy(&mxcsr, fp + 24, 4);
    memcpy(&xmm0, fp + 160, 8);
    printf("  SIGFPE %d code=%d trapno=%lld rip=si_addr:%d insn=%02x%02x%02x%02x "
           "mxcsr=%#06x", sig, info->si_code, (long long)uc->uc_mcontext.gregs[REG_TRAPNO],
           (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == (uint64_t)(uintptr_t)info->si_addr,
           at[0], at[1], at[2], at[3], mxcsr);
    if (show_destination) {
        printf(" xmm0=%016llx", (unsigned long long)xmm0);
    }
    printf("\n");
    memcpy(fp + 24, &masked, 4);
}

/*
 * xmm0 = a, xmm1 = b, MXCSR = mxcsr, INSN xmm1, xmm0, then xmm0 and MXCSR are
 * stored and MXCSR reset: one asm statement, so nothing else runs in between.
 */
#define TRAP_CASE(name, insn, a_val, b_val, mxcsr_val, show)                           \
    do {                                                                               \
        double a = (a_val), b = (b_val), r;                                            \
        uint32_t mxcsr = (mxcsr_val), after, reset = MXCSR_DEFAULT;                    \
        printf("%s\n", name);                                                          \
        show_destination = (show);                                                     \
        __asm__ volatile("movsd %[a], %%xmm0\n\tmovsd %[b], %%xmm1\n\t"                \
                         "ldmxcsr %[m]\n\t" insn " %%xmm1, %%xmm0\n\t"                 \
                         "stmxcsr %[after]\n\tldmxcsr %[reset]\n\tmovsd %%xmm0, %[r]"  \
                         : [r] "=m"(r), [after] "=m"(after)                             \
                         : [a] "m"(a), [b] "m"(b), [m] "m"(mxcsr), [reset] "m"(reset)   \
                         : "xmm0", "xmm1");                                             \
        printf("  result=%016llx mxcsr=%#06x\n", (unsigned long long)bits_d(r), after); \
    } while (0)

int main(void)
{
    struct sigaction sa;
    double denormal = d_bits(0x10), qnan = d_bits(0x7ff8000000000001ull);

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);

    TRAP_CASE("divsd 1/0 masked", "divsd", 1.0, 0.0, MXCSR_DEFAULT, 1);
    TRAP_CASE("divsd 1/0 ZE unmasked", "divsd", 1.0, 0.0, MXCSR_DEFAULT & ~MASK_ZE, 1);
    TRAP_CASE("divsd 1/0 IE unmasked", "divsd", 1.0, 0.0, MXCSR_DEFAULT & ~MASK_IE, 1);
    TRAP_CASE("sqrtsd -1 IE unmasked", "sqrtsd", 5.0, -1.0, MXCSR_DEFAULT & ~MASK_IE, 1);
    TRAP_CASE("mulsd overflow OE unmasked", "mulsd", 1e300, 1e300, MXCSR_DEFAULT & ~MASK_OE, 0);
    TRAP_CASE("mulsd underflow UE unmasked", "mulsd", 1e-300, 1e-300,
              MXCSR_DEFAULT & ~MASK_UE, 0);
    TRAP_CASE("divsd 1/3 PE unmasked", "divsd", 1.0, 3.0, MXCSR_DEFAULT & ~MASK_PE, 1);
    TRAP_CASE("addsd 1+2 PE unmasked", "addsd", 1.0, 2.0, MXCSR_DEFAULT & ~MASK_PE, 1);
    TRAP_CASE("addsd denormal DE unmasked", "addsd", denormal, 1.0,
              MXCSR_DEFAULT & ~MASK_DE, 1);
    TRAP_CASE("cmpltsd qnan IE unmasked", "cmpltsd", qnan, 1.0, MXCSR_DEFAULT & ~MASK_IE, 1);
    TRAP_CASE("divpd 1/0 ZE unmasked", "divpd", 1.0, 0.0, MXCSR_DEFAULT & ~MASK_ZE, 1);
    TRAP_CASE("cvtsd2ss overflow OE unmasked", "cvtsd2ss", 0.0, 1e300,
              MXCSR_DEFAULT & ~MASK_OE, 0);
    {
        /* a general-register destination and a compare that writes only EFLAGS */
        double big = 1e10;
        uint32_t mxcsr = MXCSR_DEFAULT & ~MASK_IE, reset = MXCSR_DEFAULT;
        long r = 7;

        printf("cvttsd2si range IE unmasked\n");
        show_destination = 0;
        __asm__ volatile("movsd %[b], %%xmm1\n\tldmxcsr %[m]\n\tcvttsd2si %%xmm1, %k[r]\n\t"
                         "ldmxcsr %[reset]"
                         : [r] "+r"(r) : [b] "m"(big), [m] "m"(mxcsr), [reset] "m"(reset)
                         : "xmm1");
        printf("  result=%08lx\n", r & 0xffffffffl);
        printf("comisd qnan IE unmasked\n");
        __asm__ volatile("movsd %[b], %%xmm0\n\tldmxcsr %[m]\n\tcomisd %%xmm0, %%xmm0\n\t"
                         "ldmxcsr %[reset]"
                         : : [b] "m"(qnan), [m] "m"(mxcsr), [reset] "m"(reset)
                         : "xmm0", "cc");
    }
    printf("traps=%d\n", traps);
    return 0;
}
