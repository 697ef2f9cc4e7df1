// SPDX-License-Identifier: GPL-2.0-or-later
/* MMX with one register as both operands, memory sources, 32-bit memory for punpckl*,
 * pshufw and palignr forms (phaddd %mm5,%mm5 gave the wrong high half). */
#include <stdio.h>
#include <stdint.h>
static const uint64_t v[] = {0x0123456789abcdefull, 0xdcac665584861ef7ull, 0x8000800080008000ull};
#define SAME(name) do { uint64_t r; __asm__("movq %1,%%mm5\n" name " %%mm5,%%mm5\nmovq %%mm5,%0\nemms" : "=m"(r) : "m"(a) : "mm5"); printf(name " same %016lx -> %016lx\n", a, r); } while (0)
#define MEM(name) do { uint64_t r; __asm__("movq %1,%%mm5\n" name " %2,%%mm5\nmovq %%mm5,%0\nemms" : "=m"(r) : "m"(a), "m"(b) : "mm5"); printf(name " mem %016lx %016lx -> %016lx\n", a, b, r); } while (0)
#define MEM32(name) do { uint64_t r; uint32_t b32 = (uint32_t)b; __asm__("movq %1,%%mm5\n" name " %2,%%mm5\nmovq %%mm5,%0\nemms" : "=m"(r) : "m"(a), "m"(b32) : "mm5"); printf(name " mem32 %016lx %08x -> %016lx\n", a, b32, r); } while (0)
#define IMMSAME(name, imm) do { uint64_t r; __asm__("movq %1,%%mm5\n" name " $" #imm ",%%mm5,%%mm5\nmovq %%mm5,%0\nemms" : "=m"(r) : "m"(a) : "mm5"); printf(name " same " #imm " %016lx -> %016lx\n", a, r); } while (0)
#define IMMMEM(name, imm) do { uint64_t r; __asm__(name " $" #imm ",%1,%%mm5\nmovq %%mm5,%0\nemms" : "=m"(r) : "m"(a) : "mm5"); printf(name " mem " #imm " %016lx -> %016lx\n", a, r); } while (0)
int main(void)
{
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
        uint64_t a = v[i], b = v[j];
        SAME("punpcklbw"); SAME("punpcklwd"); SAME("punpckldq"); SAME("punpckhbw"); SAME("punpckhwd"); SAME("punpckhdq");
        SAME("packsswb"); SAME("packssdw"); SAME("packuswb"); SAME("pshufb"); SAME("phaddw"); SAME("phaddd"); SAME("pmaddwd");
        MEM("punpcklbw"); MEM("punpcklwd"); MEM("punpckldq"); MEM("punpckhbw"); MEM("punpckhwd"); MEM("punpckhdq");
        MEM32("punpcklbw"); MEM32("punpcklwd"); MEM32("punpckldq");
        MEM("packsswb"); MEM("packuswb"); MEM("pshufb"); MEM("paddq"); MEM("pmuludq"); MEM("psadbw");
        IMMSAME("pshufw", 0x44); IMMSAME("pshufw", 0x1b); IMMMEM("pshufw", 0x44); IMMMEM("pshufw", 0x1b);
        IMMSAME("palignr", 3); IMMSAME("palignr", 12);
    }
    return 0;
}
