// SPDX-License-Identifier: GPL-2.0-or-later
/* Issue 23: the VEX-encoded instructions (AVX, AVX2, FMA3, F16C) over operand patterns.
 *
 * Each instruction runs with ymm0 (the destination; also the third FMA operand) = z,
 * ymm1 = x, ymm2 = y, ymm3 = z (the blendv selector), ymm4 = shift counts, rax = the low
 * quadword of y, the flags ZF and PF, MXCSR = 0x1f80 and a 32-byte memory cell of 0xcc bytes; then ymm0 (all
 * 256 bits: a VEX.128 form must zero bits 255:128), rax, the arithmetic flags, MXCSR and
 * the memory cell are printed.  Memory-operand forms read y from memory.  Four data sets:
 * random bytes, edge bytes, float specials, double specials.  Compared with the CPU and
 * qemu-x86_64 7.2.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint8_t mem[32];    /* first: vmovdqa/vmovaps/vmovntdq need it 32-byte aligned */
    uint8_t ymm0[32];
    uint64_t rax, flags;
    uint32_t mxcsr;
} Out;

static uint8_t X[32] __attribute__((aligned(32)));
static uint8_t Y[32] __attribute__((aligned(32)));
static uint8_t Z[32] __attribute__((aligned(32)));
static uint8_t C[32] __attribute__((aligned(32)));
static Out o __attribute__((aligned(32)));
static uint8_t G[1024];    /* the table the gathers read */
static const uint32_t mxcsr_default = 0x1f80;

static void show(const char *name)
{
    char line[256];
    size_t n = 0;

    for (; *name && n + 3 < sizeof line; name++) {     /* one line: "\n\t" -> "; " */
        if (*name == '\n') {
            line[n++] = ';';
        } else {
            line[n++] = *name == '\t' ? ' ' : *name;
        }
    }
    line[n] = 0;
    printf("%-42s", line);
    for (int i = 31; i >= 0; i--) {
        printf("%02x%s", o.ymm0[i], i % 8 == 0 && i ? "_" : "");
    }
    printf(" rax=%016llx fl=%03llx mx=%04x m=", (unsigned long long)o.rax,
           (unsigned long long)(o.flags & 0x8d5), o.mxcsr);
    for (int i = 31; i >= 0; i--) {
        printf("%02x", o.mem[i]);
    }
    printf("\n");
}

#define T(insn)                                                                         \
    memset(o.mem, 0xcc, sizeof o.mem);                                                  \
    __asm__ volatile(                                                                   \
        "vmovdqu %[z], %%ymm0\n\tvmovdqu %[x], %%ymm1\n\tvmovdqu %[y], %%ymm2\n\t"      \
        "vmovdqu %[z], %%ymm3\n\tvmovdqu %[c], %%ymm4\n\txorl %%eax, %%eax\n\t"       \
        "movq %[y], %%rax\n\t"                                                         \
        "ldmxcsr %[mxd]\n\t"                                                            \
        insn "\n\t"                                                                     \
        "pushfq\n\tpopq %[fl]\n\tstmxcsr %[mx]\n\tvmovdqu %%ymm0, %[o0]\n\t"            \
        "movq %%rax, %[ra]\n\t"                                                         \
        : [o0] "=m"(o.ymm0), [ra] "=m"(o.rax), [fl] "=m"(o.flags), [mx] "=m"(o.mxcsr),  \
          [m] "+m"(o.mem)                                                               \
        : [x] "m"(X), [y] "m"(Y), [z] "m"(Z), [c] "m"(C), [mxd] "m"(mxcsr_default),    \
          [g] "m"(G)                                                                    \
        : "rax", "rcx", "rdx", "rdi", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "cc",   \
          "memory");                                                                    \
    show(insn);

/* the four forms of a three-operand instruction: ymm and xmm, register and memory */
#define OP3(mn)                                                                         \
    T(mn " %%ymm2, %%ymm1, %%ymm0") T(mn " %[y], %%ymm1, %%ymm0")                       \
    T(mn " %%xmm2, %%xmm1, %%xmm0") T(mn " %[y], %%xmm1, %%xmm0")
#define OP3X(mn) T(mn " %%xmm2, %%xmm1, %%xmm0") T(mn " %[y], %%xmm1, %%xmm0")
#define OP3Y(mn) T(mn " %%ymm2, %%ymm1, %%ymm0") T(mn " %[y], %%ymm1, %%ymm0")
/* with an immediate */
#define OP3I(mn, imm)                                                                   \
    T(mn " $" imm ", %%ymm2, %%ymm1, %%ymm0") T(mn " $" imm ", %[y], %%ymm1, %%ymm0")   \
    T(mn " $" imm ", %%xmm2, %%xmm1, %%xmm0") T(mn " $" imm ", %[y], %%xmm1, %%xmm0")
