// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ymm_signal.c - bits 255:128 of the YMM registers across a signal handler.
 *
 * Linux saves the interrupted code's state in the signal frame in the XSAVE
 * standard form (arch/x86/kernel/fpu/signal.c): the fxsave image, its
 * software-reserved bytes (struct _fpx_sw_bytes at offset 464: magic1,
 * extended_size, xfeatures, xstate_size), the XSAVE header at 512 (xstate_bv),
 * the YMM_Hi128 component at 576 (16 bytes per register) and FP_XSTATE_MAGIC2
 * after xstate_size bytes; the handler runs with the initial state (every
 * register zero), and rt_sigreturn loads the frame back as XRSTOR does: a
 * component whose xstate_bv bit is clear, or that sw_reserved's xfeatures
 * leaves out, or every component past SSE when magic1 is gone, comes back in
 * its initial state.
 *
 * Each case loads ymm0-15 and MXCSR, sends itself SIGUSR1 with a raw syscall
 * and stores ymm0-15 and MXCSR right after it, in one asm block, so no
 * compiler code touches them in between.  The handler stores its own ymm0-15
 * first thing, reads the frame, edits it as the case says and clobbers every
 * ymm register and MXCSR.  Built with -mavx2.
 *
 * Expected status: 0
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "ymm_regs.h"

#define SW_BYTES 464            /* struct _fpx_sw_bytes in the fxsave image */
#define XSTATE_BV 512           /* the XSAVE header's first field */
#define YMM_HI128 576           /* XSAVE state component 2, standard form */
#define UC_FP_XSTATE 1

enum edit { NONE, WRITE_UPPER, CLEAR_BV_YMM, CLEAR_BV_SSE, CLEAR_XFEATURES_YMM, CLEAR_MAGIC1 };

static uint8_t before[16][32], after[16][32], in_handler[16][32];
static uint32_t mxcsr_in, mxcsr_after;
static volatile enum edit edit;

/* what the handler read from its frame */
static struct {
    unsigned long uc_flags;
    uint32_t magic1, extended_size, xstate_size, magic2;
    uint64_t xfeatures, xstate_bv;
    unsigned align;
    uint8_t upper[16][16];
} seen;

static void handler(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t clobber_mxcsr = 0x7f80;   /* round toward zero */

    (void)sig;
    (void)info;
    /* the state the handler starts with, before any compiled code uses a vector register */
    __asm__ volatile(STORE16("%0") : "=m"(in_handler) : : "memory");
    seen.uc_flags = uc->uc_flags;
    memcpy(&seen.magic1, fp + SW_BYTES, 4);
    memcpy(&seen.extended_size, fp + SW_BYTES + 4, 4);
    memcpy(&seen.xfeatures, fp + SW_BYTES + 8, 8);
    memcpy(&seen.xstate_size, fp + SW_BYTES + 16, 4);
    memcpy(&seen.xstate_bv, fp + XSTATE_BV, 8);
    memcpy(&seen.magic2, fp + seen.xstate_size, 4);
    seen.align = (unsigned)((uintptr_t)fp & 63);
    memcpy(seen.upper, fp + YMM_HI128, sizeof(seen.upper));

    switch (edit) {
    case WRITE_UPPER:
        for (int r = 0; r < 16; r++) {
            for (int b = 0; b < 16; b++) {
                fp[YMM_HI128 + 16 * r + b] = (uint8_t)(0xa0 + r + b * 3);
            }
        }
        break;
    case CLEAR_BV_YMM:
        fp[XSTATE_BV] &= ~4;
        break;
    case CLEAR_BV_SSE:
        fp[XSTATE_BV] &= ~2;
        break;
    case CLEAR_XFEATURES_YMM:
        fp[SW_BYTES + 8] &= ~4;
        break;
    case CLEAR_MAGIC1:
        memset(fp + SW_BYTES, 0, 4);
        break;
    case NONE:
        break;
    }
    /* the handler's own vector state, which must not reach the interrupted code */
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\t"
                     "vmovdqa %%ymm0, %%ymm3\n\tvmovdqa %%ymm0, %%ymm4\n\t"
                     "vmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
                     "vmovdqa %%ymm0, %%ymm7\n\tvmovdqa %%ymm0, %%ymm8\n\t"
                     "vmovdqa %%ymm0, %%ymm9\n\tvmovdqa %%ymm0, %%ymm10\n\t"
                     "vmovdqa %%ymm0, %%ymm11\n\tvmovdqa %%ymm0, %%ymm12\n\t"
                     "vmovdqa %%ymm0, %%ymm13\n\tvmovdqa %%ymm0, %%ymm14\n\t"
                     "vmovdqa %%ymm0, %%ymm15\n\t"
                     "vldmxcsr %0"
                     : : "m"(clobber_mxcsr) : ALL_YMM);
}

static void print_reg(const char *what, int r, const uint8_t *bytes, int n)
{
    printf("  %s ymm%-2d", what, r);
    for (int b = n - 1; b >= 0; b--) {
        printf("%s%02x", b % 16 == 15 ? " " : "", bytes[b]);
    }
    printf("\n");
}

static void interrupted(const char *label, enum edit how)
{
    uint32_t mxcsr = 0x5f80;           /* round up: not the initial 0x1f80 */

    for (int r = 0; r < 16; r++) {
        for (int b = 0; b < 32; b++) {
            before[r][b] = (uint8_t)(r * 17 + b * 5 + 1);
        }
    }
    edit = how;
    memset(&seen, 0, sizeof(seen));
    mxcsr_in = mxcsr;
    __asm__ volatile(LOAD16("%[in]")
                     "vldmxcsr %[mx]\n\t"
                     "syscall\n\t"
                     STORE16("%[out]")
                     "vstmxcsr %[mxo]\n\t"
                     : [out] "=m"(after), [mxo] "=m"(mxcsr_after)
                     : [in] "m"(before), [mx] "m"(mxcsr_in), "a"((long)SYS_kill),
                       "D"((long)getpid()), "S"((long)SIGUSR1)
                     : "rcx", "r11", "memory", ALL_YMM);

    printf("%s:\n", label);
    printf("  handler saw uc_flags&UC_FP_XSTATE=%lu magic1=%#x extended=xstate_size+%u "
           "xfeatures&7=%#llx xstate_bv&7=%#llx magic2=%#x fpstate%%64=%u covers_ymm=%d\n",
           seen.uc_flags & UC_FP_XSTATE, seen.magic1, seen.extended_size - seen.xstate_size,
           (unsigned long long)(seen.xfeatures & 7), (unsigned long long)(seen.xstate_bv & 7),
           seen.magic2, seen.align, seen.xstate_size >= YMM_HI128 + 256);
    for (int r = 0; r < 16; r++) {
        print_reg("frame upper", r, seen.upper[r], 16);
    }
    for (int r = 0; r < 16; r++) {
        print_reg("handler started with", r, in_handler[r], 32);
    }
    for (int r = 0; r < 16; r++) {
        print_reg("after", r, after[r], 32);
    }
    printf("  after mxcsr=%#x (was %#x)\n", mxcsr_after, mxcsr_in);
}

int main(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);

    interrupted("clobbered", NONE);
    interrupted("upper halves written in the frame", WRITE_UPPER);
    interrupted("xstate_bv without YMM", CLEAR_BV_YMM);
    interrupted("xstate_bv without SSE", CLEAR_BV_SSE);
    interrupted("sw_reserved xfeatures without YMM", CLEAR_XFEATURES_YMM);
    interrupted("magic1 cleared (an fxsave-only frame)", CLEAR_MAGIC1);
    return 0;
}
