// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/* Faults on a page without PROT_EXEC (issue 26): a jump into such a page, code that runs
 * off the end of an executable page into one, and an instruction that starts in an
 * executable page and ends in one.  The SIGSEGV handler records si_code, si_addr and the
 * saved RIP and leaves through siglongjmp; they are printed as offsets from the first page. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf back;
static uintptr_t base;

static volatile int fault_code;
static volatile uintptr_t fault_addr, fault_rip;

/* qemu 7.2 can start a handler with a stack that is not 16-byte aligned, where the SSE
 * code of printf faults: the handler only records, with general registers */
__attribute__((target("general-regs-only")))
static void on_segv(int sig, siginfo_t *info, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)sig;
    fault_code = info->si_code;
    fault_addr = (uintptr_t)info->si_addr;
    fault_rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(back, 1);
}

static void run(const char *what, uintptr_t entry)
{
    printf("%s: entry base+%#lx\n", what, (unsigned long)(entry - base));
    if (sigsetjmp(back, 1) == 0) {
        ((void (*)(void))entry)();
        printf("  returned\n");
    } else {
        printf("  SIGSEGV code=%d addr=base+%#lx rip=base+%#lx\n", fault_code,
               (unsigned long)(fault_addr - base), (unsigned long)(fault_rip - base));
    }
}

int main(int argc, char **argv)
{
    int only = argc > 1 ? argv[1][0] - '0' : -1;   /* run one case only */
    setvbuf(stdout, NULL, _IONBF, 0);
    long page = sysconf(_SC_PAGESIZE);
    /* pages 0 and 2 become executable, 1 and 3 not */
    unsigned char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    base = (uintptr_t)p;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    memset(p, 0x90, 4 * page);              /* nop everywhere */
    unsigned char *end = p + page;          /* first byte of page 1 */
    end[0] = 0xc3;                          /* ret there */
    p[3 * page] = 0xc3;                     /* and at the start of page 3 */
    /* page 0 ends in "mov $1, %eax" (5 bytes) reaching 2 bytes into page 1 */
    unsigned char *straddle = end - 3;
    memcpy(straddle, "\xb8\x01\x00\x00\x00\xc3", 6);
    unsigned char *jump = p + 16;           /* jmp rel32 to page 1's first byte */
    jump[0] = 0xe9;
    int32_t rel = (int32_t)(end - (jump + 5));
    memcpy(jump + 1, &rel, 4);
    mprotect(p, page, PROT_READ | PROT_EXEC);
    mprotect(p + 2 * page, page, PROT_READ | PROT_EXEC);

    if (only < 0 || only == 0)
        run("jump to a page without exec", (uintptr_t)jump);
    if (only < 0 || only == 1)
        run("nops running into the straddling instruction", (uintptr_t)(end - 64));
    if (only < 0 || only == 2)
        run("instruction straddling into the page", (uintptr_t)straddle);
    if (only < 0 || only == 3)
        run("nops running off the executable page", (uintptr_t)(p + 3 * page - 64));
    mprotect(p + page, page, PROT_READ | PROT_EXEC);
    if (only < 0 || only == 4)
        run("straddling with both executable", (uintptr_t)straddle);
    return 0;
}