/* two operands (vvvv unused) */
#define OP2(mn)                                                                         \
    T(mn " %%ymm2, %%ymm0") T(mn " %[y], %%ymm0")                                       \
    T(mn " %%xmm2, %%xmm0") T(mn " %[y], %%xmm0")
#define OP2I(mn, imm)                                                                   \
    T(mn " $" imm ", %%ymm2, %%ymm0") T(mn " $" imm ", %[y], %%ymm0")                   \
    T(mn " $" imm ", %%xmm2, %%xmm0") T(mn " $" imm ", %[y], %%xmm0")
/* widening: the source is an xmm register (or a smaller memory operand) */
#define OPW(mn)                                                                         \
    T(mn " %%xmm2, %%ymm0") T(mn " %[y], %%ymm0")                                       \
    T(mn " %%xmm2, %%xmm0") T(mn " %[y], %%xmm0")
/* scalar: the xmm forms only */
#define OPS(mn) T(mn " %%xmm2, %%xmm1, %%xmm0") T(mn " %[y], %%xmm1, %%xmm0")
/* packed single, packed double, scalar single, scalar double */
#define FP4(mn) OP3("v" mn "ps") OP3("v" mn "pd") OPS("v" mn "ss") OPS("v" mn "sd")

static void run(void)
{
    /* moves */
    T("vmovdqu %%ymm2, %%ymm0") T("vmovdqu %[y], %%ymm0") T("vmovdqu %%xmm2, %%xmm0")
    T("vmovdqu %[y], %%xmm0") T("vmovdqa %[y], %%ymm0") T("vmovdqa %%xmm2, %%xmm0")
    T("vmovups %[y], %%ymm0") T("vmovaps %%xmm2, %%xmm0") T("vmovupd %[y], %%xmm0")
    T("vmovapd %[y], %%ymm0") T("vlddqu %[y], %%ymm0") T("vmovntdqa %[y], %%ymm0")
    T("vmovdqu %%ymm1, %[m]") T("vmovdqu %%xmm1, %[m]") T("vmovdqa %%ymm1, %[m]")
    T("vmovups %%ymm1, %[m]") T("vmovaps %%xmm1, %[m]") T("vmovntdq %%ymm1, %[m]")
    T("vmovntps %%ymm1, %[m]") T("vmovdqu %%ymm1, %%ymm0")
    T(".byte 0xc5, 0xfe, 0x7f, 0xc8") /* vmovdqu ymm1 -> ymm0, the store form */
    T(".byte 0xc5, 0xfa, 0x7f, 0xc8") /* vmovdqu xmm1 -> xmm0, the store form */
    T("vmovss %[y], %%xmm0") T("vmovsd %[y], %%xmm0") T("vmovss %%xmm2, %%xmm1, %%xmm0")
    T("vmovsd %%xmm2, %%xmm1, %%xmm0") T("vmovss %%xmm1, %[m]") T("vmovsd %%xmm1, %[m]")
    T(".byte 0xc5, 0xf2, 0x11, 0xd0") /* vmovss xmm2 -> xmm0 (merge xmm1), the store form */
    T("vmovd %%eax, %%xmm0") T("vmovq %%rax, %%xmm0") T("vmovd %[y], %%xmm0")
    T("vmovq %[y], %%xmm0") T("vmovq %%xmm2, %%xmm0") T("vmovd %%xmm1, %%eax")
    T("vmovq %%xmm1, %%rax") T("vmovd %%xmm1, %[m]") T("vmovq %%xmm1, %[m]")
    T(".byte 0xc5, 0xf9, 0xd6, 0xc8") /* vmovq xmm1 -> xmm0, the 66 D6 form */
    T("vmovlps %[y], %%xmm1, %%xmm0") T("vmovlpd %[y], %%xmm1, %%xmm0")
    T("vmovhps %[y], %%xmm1, %%xmm0") T("vmovhpd %[y], %%xmm1, %%xmm0")
    T("vmovhlps %%xmm2, %%xmm1, %%xmm0") T("vmovlhps %%xmm2, %%xmm1, %%xmm0")
    T("vmovlps %%xmm1, %[m]") T("vmovhps %%xmm1, %[m]") T("vmovhpd %%xmm1, %[m]")
    OP2("vmovsldup") OP2("vmovshdup") OP2("vmovddup")
    T("vpbroadcastb %%xmm2, %%ymm0") T("vpbroadcastb %[y], %%xmm0")
    T("vpbroadcastw %%xmm2, %%ymm0") T("vpbroadcastw %[y], %%xmm0")
    T("vpbroadcastd %%xmm2, %%ymm0") T("vpbroadcastd %[y], %%xmm0")
    T("vpbroadcastq %%xmm2, %%ymm0") T("vpbroadcastq %[y], %%xmm0")
    T("vbroadcastss %%xmm2, %%ymm0") T("vbroadcastss %[y], %%xmm0")
    T("vbroadcastsd %%xmm2, %%ymm0") T("vbroadcastsd %[y], %%ymm0")
    T("vbroadcasti128 %[y], %%ymm0") T("vbroadcastf128 %[y], %%ymm0")
    T("vinserti128 $1, %%xmm2, %%ymm1, %%ymm0") T("vinserti128 $0, %[y], %%ymm1, %%ymm0")
    T("vinsertf128 $1, %[y], %%ymm1, %%ymm0")
    T("vextracti128 $1, %%ymm1, %%xmm0") T("vextracti128 $0, %%ymm1, %[m]")
    T("vextractf128 $1, %%ymm1, %[m]")
    T("vperm2i128 $0x31, %%ymm2, %%ymm1, %%ymm0") T("vperm2i128 $0x28, %[y], %%ymm1, %%ymm0")
    T("vperm2f128 $0x02, %%ymm2, %%ymm1, %%ymm0") T("vperm2f128 $0x83, %%ymm2, %%ymm1, %%ymm0")
    T("vpermq $0x1b, %%ymm2, %%ymm0") T("vpermq $0xd8, %[y], %%ymm0")
    T("vpermpd $0x4e, %%ymm2, %%ymm0")
    T("vpermd %%ymm2, %%ymm4, %%ymm0") T("vpermd %[y], %%ymm4, %%ymm0")
    T("vpermps %%ymm2, %%ymm4, %%ymm0")
    OP3("vpermilps") OP3("vpermilpd") OP2I("vpermilps", "0x1b") OP2I("vpermilpd", "0x5")
    T("vpinsrb $5, %%eax, %%xmm1, %%xmm0") T("vpinsrb $15, %[y], %%xmm1, %%xmm0")
    T("vpinsrw $3, %%eax, %%xmm1, %%xmm0") T("vpinsrw $7, %[y], %%xmm1, %%xmm0")
    T("vpinsrd $2, %%eax, %%xmm1, %%xmm0") T("vpinsrd $1, %[y], %%xmm1, %%xmm0")
    T("vpinsrq $1, %%rax, %%xmm1, %%xmm0") T("vpinsrq $0, %[y], %%xmm1, %%xmm0")
    T("vpextrb $5, %%xmm1, %%eax") T("vpextrb $14, %%xmm1, %[m]")
    T("vpextrw $3, %%xmm1, %%eax") T("vpextrw $6, %%xmm1, %[m]")
    T(".byte 0xc4, 0xe3, 0x79, 0x15, 0xc8, 0x02") /* vpextrw $2, xmm1, eax: the 0F3A form */
    T("vpextrd $2, %%xmm1, %%eax") T("vpextrd $3, %%xmm1, %[m]")
    T("vpextrq $1, %%xmm1, %%rax") T("vpextrq $1, %%xmm1, %[m]")
    T("vextractps $1, %%xmm1, %%eax") T("vextractps $3, %%xmm1, %[m]")
    T("vinsertps $0x9c, %%xmm2, %%xmm1, %%xmm0") T("vinsertps $0x61, %[y], %%xmm1, %%xmm0")

    /* integer */
    OP3("vpand") OP3("vpandn") OP3("vpor") OP3("vpxor")
    OP3("vpaddb") OP3("vpaddw") OP3("vpaddd") OP3("vpaddq")
    OP3("vpsubb") OP3("vpsubw") OP3("vpsubd") OP3("vpsubq")
    OP3("vpaddsb") OP3("vpaddsw") OP3("vpaddusb") OP3("vpaddusw")
    OP3("vpsubsb") OP3("vpsubsw") OP3("vpsubusb") OP3("vpsubusw")
    OP3("vpcmpeqb") OP3("vpcmpeqw") OP3("vpcmpeqd") OP3("vpcmpeqq")
    OP3("vpcmpgtb") OP3("vpcmpgtw") OP3("vpcmpgtd") OP3("vpcmpgtq")
    OP3("vpminub") OP3("vpminuw") OP3("vpminud") OP3("vpminsb") OP3("vpminsw") OP3("vpminsd")
    OP3("vpmaxub") OP3("vpmaxuw") OP3("vpmaxud") OP3("vpmaxsb") OP3("vpmaxsw") OP3("vpmaxsd")
    OP3("vpavgb") OP3("vpavgw") OP2("vpabsb") OP2("vpabsw") OP2("vpabsd")
    OP3("vpsignb") OP3("vpsignw") OP3("vpsignd")
    OP3("vpmullw") OP3("vpmulhw") OP3("vpmulhuw") OP3("vpmulld") OP3("vpmuludq") OP3("vpmuldq")
    OP3("vpmulhrsw") OP3("vpmaddwd") OP3("vpmaddubsw") OP3("vpsadbw")
    OP3("vphaddw") OP3("vphaddd") OP3("vphaddsw") OP3("vphsubw") OP3("vphsubd") OP3("vphsubsw")
    OP3("vpunpcklbw") OP3("vpunpcklwd") OP3("vpunpckldq") OP3("vpunpcklqdq")
    OP3("vpunpckhbw") OP3("vpunpckhwd") OP3("vpunpckhdq") OP3("vpunpckhqdq")
    OP3("vpacksswb") OP3("vpackssdw") OP3("vpackuswb") OP3("vpackusdw")
    OP3("vpshufb") OP2I("vpshufd", "0x1b") OP2I("vpshufhw", "0x72") OP2I("vpshuflw", "0xd8")
    OP3I("vpalignr", "5") OP3I("vpalignr", "16") OP3I("vpalignr", "27")
    OP3I("vpblendw", "0xa5") OP3I("vpblendd", "0x5c") OP3I("vblendps", "0x36")
    OP3I("vblendpd", "0x9")
    T("vpblendvb %%ymm3, %%ymm2, %%ymm1, %%ymm0") T("vpblendvb %%xmm3, %[y], %%xmm1, %%xmm0")
    T("vblendvps %%ymm3, %%ymm2, %%ymm1, %%ymm0") T("vblendvps %%xmm3, %[y], %%xmm1, %%xmm0")
    T("vblendvpd %%ymm3, %%ymm2, %%ymm1, %%ymm0") T("vblendvpd %%xmm3, %[y], %%xmm1, %%xmm0")

    /* shifts */
    T("vpsllw %%xmm4, %%ymm1, %%ymm0") T("vpslld %%xmm4, %%ymm1, %%ymm0")
    T("vpsllq %%xmm4, %%ymm1, %%ymm0") T("vpsrlw %%xmm4, %%ymm1, %%ymm0")
    T("vpsrld %%xmm4, %%xmm1, %%xmm0") T("vpsrlq %%xmm4, %%ymm1, %%ymm0")
    T("vpsraw %%xmm4, %%ymm1, %%ymm0") T("vpsrad %%xmm4, %%xmm1, %%xmm0")
    T("vpsllw %[c], %%ymm1, %%ymm0") T("vpsrad %[c], %%ymm1, %%ymm0")
    T("vpsllw $3, %%ymm1, %%ymm0") T("vpsllw $16, %%xmm1, %%xmm0")
    T("vpslld $7, %%ymm1, %%ymm0") T("vpsllq $63, %%ymm1, %%ymm0")
    T("vpsrlw $9, %%ymm1, %%ymm0") T("vpsrld $31, %%xmm1, %%xmm0")
    T("vpsrlq $1, %%ymm1, %%ymm0") T("vpsraw $4, %%ymm1, %%ymm0")
    T("vpsraw $200, %%xmm1, %%xmm0") T("vpsrad $17, %%ymm1, %%ymm0")
    T("vpslld $32, %%ymm1, %%ymm0") T("vpsrld $200, %%xmm1, %%xmm0")
    T("vpsrad $32, %%xmm1, %%xmm0") T("vpsrad $31, %%ymm1, %%ymm0")
    T("vpsrld $0, %%ymm0, %%ymm0") T("vpslld $1, %%xmm0, %%xmm0")
    /* the destination as a source */
    T("vpaddd %%ymm0, %%ymm0, %%ymm0") T("vpmulld %%ymm0, %%ymm1, %%ymm0")
    T("vpmaxsd %%xmm1, %%xmm0, %%xmm0") T("vpminud %%ymm0, %%ymm2, %%ymm0")
    T("vmaxps %%ymm0, %%ymm1, %%ymm0") T("vminpd %%xmm1, %%xmm0, %%xmm0")
    T("vpslldq $3, %%ymm1, %%ymm0") T("vpsrldq $5, %%ymm1, %%ymm0")
    T("vpslldq $17, %%xmm1, %%xmm0") T("vpsrldq $15, %%xmm1, %%xmm0")
    T("vpsllvd %%ymm4, %%ymm1, %%ymm0") T("vpsllvd %[c], %%xmm1, %%xmm0")
    T("vpsllvq %%ymm4, %%ymm1, %%ymm0") T("vpsllvq %[c], %%xmm1, %%xmm0")
    T("vpsrlvd %%ymm4, %%ymm1, %%ymm0") T("vpsrlvd %[c], %%xmm1, %%xmm0")
    T("vpsrlvq %%ymm4, %%ymm1, %%ymm0") T("vpsrlvq %[c], %%xmm1, %%xmm0")
    T("vpsravd %%ymm4, %%ymm1, %%ymm0") T("vpsravd %[c], %%xmm1, %%xmm0")
    OPW("vpmovsxbw") OPW("vpmovsxbd") OPW("vpmovsxbq") OPW("vpmovsxwd") OPW("vpmovsxwq")
    OPW("vpmovsxdq") OPW("vpmovzxbw") OPW("vpmovzxbd") OPW("vpmovzxbq") OPW("vpmovzxwd")
    OPW("vpmovzxwq") OPW("vpmovzxdq")

    /* results in a general register or the flags */
    T("vpmovmskb %%ymm1, %%eax") T("vpmovmskb %%xmm1, %%eax")
    T("vmovmskps %%ymm1, %%eax") T("vmovmskps %%xmm1, %%eax")
    T("vmovmskpd %%ymm1, %%eax") T("vmovmskpd %%xmm1, %%eax")
    T("vptest %%ymm2, %%ymm1") T("vptest %[y], %%xmm1") T("vptest %%ymm1, %%ymm1")
    T("vptest %%ymm3, %%ymm3") T("vtestps %%ymm2, %%ymm1") T("vtestps %[y], %%xmm1")
    T("vtestpd %%ymm2, %%ymm1") T("vtestpd %[y], %%xmm1")
    T("vucomiss %%xmm2, %%xmm1") T("vucomiss %[y], %%xmm1") T("vcomiss %%xmm2, %%xmm1")
    T("vucomisd %%xmm2, %%xmm1") T("vcomisd %[y], %%xmm1")

    /* floating point */
    OP3("vandps") OP3("vandnps") OP3("vorps") OP3("vxorps") OP3("vandpd") OP3("vxorpd")
    FP4("add") FP4("sub") FP4("mul") FP4("div") FP4("min") FP4("max")
    OP2("vsqrtps") OP2("vsqrtpd") OPS("vsqrtss") OPS("vsqrtsd")
    OP3("vaddsubps") OP3("vaddsubpd") OP3("vhaddps") OP3("vhaddpd") OP3("vhsubps")
    OP3("vhsubpd")
    OP3I("vcmpps", "0") OP3I("vcmpps", "1") OP3I("vcmpps", "2") OP3I("vcmpps", "3")
    OP3I("vcmpps", "4") OP3I("vcmpps", "5") OP3I("vcmpps", "6") OP3I("vcmpps", "7")
    OP3I("vcmpps", "8") OP3I("vcmpps", "9") OP3I("vcmpps", "10") OP3I("vcmpps", "11")
    OP3I("vcmpps", "12") OP3I("vcmpps", "13") OP3I("vcmpps", "14") OP3I("vcmpps", "15")
    OP3I("vcmpps", "16") OP3I("vcmpps", "17") OP3I("vcmpps", "18") OP3I("vcmpps", "19")
    OP3I("vcmpps", "20") OP3I("vcmpps", "21") OP3I("vcmpps", "22") OP3I("vcmpps", "23")
    OP3I("vcmpps", "24") OP3I("vcmpps", "25") OP3I("vcmpps", "26") OP3I("vcmpps", "27")
    OP3I("vcmpps", "28") OP3I("vcmpps", "29") OP3I("vcmpps", "30") OP3I("vcmpps", "31")
    OP3I("vcmppd", "1") OP3I("vcmppd", "4") OP3I("vcmppd", "13") OP3I("vcmppd", "17")
    T("vcmpss $1, %%xmm2, %%xmm1, %%xmm0") T("vcmpss $20, %[y], %%xmm1, %%xmm0")
    T("vcmpsd $6, %%xmm2, %%xmm1, %%xmm0") T("vcmpsd $27, %[y], %%xmm1, %%xmm0")
    OP3("vunpcklps") OP3("vunpckhps") OP3("vunpcklpd") OP3("vunpckhpd")
    OP3I("vshufps", "0x4e") OP3I("vshufpd", "0x6")
    OP2I("vroundps", "0") OP2I("vroundps", "1") OP2I("vroundps", "2") OP2I("vroundps", "11")
    OP2I("vroundpd", "4") OP2I("vroundpd", "9")
    T("vroundss $3, %%xmm2, %%xmm1, %%xmm0") T("vroundsd $10, %[y], %%xmm1, %%xmm0")
    T("vcvtps2pd %%xmm2, %%ymm0") T("vcvtps2pd %[y], %%ymm0") T("vcvtps2pd %%xmm2, %%xmm0")
    T("vcvtpd2ps %%ymm2, %%xmm0") T("vcvtpd2psy %[y], %%xmm0") T("vcvtpd2ps %%xmm2, %%xmm0")
    OPS("vcvtss2sd") OPS("vcvtsd2ss")
    OP2("vcvtdq2ps") OP2("vcvtps2dq") OP2("vcvttps2dq")
    T("vcvtdq2pd %%xmm2, %%ymm0") T("vcvtdq2pd %[y], %%ymm0") T("vcvtdq2pd %%xmm2, %%xmm0")
    T("vcvtpd2dq %%ymm2, %%xmm0") T("vcvtpd2dqy %[y], %%xmm0") T("vcvtpd2dq %%xmm2, %%xmm0")
    T("vcvttpd2dq %%ymm2, %%xmm0") T("vcvttpd2dqx %[y], %%xmm0")
    T("vcvtsi2ss %%eax, %%xmm1, %%xmm0") T("vcvtsi2ss %%rax, %%xmm1, %%xmm0")
    T("vcvtsi2sdl %[y], %%xmm1, %%xmm0") T("vcvtsi2sdq %[y], %%xmm1, %%xmm0")
    T("vcvtss2si %%xmm1, %%eax") T("vcvtss2si %%xmm1, %%rax") T("vcvttss2si %[y], %%eax")
    T("vcvtsd2si %%xmm1, %%eax") T("vcvtsd2si %[y], %%rax") T("vcvttsd2si %%xmm1, %%rax")
    T("vcvtph2ps %%xmm2, %%ymm0") T("vcvtph2ps %[y], %%xmm0")
    T("vcvtps2ph $0, %%ymm1, %%xmm0") T("vcvtps2ph $3, %%ymm1, %[m]")
    T("vcvtps2ph $4, %%xmm1, %%xmm0") T("vcvtps2ph $1, %%xmm1, %[m]")

    /* FMA3 */
    FP4("fmadd132") FP4("fmadd213") FP4("fmadd231") FP4("fmsub132") FP4("fmsub213")
    FP4("fmsub231") FP4("fnmadd132") FP4("fnmadd213") FP4("fnmadd231") FP4("fnmsub132")
    FP4("fnmsub213") FP4("fnmsub231")
    OP3("vfmaddsub132ps") OP3("vfmaddsub213pd") OP3("vfmaddsub231ps")
    OP3("vfmsubadd132pd") OP3("vfmsubadd213ps") OP3("vfmsubadd231pd")

    /* gathers: mask ymm5 = z, dword indices ymm4, qword indices ymm6; the mask after
       the gather (all zero) is stored in the memory cell */
#define GATHER(insn, idx)                                                               \
    T("vmovdqu %[z], %%ymm5\n\tleaq %[g], %%rdx\n\tvpmovzxdq %%xmm4, %%ymm6\n\t"         \
      insn "\n\tvmovdqu %%ymm5, %[m]")
    GATHER("vpgatherdd %%ymm5, (%%rdx,%%ymm4,4), %%ymm0", 0)
    GATHER("vpgatherdd %%xmm5, 16(%%rdx,%%xmm4,1), %%xmm0", 0)
    GATHER("vpgatherdq %%ymm5, (%%rdx,%%xmm4,8), %%ymm0", 0)
    GATHER("vpgatherdq %%xmm5, 3(%%rdx,%%xmm4,2), %%xmm0", 0)
    GATHER("vpgatherqd %%xmm5, (%%rdx,%%ymm6,4), %%xmm0", 0)
    GATHER("vpgatherqd %%xmm5, 8(%%rdx,%%xmm6,8), %%xmm0", 0)
    GATHER("vpgatherqq %%ymm5, (%%rdx,%%ymm6,8), %%ymm0", 0)
    GATHER("vpgatherqq %%xmm5, (%%rdx,%%xmm6,1), %%xmm0", 0)
    GATHER("vgatherdps %%ymm5, (%%rdx,%%ymm4,4), %%ymm0", 0)
    GATHER("vgatherdpd %%ymm5, (%%rdx,%%xmm4,8), %%ymm0", 0)
    GATHER("vgatherqps %%xmm5, (%%rdx,%%ymm6,2), %%xmm0", 0)
    GATHER("vgatherqpd %%xmm5, (%%rdx,%%xmm6,8), %%xmm0", 0)
    /* masked loads and stores: mask ymm5 = z */
    T("vmovdqu %[z], %%ymm5\n\tvpmaskmovd %[y], %%ymm5, %%ymm0")
    T("vmovdqu %[z], %%ymm5\n\tvpmaskmovq %[y], %%xmm5, %%xmm0")
    T("vmovdqu %[z], %%ymm5\n\tvmaskmovps %[y], %%ymm5, %%ymm0")
    T("vmovdqu %[z], %%ymm5\n\tvmaskmovpd %[y], %%ymm5, %%ymm0")
    T("vmovdqu %[z], %%ymm5\n\tvpmaskmovd %%ymm1, %%ymm5, %[m]")
    T("vmovdqu %[z], %%ymm5\n\tvpmaskmovq %%xmm1, %%xmm5, %[m]")
    T("vmovdqu %[z], %%ymm5\n\tvmaskmovps %%xmm1, %%xmm5, %[m]")
    T("vmovdqu %[z], %%ymm5\n\tvmaskmovpd %%ymm1, %%ymm5, %[m]")

    /* AES and PCLMULQDQ (VEX.128; VEX.256 is VAES/VPCLMULQDQ), SSE4.1's dpps/dppd/mpsadbw/phminposuw, vmaskmovdqu */
    OP3("vaesenc") OP3("vaesenclast") OP3("vaesdec") OP3("vaesdeclast")   /* ymm: VAES */
    T("vaesimc %%xmm2, %%xmm0") T("vaesimc %[y], %%xmm0")
    T("vaeskeygenassist $0x1b, %%xmm2, %%xmm0") T("vaeskeygenassist $0x80, %[y], %%xmm0")
    T("vpclmulqdq $0x00, %%xmm2, %%xmm1, %%xmm0") T("vpclmulqdq $0x11, %[y], %%xmm1, %%xmm0")
    T("vpclmulqdq $0x10, %%xmm2, %%xmm1, %%xmm0") T("vpclmulqdq $0x01, %[y], %%xmm1, %%xmm0")
    OP3I("vdpps", "0xf1") OP3I("vdpps", "0x7c") OP3I("vdpps", "0x3f")
    T("vdppd $0x31, %%xmm2, %%xmm1, %%xmm0") T("vdppd $0x22, %[y], %%xmm1, %%xmm0")
    OP3I("vmpsadbw", "0x5") OP3I("vmpsadbw", "0x2a") OP3I("vmpsadbw", "0x33")
    T("leaq %[m], %%rdi\n\tvmovdqu %[z], %%ymm5\n\tvmaskmovdqu %%xmm5, %%xmm1")
    T("vphminposuw %%xmm2, %%xmm0") T("vphminposuw %[y], %%xmm0")
    /* vpcmp[ei]str[im]: lengths in eax/edx, index in ecx (copied to rax), mask in xmm0 */
    T("movl $5, %%edx\n\tmovl $9, %%eax\n\tvpcmpestri $0x0c, %%xmm2, %%xmm1\n\tmovl %%ecx, %%eax")
    T("movl $16, %%edx\n\tmovl $3, %%eax\n\tvpcmpestri $0x44, %[y], %%xmm1\n\tmovl %%ecx, %%eax")
    T("vpcmpistri $0x08, %%xmm2, %%xmm1\n\tmovl %%ecx, %%eax")
    T("vpcmpistri $0x1a, %[y], %%xmm1\n\tmovl %%ecx, %%eax")
    T("movl $7, %%edx\n\tmovl $12, %%eax\n\tvpcmpestrm $0x40, %%xmm2, %%xmm1")
    T("vpcmpistrm $0x0c, %[y], %%xmm1") T("vpcmpistrm $0x44, %%xmm2, %%xmm1")

    /* BMI1, LZCNT, MOVBE (already in the engine; part of x86-64-v3): rax = y, rdx = x; the
       flags the SDM leaves undefined are cleared (PF, AF; for tzcnt/lzcnt SF and OF too) */
#define GPR(insn) T("movq %[x], %%rdx\n\t" insn "\n\tpushfq\n\tandq $0x8c1, (%%rsp)\n\tpopfq")
#define GPRC(insn) T("movq %[x], %%rdx\n\t" insn "\n\tpushfq\n\tandq $0x41, (%%rsp)\n\tpopfq")
    GPR("andn %%rdx, %%rax, %%rax") GPR("andn %%edx, %%eax, %%eax")
    GPR("movl $0x0c05, %%edx\n\tbextr %%rdx, %%rax, %%rax")
    GPR("movl $0x2038, %%edx\n\tbextr %%edx, %%eax, %%eax")
    GPR("movl $0x0000, %%edx\n\tbextr %%rdx, %%rax, %%rax")
    GPR("blsi %%rdx, %%rax") GPR("blsi %%edx, %%eax") GPR("blsmsk %%rdx, %%rax")
    GPR("blsmsk %%edx, %%eax") GPR("blsr %%rdx, %%rax") GPR("blsr %%edx, %%eax")
    GPRC("tzcnt %%rdx, %%rax") GPRC("tzcnt %%dx, %%ax") GPRC("lzcnt %%edx, %%eax")
    GPRC("lzcnt %%rdx, %%rax") GPRC("xorl %%edx, %%edx\n\ttzcnt %%rdx, %%rax")
    GPRC("xorl %%edx, %%edx\n\tlzcnt %%edx, %%eax")
    GPR("movbe %[y], %%rax") GPR("movbe %[y], %%ax") GPR("movbe %%eax, %[m]")

    /* vzeroupper/vzeroall, vldmxcsr/vstmxcsr */
    T("vzeroupper") T("vzeroall")
    T("vmovdqu %%ymm1, %%ymm7\n\tvzeroupper\n\tvmovdqu %%ymm7, %%ymm0")
    T("vstmxcsr %[m]") T("vldmxcsr %[c]\n\tvstmxcsr %[m]")
}

