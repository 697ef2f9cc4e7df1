/*
 * Guest execution on the Unicorn engine, and the plugin hooks on the hot
 * path.  Plays the part of QEMU's accel/tcg/cpu-exec.c (the execution loop)
 * and accel/tcg/plugin-gen.c (instrumenting translated blocks):
 *
 * - one engine per vCPU, over guest memory that is host memory at the same
 *   address (guest_base 0), mapped with uc_mem_map_ptr;
 * - on our engine (patches 0006 and 0007) the generated code calls the
 *   plugins' block, instruction and memory callbacks and makes their inline
 *   adds itself, at the sites QEMU's plugin-gen uses, and stores this host's
 *   record of the running block where the host reads it after an early
 *   stop; on the stock engine a global block hook looks the record up by
 *   address and one global C hook per kind serves instructions and memory
 *   accesses; syscalls always come through the engine's syscall hook; no
 *   Python runs on any of these paths;
 * - a block seen for the first time is decoded with capstone and handed to
 *   the plugins' tb_trans callbacks (QEMU's qemu_plugin_tb_trans_cb); the
 *   callbacks they register there are kept in the block's record;
 * - the engine's blocks may run on across a page boundary where QEMU 7.2
 *   ends its blocks, so an engine block is cut into the blocks QEMU would
 *   have made; the later ones start at an instruction hook (the global one,
 *   or one hook on that address alone);
 * - Unicorn decides at translation whether a block calls the hooks, and
 *   our engine which sites a block fills, so when a plugin first asks for
 *   something the blocks' code lacks, the code cache is flushed: with a
 *   new hook on the stock engine, the running block is abandoned before its
 *   first instruction and restarts with the hook in place; when a block
 *   first folds its inline adds on ours, every block from then on stores
 *   cur_tb, and the vCPU stops before its next block to drop the
 *   translations made without that store;
 * - memory callbacks run after the access, as QEMU's do: with hooks, the
 *   engine reports a store before it is made, so its callbacks wait until
 *   the store is known to have succeeded (the next hook of any kind), and a
 *   store that faults is never reported; sites sit after the access.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "target.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE ((uint64_t)1 << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(uint64_t)0 << TARGET_PAGE_BITS)

/* meminfo bits, as QEMU 5.2's trace/mem-internal.h lays them out */
#define TRACE_MEM_SE (1u << 4)
#define TRACE_MEM_BE (1u << 5)
#define TRACE_MEM_ST (1u << 6)
/* pyqemu's own bit: an atomic read-modify-write, read and written at once
   (QEMU 7.2's QEMU_PLUGIN_MEM_RW); the API's accessors do not look at it */
#define TRACE_MEM_RMW (1u << 7)

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
    uc_hook h_noncanonical;
    bool instrumented;              /* the engine calls the plugins from its code (0006+0007) */
    uc_hook h_syscall, h_invalid, h_intr;
    bool want_code_hook, want_mem_hooks;

    /* one instruction hook per address where an engine block is cut */
    uc_hook *split_hooks;
    uint64_t *split_addrs;
    size_t n_split, split_cap;

    /* an engine block's instructions, decoded before they become blocks */
    struct qemu_plugin_insn *decoded;
    size_t decoded_cap;

    /* the block and instruction whose sites the engine is filling in (tb_site) */
    struct qemu_plugin_tb *site_head, *site_piece;
    size_t site_next;
    const struct qemu_plugin_insn *site_insn;
    bool sites_track_tb;            /* every block stores cur_tb (site_fill_block) */
    bool engine_flush;              /* drop the engine's translations at the next stop */

    /* the block and instruction being executed: hooks set them; on our engine the
       generated code stores cur_tb at each block start (site_fill_block) */
    struct qemu_plugin_tb *cur_tb;
    size_t cur_insn;
    struct qemu_plugin_insn *mem_insn;
    struct plugin_pending_store store;

    /* why emulation stopped */
    volatile int kicked;
    volatile sig_atomic_t async_stops;      /* uc_emu_stop_async calls made for it */
    uint64_t unexplained_pc;    /* pc of the last stop nothing explained, else UINT64_MAX */
    bool restart;
    uint64_t uncache_start, uncache_end;    /* engine code to drop before a restart */
    int exit_reason;
    cpu_exit_info stop;
};

__thread CPUState *current_cpu __attribute__((tls_model("initial-exec")));
static CPUState *cpu_list;
static volatile int flush_pending;

/* Host signals caught for the guest, delivered by Python between blocks. */
#define HOST_NSIG 65
static volatile sig_atomic_t signal_pending[HOST_NSIG];
/* The host's siginfo of each pending signal: the guest's layout (QEMU passes it on). */
static siginfo_t signal_info[HOST_NSIG];
static volatile sig_atomic_t signal_any;

/*
 * How a kick, a signal or a flush request stops a running vCPU.  On an engine
 * with uc_emu_stop_async (pyqemu's patch 0005, on top of 0003's inline exit
 * check), it is stopped directly at its next block, and needs no block hook
 * unless plugins translate blocks.  On the stock engine an asynchronous
 * uc_emu_stop can run a store twice, so a permanent block hook checks for
 * requests instead (tb_may_start).
 */
typedef uc_err (*uc_emu_stop_async_fn)(uc_engine *uc);
static uc_emu_stop_async_fn engine_stop_async;
static CPUState *volatile cpu_running;  /* the vCPU inside uc_emu_start, if any */

bool cpu_exec_running(void)
{
    return cpu_running != NULL;
}

/*
 * On our engine, plugin callbacks are called from the generated code, as
 * QEMU's plugin-gen does: patch 0006's uc_tb_instrument hands the engine
 * this host's record of each block it translates (tb_translated), and patch
 * 0007's uc_tb_instrument_sites asks, for each site of the block (its start,
 * each instruction's start, after each memory access), which function the
 * code calls there and which counter it bumps (tb_site).  Nothing of the
 * host runs between a block's execution and its callbacks.  On the stock
 * engine, hooks do the same work (hook_block, hook_code, hook_mem).
 */
