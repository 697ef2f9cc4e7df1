// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RISC-V (RV64GC) disassembler whose text mirrors QEMU 7.2's disas/riscv.c as
 * seen through qemu_plugin_insn_disas().  Written from the RISC-V ISA
 * specification (encodings) and from the observed output of qemu-riscv64 7.2,
 * quirks included (blt/bge shown swapped as bgt/ble, fmv/fneg/fabs printing
 * integer register names, the rounding mode always printed first, ...).
 *
 *   #include <stddef.h>
 *   #include <stdint.h>
 *   size_t riscv_disas_qemu(uint64_t pc, const uint8_t *code, size_t len,
 *                           char *buf, size_t buflen);
 *
 * Writes QEMU 7.2's text for the instruction at pc whose bytes are
 * code[0..len) (len 2 or 4, little-endian) NUL-terminated into buf and
 * returns its length, or 0 for what it does not reproduce, so the caller can
 * fall back to another disassembler: the vector extension (opcode 0x57 and
 * the vector loads/stores under LOAD-FP/STORE-FP), and 48/64-bit encodings,
 * whose qemu text depends on bytes after the instruction.  Besides RV64GC it
 * covers what qemu 7.2 also prints for rv64: Q, the RV128 forms (ldu, lq,
 * addid, ...), Zba/Zbb/Zbc/Zbs/Zbkb/Zbkx and the scalar crypto Zk* insns.
 *
 * Layer: called by target-riscv64.c; calls only the C library.
 */
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

size_t riscv_disas_qemu(uint64_t pc, const uint8_t *code, size_t len, char *buf, size_t buflen);

static const char *const xreg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const freg_names[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};
static const char *const rounding_mode_names[8] = { "rne", "rtz", "rdn", "rup", "rmm", "inv", "inv", "dyn" };

/* Operand layouts.  X = integer register, F = float register, RM = rounding mode. */
enum operand_format {
    OPS_NONE,      /* ecall */
    OPS_X_X_X,     /* add rd,rs1,rs2 */
    OPS_X_X_I,     /* addi rd,rs1,imm */
    OPS_X_X_SH,    /* slli rd,rs1,shamt (7 bits, as for RV128) */
    OPS_X_X_SHW,   /* slliw rd,rs1,shamt (5 bits) */
    OPS_X_X_SHREG, /* slli.uw rd,rs1,<shamt shown as a register name> */
    OPS_X_X,       /* mv rd,rs1 */
    OPS_X_RS2,     /* neg rd,rs2 */
    OPS_X,         /* rdcycle rd */
    OPS_RS1,       /* jr rs1 */
    OPS_RS1_RS2,   /* sfence.vma rs1,rs2 */
    OPS_LOAD,      /* ld rd,imm(rs1) */
    OPS_FLOAD,     /* fld frd,imm(rs1) */
    OPS_STORE,     /* sd rs2,imm(rs1) */
    OPS_FSTORE,    /* fsd frs2,imm(rs1) */
    OPS_UPPER,     /* lui rd,imm<<12 */
    OPS_AUIPC,     /* auipc rd,imm<<12 # target */
    OPS_JAL,       /* jal rd,off # target */
    OPS_J,         /* j off # target */
    OPS_BRANCH,    /* beq rs1,rs2,off # target */
    OPS_BRANCH_SWAP, /* bgt rs2,rs1,off # target (blt shown swapped) */
    OPS_BRANCH_RS1,  /* beqz rs1,off # target */
    OPS_BRANCH_RS2,  /* bgtz rs2,off # target */
    OPS_CSR,       /* csrrw rd,csr,rs1 */
    OPS_CSRI,      /* csrrwi rd,csr,uimm */
    OPS_X_UIMM,    /* fsrmi rd,uimm */
    OPS_FENCE,     /* fence pred,succ */
    OPS_AMO,       /* amoadd.w rd,rs2,(rs1) */
    OPS_LR,        /* lr.w rd,(rs1) */
    OPS_RM_F_F_F,  /* fadd.s rm,frd,frs1,frs2 */
    OPS_RM_F_F_F_F, /* fmadd.s rm,frd,frs1,frs2,frs3 */
    OPS_RM_F_F,    /* fsqrt.s rm,frd,frs1 */
    OPS_RM_X_F,    /* fcvt.w.s rm,rd,frs1 */
    OPS_RM_F_X,    /* fcvt.s.w rm,frd,rs1 */
    OPS_F_F_F,     /* fsgnj.s frd,frs1,frs2 */
    OPS_X_F_F,     /* feq.s rd,frs1,frs2 */
    OPS_X_F,       /* fmv.x.s rd,frs1 */
    OPS_F_X,       /* fmv.s.x frd,rs1 */
    OPS_RS1_RS2_BS, /* aes32esi: rs1,rs2,bs */
    OPS_X_X_RNUM,  /* aes64ks1i rd,rs1,rnum */
};

enum match_condition { ALWAYS, RS1_EQ_RS2 };

struct rv_opcode {
    uint32_t mask, match;
    const char *name;
    uint8_t operands, condition;
};

/* Masks for the common instruction shapes. */
#define M_OP    0x0000007fu /* opcode only */
#define M_F3    0x0000707fu /* opcode + funct3 */
#define M_F7    0xfe00707fu /* opcode + funct3 + funct7 */
#define M_F5    0xf800707fu /* opcode + funct3 + imm[11:7] */
#define M_F6    0xfc00707fu /* opcode + funct3 + imm[11:6] */
#define M_F12   0xfff0707fu /* opcode + funct3 + imm[11:0] */
#define M_RS2   0x01f00000u
#define M_RS1   0x000f8000u
#define M_RD    0x00000f80u
#define F3(n)   ((uint32_t)(n) << 12)
#define F7(n)   ((uint32_t)(n) << 25)
#define RS2(n)  ((uint32_t)(n) << 20)

