/*
 * Guest execution on the Unicorn engine, and the plugin hooks on the hot
 * path.  Plays the part of QEMU's accel/tcg/cpu-exec.c (the execution loop)
 * and accel/tcg/plugin-gen.c (instrumenting translated blocks):
 *
 * - one engine per vCPU, over guest memory that is host memory at the same
 *   address (guest_base 0), mapped with uc_mem_map_ptr;
 * - one global C hook per kind (block, instruction, memory, syscall), each
 *   looking up this host's record of the running block; no Python runs on
 *   these paths;
 * - a block seen for the first time is decoded with capstone and handed to
 *   the plugins' tb_trans callbacks (QEMU's qemu_plugin_tb_trans_cb); the
 *   callbacks they register there are kept in the block's record;
 * - Unicorn decides at translation whether a block calls the instruction
 *   and memory hooks, so when a plugin first asks for them the running
 *   block is abandoned before its first instruction (the engine checks for
 *   a stop request right after the block hook), the code cache is flushed
 *   and the block restarts with the hooks in place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/x86.h>

#include "plugin.h"

struct CPUState {
    uc_engine *uc;
    csh cs;
    cs_insn *cs_insn;
    unsigned int cpu_index;
    CPUState *next;

    uc_hook h_block, h_code, h_mem_read, h_mem_write, h_edge;
    uc_hook h_syscall, h_invalid, h_intr;
    bool want_code_hook, want_mem_hooks;

    /* this vCPU's translated blocks, keyed by (vaddr, size) */
    struct qemu_plugin_tb **tb_hash;
    size_t tb_hash_mask;
    size_t tb_count;

    /* the block and instruction being executed */
    struct qemu_plugin_tb *cur_tb;
    size_t cur_insn;
    struct qemu_plugin_insn *mem_insn;

    /* why emulation stopped */
    volatile int kicked;
    bool restart;
    int exit_reason;
    cpu_exit_info stop;
};

__thread CPUState *current_cpu;
static CPUState *cpu_list;
static volatile int flush_pending;

/* Host signals caught for the guest, delivered by Python between blocks. */
#define HOST_NSIG 65
static volatile sig_atomic_t signal_pending[HOST_NSIG];
static volatile sig_atomic_t signal_any;

#define EV_BIT(ev) (1u << (ev))

unsigned int cpu_index_of(const CPUState *cpu)
{
    return cpu->cpu_index;
}

CPUState *plugin_first_cpu(void)
{
    return cpu_list;
}

CPUState *cpu_next(CPUState *cpu)
{
    return cpu->next;
}

const char *cpu_strerror(int err)
{
    return uc_strerror((uc_err)err);
}

/* ---- translated-block records ---- */

static size_t tb_hash_index(const CPUState *cpu, uint64_t vaddr, uint32_t size)
{
    uint64_t h = (vaddr ^ ((uint64_t)size << 40)) * UINT64_C(0x9e3779b97f4a7c15);

    return (size_t)(h >> 32) & cpu->tb_hash_mask;
}

static struct qemu_plugin_tb *tb_lookup(const CPUState *cpu, uint64_t vaddr, uint32_t size)
{
    struct qemu_plugin_tb *tb = cpu->tb_hash[tb_hash_index(cpu, vaddr, size)];

    while (tb && (tb->vaddr != vaddr || tb->size != size)) {
        tb = tb->hash_next;
    }
    return tb;
}

static void tb_hash_insert(CPUState *cpu, struct qemu_plugin_tb *tb)
{
    size_t idx;

    if (cpu->tb_count >= cpu->tb_hash_mask) {
        size_t old_size = cpu->tb_hash_mask + 1;
        struct qemu_plugin_tb **old = cpu->tb_hash;

        cpu->tb_hash_mask = old_size * 2 - 1;
        cpu->tb_hash = calloc(old_size * 2, sizeof(*cpu->tb_hash));
        if (!cpu->tb_hash) {
            abort();
        }
        for (size_t i = 0; i < old_size; i++) {
            struct qemu_plugin_tb *t = old[i], *next;

            for (; t; t = next) {
                next = t->hash_next;
                idx = tb_hash_index(cpu, t->vaddr, t->size);
                t->hash_next = cpu->tb_hash[idx];
                cpu->tb_hash[idx] = t;
            }
        }
        free(old);
    }
    idx = tb_hash_index(cpu, tb->vaddr, tb->size);
    tb->hash_next = cpu->tb_hash[idx];
    cpu->tb_hash[idx] = tb;
    cpu->tb_count++;
}