/* VPCLMULQDQ (the VEX.256 form), which qemu-x86_64 7.2 does not execute: run alone, with
   the argument "vpclmulqdq" */
static void run_vpclmulqdq(void)
{
    T("vpclmulqdq $0x00, %%ymm2, %%ymm1, %%ymm0") T("vpclmulqdq $0x11, %%ymm2, %%ymm1, %%ymm0")
    T("vpclmulqdq $0x10, %[y], %%ymm1, %%ymm0") T("vpclmulqdq $0x01, %[y], %%ymm1, %%ymm0")
}

static const float fspecial[] = {
    1.5f, -2.25f, 0.0f, -0.0f, 1e30f, -3.0f, 1e-40f, 3.4e38f, 0.33333334f, -7.0f, 100.0f,
    0.1f, 1.17549435e-38f, 65504.0f, 1e10f, 2.5f, -1e-45f, 6.1e-5f, 7.0f, -0.5f, 1e5f,
    -100000.5f, 2147483520.0f, -2147483648.0f,
};
static const double dspecial[] = {
    1.5, -2.25, 0.0, -0.0, 1e300, -3.0, 4.9e-324, 1.7e308, 1.0 / 3, -7.0, 100.0, 0.1,
};

static void fill_bytes(uint8_t *p, uint32_t seed)
{
    for (int i = 0; i < 32; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = seed >> 16;
    }
}