typedef void *(*tb_translated_fn)(void *opaque, uint64_t pc, uint32_t size);
typedef void (*tb_exec_fn)(void *opaque, void *data);
typedef uc_err (*uc_tb_instrument_fn)(uc_engine *uc, tb_translated_fn translated,
                                      tb_exec_fn exec, void *opaque);
static uc_tb_instrument_fn engine_tb_instrument;

/* patch 0007's declarations (unicorn.h of our engine) */
enum { UC_TB_SITE_BLOCK, UC_TB_SITE_INSN, UC_TB_SITE_LOAD, UC_TB_SITE_STORE, UC_TB_SITE_RMW };
#define UC_TB_SITE_CALLS_HELPERS 1u
typedef struct uc_tb_site_fill {
    void *fn;
    void *udata;
    uint32_t info;
    uint64_t *counter;
    uint64_t imm;
    void *helper_data;
    void **block_slot;
    void *block_value;
} uc_tb_site_fill;
typedef void (*tb_site_fn)(void *opaque, void *data, int kind, uint64_t pc, uint32_t flags,
                           uc_tb_site_fill *fill);
typedef void (*tb_helper_mem_fn)(void *opaque, void *helper_data, uint64_t vaddr, uint32_t info);
typedef uc_err (*uc_tb_instrument_sites_fn)(uc_engine *uc, tb_site_fn site,
                                            tb_helper_mem_fn helper_mem, uint32_t vcpu_index);
static uc_tb_instrument_sites_fn engine_tb_sites;

/*
 * patch 0008's uc_tb_sites_parallel: from a process's first thread on, QEMU
 * translates with CF_PARALLEL and reports an atomic read-modify-write as one
 * access, read and written; the engine's sites do the same once told.
 */
typedef uc_err (*uc_tb_sites_parallel_fn)(uc_engine *uc, bool parallel);
static uc_tb_sites_parallel_fn engine_tb_parallel;
static bool parallel_cpus;

/*
 * A stop from outside the engine's hooks is safe at the next block start
 * unless hooks watch the guest.  One landing while a memory hook runs would
 * stop right after that access and run its instruction again; one landing
 * while the block hook runs (before the engine's exit check) would stop the
 * block after its callbacks ran, and they would run again.  So with hooks,
 * requests wait for the next block's own check (tb_may_start).  Callbacks
 * called from the generated code (tb_site) come after the exit check: a
 * stop landing in one takes effect at the next block, as in QEMU.
 */
