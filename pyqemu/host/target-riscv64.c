// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The riscv64 guest: QEMU's target/riscv as far as the C host needs it.
 * A syscall is `ecall`, which the engine raises as an interrupt (cause 8,
 * an environment call from U-mode) with the pc already past it; the number
 * is in a7, the arguments in a0..a5 and the result goes to a0
 * (linux-user/riscv/cpu_loop.c).  Compressed instructions are 2 bytes.
 *
 * Layer: called through struct target_ops (target.h); calls disas-riscv.c.
 */

#include <string.h>

#include "target.h"  /* the engine and disassembler headers, every architecture */

/* RISC-V exception causes the engine reports for ecall from user and machine mode */
#define RISCV_EXCP_U_ECALL 8
#define RISCV_EXCP_M_ECALL 11

/* the registers by ABI name */
#define RV_A0 UC_RISCV_REG_X10
#define RV_A7 UC_RISCV_REG_X17

/* mstatus.FS: the FPU is on, as the kernel (and QEMU's linux-user) leave it */
#define RISCV_MSTATUS_FS 0x6000

static bool riscv64_setup(uc_engine *uc)
{
    uint64_t mstatus = 0;

    uc_reg_read(uc, UC_RISCV_REG_MSTATUS, &mstatus);
    mstatus |= RISCV_MSTATUS_FS;
    uc_reg_write(uc, UC_RISCV_REG_MSTATUS, &mstatus);
    return true;
}

static const int *riscv64_intr_syscall_regs(uint32_t intno)
{
    return intno == RISCV_EXCP_U_ECALL || intno == RISCV_EXCP_M_ECALL
               ? target_riscv64.syscall_regs : NULL;
}

/* Sv48 user space: below 2**47 (and QEMU's reserved_va-free layout) */
static bool riscv64_pc_valid(uint64_t pc)
{
    return (pc >> 47) == 0;
}

/* RV64 loads that sign-extend (QEMU's MO_SIGN): lb, lh, lw and their compressed forms. */
static void riscv64_note_memop(struct qemu_plugin_insn *insn, const cs_insn *decoded)
{
    switch (decoded->id) {
    case RISCV_INS_LB:
    case RISCV_INS_LH:
    case RISCV_INS_LW:
    case RISCV_INS_C_LW:
    case RISCV_INS_C_LWSP:
        insn->ld_sign_shifts = 0xf;
        break;
    default:
        break;
    }
}

static void riscv64_disas_setup(csh cs)
{
    (void)cs;
}

/*
 * QEMU prints RISC-V with its own disassembler, not capstone: that text
 * (disas-riscv.c), or capstone's for what it does not reproduce (vector
 * instructions, which qemu-riscv64 7.2's default CPU does not run).
 */
static char *riscv64_disas_qemu(const struct qemu_plugin_insn *insn)
{
    char text[192];

    if (riscv_disas_qemu(insn->vaddr, insn->data, insn->size, text, sizeof(text)) == 0) {
        return NULL;
    }
    return strdup(text);
}

const struct target_ops target_riscv64 = {
    .name = "riscv64",
    .uc_arch = UC_ARCH_RISCV,
    .uc_mode = UC_MODE_RISCV64,
    .uc_cpu_model = -1,
    .cs_arch = CS_ARCH_RISCV,
    .cs_mode = CS_MODE_RISCV64 | CS_MODE_RISCVC,
    .pc_reg = UC_RISCV_REG_PC,
    .syscall_regs = {
        RV_A7, RV_A0, RV_A0 + 1, RV_A0 + 2, RV_A0 + 3, RV_A0 + 4, RV_A0 + 5,
    },
    .ret_reg = RV_A0,
    .syscall_pc_advance = 0,
    .setup = riscv64_setup,
    .install_syscall_hook = NULL,
    .intr_syscall_regs = riscv64_intr_syscall_regs,
    .pc_valid = riscv64_pc_valid,
    .invalid_pc_first = 1ULL << 47,
    .invalid_pc_last = UINT64_MAX,
    .page_lookahead = 4,            /* QEMU's MAX_INSN_LEN for RISC-V */
    .note_memop = riscv64_note_memop,
    .disas_setup = riscv64_disas_setup,
    .disas_qemu = riscv64_disas_qemu,
};
