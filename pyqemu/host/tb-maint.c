// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The records of translated blocks (QEMU's accel/tcg/tb-maint.c): the table
 * that finds a block's record by its address (tb_lookup), the invalidation
 * of the records whose bytes were written or unmapped
 * (tb_invalidate_phys_range) and the flush of every block (tb_flush).
 *
 * One table for the process, as QEMU's tb_ctx: a block is translated, and
 * the plugins' tb_trans callbacks run, once, whichever vCPU runs it first;
 * each vCPU's engine still generates its own code from the record.
 *
 * vCPUs translate at once, so the table and its lists are changed and
 * searched under tb_lock (QEMU's user mode translates under mmap_lock): a
 * translation (translator.c takes it for the whole of tb_gen_code, the
 * plugins' tb_trans callbacks included), an invalidation, a reclaim, a
 * flush.  Only these cold paths take it: the generated code and the hooks
 * reach a record through the engine's translation, never through the
 * table, and a record, once made, is not changed.  A record leaves the
 * table before it is freed, and is freed only once every engine has dropped
 * the code made from it (tb_reclaim) or with every vCPU out of guest code
 * (tb_flush is safe work).
 *
 * Layer: calls cpus-common.c (cpu.h), core.c (plugin.h) and the engine.
 */
#define _GNU_SOURCE         /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* recursive: a plugin's tb_trans callback may flush the code of a range (Python plugins) */
static pthread_mutex_t tb_lock_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void tb_lock(void)
{
    pthread_mutex_lock(&tb_lock_mutex);
}

void tb_unlock(void)
{
    pthread_mutex_unlock(&tb_lock_mutex);
}

static struct {
    struct qemu_plugin_tb **hash;       /* keyed by (vaddr, size) */
    struct qemu_plugin_tb **page_hash;  /* keyed by the page of vaddr; as many buckets */
    size_t mask, count;
    uint64_t max_pages;             /* most pages past its first page that a record reaches */
    struct qemu_plugin_tb *retired; /* removed as their code changed: an engine's translation
                                       may carry them until the flush (uc_tb_instrument) */
    struct qemu_plugin_tb *dropped; /* removed with their engines' code: freed once no vCPU
                                       can reach them (tb_reclaim) */
    uint64_t drop_gen;              /* records dropped so far; each has its number */
    unsigned int flush_count;       /* tb_flush calls so far */
} tb_ctx;

/* The tables, made with the first vCPU; false without memory. */
bool tb_maint_init(CPUState *cpu)
{
    if (!tb_ctx.hash) {
        tb_ctx.hash = calloc(1024, sizeof(*tb_ctx.hash));
        tb_ctx.page_hash = calloc(1024, sizeof(*tb_ctx.page_hash));
        if (!tb_ctx.hash || !tb_ctx.page_hash) {
            free(tb_ctx.hash);
            free(tb_ctx.page_hash);
            tb_ctx.hash = tb_ctx.page_hash = NULL;
            return false;
        }
        tb_ctx.mask = 1023;
    }
    cpu->drops_seen = tb_ctx.drop_gen;   /* its engine holds no code yet */
    return true;
}

static size_t tb_hash_index(uint64_t vaddr, uint32_t size)
{
    uint64_t h = (vaddr ^ ((uint64_t)size << 40)) * UINT64_C(0x9e3779b97f4a7c15);

    return (size_t)(h >> 32) & tb_ctx.mask;
}

static size_t tb_page_index(uint64_t page)
{
    return (size_t)((page * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & tb_ctx.mask;
}

static uint64_t tb_first_page(const struct qemu_plugin_tb *tb)
{
    return tb->vaddr >> TARGET_PAGE_BITS;
}

struct qemu_plugin_tb *tb_lookup(uint64_t vaddr, uint32_t size)
{
    struct qemu_plugin_tb *tb = tb_ctx.hash[tb_hash_index(vaddr, size)];

    while (tb && (tb->vaddr != vaddr || tb->size != size)) {
        tb = tb->hash_next;
    }
    return tb;
}

static void tb_link(struct qemu_plugin_tb *tb)
{
    size_t idx = tb_hash_index(tb->vaddr, tb->size);
    size_t pidx = tb_page_index(tb_first_page(tb));

    tb->hash_next = tb_ctx.hash[idx];
    tb_ctx.hash[idx] = tb;
    tb->page_next = tb_ctx.page_hash[pidx];
    tb_ctx.page_hash[pidx] = tb;
}

/* Twice the buckets when the tables fill up; without memory they stay as they are. */
static void tb_hash_grow(void)
{
    size_t old_size = tb_ctx.mask + 1;
    struct qemu_plugin_tb **old = tb_ctx.hash, **old_pages = tb_ctx.page_hash;
    struct qemu_plugin_tb **hash = calloc(old_size * 2, sizeof(*hash));
    struct qemu_plugin_tb **pages = calloc(old_size * 2, sizeof(*pages));

    if (!hash || !pages) {
        free(hash);
        free(pages);
        return;     /* longer chains, still correct */
    }
    tb_ctx.hash = hash;
    tb_ctx.page_hash = pages;
    tb_ctx.mask = old_size * 2 - 1;
    for (size_t i = 0; i < old_size; i++) {
        for (struct qemu_plugin_tb *t = old[i], *next; t; t = next) {
            next = t->hash_next;
            tb_link(t);
        }
    }
    free(old);
    free(old_pages);
}

void tb_hash_insert(struct qemu_plugin_tb *tb)
{
    uint64_t pages = ((tb->vaddr + (tb->size ? tb->size - 1 : 0)) >> TARGET_PAGE_BITS) -
                     tb_first_page(tb);

    if (tb_ctx.count >= tb_ctx.mask) {
        tb_hash_grow();
    }
    if (pages > tb_ctx.max_pages) {
        tb_ctx.max_pages = pages;
    }
    tb_link(tb);
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
    /* the block the last translation filled in: kept until the next one begins */
    cpu->site_head = cpu->site_piece = NULL;
    cpu->site_insn = NULL;
}

/* Take @tb out of both tables (it is in them). */
static void tb_unlink(struct qemu_plugin_tb *tb)
{
    struct qemu_plugin_tb **link = &tb_ctx.hash[tb_hash_index(tb->vaddr, tb->size)];

    while (*link != tb) {
        link = &(*link)->hash_next;
    }
    *link = tb->hash_next;
    link = &tb_ctx.page_hash[tb_page_index(tb_first_page(tb))];
    while (*link != tb) {
        link = &(*link)->page_next;
    }
    *link = tb->page_next;
    tb_ctx.count--;
}

/* Move the records of page @page's bucket that meet [start, end) to *@to. */
static void tb_remove_in_bucket(size_t bucket, uint64_t start, uint64_t end,
                                struct qemu_plugin_tb **to, uint64_t gen)
{
    struct qemu_plugin_tb *tb = tb_ctx.page_hash[bucket], *next;

    for (; tb; tb = next) {
        next = tb->page_next;
        if (tb->vaddr < end && tb->vaddr + tb->size > start) {
            tb_unlink(tb);
            tb->drop_gen = gen;
            tb->hash_next = *to;
            *to = tb;
        }
    }
}

/*
 * Forget every block whose bytes (up to its engine block's end) meet
 * [start, end), so the next execution translates them anew.  A block's
 * range holds the range of the block it is cut into, so no split_next is
 * left pointing at a removed record.  The records are found by the page
 * their block starts on: the pages of the range and the max_pages before
 * it, or every bucket when the range has more pages than there are
 * buckets, so an mprotect costs what its range holds, not the table's size.
 */
static void tb_remove_range(CPUState *cpu, uint64_t start, uint64_t end,
                            struct qemu_plugin_tb **to, uint64_t gen)
{
    uint64_t first, last;

    tb_records_release(cpu);
    if (end <= start || !tb_ctx.count) {
        return;
    }
    last = (end - 1) >> TARGET_PAGE_BITS;
    first = start >> TARGET_PAGE_BITS;
    first = first > tb_ctx.max_pages ? first - tb_ctx.max_pages : 0;
    if (last - first >= tb_ctx.mask) {
        for (size_t i = 0; i <= tb_ctx.mask; i++) {
            tb_remove_in_bucket(i, start, end, to, gen);
        }
        return;
    }
    for (uint64_t page = first; page <= last; page++) {
        /* a bucket holds other pages too: the range test sorts them out */
        tb_remove_in_bucket(tb_page_index(page), start, end, to, gen);
    }
}

/*
 * The guest's code in [start, end) is gone or changed behind the engine's
 * back (munmap, mprotect: cpu_flush_code, which drops the range from
 * @cpu's engine; Python does so for every vCPU).  Its records are freed by
 * tb_reclaim once every vCPU's engine has dropped them and no vCPU points
 * into them.
 */
void tb_invalidate_phys_range(CPUState *cpu, uint64_t start, uint64_t end)
{
    uint64_t gen;
    struct qemu_plugin_tb *before;

    tb_lock();
    gen = tb_ctx.drop_gen + 1;
    before = tb_ctx.dropped;
    tb_remove_range(cpu, start, end, &tb_ctx.dropped, gen);
    if (tb_ctx.dropped != before) {
        tb_ctx.drop_gen = gen;
    }
    tb_unlock();
}

/*
 * The engine translated [start, end) again and its bytes changed: forget
 * the records that meet it.  Other translations of the engine (of blocks
 * whose own bytes did not change) may still carry them, so they are kept
 * until the next flush.
 */
void tb_invalidate_code_changed(CPUState *cpu, uint64_t start, uint64_t end)
{
    tb_remove_range(cpu, start, end, &tb_ctx.retired, 0);
}

static bool tb_holds_insn(const struct qemu_plugin_tb *tb, const struct qemu_plugin_insn *insn)
{
    return insn && insn >= tb->insns && insn <= tb->insns + tb->n;
}

static bool tb_in_chain(const struct qemu_plugin_tb *tb, const struct qemu_plugin_tb *chain)
{
    for (; chain; chain = chain->split_next) {
        if (chain == tb) {
            return true;
        }
    }
    return false;
}

/* Does any vCPU still point into @tb (a block it is in, or is being filled in)? */
static bool tb_in_use(const struct qemu_plugin_tb *tb)
{
    for (const CPUState *c = cpu_list; c; c = c->next) {
        if (tb_in_chain(tb, c->cur_tb) || tb_in_chain(tb, c->site_head) ||
            tb_holds_insn(tb, c->mem_insn) || tb_holds_insn(tb, c->store.insn) ||
            tb_holds_insn(tb, c->site_insn)) {
            return true;
        }
    }
    return false;
}

/*
 * Free the dropped records no vCPU can reach any more.  @cpu is out of guest
 * code, or in a syscall, which ends its block: first its engine drops the
 * code of every record dropped since it last came here (nothing, as a rule:
 * cpu_flush_code has dropped the same range on each vCPU), then a record is
 * freed once every vCPU has come here since it was dropped and none points
 * into it (QEMU frees its TBs after an RCU grace period).
 */
void tb_reclaim(CPUState *cpu, uint64_t done_start, uint64_t done_end)
{
    uint64_t oldest = UINT64_MAX;

    if (!__atomic_load_n(&tb_ctx.dropped, __ATOMIC_RELAXED)) {
        return;     /* as a rule: no lock taken on the way into guest code */
    }
    tb_lock();
    for (struct qemu_plugin_tb *tb = tb_ctx.dropped; tb; tb = tb->hash_next) {
        /* [done_start, done_end): what the caller has just dropped from cpu's engine */
        if (tb->drop_gen > cpu->drops_seen &&
            (tb->vaddr < done_start || tb->vaddr + tb->size > done_end)) {
            uc_ctl_remove_cache(cpu->uc, tb->vaddr, tb->vaddr + tb->size);
        }
    }
    cpu->drops_seen = tb_ctx.drop_gen;
    for (const CPUState *c = cpu_list; c; c = c->next) {
        if (c->drops_seen < oldest) {
            oldest = c->drops_seen;
        }
    }
    for (struct qemu_plugin_tb **link = &tb_ctx.dropped; *link;) {
        struct qemu_plugin_tb *tb = *link;

        if (tb->drop_gen <= oldest && !tb_in_use(tb)) {
            *link = tb->hash_next;
            tb_free(tb);
        } else {
            link = &tb->hash_next;
        }
    }
    tb_unlock();
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

/* Free every record; no engine may hold code made from them any more.  Under tb_lock. */
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
    for (size_t i = 0; i <= tb_ctx.mask && tb_ctx.page_hash; i++) {
        tb_ctx.page_hash[i] = NULL;
    }
    tb_ctx.count = 0;
    tb_ctx.max_pages = 0;
    for (struct qemu_plugin_tb *tb = tb_ctx.retired, *next; tb; tb = next) {
        next = tb->hash_next;
        tb_free(tb);
    }
    tb_ctx.retired = NULL;
    for (struct qemu_plugin_tb *tb = tb_ctx.dropped, *next; tb; tb = next) {
        next = tb->hash_next;
        tb_free(tb);
    }
    __atomic_store_n(&tb_ctx.dropped, NULL, __ATOMIC_RELAXED);
}

/* QEMU's tb_flush: drop all generated code; plugins see blocks translated anew. */
void tb_flush(CPUState *cpu)
{
    tb_lock();
    for (CPUState *c = cpu_list; c; c = c->next) {
        uc_ctl_flush_tb(c->uc);
    }
    tb_records_clear();
    __atomic_store_n(&tb_ctx.flush_count, tb_ctx.flush_count + 1, __ATOMIC_RELAXED);
    tb_unlock();
    (void)cpu;
    qemu_plugin_flush_cb();
}

unsigned int tb_flush_count(void)
{
    return __atomic_load_n(&tb_ctx.flush_count, __ATOMIC_RELAXED);
}

/* The queued flush: none if another flush came since it was asked for. */
static void do_tb_flush(CPUState *cpu, uintptr_t flush_count)
{
    if (tb_flush_count() == (unsigned int)flush_count) {
        tb_flush(cpu);
    }
}

/* A flush asked for while guest code may run: done with the vCPUs stopped. */
void tb_flush_request(CPUState *cpu)
{
    async_safe_run_on_cpu(cpu, do_tb_flush, tb_flush_count());
}
