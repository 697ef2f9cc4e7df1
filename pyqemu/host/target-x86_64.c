// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The x86_64 guest: QEMU's target/i386 as far as the C host needs it (the
 * syscall instruction, canonical addresses, MemOp details of the decoder)
 * and the AT&T text that QEMU's capstone glue prints for plugins.
 *
 * Layer: called through struct target_ops (target.h); calls disas-capstone4.c
 * and the engine (engine.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cpu.h"     /* CPUState's engine */
#include "engine.h"  /* patch 0010: uc_x86_cpuid_features; 0027: uc_x86_user_mode */
#include "target.h"  /* the engine and disassembler headers, every architecture */

/* the syscall instruction is an instruction hook; the engine steps over it afterwards */
static bool x86_install_syscall_hook(CPUState *cpu, uc_engine *uc, uc_hook *hook,
                                     void (*syscall_hook)(uc_engine *uc, void *opaque))
{
    return uc_hook_add(uc, hook, UC_HOOK_INSN, (void *)syscall_hook, cpu, 1, 0,
                       UC_X86_INS_SYSCALL) == UC_ERR_OK;
}

/*
 * int $0x80: qemu-x86_64 7.2's cpu_loop runs it as a syscall of the x86_64 table with
 * the i386 argument registers (number in rax; ebx, ecx, edx, esi, edi, ebp, whole), where
 * Linux runs the i386 syscall.  Its IDT gate lets user mode raise it (patch 0027).
 */
static const int x86_int80_regs[7] = {
    UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_RBP,
};

static const int *x86_intr_syscall_regs(uint32_t intno)
{
    return intno == 0x80 ? x86_int80_regs : NULL;
}

/*
 * -cpu: the CPUID answers of the chosen model (pyqemu/linux_user/x86_64/cpu_models.py
 * computes them as qemu-x86_64 7.2 answers), served by an instruction hook on every
 * vCPU.  Without -cpu there is no table and the engine answers for its own model.
 */
#define CPUID_ANY_SUBLEAF 0xffffffffu

struct cpuid_entry {
    uint32_t leaf, subleaf, regs[4];
};

static struct {
    struct cpuid_entry *entries;
    uint32_t *rows;                 /* the same, as the engine's table (patch 0010) */
    size_t count;
    uint32_t level, xlevel, xlevel2;
    bool topology;
} cpuid_model;

int cpu_x86_set_cpuid(const uint32_t *entries, size_t count, uint32_t level, uint32_t xlevel,
                      uint32_t xlevel2, bool topology)
{
    struct cpuid_entry *copy = calloc(count ? count : 1, sizeof(*copy));
    uint32_t *rows = calloc(count ? 6 * count : 1, sizeof(*rows));

    if (!copy || !rows) {
        free(copy);
        free(rows);
        return -1;
    }
    memcpy(rows, entries, 6 * count * sizeof(*rows));
    for (size_t i = 0; i < count; i++) {
        copy[i].leaf = entries[6 * i];
        copy[i].subleaf = entries[6 * i + 1];
        for (int r = 0; r < 4; r++) {
            copy[i].regs[r] = entries[6 * i + 2 + r];
        }
    }
    free(cpuid_model.entries);
    free(cpuid_model.rows);
    cpuid_model.entries = copy;
    cpuid_model.rows = rows;
    cpuid_model.count = count;
    cpuid_model.level = level;
    cpuid_model.xlevel = xlevel;
    cpuid_model.xlevel2 = xlevel2;
    cpuid_model.topology = topology;
    return 0;
}

/* The answer for (leaf, subleaf): QEMU 7.2's cpu_x86_cpuid for user mode, from the table. */
static void cpuid_answer(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    uint32_t limit;
    const struct cpuid_entry *any = NULL;

    switch (leaf & 0xc0000000u) {
    case 0xc0000000u:
        limit = cpuid_model.xlevel2;
        break;
    case 0x80000000u:
        limit = cpuid_model.xlevel;
        break;
    case 0x40000000u:
        limit = 0x40000001u;
        break;
    default:
        limit = cpuid_model.level;
        break;
    }
    if (leaf > limit) {
        leaf = cpuid_model.level;       /* Intel: the highest basic leaf's data */
    }
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
    if (leaf == 0xb && cpuid_model.topology) {
        /* one SMT level and one core level, each of one logical processor; APIC id 0 */
        regs[2] = subleaf & 0xff;
        if (subleaf <= 1) {
            regs[1] = 1;
            regs[2] |= (subleaf + 1) << 8;
        }
        return;
    }
    for (size_t i = 0; i < cpuid_model.count; i++) {
        const struct cpuid_entry *e = &cpuid_model.entries[i];

        if (e->leaf == leaf && e->subleaf == subleaf) {
            any = e;
            break;
        }
        if (e->leaf == leaf && e->subleaf == CPUID_ANY_SUBLEAF && !any) {
            any = e;
        }
    }
    if (any) {
        for (int r = 0; r < 4; r++) {
            regs[r] = any->regs[r];
        }
    }
}

/*
 * The XSAVE state components the -cpu model supports, as Linux finds them at boot and
 * enables in XCR0 (and so saves in signal frames): none without CPUID.1:ECX.XSAVE or
 * leaf 0xd, else leaf 0xd subleaf 0's EDX:EAX.  -1 without a table: the engine's own model.
 */
int64_t cpu_x86_xsave_components(void)
{
    uint32_t regs[4];

    if (!cpuid_model.entries) {
        return -1;
    }
    cpuid_answer(1, 0, regs);
    if (!(regs[2] & (1u << 26)) || cpuid_model.level < 0xd) {
        return 0;
    }
    cpuid_answer(0xd, 0, regs);
    return (int64_t)(((uint64_t)regs[3] << 32 | regs[0]) & INT64_MAX);
}

int cpu_x86_user_mode(CPUState *cpu, uint16_t cs, uint16_t ss)
{
    if (!engine.x86_user_mode) {
        return 1;
    }
    return engine.x86_user_mode(cpu->uc, cs, ss) == UC_ERR_OK ? 0 : -1;
}

int64_t cpu_x86_error_code(CPUState *cpu)
{
    uint32_t code;

    if (!engine.x86_error_code || engine.x86_error_code(cpu->uc, &code) != UC_ERR_OK) {
        return -1;
    }
    return code;
}

/* UC_X86_INS_CPUID hook: answer, and tell the engine to skip its own CPUID. */
static bool x86_hook_cpuid(uc_engine *uc, void *opaque)
{
    uint64_t rax = 0, rcx = 0;
    uint32_t regs[4];
    static const int out[4] = {UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX};

    (void)opaque;
    uc_reg_read(uc, UC_X86_REG_RAX, &rax);
    uc_reg_read(uc, UC_X86_REG_RCX, &rcx);
    cpuid_answer((uint32_t)rax, (uint32_t)rcx, regs);
    for (int r = 0; r < 4; r++) {
        uint64_t value = regs[r];     /* CPUID clears the upper halves */

        uc_reg_write(uc, out[r], &value);
    }
    return true;
}

static void x86_fpu_init(uc_engine *uc);

/*
 * A new vCPU of the -cpu model: the hook answers CPUID, and pyqemu's engine
 * (patch 0010) executes the instructions of the table's features, no more; on
 * the stock engine the instructions are those of the engine's own model.
 */
static bool x86_setup(uc_engine *uc)
{
    uc_hook hook;

    x86_fpu_init(uc);
    if (!cpuid_model.entries) {
        return true;
    }
    if (engine.x86_cpuid_features) {
        engine.x86_cpuid_features(uc, cpuid_model.rows, cpuid_model.count);
    }
    return uc_hook_add(uc, &hook, UC_HOOK_INSN, (void *)x86_hook_cpuid, NULL, 1, 0,
                       UC_X86_INS_CPUID) == UC_ERR_OK;
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
 * How many bytes of @insn QEMU 7.2's decoder fetches before @page_end when
 * the instruction is not the first of its block: it fetches prefixes,
 * opcode, ModRM and SIB a byte at a time and a displacement or an immediate
 * in one piece, and stops at the first fetch whose last byte is past the
 * page (x86_ldub_code and friends through advance_pc).  Those bytes are the
 * dropped instruction plugins see at the block's end.
 */
static size_t x86_partial_insn_bytes(const struct qemu_plugin_insn *insn, uint64_t page_end)
{
    static csh cs;
    static bool cs_ready;
    cs_insn *decoded;
    size_t room, done = 0, size = insn->size;
    size_t disp_off = 0, disp_size = 0, imm_off = 0, imm_size = 0;

    if (insn->vaddr >= page_end) {
        return 0;       /* starts on the next page: the block just ends */
    }
    room = (size_t)(page_end - insn->vaddr);

    if (!cs_ready) {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
            return 0;
        }
        cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
        cs_ready = true;
    }
    if (size > PLUGIN_INSN_MAX_BYTES) {
        size = PLUGIN_INSN_MAX_BYTES;
    }
    if (cs_disasm(cs, insn->data, size, insn->vaddr, 1, &decoded) == 1) {
        const cs_x86_encoding *enc = &decoded->detail->x86.encoding;

        disp_off = enc->disp_offset;
        disp_size = enc->disp_size;
        imm_off = enc->imm_offset;
        imm_size = enc->imm_size;
        size = decoded->size;
        cs_free(decoded, 1);
    }
    while (done < size) {
        size_t unit = 1;

        if (disp_size > 1 && done == disp_off) {
            unit = disp_size;
        } else if (imm_size > 1 && done == imm_off) {
            unit = imm_size;
        }
        if (done + unit > room) {
            break;
        }
        done += unit;
    }
    return done;
}

/*
 * Does QEMU 7.2's x86 translator end a block with @insn whatever follows:
 * control transfers (jumps, calls, returns, interrupts, syscall), and the
 * instructions it ends a block after (hlt, pause, ud2, sti, popf, a load
 * of SS).  Bytes capstone cannot decode end it too (an exception).
 */
static bool x86_insn_ends_block(const struct qemu_plugin_insn *insn)
{
    static csh cs;
    static bool cs_ready;
    static const uint8_t groups[] = {
        CS_GRP_JUMP, CS_GRP_CALL, CS_GRP_RET, CS_GRP_INT, CS_GRP_IRET,
    };
    cs_insn *decoded;
    bool ends = true;

    if (!cs_ready) {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
            return true;
        }
        cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
        cs_ready = true;
    }
    if (cs_disasm(cs, insn->data, insn->size, insn->vaddr, 1, &decoded) != 1) {
        return true;
    }
    switch (decoded->id) {
    case X86_INS_SYSCALL:
    case X86_INS_SYSENTER:
    case X86_INS_HLT:
    case X86_INS_PAUSE:
    case X86_INS_UD2:
    case X86_INS_STI:
    case X86_INS_POPF:
    case X86_INS_POPFQ:
        break;
    case X86_INS_MOV:
    case X86_INS_POP:
        ends = decoded->detail->x86.op_count > 0 &&
               decoded->detail->x86.operands[0].type == X86_OP_REG &&
               decoded->detail->x86.operands[0].reg == X86_REG_SS;
        break;
    default:
        ends = false;
        for (size_t i = 0; i < sizeof(groups); i++) {
            ends |= cs_insn_group(cs, decoded, groups[i]);
        }
        break;
    }
    cs_free(decoded, 1);
    return ends;
}

/*
 * The FPU state Linux gives a new process (fpstate_init: the state fninit
 * leaves, MXCSR_DEFAULT) and qemu-x86_64's CPU reset gives too: FCW 0x037f
 * (exceptions masked, 64-bit precision, round to nearest), FSW 0, every x87
 * register empty, MXCSR 0x1f80.  Unicorn's reset leaves FCW and MXCSR at 0
 * (24-bit precision) and the x87 tags valid.  Threads and forked children
 * copy their parent's state instead (thread.py; fork copies the engine).
 */
static void x86_fpu_init(uc_engine *uc)
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
    .intr_syscall_regs = x86_intr_syscall_regs,
    .pc_valid = x86_pc_valid,
    .invalid_pc_first = 0x0000800000000000ULL,
    .invalid_pc_last = 0xffff7fffffffffffULL,
    .partial_insn_bytes = x86_partial_insn_bytes,
    .insn_ends_block = x86_insn_ends_block,
    .note_memop = x86_note_memop,
    .disas_setup = x86_disas_setup,
    .disas_qemu = x86_disas_qemu,
};