static void tb_free(struct qemu_plugin_tb *tb);

/* Forget the record of one block, so the next execution translates it anew. */
static void tb_hash_remove(CPUState *cpu, struct qemu_plugin_tb *tb)
{
    struct qemu_plugin_tb **link = &cpu->tb_hash[tb_hash_index(cpu, tb->vaddr, tb->size)];

    for (; *link; link = &(*link)->hash_next) {
        if (*link == tb) {
            *link = tb->hash_next;
            cpu->tb_count--;
            if (cpu->cur_tb == tb) {
                cpu->cur_tb = NULL;
                cpu->mem_insn = NULL;
            }
            tb_free(tb);
            return;
        }
    }
}

static bool tb_code_changed(const struct qemu_plugin_tb *tb)
{
    for (size_t i = 0; i < tb->n; i++) {
        const struct qemu_plugin_insn *insn = &tb->insns[i];
        size_t len = insn->size < PLUGIN_INSN_MAX_BYTES ? insn->size : PLUGIN_INSN_MAX_BYTES;

        if (memcmp(insn->data, (const void *)(uintptr_t)insn->vaddr, len) != 0) {
            return true;
        }
    }
    return false;
}

/*
 * The engine translated a block again (its code was written, or the cache
 * was flushed): if the bytes changed, plugins must see a new translation.
 */
static void hook_edge_generated(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb = tb_lookup(cpu, cur->pc, cur->size);

    (void)uc;
    (void)prev;
    if (tb && tb_code_changed(tb)) {
        tb_hash_remove(cpu, tb);
    }
}

static void tb_free(struct qemu_plugin_tb *tb)
{
    for (size_t i = 0; i < tb->n; i++) {
        dyn_cb_array_free(&tb->insns[i].exec_cbs);
        dyn_cb_array_free(&tb->insns[i].mem_cbs);
    }
    dyn_cb_array_free(&tb->exec_cbs);
    free(tb->insns);
    free(tb);
}

static void tb_records_clear(CPUState *cpu)
{
    for (size_t i = 0; i <= cpu->tb_hash_mask; i++) {
        struct qemu_plugin_tb *tb = cpu->tb_hash[i], *next;

        for (; tb; tb = next) {
            next = tb->hash_next;
            tb_free(tb);
        }
        cpu->tb_hash[i] = NULL;
    }
    cpu->tb_count = 0;
    cpu->cur_tb = NULL;
    cpu->mem_insn = NULL;
}

/* QEMU's tb_flush: drop all generated code; plugins see blocks translated anew. */
void tb_flush(CPUState *cpu)
{
    for (CPUState *c = cpu_list; c; c = c->next) {
        uc_ctl_flush_tb(c->uc);
        tb_records_clear(c);
    }
    (void)cpu;
    qemu_plugin_flush_cb();
}

void plugin_request_flush(void)
{
    flush_pending = 1;
}

/*
 * Split the block into instructions (capstone) and let the plugins
 * instrument it.  Guest code is readable host memory at its guest address.
 */
static struct qemu_plugin_tb *plugin_gen_tb(CPUState *cpu, uint64_t pc, uint32_t size)
{
    struct qemu_plugin_tb *tb = calloc(1, sizeof(*tb));
    const uint8_t *code = (const uint8_t *)(uintptr_t)pc;
    size_t left = size, cap = 8;
    uint64_t addr = pc;

    if (!tb) {
        abort();
    }
    tb->vaddr = pc;
    tb->size = size;
    tb->insns = calloc(cap, sizeof(*tb->insns));
    while (left > 0) {
        struct qemu_plugin_insn *insn;
        size_t len;

        if (tb->n == cap) {
            cap *= 2;
            tb->insns = realloc(tb->insns, cap * sizeof(*tb->insns));
            if (!tb->insns) {
                abort();
            }
            memset(tb->insns + tb->n, 0, (cap - tb->n) * sizeof(*tb->insns));
        }
        const uint8_t *p = code;
        size_t avail = left;
        uint64_t a = addr;
        if (cs_disasm_iter(cpu->cs, &p, &avail, &a, cpu->cs_insn)) {
            len = cpu->cs_insn->size;
        } else {
            len = left;   /* what the engine accepted but capstone did not */
        }
        insn = &tb->insns[tb->n++];
        insn->vaddr = addr;
        insn->haddr = (void *)(uintptr_t)addr;
        insn->size = len;
        memcpy(insn->data, code, len < PLUGIN_INSN_MAX_BYTES ? len : PLUGIN_INSN_MAX_BYTES);
        code += len;
        addr += len;
        left -= len;
    }