int main(int argc, char **argv)
{
    int vpclmul = argc > 1 && strcmp(argv[1], "vpclmulqdq") == 0;

    static const uint8_t edges[8] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0xfe, 0x81, 0x7e};
    union { float f; uint32_t u; } nan = {.u = 0x7fc00001}, inf = {.u = 0x7f800000},
                                      snan = {.u = 0xff800005};
    union { double d; uint64_t u; } dnan = {.u = 0x7ff8000000000123ull},
                                    dinf = {.u = 0xfff0000000000000ull};

    setvbuf(stdout, NULL, _IOLBF, 0);
    fill_bytes(G, 99);
    for (int i = 32; i < (int)sizeof G; i += 32) {
        fill_bytes(G + i, G[i - 1]);
    }
    for (int set = 0; set < 4; set++) {
        printf("== set %d\n", set);
        switch (set) {
        case 0:
            fill_bytes(X, 1); fill_bytes(Y, 2); fill_bytes(Z, 3);
            break;
        case 1:
            for (int i = 0; i < 32; i++) {
                X[i] = edges[i % 8];
                Y[i] = edges[(i / 8 + i) % 8];
                Z[i] = edges[(i * 3) % 8] ^ 0x55;
            }
            break;
        case 2:
            for (int i = 0; i < 8; i++) {
                float x = fspecial[i], y = fspecial[(i + 8) % 24], z = fspecial[(i + 16) % 24];
                if (i == 2) y = nan.f;
                if (i == 5) x = inf.f;
                if (i == 7) z = snan.f;
                memcpy(X + 4 * i, &x, 4); memcpy(Y + 4 * i, &y, 4); memcpy(Z + 4 * i, &z, 4);
            }
            break;
        default:
            for (int i = 0; i < 4; i++) {
                double x = dspecial[i], y = dspecial[i + 4], z = dspecial[i + 8];
                if (i == 1) y = dnan.d;
                if (i == 3) x = dinf.d;
                memcpy(X + 8 * i, &x, 8); memcpy(Y + 8 * i, &y, 8); memcpy(Z + 8 * i, &z, 8);
            }
            break;
        }
        /* shift counts: dwords 0 1 5 31 32 33 100 7, then per set */
        static const uint32_t counts[8] = {0, 1, 5, 31, 32, 33, 100, 7};
        for (int i = 0; i < 8; i++) {
            uint32_t c = counts[(i + set) % 8];
            memcpy(C + 4 * i, &c, 4);
        }
        C[0] = (uint8_t)(set * 13 % 70);
        if (vpclmul) {
            run_vpclmulqdq();
        } else {
            run();
        }
    }
    return 0;
}
