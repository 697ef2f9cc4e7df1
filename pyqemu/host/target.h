/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the C host needs to know about the guest architecture: QEMU keeps
 * this in target/<arch>/ (cpu.h, translate.c, the disassembler hookup) and
 * linux-user/<arch>/cpu_loop.c (how a syscall is entered).  One
 * struct target_ops per architecture, in target-<arch>.c; the process runs
 * one target, chosen by cpu_target_select before its first vCPU.
 */
#ifndef PYQEMU_HOST_TARGET_H
#define PYQEMU_HOST_TARGET_H

#include "plugin.h"

struct target_ops {
    const char *name;                   /* "x86_64", as -plugin's target name */
    uc_arch uc_arch;
    uc_mode uc_mode;
    int uc_cpu_model;                   /* UC_CPU_*, or -1 for the engine's default */
    cs_arch cs_arch;
    cs_mode cs_mode;
    int pc_reg;
    int syscall_regs[7];                /* the number, then arguments 1..6 */
    int ret_reg;
    /*
     * The engine runs this many bytes more after a syscall hook returns:
     * a handler that replaced the registers (sigreturn) takes them back.
     */
    unsigned int syscall_pc_advance;
    /* Put a new engine in the state a user-mode CPU starts in, or NULL; false on failure. */
    bool (*setup)(uc_engine *uc);
    /*
     * Install @syscall_hook (cpu-exec.c's) as the engine's hook of the syscall
     * instruction, or NULL: syscalls come as interrupts.
     */
    bool (*install_syscall_hook)(CPUState *cpu, uc_engine *uc, uc_hook *hook,
                                 void (*syscall_hook)(uc_engine *uc, void *opaque));
    /*
     * The registers (number, then arguments 1..6) of a syscall made by
     * interrupt @intno, whose pc is already past its instruction, or NULL
     * when the interrupt is no syscall.
     */
    const int *(*intr_syscall_regs)(uint32_t intno);
    /* Can the vCPU fetch from this address (else SIGSEGV before the block runs)? */
    bool (*pc_valid)(uint64_t pc);
    /* The same as one range of addresses, which a bounded block hook watches. */
    uint64_t invalid_pc_first, invalid_pc_last;
    /*
     * Where a block ends at a page boundary: an instruction after the block's
     * first one that does not lie on the block's page starts a new block.
     * QEMU's RISC-V translator also ends a block before an instruction that
     * starts in the last page_lookahead - 1 bytes of the page and merely
     * reaches its end (a 2-byte one at offset 0xffe); 0 for no such rule.
     */
    unsigned int page_lookahead;
    /*
     * QEMU 7.2's x86 translator decodes a later instruction that leaves the
     * block's page up to its first fetch that would cross, then drops it and
     * ends the block; plugins still see those bytes as one more instruction
     * of the block (translated again as the next block's first).  How many
     * bytes of @insn it reads before @page_end, or NULL for targets without it.
     */
    size_t (*partial_insn_bytes)(const struct qemu_plugin_insn *insn, uint64_t page_end);
    /*
     * Does @insn end its block by itself in QEMU's translator (a jump, call,
     * return, interrupt, syscall, hlt, pause, popf...)?  Used with
     * partial_insn_bytes on an engine that ends its blocks at pages itself
     * (engine patch 0017), whose block then holds no dropped instruction.
     */
    bool (*insn_ends_block)(const struct qemu_plugin_insn *insn);
    /* Record the MemOp details of a decoded instruction (sign extension, byte order). */
    void (*note_memop)(struct qemu_plugin_insn *insn, const cs_insn *decoded);
    /* Configure the disassembler handle used for qemu_plugin_insn_disas. */
    void (*disas_setup)(csh cs);
    /* QEMU 7.2's text for one instruction where capstone 5's is not (malloc'd), or NULL. */
    char *(*disas_qemu)(const struct qemu_plugin_insn *insn);
};

extern const struct target_ops target_x86_64;
extern const struct target_ops target_aarch64;
extern const struct target_ops target_riscv64;

/* The running target (x86_64 until cpu_target_select says otherwise). */
extern const struct target_ops *target;

/* capstone 4's values (its capstone.h), for disas_capstone4 */
enum { CS4_ARCH_ARM64 = 1, CS4_ARCH_X86 = 3 };
enum { CS4_MODE_ARM = 0, CS4_MODE_64 = 1 << 3 };
enum { CS4_OPT_SYNTAX_ATT = 2 };

/* "mnemonic operands" from capstone 4, as Debian's QEMU prints (malloc'd), or NULL
   when libcapstone.so.4 is not installed or does not decode it (disas-capstone4.c). */
char *disas_capstone4(int arch, int mode, int syntax, const struct qemu_plugin_insn *insn);

/* QEMU 7.2's RISC-V text for one instruction (disas-riscv.c); 0 when not reproduced. */
size_t riscv_disas_qemu(uint64_t pc, const uint8_t *code, size_t len, char *buf, size_t buflen);

#endif
