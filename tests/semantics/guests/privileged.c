// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/* Privileged and trapping instructions in user mode (CPL 3, IOPL 0): each runs once with
 * handlers for SIGSEGV, SIGTRAP, SIGILL, SIGBUS and SIGFPE installed.  The handler records the
 * signal, si_code, si_addr, the saved RIP (as an offset from the case's first instruction,
 * and from the case's `ret`), trapno and err, then moves RIP to the case's `ret`; main
 * prints them.  lscpu's VMware backdoor probe is the first case.
 * A second thread runs the probe too.  Last, what user mode can still do: rdtsc, rdtscp,
 * cpuid, rdfsbase/wrgsbase, pushf, the IOPL and IF bits popf cannot change, and the
 * segment selectors. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

/* Each case is a function: its instructions, then the label NAME_end on its ret. */
#define CASE(name, body)                                                               \
    __asm__(".text\n.globl " #name "\n" #name ":\n" body "\n.globl " #name "_end\n"    \
            #name "_end:\n ret\n");                                                    \
    void name(void);                                                                   \
    extern char name##_end[];

CASE(vmware_in, "mov $0x564D5868, %eax\n mov $0x5658, %dx\n xor %ecx, %ecx\n"
                " mov $10, %cx\n in %dx, %eax")
CASE(in_imm, "in $0x60, %al")
CASE(out_dx, "mov $0x80, %dx\n out %al, %dx")
CASE(outsb, "mov $0x80, %dx\n lea vmware_in(%rip), %rsi\n outsb")
CASE(cli, "cli")
CASE(sti, "sti")
CASE(hlt, "hlt")
CASE(rdmsr, "mov $0x10, %ecx\n rdmsr")
CASE(wrmsr, "mov $0xc0000102, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr")
CASE(rdpmc, "xor %ecx, %ecx\n rdpmc")
CASE(mov_from_cr0, "mov %cr0, %rax")
CASE(mov_cr4, "mov %cr4, %rax\n mov %rax, %cr4")
CASE(mov_from_dr7, "mov %dr7, %rax")
CASE(lgdt, "movq $0, -16(%rsp)\n movq $0, -8(%rsp)\n lgdt -16(%rsp)")
CASE(lidt, "movq $0, -16(%rsp)\n movq $0, -8(%rsp)\n lidt -16(%rsp)")
CASE(lldt, "xor %eax, %eax\n lldt %ax")
CASE(ltr, "xor %eax, %eax\n ltr %ax")
CASE(invd, "invd")
CASE(wbinvd, "wbinvd")
CASE(invlpg, "invlpg (%rsp)")
CASE(clts, "clts")
CASE(swapgs, "swapgs")
CASE(sysret, "sysretq")
CASE(iopl_popf, "pushfq\n pop %rax\n or $0x3200, %rax\n push %rax\n popfq\n pushfq\n pop %rax")
CASE(int80, "mov $20, %eax\n int $0x80")
CASE(int_81, "int $0x81")
CASE(int_0d, "int $0x0d")
CASE(int_0e, "int $0x0e")
CASE(int_4, "int $4")
CASE(int3, "int3")
CASE(int_3_long, "int $3")
CASE(icebp, ".byte 0xf1")
CASE(ud2, "ud2")
CASE(mov_to_ss_null, "xor %eax, %eax\n mov %eax, %ss")
CASE(divide_error, "xor %ecx, %ecx\n mov $1, %eax\n cltd\n idivl %ecx")
CASE(sigreturn_iopl, "int3\n pushfq\n pop %rax\n mov %rax, flags_after_sigreturn(%rip)")

struct fault {
    int sig, code;
    uintptr_t addr, rip;
    long long trapno, err;
};

static struct fault seen;
static uintptr_t resume;     /* where the handler sends the case on; 0: where it was */
static int raise_iopl;      /* the handler sets IOPL 3 and IF in the frame's rflags */
uint64_t flags_after_sigreturn;

/* qemu 7.2 can start a handler with a stack that is not 16-byte aligned, where SSE code
 * (printf's) faults: the handler only records, with general registers */
__attribute__((target("general-regs-only")))
static void on_fault(int sig, siginfo_t *info, void *uc_)
{
    ucontext_t *uc = uc_;
    seen.sig = sig;
    seen.code = info->si_code;
    seen.addr = (uintptr_t)info->si_addr;
    seen.rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    seen.trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    seen.err = uc->uc_mcontext.gregs[REG_ERR];
    if (resume)
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume;
    if (raise_iopl)
        uc->uc_mcontext.gregs[REG_EFL] |= 0x3200;
}

static void run(const char *name, void (*fn)(void), const char *end)
{
    memset(&seen, 0, sizeof seen);
    resume = (uintptr_t)end;
    fn();
    printf("%-15s", name);
    if (!seen.sig) {
        printf(" no signal\n");
        return;
    }
    printf(" %s si_code=%#x si_addr=", seen.sig == SIGSEGV ? "SIGSEGV" : seen.sig == SIGTRAP
           ? "SIGTRAP" : seen.sig == SIGILL ? "SIGILL" : seen.sig == SIGBUS ? "SIGBUS"
           : seen.sig == SIGFPE ? "SIGFPE" : "?", seen.code);
    if (seen.addr)
        printf("case+%ld", (long)(seen.addr - (uintptr_t)fn));
    else
        printf("0");
    printf(" rip=case+%ld (end+%ld) trapno=%lld err=%#llx\n", (long)(seen.rip - (uintptr_t)fn),
           (long)(seen.rip - (uintptr_t)end), seen.trapno, seen.err);
}

#define RUN(name) run(#name, name, name##_end)

static void *in_a_thread(void *arg)
{
    (void)arg;
    run("thread: vmware_in", vmware_in, vmware_in_end);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);

    RUN(vmware_in);
    RUN(in_imm);
    RUN(out_dx);
    RUN(outsb);
    RUN(cli);
    RUN(sti);
    RUN(hlt);
    RUN(rdmsr);
    RUN(wrmsr);
    RUN(rdpmc);
    RUN(mov_from_cr0);
    RUN(mov_cr4);
    RUN(mov_from_dr7);
    RUN(lgdt);
    RUN(lidt);
    RUN(lldt);
    RUN(ltr);
    RUN(invd);
    RUN(wbinvd);
    RUN(invlpg);
    RUN(clts);
    RUN(swapgs);
    RUN(sysret);
    RUN(iopl_popf);
    RUN(int80);
    RUN(int_81);
    RUN(int_0d);
    RUN(int_0e);
    RUN(int_4);
    RUN(int3);
    RUN(int_3_long);
    RUN(icebp);
    RUN(ud2);
    RUN(mov_to_ss_null);
    /* exceptions in a row are each delivered, none is a double fault */
    RUN(divide_error);
    RUN(divide_error);

    pthread_t thread;
    if (pthread_create(&thread, NULL, in_a_thread, NULL) == 0)
        pthread_join(thread, NULL);

    /* int $0x80 with 39: getpid in the x86_64 table, mkdir(NULL) (EFAULT) in the i386 one */
    long ret = 39;
    __asm__ volatile("int $0x80" : "+a"(ret) : "b"(0L), "c"(0L) : "rdx", "memory");
    if (ret > 0)
        printf("int80_call: a pid\n");
    else
        printf("int80_call: %ld\n", ret);

    /* rt_sigreturn takes only the flags Linux lets user mode change from the frame */
    resume = 0;
    raise_iopl = 1;
    sigreturn_iopl();
    raise_iopl = 0;
    printf("after rt_sigreturn of IOPL 3 and IF: IOPL=%d IF=%d\n",
           (int)(flags_after_sigreturn >> 12) & 3, (int)(flags_after_sigreturn >> 9) & 1);

    /* what user mode keeps */
    uint32_t lo, hi, aux, a, b, c, d;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    printf("rdtsc ok\n");
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    printf("rdtscp ok\n");
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
    printf("cpuid ok\n");
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if (b & 1) {        /* FSGSBASE: CR4.FSGSBASE is set for user mode, as Linux sets it */
        uint64_t fs, gs = 0x1234;
        __asm__ volatile("rdfsbase %0\n wrgsbase %1\n rdgsbase %1" : "=r"(fs), "+r"(gs));
        printf("fsgsbase: fs base %s, gs base %#lx\n", fs ? "set" : "0", (unsigned long)gs);
    } else {
        printf("fsgsbase: not in CPUID\n");
    }
    uint64_t flags;
    __asm__ volatile("pushfq\n pop %0\n" : "=r"(flags));
    printf("rflags IF=%d IOPL=%d\n", (int)(flags >> 9) & 1, (int)(flags >> 12) & 3);
    __asm__ volatile("pushfq\n pop %%rax\n xor $0x3200, %%rax\n push %%rax\n popfq\n"
                     "pushfq\n pop %0\n" : "=r"(flags) : : "rax", "cc");
    printf("after popf of IF and IOPL flipped: IF=%d IOPL=%d\n", (int)(flags >> 9) & 1,
           (int)(flags >> 12) & 3);
    uint16_t cs, ss, ds, es;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1\n mov %%ds, %2\n mov %%es, %3"
                     : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es));
    printf("cs=%#x ss=%#x ds=%#x es=%#x\n", cs, ss, ds, es);
    /* reloading SS with its own selector is allowed at CPL 3 */
    __asm__ volatile("mov %%ss, %%eax\n mov %%eax, %%ss" : : : "rax");
    printf("ss reloaded\n");
    return 0;
}
