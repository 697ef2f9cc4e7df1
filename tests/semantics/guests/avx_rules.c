// SPDX-License-Identifier: GPL-2.0-or-later
/* Issue 23: which VEX encodings raise #UD (SIGILL), from the Intel SDM vol. 2, 2.3: a VEX
 * prefix after 66, F2, F3, REX or LOCK; VEX.L=1 where the instruction is 128-bit only (or
 * VEX.L=0 where it is 256-bit only); VEX.W where the instruction fixes it; VEX.vvvv other
 * than 1111b where it names no register; a memory operand where only a register is allowed
 * (and the reverse); the reserved map 4; an unused ModRM.reg of the shift-by-immediate group.
 * Each encoding runs with a SIGILL handler and is reported as "ud" or "ok"; qemu-x86_64
 * 7.2 decodes the ones marked [qemu-differs] otherwise than the CPU; an AMD CPU decodes the
 * ones marked [amd-differs] as qemu does, not as the SDM says (pyqemu follows the SDM).
 * Then the state
 * rules: vzeroupper keeps bits 127:0 and clears 255:128 of every register, vzeroall clears
 * all, a legacy SSE instruction keeps bits 255:128.  Compared with the CPU and qemu-x86_64.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static uint8_t buf[64] __attribute__((aligned(32)));

static void on_sigill(int sig)
{
    (void)sig;
    siglongjmp(env, 1);
}

static uint8_t *area;     /* an RWX page the encodings are copied to */

/* run the bytes (followed by a ret) with rax/rcx/rdx/rsi/rdi pointing at buf */
static void try(const char *name, const uint8_t *code, size_t len)
{
    memcpy(area, code, len);
    area[len] = 0xc3;
    if (sigsetjmp(env, 1) == 0) {
        __asm__ volatile("mov %0, %%rax\n\tmov %0, %%rcx\n\tmov %0, %%rdx\n\t"
                         "mov %0, %%rsi\n\tmov %0, %%rdi\n\tcall *%1"
                         :: "r"(buf), "r"(area)
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
                           "xmm0", "xmm1", "xmm2", "xmm3", "memory", "cc");
        printf("%-40s ok\n", name);
    } else {
        printf("%-40s ud\n", name);
    }
}

