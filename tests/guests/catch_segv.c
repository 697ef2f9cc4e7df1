// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * catch_segv.c - catches SIGSEGV with an SA_SIGINFO handler that runs on an
 * alternate signal stack and escapes with siglongjmp(3).
 *
 * Three faults are taken in turn: a load from an unmapped low address, a store
 * to an unmapped low address (both SEGV_MAPERR) and a store to a read-only page
 * (SEGV_ACCERR). Each time the handler checks si_signo, si_code and si_addr and
 * that it runs on the alternate stack; siglongjmp also restores the signal mask,
 * so SIGSEGV is unblocked again for the next round.
 *
 * Expected status: 0
 * Expected stdout: one "round N: recovered ..." line per fault, then "recovered\n"
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALT_STACK_SIZE (64 * 1024)

static sigjmp_buf recovery_point;
static char alt_stack[ALT_STACK_SIZE];

/* What the handler saw, written by the handler and read after siglongjmp. */
static volatile sig_atomic_t seen_signo;
static volatile sig_atomic_t seen_code;
static volatile uintptr_t seen_addr;
static volatile sig_atomic_t seen_on_alt_stack;

static void on_segv(int signo, siginfo_t *info, void *ucontext)
{
    char marker;
    uintptr_t here = (uintptr_t)&marker;

    (void)ucontext;
    seen_signo = signo;
    seen_code = info->si_code;
    seen_addr = (uintptr_t)info->si_addr;
    seen_on_alt_stack = here >= (uintptr_t)alt_stack &&
                        here < (uintptr_t)alt_stack + sizeof(alt_stack);
    siglongjmp(recovery_point, 1);
}

static const char *code_name(int code)
{
    switch (code) {
    case SEGV_MAPERR:
        return "SEGV_MAPERR";
    case SEGV_ACCERR:
        return "SEGV_ACCERR";
    default:
        return "other";
    }
}

/* Runs fault(target) and reports what the handler saw; returns 0 when it all matched. */
static int expect_fault(int round, void (*fault)(volatile char *), volatile char *target,
                        int expected_code)
{
    seen_signo = 0;
    if (sigsetjmp(recovery_point, 1) == 0) {
        fault(target);
        printf("round %d: no fault\n", round);
        return 1;
    }
    int matched = seen_signo == SIGSEGV && seen_code == expected_code &&
                  seen_addr == (uintptr_t)target && seen_on_alt_stack;
    printf("round %d: recovered signo=%d code=%s addr_matches=%d on_alt_stack=%d\n", round,
           (int)seen_signo, code_name(seen_code), seen_addr == (uintptr_t)target,
           (int)seen_on_alt_stack);
    return matched ? 0 : 1;
}

static void load_from(volatile char *where)
{
    char value = *where;
    (void)value;
}

static void store_to(volatile char *where)
{
    *where = 1;
}

int main(void)
{
    stack_t alt = {.ss_sp = alt_stack, .ss_size = sizeof(alt_stack), .ss_flags = 0};
    struct sigaction action;
    int failures = 0;

    if (sigaltstack(&alt, NULL) != 0) {
        perror("sigaltstack");
        return 1;
    }
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }

    long page_size = sysconf(_SC_PAGESIZE);
    char *read_only = mmap(NULL, (size_t)page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (read_only == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    failures += expect_fault(1, load_from, (volatile char *)16, SEGV_MAPERR);
    failures += expect_fault(2, store_to, (volatile char *)24, SEGV_MAPERR);
    failures += expect_fault(3, store_to, (volatile char *)read_only + 8, SEGV_ACCERR);

    if (failures != 0) {
        printf("%d round(s) did not match\n", failures);
        return 1;
    }
    printf("recovered\n");
    return 0;
}
