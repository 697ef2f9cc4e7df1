// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rv_encodings.c - has qemu-riscv64 translate a sweep of RISC-V encodings without
 * running them, so that a plugin can print how QEMU disassembles each one.
 *
 * Each encoding is placed as [ld zero,0(zero); <encoding>; ebreak] on an RWX page and
 * called: the translator decodes the whole block (the plugin's tb_trans callback sees
 * the encoding), then the load faults before anything runs, and the SIGSEGV handler
 * jumps back for the next one.  The sweep: every 16-bit encoding; every 32-bit major
 * opcode x funct3 x funct7 with two register patterns; every CSR number with each CSR
 * instruction; every fence pred/succ/fm; I/S/B-type immediates at their edges.
 * Deterministic (a fixed LCG picks registers).  riscv64 only.
 *
 * Expected status: 0
 * Expected stdout: "translated <n> encodings\n"
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOT 16
#define LD_ZERO_ZERO 0x00003003u
#define EBREAK 0x00100073u

static sigjmp_buf back;
static uint32_t *words;
static size_t n_words, cap_words;
static uint64_t lcg = 12345;

static void add(uint32_t word)
{
    if (n_words == cap_words) {
        cap_words = cap_words ? cap_words * 2 : 65536;
        words = realloc(words, cap_words * sizeof(*words));
        if (!words) {
            exit(2);
        }
    }
    words[n_words++] = word;
}

static unsigned reg(void)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(lcg >> 59);      /* 0..31 */
}

static uint32_t r_type(unsigned op5, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
                       unsigned rs2)
{
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | (op5 << 2) | 3;
}

static void sweep(void)
{
    static const unsigned edges[] = { 0, 1, 2, 4, 8, 0x10, 0x1f, 0x20, 0x3f, 0x7fe, 0x7ff,
                                      0x800, 0xffe, 0xfff };

    for (uint32_t half = 0; half < 0x10000; half++) {
        if ((half & 3) != 3) {
            add(half);                      /* compressed */
        }
    }
    for (unsigned op5 = 0; op5 < 32; op5++) {
        for (unsigned f3 = 0; f3 < 8; f3++) {
            for (unsigned f7 = 0; f7 < 128; f7++) {
                add(r_type(op5, f3, f7, reg(), reg(), reg()));
                add(r_type(op5, f3, f7, 0, reg(), 0));
            }
            for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
                unsigned imm = edges[i];
                add(r_type(op5, f3, 0, reg(), reg(), 0) | (imm << 20));            /* I, U */
                add(r_type(op5, f3, imm >> 5, imm & 0x1f, reg(), reg()));         /* S, B */
            }
        }
    }
    for (unsigned csr = 0; csr < 4096; csr++) {
        for (unsigned f3 = 1; f3 < 8; f3++) {
            if (f3 != 4) {
                add((csr << 20) | (reg() << 15) | (f3 << 12) | (reg() << 7) | 0x73);
            }
        }
    }
    for (unsigned fields = 0; fields < 4096; fields++) {  /* fm, pred, succ */
        add((fields << 20) | 0x0f);
    }
}

static void on_fault(int signo)
{
    (void)signo;
    siglongjmp(back, 1);
}

int main(void)
{
    struct sigaction action;
    uint8_t *code;
    size_t i;

    sweep();
    code = mmap(NULL, n_words * SLOT, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (i = 0; i < n_words; i++) {
        uint8_t *slot = code + i * SLOT;
        uint32_t ld = LD_ZERO_ZERO, ebreak = EBREAK, word = words[i];
        size_t len = (word & 3) == 3 ? 4 : 2;

        memcpy(slot, &ld, 4);
        memcpy(slot + 4, &word, len);
        memcpy(slot + 4 + len, &ebreak, 4);
    }
    __builtin___clear_cache((char *)code, (char *)code + n_words * SLOT);
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_fault;
    action.sa_flags = SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGILL, &action, NULL);
    sigaction(SIGTRAP, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    for (i = 0; i < n_words; i++) {
        if (sigsetjmp(back, 1) == 0) {
            ((void (*)(void))(code + i * SLOT))();
        }
    }
    printf("translated %zu encodings\n", n_words);
    return 0;
}
