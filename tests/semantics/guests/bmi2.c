// SPDX-License-Identifier: GPL-2.0-or-later
/* BMI2 over operand patterns: shlx/shrx/sarx/bzhi/pdep/pext (both sizes, bzhi flags),
 * rorx and mulx.  Printed results and flags, compared with the CPU and qemu-x86_64. */
#include <stdio.h>
#include <stdint.h>
static const uint64_t pats[] = {0, 1, 0x7f, 0x80000000u, 0xffffffffu, 0x123456789abcdef0ull,
                                0x8000000000000000ull, 0xffffffffffffffffull, 0x00ff00ff00ff00ffull, 33, 64, 65};
#define N (sizeof pats / sizeof pats[0])
/* the flags BZHI defines (OF, SF, ZF, CF); AF and PF are undefined (SDM): an AMD CPU
 * sets PF where an Intel one and qemu clear it */
#define FL(f) ((f) & 0x8c1)
int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (unsigned i = 0; i < N; i++) for (unsigned j = 0; j < N; j++) {
        uint64_t a = pats[i], b = pats[j], r, f, r2;
#define BMI64(insn) __asm__("xor %%eax,%%eax\n" insn " %2,%3,%0\npushf\npop %1" : "=&r"(r), "=&r"(f) : "r"(b), "r"(a) : "rax", "cc"); printf(insn " q %lx %lx -> %lx\n", a, b, r);
#define BMI32(insn) __asm__("xor %%eax,%%eax\n" insn " %k2,%k3,%k0\npushf\npop %1" : "=&r"(r), "=&r"(f) : "r"(b), "r"(a) : "rax", "cc"); printf(insn " l %lx %lx -> %lx\n", a, b, r);
        BMI64("shlx") BMI64("shrx") BMI64("sarx") BMI64("bzhi") BMI64("pdep") BMI64("pext")
        BMI32("shlx") BMI32("shrx") BMI32("sarx") BMI32("bzhi") BMI32("pdep") BMI32("pext")
        __asm__("bzhi %2,%3,%0\npushf\npop %1" : "=&r"(r), "=&r"(f) : "r"(b), "r"(a) : "cc");
        printf("bzhi flags %lx\n", FL(f));
        __asm__("bzhi %k2,%k3,%k0\npushf\npop %1" : "=&r"(r), "=&r"(f) : "r"(b), "r"(a) : "cc");
        printf("bzhil flags %lx\n", FL(f));
        __asm__("rorx $13,%1,%0" : "=r"(r) : "r"(a)); printf("rorxq %lx\n", r);
        __asm__("rorx $13,%k1,%k0" : "=r"(r) : "r"(a)); printf("rorxl %lx\n", r);
        __asm__("mov %3,%%rdx\nmulx %2,%0,%1" : "=&r"(r), "=&r"(r2) : "r"(b), "r"(a) : "rdx"); printf("mulxq %lx %lx\n", r, r2);
        __asm__("mov %3,%%rdx\nmulx %k2,%k0,%k1" : "=&r"(r), "=&r"(r2) : "r"(b), "r"(a) : "rdx"); printf("mulxl %lx %lx\n", r, r2);
    }
    return 0;
}