    qemu_plugin_tb_trans_cb(cpu, tb);

    for (size_t i = 0; i < tb->n; i++) {
        if (tb->insns[i].mem_cbs.n) {
            tb->mem_hooks = true;
            tb->insn_hooks = true;
        }
        for (size_t j = 0; j < tb->insns[i].exec_cbs.n; j++) {
            if (tb->insns[i].exec_cbs.data[j].type == PLUGIN_CB_REGULAR) {
                tb->insn_hooks = true;
            }
        }
    }
    return tb;
}

static inline void run_exec_cbs(const CPUState *cpu, const struct dyn_cb_array *cbs)
{
    for (size_t i = 0; i < cbs->n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &cbs->data[i];

        if (cb->type == PLUGIN_CB_INLINE) {
            *(uint64_t *)cb->userp += cb->f.imm;
        } else {
            cb->f.regular(cpu->cpu_index, cb->userp);
        }
    }
}

/* Per-instruction inline adds of a block without code hooks, done at block entry. */
static inline void run_folded_insn_inline(const struct qemu_plugin_tb *tb, size_t from)
{
    for (size_t i = from; i < tb->n; i++) {
        const struct dyn_cb_array *cbs = &tb->insns[i].exec_cbs;

        for (size_t j = 0; j < cbs->n; j++) {
            *(uint64_t *)cbs->data[j].userp += cbs->data[j].f.imm;
        }
    }
}

/* Undo the folded adds of the instructions after pc, which never ran. */
static void unfold_insn_inline(const struct qemu_plugin_tb *tb, uint64_t pc)
{
    for (size_t i = 0; i < tb->n; i++) {
        const struct dyn_cb_array *cbs = &tb->insns[i].exec_cbs;

        if (tb->insns[i].vaddr <= pc) {
            continue;
        }
        for (size_t j = 0; j < cbs->n; j++) {
            *(uint64_t *)cbs->data[j].userp -= cbs->data[j].f.imm;
        }
    }
}

static void abandon_block(CPUState *cpu, uc_engine *uc)
{
    cpu->restart = true;
    uc_emu_stop(uc);
}

static void hook_block(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;

    if (flush_pending) {
        abandon_block(cpu, uc);
        return;
    }
    tb = tb_lookup(cpu, pc, size);
    if (!tb) {
        tb = plugin_gen_tb(cpu, pc, size);
        tb_hash_insert(cpu, tb);
        if (flush_pending ||
            (tb->insn_hooks && !cpu->h_code) || (tb->mem_hooks && !cpu->h_mem_read)) {
            cpu->want_code_hook |= tb->insn_hooks;
            cpu->want_mem_hooks |= tb->mem_hooks;
            abandon_block(cpu, uc);
            return;
        }
    }
    cpu->cur_tb = tb;
    cpu->cur_insn = 0;
    cpu->mem_insn = NULL;
    run_exec_cbs(cpu, &tb->exec_cbs);
    if (!cpu->h_code) {
        run_folded_insn_inline(tb, 0);
    }
}

static void hook_code(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb = cpu->cur_tb;
    size_t i;

    (void)uc;
    (void)size;
    if (!tb) {
        return;
    }
    i = cpu->cur_insn;
    if (i >= tb->n || tb->insns[i].vaddr != pc) {
        for (i = 0; i < tb->n && tb->insns[i].vaddr != pc; i++) {
        }
        if (i == tb->n) {
            cpu->mem_insn = NULL;
            return;
        }
    }
    cpu->cur_insn = i + 1;
    cpu->mem_insn = &tb->insns[i];
    run_exec_cbs(cpu, &tb->insns[i].exec_cbs);
}

#define TRACE_MEM_ST (1u << 6)

