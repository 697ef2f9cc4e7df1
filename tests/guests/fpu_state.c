// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fpu_state.c - the x87 and SSE state a process starts with and hands on.
 *
 * Linux starts a process (and an execve'd image) with FCW 0x037f (all
 * exceptions masked, 64-bit precision, round to nearest), FSW 0, an empty x87
 * stack and MXCSR 0x1f80; clone copies the parent's whole FPU state into the
 * child, thread or forked process.  Each line prints the control and status
 * words as fxsave stores them and a few results that depend on them: 1/3 in
 * long double (x87: precision and rounding control) and in double (SSE:
 * MXCSR rounding), so a wrong state shows up as wrong arithmetic too.
 *
 * Expected status: 0
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct fx_summary {
    uint16_t fcw, fsw;
    uint8_t ftw;
    uint32_t mxcsr;
};

static struct fx_summary fx_read(void)
{
    static __thread uint8_t area[512] __attribute__((aligned(16)));
    struct fx_summary s;

    __asm__ volatile("fxsave %0" : "=m"(area));
    memcpy(&s.fcw, area + 0, 2);
    memcpy(&s.fsw, area + 2, 2);
    s.ftw = area[4];
    memcpy(&s.mxcsr, area + 24, 4);
    return s;
}

static void set_fcw(uint16_t fcw)
{
    __asm__ volatile("fldcw %0" : : "m"(fcw));
}

static void set_mxcsr(uint32_t mxcsr)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

static void set_mxcsr(uint32_t mxcsr);

static void report(const char *who)
{
    struct fx_summary s = fx_read();
    volatile long double one_l = 1.0L, three_l = 3.0L;
    volatile double one = 1.0, three = 3.0;
    volatile float one_f = 1.0f, three_f = 3.0f;
    long double third_l = one_l / three_l;
    double third = one / three;
    float third_f = one_f / three_f;

    printf("%s: fcw=%#06x fsw=%#06x ftw=%#04x mxcsr=%#06x ld=%.21Lg d=%.17g f=%.9g\n",
           who, s.fcw, s.fsw, s.ftw, s.mxcsr, third_l, third, (double)third_f);
    /* the divisions and printf's formatting set precision flags (tests/guests/fpu_flags.c
       is about those): clear them, so each line shows the control state alone */
    __asm__ volatile("fnclex");
    set_mxcsr(s.mxcsr & ~0x3fu);
}

static void *thread_main(void *arg)
{
    report((const char *)arg);
    return NULL;
}

static void in_thread(const char *who)
{
    pthread_t thread;

    pthread_create(&thread, NULL, thread_main, (void *)who);
    pthread_join(thread, NULL);
}

static void in_fork(const char *who)
{
    pid_t pid;
    int status;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        report(who);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1) {                 /* the execve'd image */
        report(argv[1]);
        return 0;
    }
    report("start");
    in_thread("thread");
    in_fork("fork");

    /* round up, 53-bit x87 precision; MXCSR: round toward zero, flags cleared */
    set_fcw(0x0a7f);
    set_mxcsr(0x7f80);
    report("changed");
    in_thread("changed thread");
    in_fork("changed fork");

    /* round down, 24-bit precision; MXCSR: round down */
    set_fcw(0x047f);
    set_mxcsr(0x3f80);
    fflush(stdout);
    if (fork() == 0) {
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    wait(NULL);
    report("after exec");
    return 0;
}