/* One floating-point entry per format: .s (fmt 0), .d (fmt 1), .q (fmt 3). */
#define FP3(mask, match, pre, post, ops, cond) \
    { (mask), (match), pre ".s" post, ops, cond }, \
    { (mask), (match) | F7(1), pre ".d" post, ops, cond }, \
    { (mask), (match) | F7(3), pre ".q" post, ops, cond }

static const struct rv_opcode opcode_table[] = {
    /* LOAD / LOAD-FP / STORE / STORE-FP / MISC-MEM */
    { M_F3, 0x03 | F3(0), "lb", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(1), "lh", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(2), "lw", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(3), "ld", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(4), "lbu", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(5), "lhu", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(6), "lwu", OPS_LOAD, ALWAYS },
    { M_F3, 0x03 | F3(7), "ldu", OPS_LOAD, ALWAYS },
    { M_F3, 0x07 | F3(2), "flw", OPS_FLOAD, ALWAYS },
    { M_F3, 0x07 | F3(3), "fld", OPS_FLOAD, ALWAYS },
    { M_F3, 0x07 | F3(4), "flq", OPS_FLOAD, ALWAYS },
    { M_F3, 0x23 | F3(0), "sb", OPS_STORE, ALWAYS },
    { M_F3, 0x23 | F3(1), "sh", OPS_STORE, ALWAYS },
    { M_F3, 0x23 | F3(2), "sw", OPS_STORE, ALWAYS },
    { M_F3, 0x23 | F3(3), "sd", OPS_STORE, ALWAYS },
    { M_F3, 0x23 | F3(4), "sq", OPS_STORE, ALWAYS },
    { M_F3, 0x27 | F3(2), "fsw", OPS_FSTORE, ALWAYS },
    { M_F3, 0x27 | F3(3), "fsd", OPS_FSTORE, ALWAYS },
    { M_F3, 0x27 | F3(4), "fsq", OPS_FSTORE, ALWAYS },
    { M_F3, 0x0f | F3(0), "fence", OPS_FENCE, ALWAYS },
    { M_F3, 0x0f | F3(1), "fence.i", OPS_NONE, ALWAYS },
    { M_F3, 0x0f | F3(2), "lq", OPS_LOAD, ALWAYS },
    /* OP-IMM */
    { 0xffffffff, 0x00000013, "nop", OPS_NONE, ALWAYS },
    { M_F12, 0x13 | F3(0), "mv", OPS_X_X, ALWAYS },
    { M_F3, 0x13 | F3(0), "addi", OPS_X_X_I, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x30) | RS2(0), "clz", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x30) | RS2(1), "ctz", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x30) | RS2(2), "cpop", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x30) | RS2(4), "sext.b", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x30) | RS2(5), "sext.h", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(0), "sha256sum0", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(1), "sha256sum1", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(2), "sha256sig0", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(3), "sha256sig1", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(4), "sha512sum0", OPS_X_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(5), "sha512sum1", OPS_X_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(6), "sha512sig0", OPS_X_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(7), "sha512sig1", OPS_X_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(8), "sm3p0", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x08) | RS2(9), "sm3p1", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x18) | RS2(0), "aes64im", OPS_X_X, ALWAYS },
    { 0xff00707f, 0x13 | F3(1) | F7(0x18) | RS2(0x10), "aes64ks1i", OPS_X_X_RNUM, ALWAYS },
    { M_F12, 0x13 | F3(1) | F7(0x04) | RS2(0xf), "zip", OPS_X_X, ALWAYS },
    { M_F5, 0x13 | F3(1), "slli", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(1) | F7(0x14), "bseti", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(1) | F7(0x24), "bclri", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(1) | F7(0x34), "binvi", OPS_X_X_SH, ALWAYS },
    { M_F3, 0x13 | F3(2), "slti", OPS_X_X_I, ALWAYS },
    { M_F12, 0x13 | F3(3) | RS2(1), "seqz", OPS_X_X, ALWAYS },
    { M_F3, 0x13 | F3(3), "sltiu", OPS_X_X_I, ALWAYS },
    { M_F12, 0x13 | F3(4) | 0xfff00000, "not", OPS_X_X, ALWAYS },
    { M_F3, 0x13 | F3(4), "xori", OPS_X_X_I, ALWAYS },
    { M_F5, 0x13 | F3(5) | F7(0x14), "orc.b", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(5) | F7(0x34) | RS2(0x18), "rev8", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(5) | F7(0x35) | RS2(0x18), "rev8", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(5) | F7(0x34) | RS2(7), "brev8", OPS_X_X, ALWAYS },
    { M_F12, 0x13 | F3(5) | F7(0x04) | RS2(0xf), "unzip", OPS_X_X, ALWAYS },
    { M_F5, 0x13 | F3(5), "srli", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(5) | F7(0x20), "srai", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(5) | F7(0x30), "rori", OPS_X_X_SH, ALWAYS },
    { M_F5, 0x13 | F3(5) | F7(0x24), "bexti", OPS_X_X_SH, ALWAYS },
    { M_F3, 0x13 | F3(6), "ori", OPS_X_X_I, ALWAYS },
    { M_F3, 0x13 | F3(7), "andi", OPS_X_X_I, ALWAYS },
    /* OP-IMM-32 */
    { M_F12, 0x1b | F3(0), "sext.w", OPS_X_X, ALWAYS },
    { M_F3, 0x1b | F3(0), "addiw", OPS_X_X_I, ALWAYS },
    { M_F7, 0x1b | F3(1), "slliw", OPS_X_X_SHW, ALWAYS },
    { M_F7, 0x1b | F3(1) | F7(0x04), "slli.uw", OPS_X_X_SHREG, ALWAYS },
    { M_F12, 0x1b | F3(1) | F7(0x30) | RS2(0), "clzw", OPS_X_X, ALWAYS },
    { M_F12, 0x1b | F3(1) | F7(0x30) | RS2(1), "clzw", OPS_X_X, ALWAYS },
    { M_F12, 0x1b | F3(1) | F7(0x30) | RS2(2), "cpopw", OPS_X_X, ALWAYS },
    { M_F7, 0x1b | F3(5), "srliw", OPS_X_X_SHW, ALWAYS },
    { M_F7, 0x1b | F3(5) | F7(0x20), "sraiw", OPS_X_X_SHW, ALWAYS },
    { M_F7, 0x1b | F3(5) | F7(0x30), "roriw", OPS_X_X_SHW, ALWAYS },
    /* OP-IMM-64 (RV128) */
    { M_F3, 0x5b | F3(0), "addid", OPS_X_X_I, ALWAYS },
    { M_F6, 0x5b | F3(1), "sllid", OPS_X_X_SH, ALWAYS },
    { M_F6, 0x5b | F3(5), "srlid", OPS_X_X_SH, ALWAYS },
    { M_F6, 0x5b | F3(5) | F7(0x20), "sraid", OPS_X_X_SH, ALWAYS },
    /* OP */
    { M_F7, 0x33 | F3(0), "add", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS1, 0x33 | F3(0) | F7(0x20), "neg", OPS_X_RS2, ALWAYS },
    { M_F7, 0x33 | F3(0) | F7(0x20), "sub", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1), "sll", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS2, 0x33 | F3(2), "sltz", OPS_X_X, ALWAYS },
    { M_F7 | M_RS1, 0x33 | F3(2), "sgtz", OPS_X_RS2, ALWAYS },
    { M_F7, 0x33 | F3(2), "slt", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS1, 0x33 | F3(3), "snez", OPS_X_RS2, ALWAYS },
    { M_F7, 0x33 | F3(3), "sltu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4), "xor", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5), "srl", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5) | F7(0x20), "sra", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(6), "or", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(7), "and", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(0) | F7(1), "mul", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(1), "mulh", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(2) | F7(1), "mulhsu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(3) | F7(1), "mulhu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(1), "div", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5) | F7(1), "divu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(6) | F7(1), "rem", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(7) | F7(1), "remu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(0x05), "clmul", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(2) | F7(0x05), "clmulr", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(3) | F7(0x05), "clmulh", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(0x05), "min", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5) | F7(0x05), "minu", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(6) | F7(0x05), "max", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(7) | F7(0x05), "maxu", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS2, 0x33 | F3(4) | F7(0x04), "zext.h", OPS_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(0x04), "pack", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(7) | F7(0x04), "packh", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(2) | F7(0x10), "sh1add", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(0x10), "sh2add", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(6) | F7(0x10), "sh3add", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(2) | F7(0x14), "xperm4", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(0x14), "xperm8", OPS_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(0x14), "bset", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(0x24), "bclr", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(0x34), "binv", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5) | F7(0x24), "bext", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(4) | F7(0x20), "xnor", OPS_X_X, ALWAYS },
    { M_F7, 0x33 | F3(6) | F7(0x20), "orn", OPS_X_X, ALWAYS },
    { M_F7, 0x33 | F3(7) | F7(0x20), "andn", OPS_X_X, ALWAYS },
    { M_F7, 0x33 | F3(1) | F7(0x30), "rol", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F3(5) | F7(0x30), "ror", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x19), "aes64es", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x1b), "aes64esm", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x1d), "aes64ds", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x1f), "aes64dsm", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x3f), "aes64ks2", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x28), "sha512sum0r", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x29), "sha512sum1r", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x2a), "sha512sig0l", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x2b), "sha512sig1l", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x2e), "sha512sig0h", OPS_X_X_X, ALWAYS },
    { M_F7, 0x33 | F7(0x2f), "sha512sig1h", OPS_X_X_X, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x11), "aes32esi", OPS_RS1_RS2_BS, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x13), "aes32esmi", OPS_RS1_RS2_BS, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x15), "aes32dsi", OPS_RS1_RS2_BS, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x17), "aes32dsmi", OPS_RS1_RS2_BS, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x18), "sm4ed", OPS_RS1_RS2_BS, ALWAYS },
    { 0x3e00007f, 0x33 | F7(0x1a), "sm4ks", OPS_RS1_RS2_BS, ALWAYS },
    /* OP-32 */
    { M_F7, 0x3b | F3(0), "addw", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS1, 0x3b | F3(0) | F7(0x20), "negw", OPS_X_RS2, ALWAYS },
    { M_F7, 0x3b | F3(0) | F7(0x20), "subw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(1), "sllw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(5), "srlw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(5) | F7(0x20), "sraw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(0) | F7(1), "mulw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(4) | F7(1), "divw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(5) | F7(1), "divuw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(6) | F7(1), "remw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(7) | F7(1), "remuw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(0) | F7(0x04), "add.uw", OPS_X_X_X, ALWAYS },
    { M_F7 | M_RS2, 0x3b | F3(4) | F7(0x04), "zext.h", OPS_X_X, ALWAYS },
    { M_F7, 0x3b | F3(4) | F7(0x04), "packw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(2) | F7(0x10), "sh1add.uw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(4) | F7(0x10), "sh2add.uw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(6) | F7(0x10), "sh3add.uw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(1) | F7(0x30), "rolw", OPS_X_X_X, ALWAYS },
    { M_F7, 0x3b | F3(5) | F7(0x30), "rorw", OPS_X_X_X, ALWAYS },
    /* OP-64 (RV128) */
    { M_F7, 0x7b | F3(0), "addd", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(0) | F7(0x20), "subd", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(1), "slld", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(5), "srld", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(5) | F7(0x20), "srad", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(0) | F7(1), "muld", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(4) | F7(1), "divd", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(5) | F7(1), "divud", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(6) | F7(1), "remd", OPS_X_X_X, ALWAYS },
    { M_F7, 0x7b | F3(7) | F7(1), "remud", OPS_X_X_X, ALWAYS },
    /* LUI / AUIPC / JAL / JALR / BRANCH */
    { M_OP, 0x37, "lui", OPS_UPPER, ALWAYS },
    { M_OP, 0x17, "auipc", OPS_AUIPC, ALWAYS },
    { M_OP | M_RD, 0x6f, "j", OPS_J, ALWAYS },
    { M_OP, 0x6f, "jal", OPS_JAL, ALWAYS },
    { 0x000fffff, 0x00008067, "ret", OPS_NONE, ALWAYS },
    { 0xfff07fff, 0x67, "jr", OPS_RS1, ALWAYS },
    { M_F3, 0x67, "jalr", OPS_X_X_I, ALWAYS },
    { M_F3 | M_RS2, 0x63 | F3(0), "beqz", OPS_BRANCH_RS1, ALWAYS },
    { M_F3, 0x63 | F3(0), "beq", OPS_BRANCH, ALWAYS },
    { M_F3 | M_RS2, 0x63 | F3(1), "bnez", OPS_BRANCH_RS1, ALWAYS },
    { M_F3, 0x63 | F3(1), "bne", OPS_BRANCH, ALWAYS },
    { M_F3 | M_RS2, 0x63 | F3(4), "bltz", OPS_BRANCH_RS1, ALWAYS },
    { M_F3 | M_RS1, 0x63 | F3(4), "bgtz", OPS_BRANCH_RS2, ALWAYS },
    { M_F3, 0x63 | F3(4), "bgt", OPS_BRANCH_SWAP, ALWAYS },
    { M_F3 | M_RS1, 0x63 | F3(5), "blez", OPS_BRANCH_RS2, ALWAYS },
    { M_F3 | M_RS2, 0x63 | F3(5), "bgez", OPS_BRANCH_RS1, ALWAYS },
    { M_F3, 0x63 | F3(5), "ble", OPS_BRANCH_SWAP, ALWAYS },
    { M_F3, 0x63 | F3(6), "bgtu", OPS_BRANCH_SWAP, ALWAYS },
    { M_F3, 0x63 | F3(7), "bleu", OPS_BRANCH_SWAP, ALWAYS },
    /* SYSTEM */
    { 0xffffffff, 0x00000073, "ecall", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x00100073, "ebreak", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x00200073, "uret", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x10200073, "sret", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x20200073, "hret", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x30200073, "mret", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x7b200073, "dret", OPS_NONE, ALWAYS },
    { 0xffffffff, 0x10500073, "wfi", OPS_NONE, ALWAYS },
    { 0xfff07fff, 0x10400073, "sfence.vm", OPS_RS1, ALWAYS },
    { 0xfe007fff, 0x12000073, "sfence.vma", OPS_RS1_RS2, ALWAYS },
    { 0xfffff07f, 0x00302073, "frcsr", OPS_X, ALWAYS },
    { 0xfffff07f, 0x00202073, "frrm", OPS_X, ALWAYS },
    { 0xfffff07f, 0x00102073, "frflags", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc0002073, "rdcycle", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc0102073, "rdtime", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc0202073, "rdinstret", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc8002073, "rdcycleh", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc8102073, "rdtimeh", OPS_X, ALWAYS },
    { 0xfffff07f, 0xc8202073, "rdinstreth", OPS_X, ALWAYS },
    { 0xfff0707f, 0x00301073, "fscsr", OPS_X_X, ALWAYS },
    { 0xfff0707f, 0x00201073, "fsrm", OPS_X_X, ALWAYS },
    { 0xfff0707f, 0x00101073, "fsflags", OPS_X_X, ALWAYS },
    { 0xfff0707f, 0x00205073, "fsrmi", OPS_X_UIMM, ALWAYS },
    { 0xfff0707f, 0x00105073, "fsflagsi", OPS_X_UIMM, ALWAYS },
    { M_F3, 0x73 | F3(1), "csrrw", OPS_CSR, ALWAYS },
    { M_F3, 0x73 | F3(2), "csrrs", OPS_CSR, ALWAYS },
    { M_F3, 0x73 | F3(3), "csrrc", OPS_CSR, ALWAYS },
    { M_F3, 0x73 | F3(5), "csrrwi", OPS_CSRI, ALWAYS },
    { M_F3, 0x73 | F3(6), "csrrsi", OPS_CSRI, ALWAYS },
    { M_F3, 0x73 | F3(7), "csrrci", OPS_CSRI, ALWAYS },
    /* F / D / Q */
    FP3(0x0600007f, 0x43, "fmadd", "", OPS_RM_F_F_F_F, ALWAYS),
    FP3(0x0600007f, 0x47, "fmsub", "", OPS_RM_F_F_F_F, ALWAYS),
    FP3(0x0600007f, 0x4b, "fnmsub", "", OPS_RM_F_F_F_F, ALWAYS),
    FP3(0x0600007f, 0x4f, "fnmadd", "", OPS_RM_F_F_F_F, ALWAYS),
    FP3(0xfe00007f, 0x53 | F7(0x00), "fadd", "", OPS_RM_F_F_F, ALWAYS),
    FP3(0xfe00007f, 0x53 | F7(0x04), "fsub", "", OPS_RM_F_F_F, ALWAYS),
    FP3(0xfe00007f, 0x53 | F7(0x08), "fmul", "", OPS_RM_F_F_F, ALWAYS),
    FP3(0xfe00007f, 0x53 | F7(0x0c), "fdiv", "", OPS_RM_F_F_F, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x2c), "fsqrt", "", OPS_RM_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(0) | F7(0x10), "fmv", "", OPS_X_X, RS1_EQ_RS2),
    FP3(M_F7, 0x53 | F3(0) | F7(0x10), "fsgnj", "", OPS_F_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(1) | F7(0x10), "fneg", "", OPS_X_X, RS1_EQ_RS2),
    FP3(M_F7, 0x53 | F3(1) | F7(0x10), "fsgnjn", "", OPS_F_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(2) | F7(0x10), "fabs", "", OPS_X_X, RS1_EQ_RS2),
    FP3(M_F7, 0x53 | F3(2) | F7(0x10), "fsgnjx", "", OPS_F_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(0) | F7(0x14), "fmin", "", OPS_F_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(1) | F7(0x14), "fmax", "", OPS_F_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(0) | F7(0x50), "fle", "", OPS_X_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(1) | F7(0x50), "flt", "", OPS_X_F_F, ALWAYS),
    FP3(M_F7, 0x53 | F3(2) | F7(0x50), "feq", "", OPS_X_F_F, ALWAYS),
    { 0xfff0007f, 0x53 | F7(0x20) | RS2(1), "fcvt.s.d", OPS_RM_F_F, ALWAYS },
    { 0xfff0007f, 0x53 | F7(0x20) | RS2(3), "fcvt.s.q", OPS_RM_F_F, ALWAYS },
    { 0xfff0007f, 0x53 | F7(0x21) | RS2(0), "fcvt.d.s", OPS_RM_F_F, ALWAYS },
    { 0xfff0007f, 0x53 | F7(0x21) | RS2(3), "fcvt.d.q", OPS_RM_F_F, ALWAYS },
    { 0xfff0007f, 0x53 | F7(0x23) | RS2(0), "fcvt.q.s", OPS_RM_F_F, ALWAYS },
    { 0xfff0007f, 0x53 | F7(0x23) | RS2(1), "fcvt.q.d", OPS_RM_F_F, ALWAYS },
    FP3(0xfff0007f, 0x53 | F7(0x60) | RS2(0), "fcvt.w", "", OPS_RM_X_F, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x60) | RS2(1), "fcvt.wu", "", OPS_RM_X_F, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x60) | RS2(2), "fcvt.l", "", OPS_RM_X_F, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x60) | RS2(3), "fcvt.lu", "", OPS_RM_X_F, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x68) | RS2(0), "fcvt", ".w", OPS_RM_F_X, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x68) | RS2(1), "fcvt", ".wu", OPS_RM_F_X, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x68) | RS2(2), "fcvt", ".l", OPS_RM_F_X, ALWAYS),
    FP3(0xfff0007f, 0x53 | F7(0x68) | RS2(3), "fcvt", ".lu", OPS_RM_F_X, ALWAYS),
    FP3(0xfff0707f, 0x53 | F3(0) | F7(0x70), "fmv.x", "", OPS_X_F, ALWAYS),
    FP3(0xfff0707f, 0x53 | F3(1) | F7(0x70), "fclass", "", OPS_X_F, ALWAYS),
    FP3(0xfff0707f, 0x53 | F3(0) | F7(0x78), "fmv", ".x", OPS_F_X, ALWAYS),
};