#define TRY(name, ...) do { static const uint8_t c[] = {__VA_ARGS__}; \
    try(name, c, sizeof c); } while (0)

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGILL, on_sigill);
    area = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (area == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    /* the valid encodings first, so that "ud" below is the rule, not a missing instruction */
    TRY("vpxor xmm0,xmm1,xmm2", 0xc5, 0xf1, 0xef, 0xc2);
    TRY("vpxor ymm0,ymm1,ymm2", 0xc5, 0xf5, 0xef, 0xc2);
    TRY("vpxor xmm0,xmm1,xmm2 (c4 form)", 0xc4, 0xe1, 0x71, 0xef, 0xc2);
    TRY("66 + vpxor", 0x66, 0xc5, 0xf1, 0xef, 0xc2);
    TRY("f3 + vpxor", 0xf3, 0xc5, 0xf1, 0xef, 0xc2);
    TRY("f2 + vpxor", 0xf2, 0xc5, 0xf1, 0xef, 0xc2);
    TRY("rex + vpxor", 0x40, 0xc5, 0xf1, 0xef, 0xc2);
    TRY("lock + vpxor", 0xf0, 0xc5, 0xf1, 0xef, 0xc2);
    TRY("segment + vpxor [rax]", 0x2e, 0xc5, 0xf1, 0xef, 0x00);
    TRY("67 + vpxor [eax]", 0x67, 0xc5, 0xf1, 0xef, 0x00);
    TRY("vmovd xmm0,eax", 0xc5, 0xf9, 0x6e, 0xc0);
    TRY("vmovd with L=1 [qemu-differs]", 0xc5, 0xfd, 0x6e, 0xc0);
    TRY("vmovdqu xmm0,xmm1", 0xc5, 0xfa, 0x6f, 0xc1);
    TRY("vmovdqu with vvvv=1110", 0xc5, 0xf2, 0x6f, 0xc1);
    TRY("vpabsb with vvvv=0000", 0xc4, 0xe2, 0x01, 0x1c, 0xc1);
    TRY("vpermq ymm0,ymm1,1b", 0xc4, 0xe3, 0xfd, 0x00, 0xc1, 0x1b);
    TRY("vpermq with W=0 [qemu-differs] [amd-differs]", 0xc4, 0xe3, 0x7d, 0x00, 0xc1, 0x1b);
    TRY("vpermq with L=0", 0xc4, 0xe3, 0xf9, 0x00, 0xc1, 0x1b);
    TRY("vpermd ymm0,ymm1,ymm2", 0xc4, 0xe2, 0x75, 0x36, 0xc2);
    TRY("vpermd with L=0", 0xc4, 0xe2, 0x71, 0x36, 0xc2);
    TRY("vinserti128 with L=0", 0xc4, 0xe3, 0x71, 0x38, 0xc2, 0x01);
    TRY("vbroadcasti128 ymm0,[rax]", 0xc4, 0xe2, 0x7d, 0x5a, 0x00);
    TRY("vbroadcasti128 ymm0,xmm1", 0xc4, 0xe2, 0x7d, 0x5a, 0xc1);
    TRY("vpmovmskb eax,xmm1", 0xc5, 0xf9, 0xd7, 0xc1);
    TRY("vpmovmskb eax,[rax]", 0xc5, 0xf9, 0xd7, 0x00);
    TRY("vmovntdq [rax],ymm0", 0xc5, 0xfd, 0xe7, 0x00);
    TRY("vmovntdq ymm1,ymm0 (mod=3) [qemu-differs]", 0xc5, 0xfd, 0xe7, 0xc1);
    TRY("vpsllw xmm0,xmm1,3", 0xc5, 0xf9, 0x71, 0xf1, 0x03);
    TRY("vpsllw group /1", 0xc5, 0xf9, 0x71, 0xc9, 0x03);
    TRY("vpsrldq ymm0,ymm1,3", 0xc5, 0xfd, 0x73, 0xd9, 0x03);
    TRY("map 4", 0xc4, 0xe4, 0x79, 0x00, 0xc0);
    TRY("map 0 (mmmmm=0)", 0xc4, 0xe0, 0x79, 0x00, 0xc0);
    TRY("vpxor with pp=F3 (no such insn)", 0xc5, 0xf2, 0xef, 0xc2);
    TRY("vaddps ymm0,ymm1,[rax]", 0xc5, 0xf4, 0x58, 0x00);
    TRY("vaddss with L=1 (LIG) [qemu-differs]", 0xc5, 0xf6, 0x58, 0xc2);
    TRY("vmovss xmm0,[rax]", 0xc5, 0xfa, 0x10, 0x00);
    TRY("vfmadd231ps ymm0,ymm1,ymm2", 0xc4, 0xe2, 0x75, 0xb8, 0xc2);
    TRY("vcvtph2ps with W=1 [qemu-differs]", 0xc4, 0xe2, 0xf9, 0x13, 0xc1);
    TRY("vpgatherdd mod=3", 0xc4, 0xe2, 0x71, 0x90, 0xc2);
    TRY("vpgatherdd no SIB", 0xc4, 0xe2, 0x71, 0x90, 0x00);
    TRY("vpgatherdd dest = mask", 0xc4, 0xe2, 0x79, 0x90, 0x04, 0x08);
    TRY("vzeroupper", 0xc5, 0xf8, 0x77);
    TRY("vzeroall", 0xc5, 0xfc, 0x77);
    TRY("vstmxcsr [rax]; vldmxcsr [rax]", 0xc5, 0xf8, 0xae, 0x18, 0xc5, 0xf8, 0xae, 0x10);
    TRY("vstmxcsr with L=1", 0xc5, 0xfc, 0xae, 0x18);

    /* state: ymm0..ymm15 = pattern, then vzeroupper / vzeroall / a legacy SSE op (without
       the handler: on a CPU without AVX these end the program with SIGILL) */
    signal(SIGILL, SIG_DFL);
    uint8_t pat[32], out[16][32];
    for (int i = 0; i < 32; i++) {
        pat[i] = (uint8_t)(0x11 * (i + 1));
    }
#define LOADALL "vmovdqu %[p], %%ymm0\n\t" \
    "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\t" \
    "vmovdqa %%ymm0, %%ymm8\n\tvmovdqa %%ymm0, %%ymm15\n\t"
#define STORE(r, i) "vmovdqu %%ymm" #r ", " #i "*32+%[o]\n\t"
#define STOREALL STORE(0, 0) STORE(1, 1) STORE(2, 2) STORE(3, 3) STORE(8, 4) STORE(15, 5)
#define STATE(name, insn)                                                              \
    memset(out, 0xee, sizeof out);                                                     \
    __asm__ volatile(LOADALL insn "\n\t" STOREALL : [o] "=m"(out) : [p] "m"(pat)       \
                     : "xmm0", "xmm1", "xmm2", "xmm3", "xmm8", "xmm15", "memory");     \
    printf("%s:", name);                                                               \
    for (int r = 0; r < 6; r++) {                                                      \
        printf(" ");                                                                   \
        for (int i = 31; i >= 0; i--) printf("%02x", out[r][i]);                       \
    }                                                                                  \
    printf("\n");
    STATE("vzeroupper", "vzeroupper")
    STATE("vzeroall", "vzeroall")
    STATE("legacy paddb keeps 255:128", "paddb %%xmm1, %%xmm0\n\tpxor %%xmm15, %%xmm15")
    STATE("legacy movaps keeps 255:128", "movaps %%xmm3, %%xmm2")
    STATE("vex.128 vpaddb zeroes 255:128", "vpaddb %%xmm1, %%xmm0, %%xmm0")
    STATE("vex.128 vmovaps zeroes 255:128", "vmovaps %%xmm3, %%xmm2")
    return 0;
}