static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                     int64_t value, void *opaque)
{
    CPUState *cpu = opaque;
    const struct qemu_plugin_insn *insn = cpu->mem_insn;
    bool store = type == UC_MEM_WRITE;
    unsigned int rw = store ? QEMU_PLUGIN_MEM_W : QEMU_PLUGIN_MEM_R;
    qemu_plugin_meminfo_t info;

    (void)uc;
    (void)value;
    if (!insn || !insn->mem_cbs.n) {
        return;
    }
    info = (qemu_plugin_meminfo_t)__builtin_ctz((unsigned int)size) | (store ? TRACE_MEM_ST : 0);
    for (size_t i = 0; i < insn->mem_cbs.n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &insn->mem_cbs.data[i];

        if (!(cb->rw & rw)) {
            continue;
        }
        switch (cb->type) {
        case PLUGIN_CB_MEM_REGULAR:
            cb->f.mem(cpu->cpu_index, info, addr, cb->userp);
            break;
        case PLUGIN_CB_MEM_HADDR:
            cb->f.mem_haddr(cpu->cpu_index, info, addr, (void *)(uintptr_t)addr, cb->userp);
            break;
        default:
            *(uint64_t *)cb->userp += cb->f.imm;
            break;
        }
    }
}

/* x86_64 syscall: number in rax, arguments in rdi, rsi, rdx, r10, r8, r9. */
static void hook_syscall(uc_engine *uc, void *opaque)
{
    static const int regs[7] = {
        UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX,
        UC_X86_REG_R10, UC_X86_REG_R8, UC_X86_REG_R9,
    };
    CPUState *cpu = opaque;
    uint64_t vals[7];
    void *ptrs[7];
    int64_t num, ret = -ENOSYS;
    int action;

    for (int i = 0; i < 7; i++) {
        ptrs[i] = &vals[i];
    }
    uc_reg_read_batch(uc, (int *)regs, ptrs, 7);
    num = (int64_t)vals[0];
    if (plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL)) {
        qemu_plugin_vcpu_syscall(cpu, num, vals[1], vals[2], vals[3], vals[4], vals[5],
                                 vals[6], 0, 0);
    }
    action = pyqemu_syscall(cpu, num, &vals[1], &ret);
    switch (action) {
    case SYSCALL_SET_RET:
        uc_reg_write(uc, UC_X86_REG_RAX, &ret);
        if (plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL_RET)) {
            qemu_plugin_vcpu_syscall_ret(cpu, num, ret);
        }
        break;
    case SYSCALL_REGS_SET: {
        /* the engine adds the syscall's length to rip after this hook */
        uint64_t rip;

        uc_reg_read(uc, UC_X86_REG_RIP, &rip);
        rip -= 2;
        uc_reg_write(uc, UC_X86_REG_RIP, &rip);
        break;
    }
    default:
        cpu->exit_reason = EXCP_SYSCALL_STOP;
        uc_emu_stop(uc);
        break;
    }
    if (flush_pending) {
        uc_emu_stop(uc);
    }
}

static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                         int64_t value, void *opaque)
{
    CPUState *cpu = opaque;

    (void)uc;
    (void)size;
    (void)value;
    cpu->exit_reason = EXCP_SEGV;
    cpu->stop.fault_addr = addr;
    switch (type) {
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT:
        cpu->stop.fault_write = 1;
        break;
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
        cpu->stop.fault_write = 2;
        break;
    default:
        cpu->stop.fault_write = 0;
        break;
    }
    return false;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    CPUState *cpu = opaque;

    cpu->exit_reason = EXCP_INTR;
    cpu->stop.intno = (int)intno;
    uc_emu_stop(uc);
}

CPUState *cpu_create(unsigned int cpu_index)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    uc_err err;

    if (!cpu) {
        return NULL;
    }
    cpu->cpu_index = cpu_index;
    err = uc_open(UC_ARCH_X86, UC_MODE_64, &cpu->uc);
    if (err != UC_ERR_OK) {
        free(cpu);
        return NULL;
    }
    uc_ctl_exits_enable(cpu->uc);
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cpu->cs) != CS_ERR_OK) {
        uc_close(cpu->uc);
        free(cpu);
        return NULL;
    }
    cpu->cs_insn = cs_malloc(cpu->cs);
    cpu->tb_hash_mask = 1023;
    cpu->tb_hash = calloc(cpu->tb_hash_mask + 1, sizeof(*cpu->tb_hash));

    uc_hook_add(cpu->uc, &cpu->h_syscall, UC_HOOK_INSN, (void *)hook_syscall, cpu, 1, 0,
                UC_X86_INS_SYSCALL);
    uc_hook_add(cpu->uc, &cpu->h_invalid, UC_HOOK_MEM_INVALID, (void *)hook_invalid, cpu, 1, 0);
    uc_hook_add(cpu->uc, &cpu->h_intr, UC_HOOK_INTR, (void *)hook_intr, cpu, 1, 0);

    cpu->next = cpu_list;
    cpu_list = cpu;
    return cpu;
}