/* CSR names as qemu 7.2 prints them; numbers not listed print as 0x%03x. */
struct csr_name { uint16_t number; const char *name; };
static const struct csr_name csr_names[] = {
    { 0x000, "ustatus" }, { 0x001, "fflags" }, { 0x002, "frm" }, { 0x003, "fcsr" }, { 0x004, "uie" },
    { 0x005, "utvec" }, { 0x008, "vstart" }, { 0x009, "vxsat" }, { 0x00a, "vxrm" }, { 0x00f, "vcsr" },
    { 0x015, "seed" }, { 0x040, "uscratch" }, { 0x041, "uepc" }, { 0x042, "ucause" }, { 0x043, "utval" },
    { 0x044, "uip" }, { 0x100, "sstatus" }, { 0x104, "sie" }, { 0x105, "stvec" }, { 0x106, "scounteren" },
    { 0x140, "sscratch" }, { 0x141, "sepc" }, { 0x142, "scause" }, { 0x143, "stval" }, { 0x144, "sip" },
    { 0x180, "satp" }, { 0x200, "hstatus" }, { 0x202, "hedeleg" }, { 0x203, "hideleg" }, { 0x204, "hie" },
    { 0x205, "htvec" }, { 0x240, "hscratch" }, { 0x241, "hepc" }, { 0x242, "hcause" }, { 0x243, "hbadaddr" },
    { 0x244, "hip" }, { 0x300, "mstatus" }, { 0x301, "misa" }, { 0x302, "medeleg" }, { 0x303, "mideleg" },
    { 0x304, "mie" }, { 0x305, "mtvec" }, { 0x306, "mcounteren" }, { 0x320, "mucounteren" },
    { 0x321, "mscounteren" }, { 0x322, "mhcounteren" }, { 0x340, "mscratch" }, { 0x341, "mepc" },
    { 0x342, "mcause" }, { 0x343, "mtval" }, { 0x344, "mip" }, { 0x380, "mbase" }, { 0x381, "mbound" },
    { 0x382, "mibase" }, { 0x383, "mibound" }, { 0x384, "mdbase" }, { 0x385, "mdbound" },
    { 0x780, "mtohost" }, { 0x781, "mfromhost" }, { 0x782, "mreset" }, { 0x783, "mipi" }, { 0x784, "miobase" },
    { 0x7a0, "tselect" }, { 0x7a1, "tdata1" }, { 0x7a2, "tdata2" }, { 0x7a3, "tdata3" }, { 0x7b0, "dcsr" },
    { 0x7b1, "dpc" }, { 0x7b2, "dscratch" }, { 0xb00, "mcycle" }, { 0xb01, "mtime" }, { 0xb02, "minstret" },
    { 0xb80, "mcycleh" }, { 0xb81, "mtimeh" }, { 0xb82, "minstreth" }, { 0xc00, "cycle" }, { 0xc01, "time" },
    { 0xc02, "instret" }, { 0xc20, "vl" }, { 0xc21, "vtype" }, { 0xc22, "vlenb" }, { 0xc80, "cycleh" },
    { 0xc81, "timeh" }, { 0xc82, "instreth" }, { 0xd00, "scycle" }, { 0xd01, "stime" }, { 0xd02, "sinstret" },
    { 0xd80, "scycleh" }, { 0xd81, "stimeh" }, { 0xd82, "sinstreth" }, { 0xe00, "hcycle" }, { 0xe01, "htime" },
    { 0xe02, "hinstret" }, { 0xe80, "hcycleh" }, { 0xe81, "htimeh" }, { 0xe82, "hinstreth" },
    { 0xf11, "mvendorid" }, { 0xf12, "marchid" }, { 0xf13, "mimpid" }, { 0xf14, "mhartid" },
};
/* Numbered CSR families: first..first+count-1 print as prefix<first_index+i>suffix. */
struct csr_family { uint16_t first, count, first_index; const char *prefix, *suffix; };
static const struct csr_family csr_families[] = {
    { 0x323, 29, 3, "mhpmevent", "" }, { 0x3a0, 16, 0, "pmpcfg", "" }, { 0x3b0, 64, 0, "pmpaddr", "" },
    { 0xb03, 29, 3, "mhpmcounter", "" }, { 0xb83, 29, 3, "mhpmcounter", "h" },
};

