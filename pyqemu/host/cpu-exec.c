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
 * - the engine's blocks may run on across a page boundary where QEMU 7.2
 *   ends its blocks, so an engine block is cut into the blocks QEMU would
 *   have made; the later ones start at an instruction hook (the global one,
 *   or one hook on that address alone);
 * - Unicorn decides at translation whether a block calls the instruction
 *   and memory hooks, so when a plugin first asks for them the running
 *   block is abandoned before its first instruction (the engine checks for
 *   a stop request right after the block hook), the code cache is flushed
 *   and the block restarts with the hooks in place;
 * - memory callbacks run after the access, as QEMU's do: the engine reports
 *   a store before it is made, so its callbacks wait until the store is
 *   known to have succeeded (the next hook of any kind), and a store that
 *   faults is never reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/x86.h>

#include "plugin.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_MASK (~(uint64_t)0 << TARGET_PAGE_BITS)

/* meminfo bits, as QEMU 5.2's trace/mem-internal.h lays them out */
#define TRACE_MEM_SE (1u << 4)
#define TRACE_MEM_BE (1u << 5)
#define TRACE_MEM_ST (1u << 6)

/* A store the engine announced and has not yet been seen to complete. */
struct plugin_pending_store {
    const struct qemu_plugin_insn *insn;   /* NULL: none pending */
    uint64_t vaddr;
    qemu_plugin_meminfo_t info;
};

struct CPUState {
    uc_engine *uc;
    csh cs;
    cs_insn *cs_insn;
    unsigned int cpu_index;
    CPUState *next;

    uc_hook h_block, h_code, h_mem_read, h_mem_write, h_edge;
    uc_hook h_syscall, h_invalid, h_intr;
    bool want_code_hook, want_mem_hooks;

    /* one instruction hook per address where an engine block is cut */
    uc_hook *split_hooks;
    uint64_t *split_addrs;
    size_t n_split, split_cap;

    /* this vCPU's translated blocks, keyed by (vaddr, size) */
    struct qemu_plugin_tb **tb_hash;
    size_t tb_hash_mask;
    size_t tb_count;

    /* an engine block's instructions, decoded before they become blocks */
    struct qemu_plugin_insn *decoded;
    size_t decoded_cap;

    /* the block and instruction being executed */
    struct qemu_plugin_tb *cur_tb;
    size_t cur_insn;
    struct qemu_plugin_insn *mem_insn;
    struct plugin_pending_store store;