static void cpu_stop_async(CPUState *cpu)
{
    if (cpu && engine_stop_async && !cpu->h_block && !cpu->h_mem_read) {
        cpu->async_stops++;
        engine_stop_async(cpu->uc);
    }
}

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
static void qemu_plugin_vcpu_mem_cb(unsigned int vcpu_index, const struct qemu_plugin_insn *insn,
                                    uint64_t vaddr, qemu_plugin_meminfo_t info)
{
    unsigned int rw = (info & TRACE_MEM_RMW) ? QEMU_PLUGIN_MEM_RW :
                      (info & TRACE_MEM_ST) ? QEMU_PLUGIN_MEM_W : QEMU_PLUGIN_MEM_R;

    for (size_t i = 0; i < insn->mem_cbs.n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &insn->mem_cbs.data[i];

        if (!(cb->rw & rw)) {
            continue;
        }
        switch (cb->type) {
        case PLUGIN_CB_MEM_REGULAR:
            PLUGIN_CALL(cb->ctx, "mem", cb->f.mem(vcpu_index, info, vaddr, cb->userp));
            break;
        case PLUGIN_CB_MEM_HADDR:
            PLUGIN_CALL(cb->ctx, "mem_haddr",
                        cb->f.mem_haddr(vcpu_index, info, vaddr, (void *)(uintptr_t)vaddr,
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
        qemu_plugin_vcpu_mem_cb(cpu->cpu_index, insn, cpu->store.vaddr, cpu->store.info);
    }
}

/* ---- translated-block records ---- */

/*
 * The records of translated blocks, one table for the process as QEMU's
 * tb_ctx: a block is translated, and the plugins' tb_trans callbacks run,
 * once, whichever vCPU runs it first; each vCPU's engine still generates its
 * own code from the record.  vCPUs take turns at guest code (accel/cpus.py),
 * so only the running one, or Python in an exclusive section, uses it.
 */
static struct {
    struct qemu_plugin_tb **hash;   /* keyed by (vaddr, size) */
    size_t mask, count;
    struct qemu_plugin_tb *retired; /* records removed while engines' code may name them */
} tb_ctx;

static size_t tb_hash_index(uint64_t vaddr, uint32_t size)
{
    uint64_t h = (vaddr ^ ((uint64_t)size << 40)) * UINT64_C(0x9e3779b97f4a7c15);

    return (size_t)(h >> 32) & tb_ctx.mask;
}

static struct qemu_plugin_tb *tb_lookup(uint64_t vaddr, uint32_t size)
{
    struct qemu_plugin_tb *tb = tb_ctx.hash[tb_hash_index(vaddr, size)];

    while (tb && (tb->vaddr != vaddr || tb->size != size)) {
        tb = tb->hash_next;
    }
    return tb;
}

static void tb_hash_insert(struct qemu_plugin_tb *tb)
{
    size_t idx;

    if (tb_ctx.count >= tb_ctx.mask) {
        size_t old_size = tb_ctx.mask + 1;
        struct qemu_plugin_tb **old = tb_ctx.hash;

        tb_ctx.mask = old_size * 2 - 1;
        tb_ctx.hash = calloc(old_size * 2, sizeof(*tb_ctx.hash));
        if (!tb_ctx.hash) {
            abort();
        }
        for (size_t i = 0; i < old_size; i++) {
            for (struct qemu_plugin_tb *t = old[i], *next; t; t = next) {
                next = t->hash_next;
                idx = tb_hash_index(t->vaddr, t->size);
                t->hash_next = tb_ctx.hash[idx];
                tb_ctx.hash[idx] = t;
            }
        }
        free(old);
    }
    idx = tb_hash_index(tb->vaddr, tb->size);
    tb->hash_next = tb_ctx.hash[idx];
    tb_ctx.hash[idx] = tb;
    tb_ctx.count++;
}

static void tb_free(struct qemu_plugin_tb *tb)
{
    for (size_t i = 0; i < tb->n; i++) {
        dyn_cb_array_free(&tb->insns[i].exec_cbs);
        dyn_cb_array_free(&tb->insns[i].mem_cbs);
    }
    dyn_cb_array_free(&tb->exec_cbs);
    dyn_cb_array_free(&tb->entry_cbs);
    free(tb->folded);
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
    for (size_t i = 0; i <= tb_ctx.mask; i++) {
        struct qemu_plugin_tb **link = &tb_ctx.hash[i];

        while (*link) {
            struct qemu_plugin_tb *tb = *link;

            if (tb->vaddr < end && tb->vaddr + tb->size > start) {
                *link = tb->hash_next;
                tb_ctx.count--;
                /* an engine's translation may still carry it (uc_tb_instrument) */
                tb->hash_next = tb_ctx.retired;
                tb_ctx.retired = tb;
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
    struct qemu_plugin_tb *tb = tb_lookup(cur->pc, cur->size);

    (void)uc;
    (void)prev;
    if (tb && tb_code_changed(tb)) {
        tb_records_remove_range(cpu, cur->pc, cur->pc + cur->size);
    }
}

/* Free every record; no engine may hold code made from them any more. */
static void tb_records_clear(void)
{
    for (CPUState *c = cpu_list; c; c = c->next) {
        tb_records_release(c);
    }
    for (size_t i = 0; i <= tb_ctx.mask && tb_ctx.hash; i++) {
        for (struct qemu_plugin_tb *tb = tb_ctx.hash[i], *next; tb; tb = next) {
            next = tb->hash_next;
            tb_free(tb);
        }
        tb_ctx.hash[i] = NULL;
    }
    tb_ctx.count = 0;
    for (struct qemu_plugin_tb *tb = tb_ctx.retired, *next; tb; tb = next) {
        next = tb->hash_next;
        tb_free(tb);
    }
    tb_ctx.retired = NULL;
}

/* QEMU's tb_flush: drop all generated code; plugins see blocks translated anew. */
void tb_flush(CPUState *cpu)
{
    for (CPUState *c = cpu_list; c; c = c->next) {
        uc_ctl_flush_tb(c->uc);
    }
    tb_records_clear();
    (void)cpu;
    qemu_plugin_flush_cb();
}

void plugin_request_flush(void)
{
    flush_pending = 1;
    cpu_stop_async(current_cpu);
}

/*
 * The process's first thread is being created: as QEMU's do_fork sets
 * CF_PARALLEL, translate for parallel execution from now on (atomics are
 * reported as QEMU's parallel code reports them) and flush what was made.
 */
void cpu_enable_parallel(void)
{
    if (parallel_cpus) {
        return;
    }
    parallel_cpus = true;
    for (CPUState *c = cpu_list; c && engine_tb_parallel; c = c->next) {
        engine_tb_parallel(c->uc, true);
    }
    plugin_request_flush();
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
            target->note_memop(insn, cpu->cs_insn);
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

/*
 * Sum the instructions' inline adds per counter, so that a block run to its
 * end costs one add per counter (the insn plugin: one add of n_insns).
 * Only inline entries count: a block with regular instruction callbacks
 * runs them from the instruction hook, which does its inline adds too.
 */
static void tb_fold_insn_inline(struct qemu_plugin_tb *tb)
{
    for (size_t i = 0; i < tb->n; i++) {
        const struct dyn_cb_array *cbs = &tb->insns[i].exec_cbs;

        for (size_t j = 0; j < cbs->n; j++) {
            const struct qemu_plugin_dyn_cb *cb = &cbs->data[j];
            size_t k = 0;

            if (cb->type != PLUGIN_CB_INLINE) {
                continue;
            }
            while (k < tb->n_folded && tb->folded[k].ptr != (uint64_t *)cb->userp) {
                k++;
            }
            if (k == tb->n_folded) {
                tb->folded = realloc(tb->folded, (k + 1) * sizeof(*tb->folded));
                if (!tb->folded) {
                    abort();
                }
                tb->folded[k].ptr = cb->userp;
                tb->folded[k].imm = 0;
                tb->n_folded++;
            }
            tb->folded[k].imm += cb->f.imm;
        }
    }
}

/*
 * Let the plugins instrument the block at @vaddr of @n decoded instructions.
 * With @partial, the last of them is the start of an instruction QEMU began
 * to decode and dropped (target_ops.partial_insn_bytes): plugins see it when
 * the block is translated, it never runs, and it is gone afterwards.
 */
static struct qemu_plugin_tb *plugin_gen_one_tb(CPUState *cpu, uint64_t vaddr, uint32_t size,
                                                const struct qemu_plugin_insn *insns, size_t n,
                                                bool partial)
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
    if (partial) {
        tb->n--;
        dyn_cb_array_free(&tb->insns[tb->n].exec_cbs);
        dyn_cb_array_free(&tb->insns[tb->n].mem_cbs);
    }
    tb_fold_insn_inline(tb);

    tb->folds = tb->n_folded > 0;
    for (size_t i = 0; i < tb->n; i++) {
        const struct dyn_cb_array *mem_cbs = &tb->insns[i].mem_cbs;

        if (mem_cbs->n) {
            tb->mem_hooks = true;
            tb->insn_hooks = true;
        }
        for (size_t j = 0; j < tb->insns[i].exec_cbs.n; j++) {
            if (tb->insns[i].exec_cbs.data[j].type == PLUGIN_CB_REGULAR) {
                tb->insn_hooks = true;
                tb->folds = false;
            }
        }
        for (size_t j = 0; j < mem_cbs->n; j++) {
            if (mem_cbs->data[j].type != PLUGIN_CB_MEM_INLINE) {
                tb->folds = false;
            }
        }
    }
    tb_hash_insert(tb);
    return tb;
}

/*
 * Does QEMU's translator end a block that started at @start before @insn (not
 * its first) because of the page: when the instruction's last byte is on
 * another page, or, on targets with a page_lookahead, when it starts that
 * close to the page's end and reaches it.
 */
static bool tb_page_ends_before(uint64_t start, const struct qemu_plugin_insn *insn)
{
    uint64_t last = insn->vaddr + insn->size - 1;
    uint64_t offset = insn->vaddr & ~TARGET_PAGE_MASK;

    if (target->page_lookahead && offset > TARGET_PAGE_SIZE - target->page_lookahead) {
        last++;
    }
    return (last & TARGET_PAGE_MASK) != (start & TARGET_PAGE_MASK);
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
        return plugin_gen_one_tb(cpu, pc, size, NULL, 0, false);   /* an empty engine block */
    }
    while (first < n) {
        uint64_t start = cpu->decoded[first].vaddr;
        uint32_t left = (uint32_t)(pc + size - start);
        struct qemu_plugin_tb *tb = first ? tb_lookup(start, left) : NULL;
        size_t end = first + 1;

        if (tb) {
            *link = tb;
            break;
        }
        bool partial = false;

        while (end < n && !tb_page_ends_before(start, &cpu->decoded[end])) {
            end++;
        }
        if (end < n && target->partial_insn_bytes) {
            /* decoded[end] follows as the block's dropped instruction; room is kept */
            struct qemu_plugin_insn *cut = &cpu->decoded[end];
            uint64_t page_end = (start & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
            size_t bytes = target->partial_insn_bytes(cut, page_end);

            if (bytes) {
                struct qemu_plugin_insn *copy = calloc(end - first + 1, sizeof(*copy));

                if (!copy) {
                    abort();
                }
                memcpy(copy, cpu->decoded + first, (end - first) * sizeof(*copy));
                copy[end - first].vaddr = cut->vaddr;
                copy[end - first].haddr = cut->haddr;
                copy[end - first].size = bytes;
                memcpy(copy[end - first].data, cut->data, bytes);
                tb = plugin_gen_one_tb(cpu, start, left, copy, end - first + 1, true);
                free(copy);
                partial = true;
            }
        }
        if (!partial) {
            tb = plugin_gen_one_tb(cpu, start, left, cpu->decoded + first, end - first, false);
        }
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
static bool tb_chain_ready(CPUState *cpu, const struct qemu_plugin_tb *head)
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
                cpu->uncache_start = head->vaddr;
                cpu->uncache_end = head->vaddr + head->size;
                ready = false;
            }
        }
    }
    return ready;
}

static inline void run_exec_cbs(unsigned int vcpu_index, const struct dyn_cb_array *cbs)
{
    for (size_t i = 0; i < cbs->n; i++) {
        const struct qemu_plugin_dyn_cb *cb = &cbs->data[i];

        if (cb->type == PLUGIN_CB_INLINE) {
            *(uint64_t *)cb->userp += cb->f.imm;
        } else {
            PLUGIN_CALL(cb->ctx, "exec", cb->f.regular(vcpu_index, cb->userp));
        }
    }
}

/* Per-instruction inline adds of a block without code hooks, done at block entry. */
static inline void run_folded_insn_inline(const struct qemu_plugin_tb *tb, size_t from)
{
    if (from == 0) {
        for (size_t k = 0; k < tb->n_folded; k++) {
            *tb->folded[k].ptr += tb->folded[k].imm;
        }
        return;
    }
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
    run_exec_cbs(cpu->cpu_index, &tb->exec_cbs);
    if (!cpu->h_code) {
        run_folded_insn_inline(tb, 0);
    }
}

/* Can the vCPU fetch here (x86-64: a canonical address; see target-<arch>.c)? */
static inline bool pc_is_canonical(uint64_t pc)
{
    return target->pc_valid(pc);
}

/*
 * Run the block's callbacks, once the engine calls every hook they need
 * (checked the first time the block runs; until then it is abandoned and
 * translated again with the hooks in place).
 */
static void tb_enter(CPUState *cpu, uc_engine *uc, struct qemu_plugin_tb *tb)
{
    if (!tb->ready) {
        if (!tb_chain_ready(cpu, tb)) {
            abandon_block(cpu, uc);
            return;
        }
        tb->ready = true;
    }
    tb_start(cpu, tb);
}

/* A block at a non-canonical address: the engine would run the low 48 bits;
 * the CPU faults (QEMU: SIGSEGV). */
static void tb_fault_noncanonical(CPUState *cpu, uc_engine *uc, uint64_t pc)
{
    cpu->exit_reason = EXCP_SEGV;
    cpu->stop.fault_addr = pc;
    cpu->stop.fault_write = 2;
    uc_emu_stop(uc);
}

/* The block hook of the non-canonical range only: normal code never calls it. */
static void hook_noncanonical(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    (void)size;
    plugin_store_done(opaque);
    tb_fault_noncanonical(opaque, uc, pc);
}

static void hook_block(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;

    plugin_store_done(cpu);
    if (!pc_is_canonical(pc)) {
        tb_fault_noncanonical(cpu, uc, pc);
        return;
    }
    if (!tb_may_start(cpu, uc)) {
        return;
    }
    if (!(plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_TB_TRANS))) {
        return;
    }
    tb = tb_lookup(pc, size);
    tb_enter(cpu, uc, tb ? tb : plugin_gen_tb(cpu, pc, size));
}

/* uc_tb_instrument: the engine translated [pc, pc + size); give it the block's record. */
static void *tb_translated(void *opaque, uint64_t pc, uint32_t size)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *tb;

    if (!pc_is_canonical(pc)) {
        return NULL;    /* hook_noncanonical faults it */
    }
    tb = tb_lookup(pc, size);
    if (tb && tb_code_changed(tb)) {
        tb_records_remove_range(cpu, pc, pc + size);
        tb = NULL;
    }
    return tb ? tb : plugin_gen_tb(cpu, pc, size);
}


/* ---- callbacks in the generated code (our engine, patch 0007) ---- */

/* A site with more than one call, or with its add before its call: run in order. */
static void site_run_exec_cbs(unsigned int vcpu_index, void *udata)
{
    run_exec_cbs(vcpu_index, udata);
}

static void site_run_mem_cbs(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                             uint64_t vaddr, void *udata)
{
    qemu_plugin_vcpu_mem_cb(vcpu_index, udata, vaddr, info);
}

/* A block's callbacks, then its instructions' inline adds, summed per counter. */
static void site_run_block(unsigned int vcpu_index, void *udata)
{
    const struct qemu_plugin_tb *tb = udata;

    run_exec_cbs(vcpu_index, &tb->exec_cbs);
    run_folded_insn_inline(tb, 0);
}

/*
 * Exec callbacks at a site: the code calls a lone regular callback itself
 * and does a lone inline add after it, as QEMU's plugin-gen emits them
 * (regular, then inline); anything else runs in registration order from
 * site_run_exec_cbs.
 */
static void site_fill_exec(uc_tb_site_fill *fill, const struct dyn_cb_array *cbs)
{
    const struct qemu_plugin_dyn_cb *first = cbs->data, *second = cbs->data + 1;

    if (cbs->n == 0) {
        return;
    }
    if (cbs->n == 1 && first->type == PLUGIN_CB_INLINE) {
        fill->counter = first->userp;
        fill->imm = first->f.imm;
        return;
    }
    if (first->type == PLUGIN_CB_REGULAR &&
        (cbs->n == 1 || (cbs->n == 2 && second->type == PLUGIN_CB_INLINE))) {
        fill->fn = (void *)first->f.regular;
        fill->udata = first->userp;
        if (cbs->n == 2) {
            fill->counter = second->userp;
            fill->imm = second->f.imm;
        }
        return;
    }
    fill->fn = (void *)site_run_exec_cbs;
    fill->udata = (void *)cbs;
}

/*
 * A block's start: its callbacks, and when it folds (tb->folds), all its
 * instructions' inline adds, summed per counter, instead of one add before
 * each instruction (an add per instruction on one counter is a chain of
 * dependent loads and stores).  The code also records the block it enters
 * in cpu->cur_tb, so that cpu_exec takes back the adds of the instructions
 * a fault kept from running (unfold_insn_inline), as with hooks.  Until a
 * block folds, no block needs to (drcov, bb: no store at all); from the
 * first one on, every block does, so that cur_tb never names a block left
 * earlier, and the translations made before are dropped at once (the vCPU
 * stops before its next block; the records stay, so plugins see no new
 * translation).
 */
static void site_fill_block(uc_tb_site_fill *fill, CPUState *cpu, struct qemu_plugin_tb *tb)
{
    const struct dyn_cb_array *cbs = &tb->exec_cbs;

    if (tb->folds && !cpu->sites_track_tb) {
        cpu->sites_track_tb = true;
        cpu->engine_flush = true;
        cpu->async_stops++;
        engine_stop_async(cpu->uc);
    }
    if (cpu->sites_track_tb) {
        fill->block_slot = (void **)&cpu->cur_tb;
        fill->block_value = tb;
    }
    if (!tb->folds) {
        site_fill_exec(fill, cbs);
        return;
    }
    if (tb->n_folded == 1 &&
        (cbs->n == 0 || (cbs->n == 1 && cbs->data[0].type == PLUGIN_CB_REGULAR))) {
        if (cbs->n) {
            fill->fn = (void *)cbs->data[0].f.regular;
            fill->udata = cbs->data[0].userp;
        }
        fill->counter = tb->folded[0].ptr;
        fill->imm = tb->folded[0].imm;
        return;
    }
    fill->fn = (void *)site_run_block;
    fill->udata = tb;
}

/* Memory callbacks of @insn for one access (loads or stores, by @rw). */
static void site_fill_mem(uc_tb_site_fill *fill, const struct qemu_plugin_insn *insn,
                          enum qemu_plugin_mem_rw rw)
{
    const struct qemu_plugin_dyn_cb *call = NULL, *add = NULL;
    bool direct = true;

    for (size_t i = 0; i < insn->mem_cbs.n && direct; i++) {
        const struct qemu_plugin_dyn_cb *cb = &insn->mem_cbs.data[i];

        if (!(cb->rw & rw)) {
            continue;
        }
        if (cb->type == PLUGIN_CB_MEM_REGULAR && !call && !add) {
            call = cb;
        } else if (cb->type == PLUGIN_CB_MEM_INLINE && !add) {
            add = cb;
        } else {
            direct = false;
        }
    }
    if (!direct) {
        fill->fn = (void *)site_run_mem_cbs;
        fill->udata = (void *)insn;
        return;
    }
    if (call) {
        fill->fn = (void *)call->f.mem;
        fill->udata = call->userp;
    }
    if (add) {
        fill->counter = add->userp;
        fill->imm = add->f.imm;
    }
}

/* The instruction at @pc, the next one of the block being filled in as a rule. */
static const struct qemu_plugin_insn *site_next_insn(CPUState *cpu, uint64_t pc,
                                                     struct qemu_plugin_tb **starts)
{
    struct qemu_plugin_tb *piece = cpu->site_piece;
    size_t i = cpu->site_next;

    *starts = NULL;
    if (!piece) {
        return NULL;
    }
    if (i == piece->n && piece->split_next) {
        piece = piece->split_next;
        i = 0;
    }
    if (i >= piece->n || piece->insns[i].vaddr != pc) {
        /* the engine and capstone disagree on instruction bounds: search */
        for (piece = cpu->site_head; piece; piece = piece->split_next) {
            for (i = 0; i < piece->n && piece->insns[i].vaddr != pc; i++) {
            }
            if (i < piece->n) {
                break;
            }
        }
        if (!piece) {
            return NULL;
        }
    }
    if (i == 0 && piece != cpu->site_head) {
        *starts = piece;    /* a block cut from the engine's block starts here */
    }
    cpu->site_piece = piece;
    cpu->site_next = i + 1;
    return &piece->insns[i];
}

/* The entry of a cut block: its block callbacks, then its first instruction's. */
static const struct dyn_cb_array *tb_entry_cbs(struct qemu_plugin_tb *tb)
{
    if (!tb->entry_cbs.n) {
        for (size_t i = 0; i < tb->exec_cbs.n; i++) {
            dyn_cb_array_push(&tb->entry_cbs, &tb->exec_cbs.data[i]);
        }
        for (size_t i = 0; i < tb->insns[0].exec_cbs.n; i++) {
            dyn_cb_array_push(&tb->entry_cbs, &tb->insns[0].exec_cbs.data[i]);
        }
    }
    return &tb->entry_cbs;
}

/* uc_tb_instrument_sites: what the generated code does at one site of a block. */
static void tb_site(void *opaque, void *data, int kind, uint64_t pc, uint32_t flags,
                    uc_tb_site_fill *fill)
{
    CPUState *cpu = opaque;
    struct qemu_plugin_tb *starts;
    const struct qemu_plugin_insn *insn;

    switch (kind) {
    case UC_TB_SITE_BLOCK:
        cpu->site_head = cpu->site_piece = data;
        cpu->site_next = 0;
        cpu->site_insn = NULL;
        if (data) {
            site_fill_block(fill, cpu, cpu->site_head);
        }
        break;
    case UC_TB_SITE_INSN:
        insn = cpu->site_insn = site_next_insn(cpu, pc, &starts);
        if (!insn) {
            break;
        }
        if (starts) {
            site_fill_exec(fill, tb_entry_cbs(starts));
        } else if (!(cpu->site_piece == cpu->site_head && cpu->site_head->folds)) {
            site_fill_exec(fill, &insn->exec_cbs);
        }
        if ((flags & UC_TB_SITE_CALLS_HELPERS) && insn->mem_cbs.n) {
            fill->helper_data = (void *)insn;
        }
        break;
    default:
        insn = cpu->site_insn;
        if (insn && insn->mem_cbs.n) {
            if (kind == UC_TB_SITE_RMW) {
                fill->info |= TRACE_MEM_RMW;
            }
            site_fill_mem(fill, insn,
                          kind == UC_TB_SITE_RMW ? QEMU_PLUGIN_MEM_RW :
                          kind == UC_TB_SITE_STORE ? QEMU_PLUGIN_MEM_W : QEMU_PLUGIN_MEM_R);
        }
        break;
    }
}

/* A guest access made by an engine helper for an instruction with memory callbacks. */
static void tb_helper_mem(void *opaque, void *helper_data, uint64_t vaddr, uint32_t info)
{
    const CPUState *cpu = opaque;

    qemu_plugin_vcpu_mem_cb(cpu->cpu_index, helper_data, vaddr, info);
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
    run_exec_cbs(cpu->cpu_index, &tb->insns[i].exec_cbs);
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
    qemu_plugin_vcpu_mem_cb(cpu->cpu_index, insn, addr, info);
}

/*
 * A guest syscall (the target's instruction hook, or its syscall interrupt):
 * the number and arguments are in the target's registers (target-<arch>.c).
 */
void cpu_hook_syscall(uc_engine *uc, void *opaque)
{
    CPUState *cpu = opaque;
    uint64_t vals[7];
    void *ptrs[7];
    int64_t num, ret = -ENOSYS;
    int action;

    plugin_store_done(cpu);
    for (int i = 0; i < 7; i++) {
        ptrs[i] = &vals[i];
    }
    uc_reg_read_batch(uc, (int *)target->syscall_regs, ptrs, 7);
    num = (int64_t)vals[0];
    if (plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL)) {
        qemu_plugin_vcpu_syscall(cpu, num, vals[1], vals[2], vals[3], vals[4], vals[5],
                                 vals[6], 0, 0);
    }
    action = pyqemu_syscall(cpu, num, &vals[1], &ret);
    switch (action) {
    case SYSCALL_SET_RET:
        uc_reg_write(uc, target->ret_reg, &ret);
        if (plugin.mask & EV_BIT(QEMU_PLUGIN_EV_VCPU_SYSCALL_RET)) {
            qemu_plugin_vcpu_syscall_ret(cpu, num, ret);
        }
        break;
    case SYSCALL_REGS_SET: {
        /* the engine may step over the syscall instruction after this hook */
        uint64_t pc;

        if (target->syscall_pc_advance) {
            uc_reg_read(uc, target->pc_reg, &pc);
            pc -= target->syscall_pc_advance;
            uc_reg_write(uc, target->pc_reg, &pc);
        }
        break;
    }
    default:
        cpu->exit_reason = EXCP_SYSCALL_STOP;
        uc_emu_stop(uc);
        break;
    }
    /*
     * A host signal that came while the syscall ran (in Python, or blocked in
     * the host kernel) found no vCPU to stop, or its stop was spent on the
     * syscall's own way back: leave now, as QEMU's cpu_loop handles pending
     * signals after each syscall.
     */
    /*
     * A host signal or a kick that came while the syscall ran (in Python, or
     * blocked in the host kernel) may have found another vCPU in cpu_running,
     * or none, and stopped nothing: leave now, as QEMU's cpu_loop looks at
     * pending signals and exit requests after each syscall.  Otherwise a guest
     * that spins after the syscall (waiting for that very signal) never stops.
     */
    if (flush_pending || signal_any || cpu->kicked) {
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

    if (target->intr_is_syscall(intno)) {
        cpu_hook_syscall(uc, opaque);
        return;
    }
    plugin_store_done(cpu);
    cpu->exit_reason = EXCP_INTR;
    cpu->stop.intno = (int)intno;
    uc_emu_stop(uc);
}

/* -cpu: the engine's model for every new vCPU (UC_CPU_*), or -1 for the target's. */
static int engine_cpu_model = -1;

void cpu_set_engine_model(int model)
{
    engine_cpu_model = model;
}

CPUState *cpu_create(unsigned int cpu_index)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    uc_err err;

    if (!cpu) {
        return NULL;
    }
    cpu->cpu_index = cpu_index;
    cpu->unexplained_pc = UINT64_MAX;
    if (!engine_stop_async) {
        engine_stop_async = (uc_emu_stop_async_fn)dlsym(RTLD_DEFAULT, "uc_emu_stop_async");
        engine_tb_instrument = (uc_tb_instrument_fn)dlsym(RTLD_DEFAULT, "uc_tb_instrument");
        engine_tb_sites = (uc_tb_instrument_sites_fn)dlsym(RTLD_DEFAULT,
                                                           "uc_tb_instrument_sites");
        engine_tb_parallel = (uc_tb_sites_parallel_fn)dlsym(RTLD_DEFAULT,
                                                            "uc_tb_sites_parallel");
        if (!engine_tb_sites || !engine_stop_async) {
            engine_tb_instrument = NULL;    /* 0006 alone: the hooks do it all */
        }
    }
    err = uc_open(target->uc_arch, target->uc_mode, &cpu->uc);
    if (err != UC_ERR_OK) {
        free(cpu);
        return NULL;
    }
    if (engine_cpu_model >= 0 || target->uc_cpu_model >= 0) {
        uc_ctl_set_cpu_model(cpu->uc, engine_cpu_model >= 0 ? engine_cpu_model
                                                             : target->uc_cpu_model);
    }
    if (target->setup) {
        target->setup(cpu->uc);
    }
    uc_ctl_exits_enable(cpu->uc);
    if (parallel_cpus && engine_tb_parallel) {
        engine_tb_parallel(cpu->uc, true);
    }
    if (cs_open(target->cs_arch, target->cs_mode, &cpu->cs) != CS_ERR_OK) {
        uc_close(cpu->uc);
        free(cpu);
        return NULL;
    }
    cpu->cs_insn = cs_malloc(cpu->cs);
    if (!tb_ctx.hash) {
        tb_ctx.mask = 1023;
        tb_ctx.hash = calloc(tb_ctx.mask + 1, sizeof(*tb_ctx.hash));
    }

    if (target->install_syscall_hook &&
        !target->install_syscall_hook(cpu, cpu->uc, &cpu->h_syscall)) {
        abort();
    }
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
    if (!cpu_list) {
        tb_records_clear();     /* the last vCPU: the records are nobody's any more */
    }
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
    bool instrument = want_block && engine_tb_instrument;
    bool block_hook = (want_block && !instrument) || !engine_stop_async;
    bool changed = false;

    if (instrument != cpu->instrumented) {
        /* both flush the engine's translations themselves */
        if (instrument) {
            engine_tb_sites(cpu->uc, tb_site, tb_helper_mem, cpu->cpu_index);
            engine_tb_instrument(cpu->uc, tb_translated, NULL, cpu);
        } else {
            engine_tb_instrument(cpu->uc, NULL, NULL, NULL);
            engine_tb_sites(cpu->uc, NULL, NULL, 0);
        }
        cpu->instrumented = instrument;
    }
    /*
     * The block hook serves tb_trans subscribers when the engine cannot
     * instrument blocks itself and, on an engine without uc_emu_stop_async,
     * is where a kick, a signal or a flush stops the vCPU (tb_may_start).
     */
    if (block_hook && !cpu->h_block) {
        uc_hook_add(cpu->uc, &cpu->h_block, UC_HOOK_BLOCK, (void *)hook_block, cpu, 1, 0);
        changed = true;
    } else if (!block_hook && cpu->h_block) {
        uc_hook_del(cpu->uc, cpu->h_block);
        cpu->h_block = 0;
        changed = true;
    }
    /*
     * Non-canonical block addresses fault; hook_block checks them itself.
     * Bounded, so the engine calls it for no other block, and alone among
     * block hooks when there, so the engine calls it directly.
     */
    if (!cpu->h_block && !cpu->h_noncanonical) {
        uc_hook_add(cpu->uc, &cpu->h_noncanonical, UC_HOOK_BLOCK, (void *)hook_noncanonical, cpu,
                    target->invalid_pc_first, target->invalid_pc_last);
        changed = true;
    } else if (cpu->h_block && cpu->h_noncanonical) {
        uc_hook_del(cpu->uc, cpu->h_noncanonical);
        cpu->h_noncanonical = 0;
        changed = true;
    }
    want_block = want_block && !instrument;   /* what remains is the block hook's edge check */
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
 * On the stock engine it must not call uc_emu_stop: the engine also checks
 * for a stop request after each guest load and store, and leaves by
 * restarting the current instruction, so a request that lands just after a
 * store would run that instruction twice (a lost or doubled "add [mem]" in
 * the guest).  Stops requested from the block hook happen before any
 * instruction of the block.  Our engine's uc_emu_stop_async stops at the
 * next block start, which is as safe, and is used when there is no block
 * hook (cpu_stop_async).
 */
static void host_signal_handler(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    signal_info[sig] = *info;
    signal_pending[sig] = 1;
    signal_any = 1;
    cpu_stop_async(cpu_running);
}

int cpu_signal_catch(int sig)
{
    struct sigaction sa;

    if (sig <= 0 || sig >= HOST_NSIG) {
        return -EINVAL;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = host_signal_handler;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? 0 : -errno;
}

/*
 * pause(): sleep until a host signal caught for the guest arrives, or return
 * at once if one already has (it is delivered to the guest after the
 * syscall).  Every signal is blocked while signal_any is checked, and
 * sigsuspend unblocks them atomically, so none slips in between.
 */
void cpu_signal_wait(void)
{
    cpu_signal_wait_for(-1);
}

/*
 * The same wait, bounded by timeout_ns nanoseconds (negative: no bound), for
 * rt_sigtimedwait.  Returns 0 when a signal came (or had come), -EAGAIN when
 * the time ran out.
 */
int cpu_signal_wait_for(int64_t timeout_ns)
{
    sigset_t all, old;
    struct timespec ts;
    int ret = 0;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (!signal_any) {
        if (timeout_ns < 0) {
            sigsuspend(&old);
        } else {
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            if (ppoll(NULL, 0, &ts, &old) == 0 && !signal_any) {
                ret = -EAGAIN;
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ret;
}

int cpu_signal_take(uint8_t *info)
{
    sigset_t all, old;
    int found = 0;

    if (!signal_any) {
        return 0;
    }
    /* the handler may write signal_info meanwhile: copy it with signals blocked */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    signal_any = 0;
    for (int sig = 1; sig < HOST_NSIG; sig++) {
        if (!signal_pending[sig]) {
            continue;
        }
        if (found) {
            signal_any = 1;
            break;
        }
        signal_pending[sig] = 0;
        memcpy(info, &signal_info[sig], sizeof(siginfo_t));
        found = sig;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return found;
}

int cpu_exec(CPUState *cpu, cpu_exit_info *info)
{
    uint64_t pc;
    uc_err err;
    sig_atomic_t async_stops;

    current_cpu = cpu;
    for (;;) {
        if (cpu->kicked) {
            cpu->kicked = 0;
            uc_reg_read(cpu->uc, target->pc_reg, &pc);
            memset(info, 0, sizeof(*info));
            info->pc = pc;
            current_cpu = NULL;
            return EXCP_KICK;
        }
        if (signal_any) {
            uc_reg_read(cpu->uc, target->pc_reg, &pc);
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
        uc_reg_read(cpu->uc, target->pc_reg, &pc);
        async_stops = cpu->async_stops;
        cpu_running = cpu;
        err = uc_emu_start(cpu->uc, pc, 0, 0, 0);
        cpu_running = NULL;
        /* a store still announced was made: the engine stopped after it */
        plugin_store_done(cpu);
        if (cpu->uncache_end) {
            uc_ctl_remove_cache(cpu->uc, cpu->uncache_start, cpu->uncache_end);
            cpu->uncache_start = cpu->uncache_end = 0;
        }
        if (cpu->engine_flush) {
            cpu->engine_flush = false;
            uc_ctl_flush_tb(cpu->uc);
        }
        if (cpu->restart || (flush_pending && !cpu->exit_reason && err == UC_ERR_OK)) {
            continue;
        }
        uc_reg_read(cpu->uc, target->pc_reg, &pc);
        if (!cpu->exit_reason && err == UC_ERR_OK &&
            (signal_any || cpu->kicked || cpu->async_stops != async_stops)) {
            continue;   /* reported at the top of the loop, or a stale stop request */
        }
        if (!cpu->exit_reason && err == UC_ERR_OK && cpu->unexplained_pc != pc) {
            /*
             * A stop with no reason: a kick's uc_emu_stop_async that landed
             * between the async_stops snapshot and uc_emu_start (the two steps
             * of cpu_stop_async are not one), or hlt and the like.  Run again
             * once: a stale request does not come back, hlt stops here again.
             */
            cpu->unexplained_pc = pc;
            continue;
        }
        cpu->unexplained_pc = UINT64_MAX;
        if (!cpu->exit_reason) {
            /* stopped with no hook saying why: an engine error, or hlt and the like */
            cpu->exit_reason = err == UC_ERR_INSN_INVALID ? EXCP_ILL : EXCP_ENGINE;
        }
        /* a block cut short: take back the folded adds it never earned */
        if (cpu->exit_reason != EXCP_SYSCALL_STOP && cpu->cur_tb &&
            (cpu->instrumented ? cpu->cur_tb->folds : !cpu->h_code) &&
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
 * cpu_exit); like the signal handler, it stops the engine itself when that is
 * safe (cpu_stop_async) and otherwise leaves it to the next block's check.
 */
void cpu_kick(CPUState *cpu)
{
    cpu->kicked = 1;
    cpu_stop_async(cpu);
}

/* Make cpu_exec return EXCP_SIGNAL at the next block boundary. */
void cpu_signal_kick(void)
{
    signal_any = 1;
    cpu_stop_async(cpu_running ? cpu_running : current_cpu);
}

/*
 * qemu_plugin_insn_disas: as QEMU 7.2 prints for plugins.  The target's own
 * text first (target-<arch>.c: capstone 4, or QEMU's RISC-V format), else
 * capstone 5's "mnemonic operands" (x86 in AT&T syntax; the space stays when
 * there are no operands: "retq ").
 */
char *plugin_disas_insn(const struct qemu_plugin_insn *insn)
{
    static __thread csh cs;
    static __thread bool cs_ready;
    cs_insn *out = NULL;
    char *text = target->disas_qemu ? target->disas_qemu(insn) : NULL;
    size_t n;

    if (text) {
        return text;
    }
    if (!cs_ready) {
        if (cs_open(target->cs_arch, target->cs_mode, &cs) != CS_ERR_OK) {
            return strdup("");
        }
        target->disas_setup(cs);
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