static void format_csr(char *out, size_t size, unsigned csr)
{
    for (size_t i = 0; i < sizeof csr_names / sizeof csr_names[0]; i++) {
        if (csr_names[i].number == csr) {
            snprintf(out, size, "%s", csr_names[i].name);
            return;
        }
    }
    for (size_t i = 0; i < sizeof csr_families / sizeof csr_families[0]; i++) {
        const struct csr_family *f = &csr_families[i];
        if (csr >= f->first && csr < f->first + f->count) {
            snprintf(out, size, "%s%u%s", f->prefix, csr - f->first + f->first_index, f->suffix);
            return;
        }
    }
    snprintf(out, size, "0x%03x", csr);
}

static int32_t sign_extend(uint32_t value, int bits)
{
    return (int32_t)(value << (32 - bits)) >> (32 - bits);
}

static uint32_t bits(uint32_t value, int hi, int lo)
{
    return (value >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Expand a compressed instruction into the base instruction qemu prints; 0 if illegal. */
static uint32_t expand_compressed(uint32_t c)
{
    uint32_t rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    uint32_t rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
    int32_t imm6 = sign_extend(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    uint32_t i_type_imm = (uint32_t)imm6 << 20;
#define I_TYPE(imm, rs1, f3, rd_, op) (((uint32_t)(imm) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd_) << 7) | (op))
#define S_TYPE(imm, rs2_, rs1, f3, op) ((bits(imm, 11, 5) << 25) | ((rs2_) << 20) | ((rs1) << 15) | ((f3) << 12) | \
                                        (bits(imm, 4, 0) << 7) | (op))
#define R_TYPE(f7, rs2_, rs1, f3, rd_, op) (((f7) << 25) | ((rs2_) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd_) << 7) | (op))
    uint32_t off_lw = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;
    uint32_t off_ld = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
    uint32_t off_lwsp = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
    uint32_t off_ldsp = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
    uint32_t off_swsp = bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6;
    uint32_t off_sdsp = bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6;

    switch ((c & 3) << 3 | bits(c, 15, 13)) {
    case 000: { /* c.addi4spn */
        uint32_t imm = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 3;
        return imm ? I_TYPE(imm, 2, 0, rdp, 0x13) : 0;
    }
    case 001: return I_TYPE(off_ld, rs1p, 3, rdp, 0x07);
    case 002: return I_TYPE(off_lw, rs1p, 2, rdp, 0x03);
    case 003: return I_TYPE(off_ld, rs1p, 3, rdp, 0x03);
    case 005: return S_TYPE(off_ld, rdp, rs1p, 3, 0x27);
    case 006: return S_TYPE(off_lw, rdp, rs1p, 2, 0x23);
    case 007: return S_TYPE(off_ld, rdp, rs1p, 3, 0x23);
    case 010: return rd && !imm6 ? 0 : i_type_imm | rd << 15 | rd << 7 | 0x13;
    case 011: return i_type_imm | rd << 15 | rd << 7 | 0x1b;
    case 012: return i_type_imm | rd << 7 | 0x13;
    case 013:
        if (rd == 2) {
            int32_t imm = sign_extend(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                                      bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
            return imm ? I_TYPE((uint32_t)imm, 2, 0, 2, 0x13) : 0;
        }
        return imm6 ? ((uint32_t)imm6 << 12) | rd << 7 | 0x37 : 0;
    case 014: {
        uint32_t shamt = bits(c, 12, 12) << 5 | rs2;
        switch (bits(c, 11, 10)) {
        case 0: return shamt ? I_TYPE(shamt, rs1p, 5, rs1p, 0x13) : 0;
        case 1: return shamt ? I_TYPE(shamt | 0x400, rs1p, 5, rs1p, 0x13) : 0;
        case 2: return i_type_imm | rs1p << 15 | 7 << 12 | rs1p << 7 | 0x13;
        default: {
            static const uint8_t f3[8] = { 0, 4, 6, 7, 0, 0, 0, 0 };
            unsigned sel = bits(c, 12, 12) << 2 | bits(c, 6, 5);
            if (sel >= 6) return 0;
            return R_TYPE(sel == 0 || sel == 4 ? 0x20u : 0u, rdp, rs1p, f3[sel], rs1p, sel >= 4 ? 0x3bu : 0x33u);
        }
        }
    }
    case 015: case 016: case 017: {
        if (bits(c, 15, 13) == 5) {
            uint32_t off = (uint32_t)sign_extend(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                                                 bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                                                 bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12);
            return bits(off, 20, 20) << 31 | bits(off, 10, 1) << 21 | bits(off, 11, 11) << 20 |
                   bits(off, 19, 12) << 12 | 0x6f;
        }
        uint32_t off = bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 | bits(c, 4, 3) << 1 |
                       bits(c, 2, 2) << 5;
        uint32_t off13 = (uint32_t)sign_extend(off, 9) & 0x1fff;
        return bits(off13, 12, 12) << 31 | bits(off13, 10, 5) << 25 | rs1p << 15 | (bits(c, 15, 13) & 1) << 12 |
               bits(off13, 4, 1) << 8 | bits(off13, 11, 11) << 7 | 0x63;
    }
    case 020: return bits(c, 12, 12) || rs2 ? I_TYPE(bits(c, 12, 12) << 5 | rs2, rd, 1, rd, 0x13) : 0;
    case 021: return I_TYPE(off_ldsp, 2, 3, rd, 0x07);
    case 022: return I_TYPE(off_lwsp, 2, 2, rd, 0x03);
    case 023: return I_TYPE(off_ldsp, 2, 3, rd, 0x03);
    case 024:
        if (!bits(c, 12, 12))
            return rs2 ? I_TYPE(0, rs2, 0, rd, 0x13) : I_TYPE(0, rd, 0, 0, 0x67);
        if (!rs2)
            return rd ? I_TYPE(0, rd, 0, 1, 0x67) : 0x00100073;
        return R_TYPE(0, rs2, rd, 0, rd, 0x33);
    case 025: return S_TYPE(off_sdsp, rs2, 2, 3, 0x27);
    case 026: return S_TYPE(off_swsp, rs2, 2, 2, 0x23);
    case 027: return S_TYPE(off_sdsp, rs2, 2, 3, 0x23);
    }
    return 0;
#undef I_TYPE
#undef S_TYPE
#undef R_TYPE
}

static void format_fence_set(char *out, unsigned set)
{
    static const char letters[4] = { 'w', 'r', 'o', 'i' };
    for (int b = 3; b >= 0; b--)
        if (set & (1u << b))
            *out++ = letters[b];
    *out = 0;
}

/* Operands of insn in the given layout; *target is set for pc-relative forms. */
static void format_operands(char *out, size_t size, uint32_t insn, unsigned layout, uint64_t pc,
                            int *has_target, uint64_t *target)
{
    unsigned rd = bits(insn, 11, 7), rs1 = bits(insn, 19, 15), rs2 = bits(insn, 24, 20), rs3 = bits(insn, 31, 27);
    int32_t imm_i = sign_extend(bits(insn, 31, 20), 12);
    int32_t imm_s = sign_extend(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12);
    int32_t imm_b = sign_extend(bits(insn, 31, 31) << 12 | bits(insn, 7, 7) << 11 | bits(insn, 30, 25) << 5 |
                                bits(insn, 11, 8) << 1, 13);
    int32_t imm_j = sign_extend(bits(insn, 31, 31) << 20 | bits(insn, 19, 12) << 12 | bits(insn, 20, 20) << 11 |
                                bits(insn, 30, 21) << 1, 21);
    int32_t imm_u = (int32_t)(insn & 0xfffff000u);
    const char *rm = rounding_mode_names[bits(insn, 14, 12)];
    const char *const *x = xreg_names, *const *f = freg_names;
    char csr[24], pred[8], succ[8];

    *has_target = 0;
    switch (layout) {
    case OPS_NONE: *out = 0; break;
    case OPS_X_X_X: snprintf(out, size, "%s,%s,%s", x[rd], x[rs1], x[rs2]); break;
    case OPS_X_X_I: snprintf(out, size, "%s,%s,%d", x[rd], x[rs1], imm_i); break;
    case OPS_X_X_SH: snprintf(out, size, "%s,%s,%u", x[rd], x[rs1], bits(insn, 26, 20)); break;
    case OPS_X_X_SHW: snprintf(out, size, "%s,%s,%u", x[rd], x[rs1], bits(insn, 24, 20)); break;
    case OPS_X_X_SHREG: snprintf(out, size, "%s,%s,%s", x[rd], x[rs1], x[rs2]); break;
    case OPS_X_X: snprintf(out, size, "%s,%s", x[rd], x[rs1]); break;
    case OPS_X_RS2: snprintf(out, size, "%s,%s", x[rd], x[rs2]); break;
    case OPS_X: snprintf(out, size, "%s", x[rd]); break;
    case OPS_RS1: snprintf(out, size, "%s", x[rs1]); break;
    case OPS_RS1_RS2: snprintf(out, size, "%s,%s", x[rs1], x[rs2]); break;
    case OPS_LOAD: snprintf(out, size, "%s,%d(%s)", x[rd], imm_i, x[rs1]); break;
    case OPS_FLOAD: snprintf(out, size, "%s,%d(%s)", f[rd], imm_i, x[rs1]); break;
    case OPS_STORE: snprintf(out, size, "%s,%d(%s)", x[rs2], imm_s, x[rs1]); break;
    case OPS_FSTORE: snprintf(out, size, "%s,%d(%s)", f[rs2], imm_s, x[rs1]); break;
    case OPS_UPPER: snprintf(out, size, "%s,%d", x[rd], imm_u); break;
    case OPS_AUIPC:
        snprintf(out, size, "%s,%d", x[rd], imm_u);
        *has_target = 1, *target = pc + (int64_t)imm_u;
        break;
    case OPS_JAL:
        snprintf(out, size, "%s,%d", x[rd], imm_j);
        *has_target = 1, *target = pc + (int64_t)imm_j;
        break;
    case OPS_J:
        snprintf(out, size, "%d", imm_j);
        *has_target = 1, *target = pc + (int64_t)imm_j;
        break;
    case OPS_BRANCH: case OPS_BRANCH_SWAP: case OPS_BRANCH_RS1: case OPS_BRANCH_RS2:
        if (layout == OPS_BRANCH) snprintf(out, size, "%s,%s,%d", x[rs1], x[rs2], imm_b);
        else if (layout == OPS_BRANCH_SWAP) snprintf(out, size, "%s,%s,%d", x[rs2], x[rs1], imm_b);
        else snprintf(out, size, "%s,%d", x[layout == OPS_BRANCH_RS1 ? rs1 : rs2], imm_b);
        *has_target = 1, *target = pc + (int64_t)imm_b;
        break;
    case OPS_CSR: case OPS_CSRI:
        format_csr(csr, sizeof csr, bits(insn, 31, 20));
        if (layout == OPS_CSR) snprintf(out, size, "%s,%s,%s", x[rd], csr, x[rs1]);
        else snprintf(out, size, "%s,%s,%u", x[rd], csr, rs1);
        break;
    case OPS_X_UIMM: snprintf(out, size, "%s,%u", x[rd], rs1); break;
    case OPS_FENCE:
        format_fence_set(pred, bits(insn, 27, 24));
        format_fence_set(succ, bits(insn, 23, 20));
        snprintf(out, size, "%s,%s", pred, succ);
        break;
    case OPS_AMO: snprintf(out, size, "%s,%s,(%s)", x[rd], x[rs2], x[rs1]); break;
    case OPS_LR: snprintf(out, size, "%s,(%s)", x[rd], x[rs1]); break;
    case OPS_RM_F_F_F: snprintf(out, size, "%s,%s,%s,%s", rm, f[rd], f[rs1], f[rs2]); break;
    case OPS_RM_F_F_F_F: snprintf(out, size, "%s,%s,%s,%s,%s", rm, f[rd], f[rs1], f[rs2], f[rs3]); break;
    case OPS_RM_F_F: snprintf(out, size, "%s,%s,%s", rm, f[rd], f[rs1]); break;
    case OPS_RM_X_F: snprintf(out, size, "%s,%s,%s", rm, x[rd], f[rs1]); break;
    case OPS_RM_F_X: snprintf(out, size, "%s,%s,%s", rm, f[rd], x[rs1]); break;
    case OPS_F_F_F: snprintf(out, size, "%s,%s,%s", f[rd], f[rs1], f[rs2]); break;
    case OPS_X_F_F: snprintf(out, size, "%s,%s,%s", x[rd], f[rs1], f[rs2]); break;
    case OPS_X_F: snprintf(out, size, "%s,%s", x[rd], f[rs1]); break;
    case OPS_F_X: snprintf(out, size, "%s,%s", f[rd], x[rs1]); break;
    case OPS_RS1_RS2_BS: snprintf(out, size, "%s,%s,%u", x[rs1], x[rs2], bits(insn, 31, 30)); break;
    case OPS_X_X_RNUM: snprintf(out, size, "%s,%s,%u", x[rd], x[rs1], bits(insn, 23, 20)); break;
    }
}

/* Atomics are named from their fields: amo<op>.<w|d|q>[.aq][.rl]. */
static int decode_atomic(uint32_t insn, char *name, size_t size, unsigned *layout)
{
    static const char *const amo_ops[32] = {
        [0x00] = "amoadd", [0x01] = "amoswap", [0x02] = "lr", [0x03] = "sc", [0x04] = "amoxor",
        [0x08] = "amoor", [0x0c] = "amoand", [0x10] = "amomin", [0x14] = "amomax", [0x18] = "amominu",
        [0x1c] = "amomaxu",
    };
    static const char width[8] = { [2] = 'w', [3] = 'd', [4] = 'q' };
    unsigned f5 = bits(insn, 31, 27), f3 = bits(insn, 14, 12);
    if (!amo_ops[f5] || !width[f3])
        return 0;
    if (f5 == 0x02 && bits(insn, 24, 20))
        return 0;
    snprintf(name, size, "%s.%c%s%s", amo_ops[f5], width[f3], bits(insn, 26, 26) ? ".aq" : "",
             bits(insn, 25, 25) ? ".rl" : "");
    *layout = f5 == 0x02 ? OPS_LR : OPS_AMO;
    return 1;
}

size_t riscv_disas_qemu(uint64_t pc, const uint8_t *code, size_t len, char *buf, size_t buflen)
{
    char hex[24], name[32], operands[96];
    const char *mnemonic = "illegal";
    unsigned layout = OPS_NONE;
    uint32_t insn;
    int has_target = 0, n;
    uint64_t target = 0;

    if (!buf || buflen == 0 || (len != 2 && len != 4))
        return 0;
    insn = code[0] | (uint32_t)code[1] << 8;
    if (len == 4)
        insn |= (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24;

    if ((insn & 3) != 3) {
        if (len != 2)
            return 0;
        snprintf(hex, sizeof hex, "%04x", insn);
        insn = expand_compressed(insn);
    } else if (len != 4) {
        return 0;
    } else if ((insn & 0x1c) == 0x1c) {
        return 0; /* a 48/64-bit encoding: qemu's text depends on the bytes that follow */
    } else {
        snprintf(hex, sizeof hex, "%08x", insn);
    }

    if (insn) {
        unsigned opcode = insn & 0x7f, f3 = bits(insn, 14, 12);
        if (opcode == 0x57 || ((opcode == 0x07 || opcode == 0x27) && (f3 == 0 || f3 >= 5)))
            return 0; /* vector: not handled here */
        if (opcode == 0x2f) {
            if (decode_atomic(insn, name, sizeof name, &layout))
                mnemonic = name;
        } else {
            for (size_t i = 0; i < sizeof opcode_table / sizeof opcode_table[0]; i++) {
                const struct rv_opcode *op = &opcode_table[i];
                if ((insn & op->mask) != op->match)
                    continue;
                if (op->condition == RS1_EQ_RS2 && bits(insn, 19, 15) != bits(insn, 24, 20))
                    continue;
                mnemonic = op->name;
                layout = op->operands;
                break;
            }
        }
    }
    if (strcmp(mnemonic, "illegal") == 0)
        layout = OPS_NONE;
    format_operands(operands, sizeof operands, insn, layout, pc, &has_target, &target);
    if (has_target)
        n = snprintf(buf, buflen, "%-18s%-24s%-24s# 0x%" PRIx64, hex, mnemonic, operands, target);
    else
        n = snprintf(buf, buflen, "%-18s%-24s%s", hex, mnemonic, operands);
    if (n < 0)
        return 0;
    return (size_t)n < buflen ? (size_t)n : buflen - 1;
}
