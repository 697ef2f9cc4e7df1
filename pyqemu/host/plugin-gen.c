// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which plugin callbacks a translated block runs, and where (QEMU's
 * accel/tcg/plugin-gen.c), once the plugins' tb_trans callbacks have
 * registered them (plugin_gen_tb_end):
 *
 * - on our engine (patches 0006 and 0007) the generated code calls the
 *   plugins' block, instruction and memory callbacks and makes their inline
 *   adds itself, at the sites QEMU's plugin-gen uses (tb_site), and stores
 *   this host's record of the running block where the host reads it after
 *   an early stop.  Nothing of the host runs between a block's execution and
 *   its callbacks;
 * - on the stock engine one global C hook per kind (hook_code, hook_mem, and
 *   translator.c's hook_block entering a block with tb_enter) does the same
 *   work; no Python runs on any of these paths;
 * - Unicorn decides at translation whether a block calls the hooks, and our
 *   engine which sites a block fills, so when a plugin first asks for
 *   something the blocks' code lacks, the code cache is flushed: with a new
 *   hook on the stock engine, the running block is abandoned before its
 *   first instruction and restarts with the hook in place; when a block
 *   first folds its inline adds on ours, every block from then on stores
 *   cur_tb, and the vCPU stops before its next block to drop the
 *   translations made without that store;
 * - memory callbacks run after the access, as QEMU's do: with hooks, the
 *   engine reports a store before it is made, so its callbacks wait until
 *   the store is known to have succeeded (the next hook of any kind,
 *   plugin_store_done), and a store that faults is never reported; sites
 *   sit after the access.
 *
 * - a batch's append (plugin-batch.c) is made by the block's generated code
 *   when it is the block's one callback (engine patch 0026), else by a C
 *   call (plugin_batch_tb_exec, or one entry of run_exec_cbs); a plugin
 *   with batches never has its other callbacks called directly by the
 *   generated code, as its buffers go to it first.
 *
 * Layer: called by translator.c and cpu-exec.c; calls cpus-common.c
 * (cpu.h), core.c and plugin-batch.c (plugin.h) and the engine (engine.h).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
 * The plugins' tb_trans callbacks have registered theirs on @tb: fold its
 * instructions' inline adds, and note which hooks it needs and whether its
 * adds may be made at its start (tb->folds).
 */
void plugin_gen_tb_end(struct qemu_plugin_tb *tb)
{
    tb_fold_insn_inline(tb);
    /*
     * The entry of the block when it is cut from an engine block: its block
     * callbacks, then its first instruction's (tb_site).  Made here, under
     * tb_lock, as the record is not changed once other vCPUs can see it.
     */
    if (tb->n) {
        for (size_t i = 0; i < tb->exec_cbs.n; i++) {
            dyn_cb_array_push(&tb->entry_cbs, &tb->exec_cbs.data[i]);
        }
        for (size_t i = 0; i < tb->insns[0].exec_cbs.n; i++) {
            dyn_cb_array_push(&tb->entry_cbs, &tb->insns[0].exec_cbs.data[i]);
        }
    }

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
}

static bool split_hook_add(CPUState *cpu, uint64_t addr);

/*
 * A new chain of blocks is ready to run once the engine calls the hooks
 * its callbacks need; otherwise ask for them and return false (the caller
 * abandons the block, which the engine translates again).
 */
static bool tb_chain_ready(CPUState *cpu, const struct qemu_plugin_tb *head)
{
    bool want_code = false, want_mem = false, ready = !cpu_safe_work_pending();

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
        } else if (cb->type == PLUGIN_CB_BATCH) {
            plugin_batch_append_tb(cb->userp, vcpu_index, cb->f.imm);
        } else {
            if (plugin_ctx_batched(cb->ctx)) {
                plugin_batch_flush_ctx(cb->ctx, vcpu_index);
            }
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
void unfold_insn_inline(const struct qemu_plugin_tb *tb, uint64_t pc)
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

bool tb_contains(const struct qemu_plugin_tb *tb, uint64_t pc)
{
    const struct qemu_plugin_insn *last = tb->n ? &tb->insns[tb->n - 1] : NULL;

    return last && pc >= tb->vaddr && pc < last->vaddr + last->size;
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

/*
 * May @cpu skip tb_chain_ready for @tb?  The record is shared by every
 * vCPU, the hooks are each engine's own: a chain one vCPU made ready
 * (ready_serial) needs checking again on another without the code hook (its
 * split hooks, or the instruction callbacks) or, for memory callbacks, the
 * memory hooks.
 */
static bool tb_ready_here(const CPUState *cpu, const struct qemu_plugin_tb *tb)
{
    uint64_t ready_serial = __atomic_load_n(&tb->ready_serial, __ATOMIC_RELAXED);

    if (!ready_serial) {
        return false;
    }
    if ((cpu->h_code && cpu->h_mem_read) || ready_serial == cpu->serial) {
        return true;
    }
    for (const struct qemu_plugin_tb *t = tb; t; t = t->split_next) {
        if ((!cpu->h_code && (t->insn_hooks || t != tb)) || (t->mem_hooks && !cpu->h_mem_read)) {
            return false;
        }
    }
    return true;
}

/*
 * Run the block's callbacks, once the engine calls every hook they need
 * (checked when the block first runs, and again on each vCPU whose engine
 * may lack one: tb_ready_here; until then it is abandoned and translated
 * again with the hooks in place).
 */
void tb_enter(CPUState *cpu, uc_engine *uc, struct qemu_plugin_tb *tb)
{
    if (!tb_ready_here(cpu, tb)) {
        if (!tb_chain_ready(cpu, tb)) {
            abandon_block(cpu, uc);
            return;
        }
        __atomic_store_n(&tb->ready_serial, cpu->serial, __ATOMIC_RELAXED);
    }
    tb_start(cpu, tb);
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
    if (cbs->n == 1 && first->type == PLUGIN_CB_BATCH) {
        fill->fn = (void *)plugin_batch_tb_exec;
        fill->udata = (void *)first;
        return;
    }
    if (first->type == PLUGIN_CB_REGULAR && !plugin_ctx_batched(first->ctx) &&
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
        __atomic_fetch_add(&cpu->async_stops, 1, __ATOMIC_RELAXED);
        engine.stop_async(cpu->uc);
    }
    if (cpu->sites_track_tb) {
        fill->block_slot = (void **)&cpu->cur_tb;
        fill->block_value = tb;
    }
    if (!tb->folds) {
        if (cbs->n == 1 && cbs->data[0].type == PLUGIN_CB_BATCH) {
            /* the batch's append, made by the generated code (patch 0026) */
            fill->append = plugin_batch_append_state(cbs->data[0].userp, cpu_index_of(cpu));
            fill->append_value = cbs->data[0].f.imm;
            fill->append_full = (void *)plugin_batch_tb_full;
            fill->append_udata = cbs->data[0].userp;
        } else {
            site_fill_exec(fill, cbs);
        }
        return;
    }
    if (tb->n_folded == 1 &&
        (cbs->n == 0 || (cbs->n == 1 && cbs->data[0].type == PLUGIN_CB_REGULAR &&
                         !plugin_ctx_batched(cbs->data[0].ctx)))) {
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
        if ((cb->type == PLUGIN_CB_MEM_BATCH ||
             (cb->type == PLUGIN_CB_MEM_REGULAR && !plugin_ctx_batched(cb->ctx))) &&
            !call && !add) {
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

/* uc_tb_instrument_sites: what the generated code does at one site of a block. */
void tb_site(void *opaque, void *data, int kind, uint64_t pc, uint32_t flags,
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
            site_fill_exec(fill, &starts->entry_cbs);
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
void tb_helper_mem(void *opaque, void *helper_data, uint64_t vaddr, uint32_t info)
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

/*
 * Add an instruction hook on @addr alone; false when it was there already.
 * Without memory or a hook, ask for the global instruction hook instead,
 * which finds every cut itself (true: the block is run again once it is in).
 */
static bool split_hook_add(CPUState *cpu, uint64_t addr)
{
    for (size_t i = 0; i < cpu->n_split; i++) {
        if (cpu->split_addrs[i] == addr) {
            return false;
        }
    }
    if (cpu->n_split == cpu->split_cap) {
        size_t cap = cpu->split_cap ? cpu->split_cap * 2 : 16;
        uc_hook *hooks = realloc(cpu->split_hooks, cap * sizeof(*hooks));
        uint64_t *addrs;

        if (hooks) {
            cpu->split_hooks = hooks;
        }
        addrs = hooks ? realloc(cpu->split_addrs, cap * sizeof(*addrs)) : NULL;
        if (!addrs) {
            cpu->want_code_hook = true;
            return true;
        }
        cpu->split_addrs = addrs;
        cpu->split_cap = cap;
    }
    if (uc_hook_add(cpu->uc, &cpu->split_hooks[cpu->n_split], UC_HOOK_CODE, (void *)hook_split,
                    cpu, addr, addr) != UC_ERR_OK) {
        cpu->want_code_hook = true;
        return true;
    }
    cpu->split_addrs[cpu->n_split++] = addr;
    return true;
}

/* The global instruction hook finds block starts itself: drop the per-address ones. */
void split_hooks_clear(CPUState *cpu)
{
    for (size_t i = 0; i < cpu->n_split; i++) {
        uc_hook_del(cpu->uc, cpu->split_hooks[i]);
    }
    cpu->n_split = 0;
}

void hook_code(uc_engine *uc, uint64_t pc, uint32_t size, void *opaque)
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

void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
              void *opaque)
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
