// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The aarch64 guest: QEMU's target/arm (A64) as far as the C host needs it.
 * A syscall is `svc #0`, which the engine raises as an interrupt
 * (EXCP_SWI) with the pc already past it; the number is in x8, the
 * arguments in x0..x5 and the result goes to x0 (linux-user/aarch64/cpu_loop.c).
 *
 * Layer: called through struct target_ops (target.h); calls disas-capstone4.c.
 */

#include <stdlib.h>
#include <string.h>

#include "target.h"  /* the engine and disassembler headers, every architecture */

/* target/arm/cpu.h's exception number for svc */
#define ARM_EXCP_SWI 2

static const int *aarch64_intr_syscall_regs(uint32_t intno)
{
    return intno == ARM_EXCP_SWI ? target_aarch64.syscall_regs : NULL;
}

/* user space is below 2**48; anything else faults on fetch */
static bool aarch64_pc_valid(uint64_t pc)
{
    return (pc >> 48) == 0;
}

/* A64 loads that sign-extend what they read (QEMU's MO_SIGN). */
static void aarch64_note_memop(struct qemu_plugin_insn *insn, const cs_insn *decoded)
{
    switch (decoded->id) {
    case ARM64_INS_LDRSB:
    case ARM64_INS_LDRSH:
    case ARM64_INS_LDRSW:
    case ARM64_INS_LDURSB:
    case ARM64_INS_LDURSH:
    case ARM64_INS_LDURSW:
    case ARM64_INS_LDTRSB:
    case ARM64_INS_LDTRSH:
    case ARM64_INS_LDTRSW:
    case ARM64_INS_LDPSW:
        insn->ld_sign_shifts = 0xf;
        break;
    default:
        break;
    }
}

/*
 * Unicorn's ARM targets default to 1 KiB pages (QEMU's TARGET_PAGE_BITS_MIN for
 * ARM), and the engine ends its blocks at page boundaries; qemu-aarch64 uses
 * 4 KiB pages, so blocks that cross a 1 KiB line would split where QEMU's do
 * not.  The page size must be set before the engine is first used.
 */
/*
 * -cpu: the ID registers as qemu-aarch64 7.2 lets user code read them for the
 * model (MIDR, MPIDR, REVIDR, the ID_AA64 space, CTR, DCZID; the values made
 * by pyqemu/linux_user/aarch64/cpu_models.py), served by an MRS hook.  The
 * engine, which runs at EL1, would give their unsanitised values.
 */
static struct {
    uint64_t *rows;             /* op0, op1, crn, crm, op2, value */
    size_t count;
} sysreg_model;

int cpu_aarch64_set_sysregs(const uint64_t *entries, size_t count)
{
    uint64_t *rows = calloc(count ? 6 * count : 1, sizeof(*rows));

    if (!rows) {
        return -1;
    }
    memcpy(rows, entries, 6 * count * sizeof(*rows));
    free(sysreg_model.rows);
    sysreg_model.rows = rows;
    sysreg_model.count = count;
    return 0;
}

/* UC_ARM64_INS_MRS hook: a register of the table is read from it, the others as usual. */
static uint32_t aarch64_hook_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
                                 void *opaque)
{
    (void)opaque;
    for (size_t i = 0; i < sysreg_model.count; i++) {
        const uint64_t *row = sysreg_model.rows + 6 * i;

        if (row[0] == cp->op0 && row[1] == cp->op1 && row[2] == cp->crn &&
            row[3] == cp->crm && row[4] == cp->op2) {
            uint64_t value = row[5];

            uc_reg_write(uc, reg, &value);
            return 1;
        }
    }
    return 0;
}

static bool aarch64_setup(uc_engine *uc)
{
    uc_hook hook;

    uc_ctl_set_page_size(uc, 4096);
    if (sysreg_model.rows) {
        return uc_hook_add(uc, &hook, UC_HOOK_INSN, (void *)aarch64_hook_mrs, NULL, 1, 0,
                           UC_ARM64_INS_MRS) == UC_ERR_OK;
    }
    return true;
}

static void aarch64_disas_setup(csh cs)
{
    (void)cs;
}

/* QEMU 7.2 prints A64 with Debian's capstone 4 (disas-capstone4.c). */
static char *aarch64_disas_qemu(const struct qemu_plugin_insn *insn)
{
    return disas_capstone4(CS4_ARCH_ARM64, CS4_MODE_ARM, 0, insn);
}

const struct target_ops target_aarch64 = {
    .name = "aarch64",
    .uc_arch = UC_ARCH_ARM64,
    .uc_mode = UC_MODE_ARM,
    .uc_cpu_model = UC_CPU_ARM64_A72,
    .cs_arch = CS_ARCH_ARM64,
    .cs_mode = CS_MODE_ARM,
    .pc_reg = UC_ARM64_REG_PC,
    .syscall_regs = {
        UC_ARM64_REG_X8, UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
        UC_ARM64_REG_X3, UC_ARM64_REG_X4, UC_ARM64_REG_X5,
    },
    .ret_reg = UC_ARM64_REG_X0,
    .syscall_pc_advance = 0,
    .setup = aarch64_setup,
    .install_syscall_hook = NULL,
    .intr_syscall_regs = aarch64_intr_syscall_regs,
    .pc_valid = aarch64_pc_valid,
    .invalid_pc_first = 1ULL << 48,
    .invalid_pc_last = UINT64_MAX,
    .note_memop = aarch64_note_memop,
    .disas_setup = aarch64_disas_setup,
    .disas_qemu = aarch64_disas_qemu,
};
