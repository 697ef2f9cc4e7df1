/*
 * The x86_64 guest: QEMU's target/i386 as far as the C host needs it (the
 * syscall instruction, canonical addresses, MemOp details of the decoder)
 * and the AT&T text that QEMU's capstone glue prints for plugins.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>


#include "target.h"  /* the engine and disassembler headers, every architecture */

/* the syscall instruction is an instruction hook; the engine steps over it afterwards */
static bool x86_install_syscall_hook(CPUState *cpu, uc_engine *uc, uc_hook *hook)
{
    return uc_hook_add(uc, hook, UC_HOOK_INSN, (void *)cpu_hook_syscall, cpu, 1, 0,
                       UC_X86_INS_SYSCALL) == UC_ERR_OK;
}

static bool x86_intr_is_syscall(uint32_t intno)
{
    (void)intno;
    return false;
}

/* x86-64 addresses are canonical when bits 63..47 are all equal. */
static bool x86_pc_valid(uint64_t pc)
{
    uint64_t top = pc >> 47;

    return top == 0 || top == 0x1ffff;
}

/* What QEMU's translator records in each access's MemOp, beyond size and direction. */
static void x86_note_memop(struct qemu_plugin_insn *insn, const cs_insn *decoded)
{
    switch (decoded->id) {
    case X86_INS_MOVSX:
    case X86_INS_MOVSXD:
        insn->ld_sign_shifts = 0xf;
        break;
    case X86_INS_FIADD:
    case X86_INS_FICOM:
    case X86_INS_FICOMP:
    case X86_INS_FIDIV:
    case X86_INS_FIDIVR:
    case X86_INS_FILD:
    case X86_INS_FIMUL:
    case X86_INS_FISUB:
    case X86_INS_FISUBR:
        insn->ld_sign_shifts = 1u << 1;     /* the m16int forms only */
        break;
    case X86_INS_MOVBE:
        insn->mem_big_endian = true;
        break;
    default:
        break;
    }
}

/*
 * The FPU state Linux gives a new process (fpstate_init: the state fninit
 * leaves, MXCSR_DEFAULT) and qemu-x86_64's CPU reset gives too: FCW 0x037f
 * (exceptions masked, 64-bit precision, round to nearest), FSW 0, every x87
 * register empty, MXCSR 0x1f80.  Unicorn's reset leaves FCW and MXCSR at 0
 * (24-bit precision) and the x87 tags valid.  Threads and forked children
 * copy their parent's state instead (thread.py; fork copies the engine).
 */
static void x86_setup(uc_engine *uc)
{
    uint16_t fcw = 0x037f, ftw = 0xffff;
    uint32_t mxcsr = 0x1f80;

    uc_reg_write(uc, UC_X86_REG_FPCW, &fcw);
    uc_reg_write(uc, UC_X86_REG_FPTAG, &ftw);
    uc_reg_write(uc, UC_X86_REG_MXCSR, &mxcsr);
}

/* QEMU's disas/capstone.c prints x86 in AT&T syntax */
static void x86_disas_setup(csh cs)
{
    cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
}

/* with Debian's capstone 4 when installed, as its QEMU 7.2 (disas-capstone4.c) */
static char *x86_disas_qemu(const struct qemu_plugin_insn *insn)
{
    return disas_capstone4(CS4_ARCH_X86, CS4_MODE_64, CS4_OPT_SYNTAX_ATT, insn);
}

const struct target_ops target_x86_64 = {
    .name = "x86_64",
    .uc_arch = UC_ARCH_X86,
    .uc_mode = UC_MODE_64,
    .uc_cpu_model = -1,
    .cs_arch = CS_ARCH_X86,
    .cs_mode = CS_MODE_64,
    .pc_reg = UC_X86_REG_RIP,
    /* number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; result in rax */
    .syscall_regs = {
        UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
        UC_X86_REG_R10, UC_X86_REG_R8, UC_X86_REG_R9,
    },
    .ret_reg = UC_X86_REG_RAX,
    .syscall_pc_advance = 2,
    .setup = x86_setup,
    .install_syscall_hook = x86_install_syscall_hook,
    .intr_is_syscall = x86_intr_is_syscall,
    .pc_valid = x86_pc_valid,
    .invalid_pc_first = 0x0000800000000000ULL,
    .invalid_pc_last = 0xffff7fffffffffffULL,
    .note_memop = x86_note_memop,
    .disas_setup = x86_disas_setup,
    .disas_qemu = x86_disas_qemu,
};