void cpu_destroy(CPUState *cpu)
{
    for (CPUState **link = &cpu_list; *link; link = &(*link)->next) {
        if (*link == cpu) {
            *link = cpu->next;
            break;
        }
    }
    tb_records_clear(cpu);
    free(cpu->tb_hash);
    cs_free(cpu->cs_insn, 1);
    cs_close(&cpu->cs);
    uc_close(cpu->uc);
    free(cpu);
}

/*
 * Make the engine's hooks match what the plugins need.  The engine decides
 * at translation which blocks call a hook, so any change flushes its cache.
 */
static void cpu_sync_hooks(CPUState *cpu)
{
    bool want_block = plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_TB_TRANS);
    bool changed = false;

    if (want_block && !cpu->h_block) {
        uc_hook_add(cpu->uc, &cpu->h_block, UC_HOOK_BLOCK, (void *)hook_block, cpu, 1, 0);
        uc_hook_add(cpu->uc, &cpu->h_edge, UC_HOOK_EDGE_GENERATED, (void *)hook_edge_generated,
                    cpu, 1, 0);
        changed = true;
    } else if (!want_block && cpu->h_block) {
        uc_hook_del(cpu->uc, cpu->h_block);
        uc_hook_del(cpu->uc, cpu->h_edge);
        cpu->h_block = cpu->h_edge = 0;
        changed = true;
    }
    if (cpu->want_code_hook && !cpu->h_code) {
        uc_hook_add(cpu->uc, &cpu->h_code, UC_HOOK_CODE, (void *)hook_code, cpu, 1, 0);
        changed = true;
    }
    if (cpu->want_mem_hooks && !cpu->h_mem_read) {
        uc_hook_add(cpu->uc, &cpu->h_mem_read, UC_HOOK_MEM_READ_AFTER, (void *)hook_mem, cpu, 1, 0);
        uc_hook_add(cpu->uc, &cpu->h_mem_write, UC_HOOK_MEM_WRITE, (void *)hook_mem, cpu, 1, 0);
        changed = true;
    }
    if (changed) {
        uc_ctl_flush_tb(cpu->uc);
    }
}

/*
 * The host handler only records the signal and asks every engine to stop
 * at its next block boundary, as QEMU's host_signal_handler queues the
 * signal and kicks the vCPU (uc_emu_stop only sets flags).
 */
static void host_signal_handler(int sig)
{
    signal_pending[sig] = 1;
    signal_any = 1;
    for (CPUState *cpu = cpu_list; cpu; cpu = cpu->next) {
        uc_emu_stop(cpu->uc);
    }
}

