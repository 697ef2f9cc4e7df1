// SPDX-License-Identifier: GPL-2.0-or-later
/* MMX and SSSE3 on MMX registers over operand patterns, register sources. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
static const uint64_t v[] = {0, 0x0123456789abcdefull, 0xdcac665584861ef7ull, 0x8000800080008000ull,
                             0x7fff7fff7fff7fffull, 0xffffffffffffffffull};
#define OP2(name) do { uint64_t r = a; __asm__("movq %1,%%mm0\nmovq %2,%%mm1\n" name " %%mm1,%%mm0\nmovq %%mm0,%0\nemms" : "=m"(r) : "m"(a), "m"(b) : "mm0", "mm1"); printf(name " %016lx %016lx -> %016lx\n", a, b, r); } while (0)
#define IMM(name, imm) do { uint64_t r = a; __asm__("movq %1,%%mm1\n" name " $" #imm ",%%mm1,%%mm0\nmovq %%mm0,%0\nemms" : "=m"(r) : "m"(a) : "mm0", "mm1"); printf(name " " #imm " %016lx -> %016lx\n", a, r); } while (0)
#define SHI(name, imm) do { uint64_t r = a; __asm__("movq %1,%%mm0\n" name " $" #imm ",%%mm0\nmovq %%mm0,%0\nemms" : "=m"(r) : "m"(a) : "mm0"); printf(name " " #imm " %016lx -> %016lx\n", a, r); } while (0)
int main(void)
{
    for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) {
        uint64_t a = v[i], b = v[j];
        OP2("punpcklbw"); OP2("punpcklwd"); OP2("punpckldq"); OP2("punpckhbw"); OP2("punpckhwd"); OP2("punpckhdq");
        OP2("packsswb"); OP2("packssdw"); OP2("packuswb"); OP2("paddb"); OP2("paddw"); OP2("paddd"); OP2("paddq");
        OP2("paddsb"); OP2("paddsw"); OP2("paddusb"); OP2("paddusw"); OP2("psubb"); OP2("psubq"); OP2("psubsw");
        OP2("pmullw"); OP2("pmulhw"); OP2("pmulhuw"); OP2("pmuludq"); OP2("pmaddwd"); OP2("pavgb"); OP2("pavgw");
        OP2("pcmpeqb"); OP2("pcmpgtw"); OP2("pcmpgtd"); OP2("pand"); OP2("pandn"); OP2("por"); OP2("pxor");
        OP2("pminub"); OP2("pmaxsw"); OP2("psadbw"); OP2("psllw"); OP2("psrld"); OP2("psraw"); OP2("psrlq");
        OP2("pshufb"); OP2("phaddw"); OP2("phaddd"); OP2("psignb"); OP2("pabsb"); OP2("pmulhrsw"); OP2("pmaddubsw");
    }
    for (int i = 0; i < 6; i++) {
        uint64_t a = v[i];
        IMM("pshufw", 0x1b); IMM("pshufw", 0xe4); IMM("pshufw", 0x00); IMM("pshufw", 0x44); IMM("pshufw", 0xee);
        SHI("psllw", 3); SHI("psrad", 7); SHI("psllq", 33); SHI("psrlq", 64); SHI("psraw", 15);
    }
    return 0;
}
