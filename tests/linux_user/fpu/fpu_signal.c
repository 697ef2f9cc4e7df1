// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fpu_signal.c - the FPU state across a signal handler.
 *
 * Linux saves the interrupted code's whole FPU state (fxsave layout) in the
 * signal frame, runs the handler with its own, and rt_sigreturn restores the
 * saved one: a handler that changes the rounding mode or the x87 stack does
 * not leak it into the code it interrupted, and a handler that edits the
 * saved state (uc_mcontext.fpregs) changes what that code resumes with.
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

static volatile int edit_frame;
static uint16_t seen_cwd, seen_swd;
static uint32_t seen_mxcsr;
static uint8_t seen_ftw;
static uint64_t seen_st0, seen_xmm7;
static uint16_t own_fcw, own_fsw;
static uint32_t own_mxcsr;
static uint64_t own_xmm7;

static void set_fcw(uint16_t fcw)
{
    __asm__ volatile("fldcw %0" : : "m"(fcw));
}

static uint16_t get_fcw(void)
{
    uint16_t fcw;

    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    return fcw;
}

static void set_mxcsr(uint32_t mxcsr)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static uint32_t get_mxcsr(void)
{
    uint32_t mxcsr;

    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    return mxcsr;
}

static void handler(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    /* the fxsave image (glibc and musl name its struct differently) */
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint16_t cwd = 0x0a7f;           /* round up, 53-bit precision */
    uint32_t mxcsr = 0x3f80;         /* round down */

    (void)sig;
    (void)info;
    __asm__ volatile("movq %%xmm7, %0\n\tfnstsw %1" : "=r"(own_xmm7), "=m"(own_fsw));
    own_fcw = get_fcw();
    own_mxcsr = get_mxcsr();
    memcpy(&seen_cwd, fp + 0, 2);
    memcpy(&seen_swd, fp + 2, 2);
    seen_ftw = fp[4];
    memcpy(&seen_mxcsr, fp + 24, 4);
    memcpy(&seen_st0, fp + 32, 8);
    memcpy(&seen_xmm7, fp + 160 + 7 * 16, 8);
    /* the handler's own changes: rounding, precision, the x87 stack, an xmm register */
    set_fcw(0x0c7f);
    set_mxcsr(0x7f80);
    __asm__ volatile("fninit\n\tfldpi\n\tfldl2e\n\tpxor %%xmm7, %%xmm7" ::: "xmm7");
    if (edit_frame) {
        memcpy(fp + 0, &cwd, 2);
        memcpy(fp + 24, &mxcsr, 4);
    }
}

/*
 * With 1.5 and 2.5 on the x87 stack and 7.25 in xmm7, send the signal with
 * a raw syscall (nothing between it and the checks touches the FPU), then
 * store what is left.
 */
static void interrupted(const char *label)
{
    long double top, next;
    double xmm7;
    uint16_t fcw;
    uint32_t mxcsr;
    volatile long double one = 1.0L, three = 3.0L;
    volatile double one_d = 1.0, three_d = 3.0;
    long double third;
    double third_d;
    static const double x87_next = 1.5, x87_top = 2.5, sse = 7.25;

    __asm__ volatile(
        "movsd %[sse], %%xmm7\n\t"
        "fldl %[next_in]\n\t"
        "fldl %[top_in]\n\t"
        "syscall\n\t"
        "fstpt %[top]\n\t"
        "fstpt %[next]\n\t"
        "movsd %%xmm7, %[xmm7]\n\t"
        : [top] "=m"(top), [next] "=m"(next), [xmm7] "=m"(xmm7)
        : "a"((long)SYS_kill), "D"((long)getpid()), "S"((long)SIGUSR1),
          [sse] "m"(sse), [next_in] "m"(x87_next), [top_in] "m"(x87_top)
        : "rcx", "r11", "xmm7", "memory");
    fcw = get_fcw();
    mxcsr = get_mxcsr();
    third = one / three;
    third_d = one_d / three_d;
    printf("%s: handler ran with fcw=%#06x fsw=%#06x mxcsr=%#06x xmm7=%#018llx\n", label,
           own_fcw, own_fsw, own_mxcsr, (unsigned long long)own_xmm7);
    printf("%s: handler saw cwd=%#06x swd=%#06x ftw=%#04x mxcsr=%#06x st0=%#018llx "
           "xmm7=%#018llx\n", label, seen_cwd, seen_swd, seen_ftw, seen_mxcsr,
           (unsigned long long)seen_st0, (unsigned long long)seen_xmm7);
    printf("%s: after fcw=%#06x mxcsr=%#06x st=%Lg,%Lg xmm7=%g ld=%.21Lg d=%.17g\n", label,
           fcw, mxcsr, top, next, xmm7, third, third_d);
}

int main(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);

    interrupted("default");
    set_fcw(0x027f);            /* 53-bit precision, round to nearest */
    set_mxcsr(0x5f80);          /* round up */
    interrupted("changed");
    edit_frame = 1;
    interrupted("edited");
    return 0;
}