int cpu_signal_catch(int sig)
{
    struct sigaction sa;

    if (sig <= 0 || sig >= HOST_NSIG) {
        return -EINVAL;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = host_signal_handler;
    sigfillset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? 0 : -errno;
}

int cpu_signal_take(void)
{
    if (!signal_any) {
        return 0;
    }
    signal_any = 0;
    for (int sig = 1; sig < HOST_NSIG; sig++) {
        if (signal_pending[sig]) {
            signal_pending[sig] = 0;
            for (int rest = sig + 1; rest < HOST_NSIG; rest++) {
                if (signal_pending[rest]) {
                    signal_any = 1;
                }
            }
            return sig;
        }
    }
    return 0;
}

int cpu_exec(CPUState *cpu, cpu_exit_info *info)
{
    uint64_t pc;
    uc_err err;

    current_cpu = cpu;
    for (;;) {
        if (cpu->kicked) {
            cpu->kicked = 0;
            uc_reg_read(cpu->uc, UC_X86_REG_RIP, &pc);
            memset(info, 0, sizeof(*info));
            info->pc = pc;
            current_cpu = NULL;
            return EXCP_KICK;
        }
        if (signal_any) {
            uc_reg_read(cpu->uc, UC_X86_REG_RIP, &pc);
            memset(info, 0, sizeof(*info));
            info->pc = pc;
            current_cpu = NULL;
            return EXCP_SIGNAL;
        }
        if (flush_pending) {
            flush_pending = 0;
            plugin_flush_destroy(cpu);
            cpu->want_code_hook = cpu->want_mem_hooks = false;
        }
        cpu_sync_hooks(cpu);
        cpu->restart = false;
        cpu->exit_reason = 0;
        cpu->cur_tb = NULL;
        cpu->mem_insn = NULL;
        memset(&cpu->stop, 0, sizeof(cpu->stop));
        uc_reg_read(cpu->uc, UC_X86_REG_RIP, &pc);
        err = uc_emu_start(cpu->uc, pc, 0, 0, 0);
        if (cpu->restart || (flush_pending && !cpu->exit_reason && err == UC_ERR_OK)) {
            continue;
        }
        uc_reg_read(cpu->uc, UC_X86_REG_RIP, &pc);
        if (!cpu->exit_reason && err == UC_ERR_OK && (signal_any || cpu->kicked)) {
            continue;   /* reported at the top of the loop */
        }
        if (!cpu->exit_reason) {
            /* stopped with no hook saying why: an engine error, or hlt and the like */
            cpu->exit_reason = err == UC_ERR_INSN_INVALID ? EXCP_ILL : EXCP_ENGINE;
        }
        /* a block cut short: take back the folded adds it never earned */
        if (cpu->exit_reason != EXCP_SYSCALL_STOP && cpu->cur_tb && !cpu->h_code &&
            pc >= cpu->cur_tb->vaddr && pc < cpu->cur_tb->vaddr + cpu->cur_tb->size) {
            unfold_insn_inline(cpu->cur_tb, pc);
        }
        *info = cpu->stop;
        info->uc_err = err;
        info->pc = pc;
        current_cpu = NULL;
        return cpu->exit_reason;
    }
}

int cpu_mem_map_ptr(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms, uint64_t host)
{
    return uc_mem_map_ptr(cpu->uc, addr, size, perms, (void *)(uintptr_t)host);
}

int cpu_mem_unmap(CPUState *cpu, uint64_t addr, uint64_t size)
{
    return uc_mem_unmap(cpu->uc, addr, size);
}

int cpu_mem_protect(CPUState *cpu, uint64_t addr, uint64_t size, uint32_t perms)
{
    return uc_mem_protect(cpu->uc, addr, size, perms);
}

int cpu_reg_read(CPUState *cpu, int regid, uint64_t *value)
{
    *value = 0;
    return uc_reg_read(cpu->uc, regid, value);
}

int cpu_reg_write(CPUState *cpu, int regid, uint64_t value)
{
    return uc_reg_write(cpu->uc, regid, &value);
}

/* Wide registers (xmm: 16 bytes, fp: 10 bytes); buf must hold 64 bytes. */
int cpu_reg_read_bytes(CPUState *cpu, int regid, uint8_t *buf)
{
    return uc_reg_read(cpu->uc, regid, buf);
}

int cpu_reg_write_bytes(CPUState *cpu, int regid, const uint8_t *buf)
{
    return uc_reg_write(cpu->uc, regid, buf);
}

/*
 * Drop the translations of [addr, addr + size): host-side writes into code
 * and mapping changes (mprotect, munmap) must not leave stale blocks behind.
 */
void cpu_flush_code(CPUState *cpu, uint64_t addr, uint64_t size)
{
    uc_ctl_remove_cache(cpu->uc, addr, addr + size);
    for (size_t i = 0; i <= cpu->tb_hash_mask; i++) {
        struct qemu_plugin_tb *tb = cpu->tb_hash[i], *next;

        for (; tb; tb = next) {
            next = tb->hash_next;
            if (tb->vaddr < addr + size && tb->vaddr + tb->size > addr) {
                tb_hash_remove(cpu, tb);
            }
        }
    }
}

/* Make this vCPU's cpu_exec return EXCP_KICK soon (QEMU's cpu_exit). */
void cpu_kick(CPUState *cpu)
{
    cpu->kicked = 1;
    uc_emu_stop(cpu->uc);
}

/* Make cpu_exec return EXCP_SIGNAL at the next block boundary. */
void cpu_signal_kick(void)
{
    host_signal_handler(0);
}

/* qemu_plugin_insn_disas: "mnemonic operands", as QEMU formats capstone's output. */
char *plugin_disas_insn(const struct qemu_plugin_insn *insn)
{
    static __thread csh cs;
    static __thread bool cs_ready;
    cs_insn *out = NULL;
    char *text;
    size_t n;

    if (!cs_ready) {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
            return strdup("");
        }
        cs_ready = true;
    }
    n = cs_disasm(cs, insn->data, insn->size, insn->vaddr, 1, &out);
    if (n == 0) {
        return strdup("");
    }
    if (out[0].op_str[0]) {
        if (asprintf(&text, "%s %s", out[0].mnemonic, out[0].op_str) < 0) {
            text = NULL;
        }
    } else {
        text = strdup(out[0].mnemonic);
    }
    cs_free(out, n);
    return text;
}
