/*
 * The records of translated blocks (QEMU's accel/tcg/tb-maint.c): the table
 * that finds a block's record by its address (tb_lookup), the invalidation
 * of the records whose bytes were written or unmapped
 * (tb_invalidate_phys_range) and the flush of every block (tb_flush).
 *
 * One table for the process, as QEMU's tb_ctx: a block is translated, and
 * the plugins' tb_trans callbacks run, once, whichever vCPU runs it first;
 * each vCPU's engine still generates its own code from the record.  vCPUs
 * take turns at guest code (accel/cpus.py), so only the running one, or
 * Python in an exclusive section, uses it.
 *
 * Layer: calls cpus-common.c (cpu.h), core.c (plugin.h) and the engine.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct {
    struct qemu_plugin_tb **hash;   /* keyed by (vaddr, size) */
    size_t mask, count;
    struct qemu_plugin_tb *retired; /* records removed while engines' code may name them */
    unsigned int flush_count;       /* tb_flush calls so far */
} tb_ctx;

void tb_maint_init(void)
{
    if (!tb_ctx.hash) {
        tb_ctx.mask = 1023;
        tb_ctx.hash = calloc(tb_ctx.mask + 1, sizeof(*tb_ctx.hash));
    }
}

static size_t tb_hash_index(uint64_t vaddr, uint32_t size)
{
    uint64_t h = (vaddr ^ ((uint64_t)size << 40)) * UINT64_C(0x9e3779b97f4a7c15);

    return (size_t)(h >> 32) & tb_ctx.mask;
}

struct qemu_plugin_tb *tb_lookup(uint64_t vaddr, uint32_t size)
{
    struct qemu_plugin_tb *tb = tb_ctx.hash[tb_hash_index(vaddr, size)];

    while (tb && (tb->vaddr != vaddr || tb->size != size)) {
        tb = tb->hash_next;
    }
    return tb;
}

void tb_hash_insert(struct qemu_plugin_tb *tb)
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
void tb_invalidate_phys_range(CPUState *cpu, uint64_t start, uint64_t end)
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

bool tb_code_changed(const struct qemu_plugin_tb *tb)
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

/* Free every record; no engine may hold code made from them any more. */
void tb_records_clear(void)
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
    tb_ctx.flush_count++;
    (void)cpu;
    qemu_plugin_flush_cb();
}

unsigned int tb_flush_count(void)
{
    return tb_ctx.flush_count;
}

/* The queued flush: none if another flush came since it was asked for. */
static void do_tb_flush(CPUState *cpu, uintptr_t flush_count)
{
    if (tb_ctx.flush_count == (unsigned int)flush_count) {
        tb_flush(cpu);
    }
}

/* A flush asked for while guest code may run: done with the vCPUs stopped. */
void tb_flush_request(CPUState *cpu)
{
    async_safe_run_on_cpu(cpu, do_tb_flush, tb_ctx.flush_count);
}