    /* why emulation stopped */
    volatile int kicked;
    bool restart;
    uint64_t uncache_start, uncache_end;    /* engine code to drop before a restart */
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

/* ---- memory callbacks ---- */

/* QEMU's qemu_plugin_vcpu_mem_cb: one access of @insn, after it happened. */
static void qemu_plugin_vcpu_mem_cb(const CPUState *cpu, const struct qemu_plugin_insn *insn,
                                    uint64_t vaddr, qemu_plugin_meminfo_t info)
{
    unsigned int rw = (info & TRACE_MEM_ST) ? QEMU_PLUGIN_MEM_W : QEMU_PLUGIN_MEM_R;

    for (size_t i = 0; i < insn->mem_cbs.n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &insn->mem_cbs.data[i];

        if (!(cb->rw & rw)) {
            continue;
        }
        switch (cb->type) {
        case PLUGIN_CB_MEM_REGULAR:
            PLUGIN_CALL(cb->ctx, "mem", cb->f.mem(cpu->cpu_index, info, vaddr, cb->userp));
            break;
        case PLUGIN_CB_MEM_HADDR:
            PLUGIN_CALL(cb->ctx, "mem_haddr",
                        cb->f.mem_haddr(cpu->cpu_index, info, vaddr, (void *)(uintptr_t)vaddr,
                                        cb->userp));
            break;
        default:
            *(uint64_t *)cb->userp += cb->f.imm;
            break;
        }
    }
}

/* The pending store completed (something happened after it): report it. */
static inline void plugin_store_done(CPUState *cpu)
{
    const struct qemu_plugin_insn *insn = cpu->store.insn;

    if (insn) {
        cpu->store.insn = NULL;
        qemu_plugin_vcpu_mem_cb(cpu, insn, cpu->store.vaddr, cpu->store.info);
    }
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

/* Before records go away: nothing may point into them any more. */
static void tb_records_release(CPUState *cpu)
{
    if (cpu == current_cpu) {
        plugin_store_done(cpu);
    }
    cpu->store.insn = NULL;
    cpu->cur_tb = NULL;
    cpu->mem_insn = NULL;
}

/*
 * Forget every block whose bytes (up to its engine block's end) meet
 * [start, end), so the next execution translates them anew.  A block's
 * range holds the range of the block it is cut into, so no split_next is
 * left pointing at a freed record.
 */
static void tb_records_remove_range(CPUState *cpu, uint64_t start, uint64_t end)
{
    tb_records_release(cpu);
    for (size_t i = 0; i <= cpu->tb_hash_mask; i++) {
        struct qemu_plugin_tb **link = &cpu->tb_hash[i];

        while (*link) {
            struct qemu_plugin_tb *tb = *link;

            if (tb->vaddr < end && tb->vaddr + tb->size > start) {
                *link = tb->hash_next;
                cpu->tb_count--;
                tb_free(tb);
            } else {
                link = &tb->hash_next;
            }
        }
    }
}

static bool tb_code_changed(const struct qemu_plugin_tb *tb)
{
    for (; tb; tb = tb->split_next) {
        for (size_t i = 0; i < tb->n; i++) {
            const struct qemu_plugin_insn *insn = &tb->insns[i];
            size_t len = insn->size < PLUGIN_INSN_MAX_BYTES ? insn->size : PLUGIN_INSN_MAX_BYTES;

            if (memcmp(insn->data, (const void *)(uintptr_t)insn->vaddr, len) != 0) {
                return true;
            }
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
        tb_records_remove_range(cpu, cur->pc, cur->pc + cur->size);
    }
}

static void tb_records_clear(CPUState *cpu)
{
    tb_records_release(cpu);
    for (size_t i = 0; i <= cpu->tb_hash_mask; i++) {
        struct qemu_plugin_tb *tb = cpu->tb_hash[i], *next;

        for (; tb; tb = next) {
            next = tb->hash_next;
            tb_free(tb);
        }
        cpu->tb_hash[i] = NULL;
    }
    cpu->tb_count = 0;
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

/* What QEMU's translator records in each access's MemOp, beyond size and direction. */
static void insn_note_memop(struct qemu_plugin_insn *insn, unsigned int id)
{
    switch (id) {
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
 * Split [pc, pc + size) into instructions (capstone), into cpu->decoded.
 * Guest code is readable host memory at its guest address.
 */
static size_t decode_engine_block(CPUState *cpu, uint64_t pc, uint32_t size)
{
    const uint8_t *code = (const uint8_t *)(uintptr_t)pc;
    size_t left = size, n = 0;
    uint64_t addr = pc;

    while (left > 0) {
        struct qemu_plugin_insn *insn;
        const uint8_t *p = code;
        size_t avail = left, len;
        uint64_t a = addr;

        if (n == cpu->decoded_cap) {
            cpu->decoded_cap = cpu->decoded_cap ? cpu->decoded_cap * 2 : 64;
            cpu->decoded = realloc(cpu->decoded, cpu->decoded_cap * sizeof(*cpu->decoded));
            if (!cpu->decoded) {
                abort();
            }
        }
        insn = &cpu->decoded[n++];
        memset(insn, 0, sizeof(*insn));
        if (cs_disasm_iter(cpu->cs, &p, &avail, &a, cpu->cs_insn)) {
            len = cpu->cs_insn->size;
            insn_note_memop(insn, cpu->cs_insn->id);
        } else {
            len = left;   /* what the engine accepted but capstone did not */
        }
        insn->vaddr = addr;
        insn->haddr = (void *)(uintptr_t)addr;
        insn->size = len;
        memcpy(insn->data, code, len < PLUGIN_INSN_MAX_BYTES ? len : PLUGIN_INSN_MAX_BYTES);
        code += len;
        addr += len;
        left -= len;
    }
    return n;
}

/* Let the plugins instrument the block at @vaddr of @n decoded instructions. */
static struct qemu_plugin_tb *plugin_gen_one_tb(CPUState *cpu, uint64_t vaddr, uint32_t size,
                                                const struct qemu_plugin_insn *insns, size_t n)
{
    struct qemu_plugin_tb *tb = calloc(1, sizeof(*tb));

    if (!tb) {
        abort();
    }
    tb->vaddr = vaddr;
    tb->size = size;
    tb->n = n;
    tb->insns = malloc((n ? n : 1) * sizeof(*tb->insns));
    if (!tb->insns) {
        abort();
    }
    if (n) {
        memcpy(tb->insns, insns, n * sizeof(*tb->insns));
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
    tb_hash_insert(cpu, tb);
    return tb;
}

/*
 * Translate the engine block [pc, pc + size) into the blocks QEMU 7.2
 * makes of it: each ends before the first later instruction that does not
 * lie wholly on the page of the block's first byte.  (The engine also ends
 * blocks at 512 instructions or about a page of bytes; counted from the
 * engine block's start, so a rare straight run of 4 KiB of code may be cut
 * where QEMU would not.)  A tail that was already translated as a block
 * of its own, and keyed the same, is reused, as QEMU finds a block by its
 * address.  Returns the first block; the others follow by split_next.
 */
static struct qemu_plugin_tb *plugin_gen_tb(CPUState *cpu, uint64_t pc, uint32_t size)
{
    size_t n = decode_engine_block(cpu, pc, size);
    struct qemu_plugin_tb *head = NULL, **link = &head;
    size_t first = 0;

    if (n == 0) {
        return plugin_gen_one_tb(cpu, pc, size, NULL, 0);   /* an empty engine block */
    }
    while (first < n) {
        uint64_t start = cpu->decoded[first].vaddr;
        uint32_t left = (uint32_t)(pc + size - start);
        struct qemu_plugin_tb *tb = first ? tb_lookup(cpu, start, left) : NULL;
        size_t end = first + 1;

        if (tb) {
            *link = tb;
            break;
        }
        while (end < n) {
            const struct qemu_plugin_insn *insn = &cpu->decoded[end];

            if (((insn->vaddr + insn->size - 1) & TARGET_PAGE_MASK) != (start & TARGET_PAGE_MASK)) {
                break;
            }
            end++;
        }
        tb = plugin_gen_one_tb(cpu, start, left, cpu->decoded + first, end - first);
        *link = tb;
        link = &tb->split_next;
        first = end;
    }
    return head;
}

static bool split_hook_add(CPUState *cpu, uint64_t addr);

/*
 * A new chain of blocks is ready to run once the engine calls the hooks
 * its callbacks need; otherwise ask for them and return false (the caller
 * abandons the block, which the engine translates again).
 */
static bool tb_chain_ready(CPUState *cpu, const struct qemu_plugin_tb *head, uint64_t pc,
                           uint32_t size)
{
    bool want_code = false, want_mem = false, ready = !flush_pending;

    for (const struct qemu_plugin_tb *tb = head; tb; tb = tb->split_next) {
        want_code |= tb->insn_hooks;
        want_mem |= tb->mem_hooks;
    }
    if ((want_code && !cpu->h_code) || (want_mem && !cpu->h_mem_read)) {
        cpu->want_code_hook |= want_code;
        cpu->want_mem_hooks |= want_mem;
        return false;
    }
    if (!cpu->h_code) {
        for (const struct qemu_plugin_tb *tb = head->split_next; tb; tb = tb->split_next) {
            if (split_hook_add(cpu, tb->vaddr)) {
                /* the engine's translation predates the hook */
                cpu->uncache_start = pc;
                cpu->uncache_end = pc + size;
                ready = false;
            }
        }
    }
    return ready;
}

static inline void run_exec_cbs(const CPUState *cpu, const struct dyn_cb_array *cbs)
{
    for (size_t i = 0; i < cbs->n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &cbs->data[i];

        if (cb->type == PLUGIN_CB_INLINE) {
            *(uint64_t *)cb->userp += cb->f.imm;
        } else {
            PLUGIN_CALL(cb->ctx, "exec", cb->f.regular(cpu->cpu_index, cb->userp));
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

static bool tb_contains(const struct qemu_plugin_tb *tb, uint64_t pc)
{
    const struct qemu_plugin_insn *last = tb->n ? &tb->insns[tb->n - 1] : NULL;

    return last && pc >= tb->vaddr && pc < last->vaddr + last->size;
}

static void abandon_block(CPUState *cpu, uc_engine *uc)
{
    cpu->restart = true;
    uc_emu_stop(uc);
}

/*
 * A block is about to run.  QEMU checks for an exit request before a block
 * and runs none of its callbacks then: a pending flush, a kick or a signal
 * stops here, and the block runs (with its callbacks) after the stop.
 */
static inline bool tb_may_start(CPUState *cpu, uc_engine *uc)
{
    if (flush_pending || cpu->kicked || signal_any) {
        abandon_block(cpu, uc);
        return false;
    }
    return true;
}

static inline void tb_start(CPUState *cpu, struct qemu_plugin_tb *tb)
{
    cpu->cur_tb = tb;
    cpu->cur_insn = 0;
    cpu->mem_insn = NULL;
    run_exec_cbs(cpu, &tb->exec_cbs);
    if (!cpu->h_code) {
        run_folded_insn_inline(tb, 0);
    }
}

/* x86-64 addresses are canonical when bits 63..47 are all equal. */
static inline bool pc_is_canonical(uint64_t pc)
{
    uint64_t top = pc >> 47;

    return top == 0 || top == 0x1ffff;
}

static void hook_block(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;

    plugin_store_done(cpu);
    if (!pc_is_canonical(pc)) {
        /* the engine would run the low 48 bits; the CPU faults (QEMU: SIGSEGV) */
        cpu->exit_reason = EXCP_SEGV;
        cpu->stop.fault_addr = pc;
        cpu->stop.fault_write = 2;
        uc_emu_stop(uc);
        return;
    }
    if (!tb_may_start(cpu, uc)) {
        return;
    }
    if (!(plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_TB_TRANS))) {
        return;
    }
    tb = tb_lookup(cpu, pc, size);
    if (!tb) {
        tb = plugin_gen_tb(cpu, pc, size);
        if (!tb_chain_ready(cpu, tb, pc, size)) {
            abandon_block(cpu, uc);
            return;
        }
    }
    tb_start(cpu, tb);
}

/* Execution reached the start of the next block cut from the same engine block. */
static void hook_split(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb = cpu->cur_tb;

    (void)size;
    if (tb && tb->split_next && tb->split_next->vaddr == pc && tb_may_start(cpu, uc)) {
        tb_start(cpu, tb->split_next);
    }
}

/* Add an instruction hook on @addr alone; false when it was there already. */
static bool split_hook_add(CPUState *cpu, uint64_t addr)
{
    for (size_t i = 0; i < cpu->n_split; i++) {
        if (cpu->split_addrs[i] == addr) {
            return false;
        }
    }
    if (cpu->n_split == cpu->split_cap) {
        cpu->split_cap = cpu->split_cap ? cpu->split_cap * 2 : 16;
        cpu->split_hooks = realloc(cpu->split_hooks, cpu->split_cap * sizeof(*cpu->split_hooks));
        cpu->split_addrs = realloc(cpu->split_addrs, cpu->split_cap * sizeof(*cpu->split_addrs));
        if (!cpu->split_hooks || !cpu->split_addrs) {
            abort();
        }
    }
    if (uc_hook_add(cpu->uc, &cpu->split_hooks[cpu->n_split], UC_HOOK_CODE, (void *)hook_split,
                    cpu, addr, addr) != UC_ERR_OK) {
        abort();
    }
    cpu->split_addrs[cpu->n_split++] = addr;
    return true;
}

/* The global instruction hook finds block starts itself: drop the per-address ones. */
static void split_hooks_clear(CPUState *cpu)
{
    for (size_t i = 0; i < cpu->n_split; i++) {
        uc_hook_del(cpu->uc, cpu->split_hooks[i]);
    }
    cpu->n_split = 0;
}

static void hook_code(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb = cpu->cur_tb;
    size_t i;

    (void)size;
    plugin_store_done(cpu);
    if (!tb) {
        return;
    }
    i = cpu->cur_insn;
    if (i >= tb->n || tb->insns[i].vaddr != pc) {
        if (tb->split_next && tb->split_next->vaddr == pc) {
            if (!tb_may_start(cpu, uc)) {
                return;
            }
            tb = tb->split_next;
            tb_start(cpu, tb);
            i = 0;
        } else {
            for (i = 0; i < tb->n && tb->insns[i].vaddr != pc; i++) {
            }
            if (i == tb->n) {
                cpu->mem_insn = NULL;
                return;
            }
        }
    }
    cpu->cur_insn = i + 1;
    cpu->mem_insn = &tb->insns[i];
    run_exec_cbs(cpu, &tb->insns[i].exec_cbs);
}

static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                     int64_t value, void *opaque)
{
    CPUState *cpu = opaque;
    const struct qemu_plugin_insn *insn = cpu->mem_insn;
    unsigned int shift = (unsigned int)__builtin_ctz((unsigned int)size);
    qemu_plugin_meminfo_t info = shift;

    (void)uc;
    (void)value;
    plugin_store_done(cpu);
    if (!insn || !insn->mem_cbs.n) {
        return;
    }
    if (insn->mem_big_endian) {
        info |= TRACE_MEM_BE;
    }
    if (type == UC_MEM_WRITE) {
        /* reported once the store is known to have been made */
        cpu->store.insn = insn;
        cpu->store.vaddr = addr;
        cpu->store.info = info | TRACE_MEM_ST;
        return;
    }
    if (insn->ld_sign_shifts & (1u << shift)) {
        info |= TRACE_MEM_SE;
    }
    qemu_plugin_vcpu_mem_cb(cpu, insn, addr, info);
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

    plugin_store_done(cpu);
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
        /* the announced store is this one: it never happened */
        cpu->store.insn = NULL;
        cpu->stop.fault_write = 1;
        break;
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
        plugin_store_done(cpu);
        cpu->stop.fault_write = 2;
        break;
    default:
        plugin_store_done(cpu);
        cpu->stop.fault_write = 0;
        break;
    }
    return false;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    CPUState *cpu = opaque;

    plugin_store_done(cpu);
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
    free(cpu->decoded);
    free(cpu->split_hooks);
    free(cpu->split_addrs);
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

    /*
     * The block hook is always there: it is where a kick, a signal or a
     * flush stops the vCPU (see tb_may_start).  Only its plugin work
     * depends on tb_trans subscribers.
     */
    if (!cpu->h_block) {
        uc_hook_add(cpu->uc, &cpu->h_block, UC_HOOK_BLOCK, (void *)hook_block, cpu, 1, 0);
        changed = true;
    }
    if (want_block && !cpu->h_edge) {
        uc_hook_add(cpu->uc, &cpu->h_edge, UC_HOOK_EDGE_GENERATED, (void *)hook_edge_generated,
                    cpu, 1, 0);
        changed = true;
    } else if (!want_block && cpu->h_edge) {
        uc_hook_del(cpu->uc, cpu->h_edge);
        cpu->h_edge = 0;
        split_hooks_clear(cpu);
        changed = true;
    }
    if (cpu->want_code_hook && !cpu->h_code) {
        uc_hook_add(cpu->uc, &cpu->h_code, UC_HOOK_CODE, (void *)hook_code, cpu, 1, 0);
        split_hooks_clear(cpu);
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
 * The host handler only records the signal, as QEMU's host_signal_handler
 * queues it; every vCPU stops at its next block start (tb_may_start).
 *
 * It must not call uc_emu_stop: the engine also checks for a stop request
 * after each guest load and store, and leaves by restarting the current
 * instruction, so a request that lands just after a store would run that
 * instruction twice (a lost or doubled "add [mem]" in the guest).  Stops
 * requested from the block hook happen before any instruction of the block.
 */
static void host_signal_handler(int sig)
{
    signal_pending[sig] = 1;
    signal_any = 1;
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
        /* a store still announced was made: the engine stopped after it */
        plugin_store_done(cpu);
        if (cpu->uncache_end) {
            uc_ctl_remove_cache(cpu->uc, cpu->uncache_start, cpu->uncache_end);
            cpu->uncache_start = cpu->uncache_end = 0;
        }
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
            tb_contains(cpu->cur_tb, pc)) {
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
    tb_records_remove_range(cpu, addr, addr + size);
}

/*
 * Make this vCPU's cpu_exec return EXCP_KICK at its next block start (QEMU's
 * cpu_exit); like the signal handler, it leaves uc_emu_stop to the block hook.
 */
void cpu_kick(CPUState *cpu)
{
    cpu->kicked = 1;
}

/* Make cpu_exec return EXCP_SIGNAL at the next block boundary. */
void cpu_signal_kick(void)
{
    host_signal_handler(0);
}

/*
 * qemu_plugin_insn_disas: as QEMU's disas/capstone.c prints for plugins,
 * AT&T syntax and "mnemonic operands" (the space stays when there are no
 * operands: "retq ").
 */
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
        cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
        cs_ready = true;
    }
    n = cs_disasm(cs, insn->data, insn->size, insn->vaddr, 1, &out);
    if (n == 0) {
        return strdup("");
    }
    if (asprintf(&text, "%s %s", out[0].mnemonic, out[0].op_str) < 0) {
        text = NULL;
    }
    cs_free(out, n);
    return text;
}
