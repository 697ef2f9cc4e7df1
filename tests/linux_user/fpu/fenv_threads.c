// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fenv_threads.c - <fenv.h> and long double in two threads.
 *
 * The main thread rounds upward and has divide-by-zero raised when it
 * starts a worker; the worker starts with both (clone copies the FPU
 * state), then rounds toward zero and raises its own flags, which must not
 * reach the main thread, whose rounding and flags are the same after the
 * join.  Each step prints long double and double results that depend on
 * the rounding mode, and the flags fetestexcept reports.
 *
 * Built with -u for each fenv function, --no-as-needed and -lm, before the
 * source (tests/linux_user/test_fpu.py): glibc keeps them in libm.
 * Expected status: 0
 */
#include <fenv.h>
#include <pthread.h>
#include <stdio.h>

/* results go here so that the compiler keeps the operations that raise flags */
static volatile double sink;
static volatile long double sink_l;

static const char *mode_name(int mode)
{
    switch (mode) {
    case FE_TONEAREST:
        return "nearest";
    case FE_UPWARD:
        return "upward";
    case FE_DOWNWARD:
        return "downward";
    case FE_TOWARDZERO:
        return "towardzero";
    default:
        return "?";
    }
}

static void flags_text(char *out, int flags)
{
    snprintf(out, 64, "%s%s%s%s%s",
             flags & FE_INVALID ? "invalid " : "",
             flags & FE_DIVBYZERO ? "divbyzero " : "",
             flags & FE_OVERFLOW ? "overflow " : "",
             flags & FE_UNDERFLOW ? "underflow " : "",
             flags & FE_INEXACT ? "inexact " : "");
}

/* arithmetic whose results show the rounding mode; the flags are read first */
static void report(const char *who)
{
    volatile long double one_l = 1.0L, three_l = 3.0L, big_l = 1e4000L;
    volatile double one = 1.0, three = 3.0, neg = -2.0;
    int flags = fetestexcept(FE_ALL_EXCEPT);
    int mode = fegetround();
    long double third_l = one_l / three_l, product_l = big_l * big_l;
    double third = one / three, minus_third = neg / three;
    char text[64];

    flags_text(text, flags);
    printf("%s: round=%s flags=[%s] ld=%.21Lg %Lg d=%.17g %.17g\n", who, mode_name(mode),
           text, third_l, product_l, third, minus_third);
}

static void *worker(void *arg)
{
    volatile double zero = 0.0, minus_one = -1.0;
    volatile long double tiny = 1e-4000L;

    (void)arg;
    report("worker start");
    fesetround(FE_TOWARDZERO);
    feclearexcept(FE_ALL_EXCEPT);
    sink = minus_one / zero;            /* divide-by-zero */
    sink_l = tiny * tiny;               /* underflow, inexact */
    report("worker changed");
    feclearexcept(FE_ALL_EXCEPT);
    sink = zero / zero;                 /* invalid */
    report("worker invalid");
    return NULL;
}

int main(void)
{
    pthread_t thread;
    volatile double one = 1.0, zero = 0.0;

    feclearexcept(FE_ALL_EXCEPT);
    report("main start");
    fesetround(FE_UPWARD);
    feclearexcept(FE_ALL_EXCEPT);
    sink = one / zero;
    pthread_create(&thread, NULL, worker, NULL);
    pthread_join(thread, NULL);
    /* printf and pthread_create may add inexact: only the rest must be the same */
    feclearexcept(FE_INEXACT);
    report("main after join");
    fesetround(FE_TONEAREST);
    return 0;
}
