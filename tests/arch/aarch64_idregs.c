// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What an aarch64 program can learn about its CPU: AT_HWCAP and AT_HWCAP2 from the aux
 * vector, and MRS of every register of the ID space (op0 3, op1 0, CRn 0, CRm 0-7) plus
 * CTR_EL0 and DCZID_EL0, one line each ("ILL" where the read raises SIGILL).
 * tests/arch/test_arch_cpu_models.py runs it under qemu-aarch64 -cpu M and pyqemu -cpu M.
 */
#include <elf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

extern char **environ;

static volatile int ill;

/* SIGILL: note it and step over the mrs */
static void on_ill(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ((ucontext_t *)ctx)->uc_mcontext.pc += 4;
    ill = 1;
}

#define R(enc)                                                                 \
    do {                                                                       \
        uint64_t v = 0;                                                        \
        ill = 0;                                                               \
        __asm__ volatile("mrs %0, " enc : "=r"(v));                            \
        if (ill) {                                                             \
            printf("%s ILL\n", enc);                                           \
        } else {                                                               \
            printf("%s %016lx\n", enc, (unsigned long)v);                      \
        }                                                                      \
    } while (0)

int main(void)
{
    struct sigaction sa = {0};
    char **env = environ;

    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    while (*env) {
        env++;
    }
    for (Elf64_auxv_t *a = (Elf64_auxv_t *)(env + 1); a->a_type != AT_NULL; a++) {
        if (a->a_type == AT_HWCAP || a->a_type == AT_HWCAP2) {
            printf("auxv %lu %016lx\n", (unsigned long)a->a_type, (unsigned long)a->a_un.a_val);
        }
    }
    R("S3_0_C0_C0_0"); R("S3_0_C0_C0_1"); R("S3_0_C0_C0_2"); R("S3_0_C0_C0_3");
    R("S3_0_C0_C0_4"); R("S3_0_C0_C0_5"); R("S3_0_C0_C0_6"); R("S3_0_C0_C0_7");
    R("S3_0_C0_C1_0"); R("S3_0_C0_C1_1"); R("S3_0_C0_C1_2"); R("S3_0_C0_C1_3");
    R("S3_0_C0_C1_4"); R("S3_0_C0_C1_5"); R("S3_0_C0_C1_6"); R("S3_0_C0_C1_7");
    R("S3_0_C0_C2_0"); R("S3_0_C0_C2_1"); R("S3_0_C0_C2_2"); R("S3_0_C0_C2_3");
    R("S3_0_C0_C2_4"); R("S3_0_C0_C2_5"); R("S3_0_C0_C2_6"); R("S3_0_C0_C2_7");
    R("S3_0_C0_C3_0"); R("S3_0_C0_C3_1"); R("S3_0_C0_C3_2"); R("S3_0_C0_C3_3");
    R("S3_0_C0_C3_4"); R("S3_0_C0_C3_5"); R("S3_0_C0_C3_6"); R("S3_0_C0_C3_7");
    R("S3_0_C0_C4_0"); R("S3_0_C0_C4_1"); R("S3_0_C0_C4_2"); R("S3_0_C0_C4_3");
    R("S3_0_C0_C4_4"); R("S3_0_C0_C4_5"); R("S3_0_C0_C4_6"); R("S3_0_C0_C4_7");
    R("S3_0_C0_C5_0"); R("S3_0_C0_C5_1"); R("S3_0_C0_C5_2"); R("S3_0_C0_C5_3");
    R("S3_0_C0_C5_4"); R("S3_0_C0_C5_5"); R("S3_0_C0_C5_6"); R("S3_0_C0_C5_7");
    R("S3_0_C0_C6_0"); R("S3_0_C0_C6_1"); R("S3_0_C0_C6_2"); R("S3_0_C0_C6_3");
    R("S3_0_C0_C6_4"); R("S3_0_C0_C6_5"); R("S3_0_C0_C6_6"); R("S3_0_C0_C6_7");
    R("S3_0_C0_C7_0"); R("S3_0_C0_C7_1"); R("S3_0_C0_C7_2"); R("S3_0_C0_C7_3");
    R("S3_0_C0_C7_4"); R("S3_0_C0_C7_5"); R("S3_0_C0_C7_6"); R("S3_0_C0_C7_7");
    R("S3_3_C0_C0_1");   /* CTR_EL0 */
    R("S3_3_C0_C0_7");   /* DCZID_EL0 */
    return 0;
}
