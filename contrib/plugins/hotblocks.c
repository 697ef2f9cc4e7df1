// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotblocks.c: the most executed translation blocks.
 *
 * Mirrors QEMU 5.2's contrib/plugins/hotblocks.c: each distinct block (start
 * address and instruction count) gets a counter, bumped by a callback or,
 * with "inline", by an inline add. At exit it prints, through
 * qemu_plugin_outs (visible with -d plugin):
 *
 *   collected <N> entries in the hash table
 *   pc, tcount, icount, ecount
 *   <pc>, <translations>, <instructions>, <executions>     (up to 20 lines)
 *
 * The rows are the blocks with the highest execution counts, ties broken by
 * lower pc first. Unlike QEMU 5.2, the last row is not dropped, and an
 * empty table still prints both header lines.
 *
 * Arguments: inline[=on|off] (also "inline=true/yes/false/no").
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>
#include "plugin-args.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Rows printed at exit. */
#define TOP_BLOCKS 20

struct block_stats {
    uint64_t exec_count; /* first: the inline add updates it in place */
    uint64_t pc;
    long n_insns;
    int trans_count;
};

static bool do_inline;

/* Guards the table; exec counts are updated without it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Open-addressing table of entries keyed by (pc, n_insns); NULL = empty. */
static struct block_stats **table;
static size_t table_cap;
static size_t n_entries;

static size_t slot_of(uint64_t pc, long n_insns, size_t cap)
{
    uint64_t h = (pc ^ ((uint64_t)n_insns << 48)) * 0x9e3779b97f4a7c15ULL;

    return (size_t)(h >> 17) & (cap - 1);
}

static void table_grow(void)
{
    size_t old_cap = table_cap;
    struct block_stats **old = table;
    size_t i;

    table_cap = old_cap ? 2 * old_cap : 1024;
    table = calloc(table_cap, sizeof(*table));
    if (!table) {
        fprintf(stderr, "hotblocks: out of memory\n");
        abort();
    }
    for (i = 0; i < old_cap; i++) {
        if (old[i]) {
            size_t slot = slot_of(old[i]->pc, old[i]->n_insns, table_cap);

            while (table[slot]) {
                slot = (slot + 1) & (table_cap - 1);
            }
            table[slot] = old[i];
        }
    }
    free(old);
}

/* The entry for the block, created on first sight; caller holds lock. */
static struct block_stats *lookup_or_add(uint64_t pc, long n_insns)
{
    size_t slot;

    if (2 * (n_entries + 1) > table_cap) {
        table_grow();
    }
    slot = slot_of(pc, n_insns, table_cap);
    while (table[slot]) {
        if (table[slot]->pc == pc && table[slot]->n_insns == n_insns) {
            return table[slot];
        }
        slot = (slot + 1) & (table_cap - 1);
    }
    table[slot] = calloc(1, sizeof(**table));
    if (!table[slot]) {
        fprintf(stderr, "hotblocks: out of memory\n");
        abort();
    }
    table[slot]->pc = pc;
    table[slot]->n_insns = n_insns;
    n_entries++;
    return table[slot];
}

static void vcpu_tb_exec(unsigned int cpu_index, void *userdata)
{
    struct block_stats *stats = userdata;

    __atomic_fetch_add(&stats->exec_count, 1, __ATOMIC_RELAXED);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    struct block_stats *stats;

    pthread_mutex_lock(&lock);
    stats = lookup_or_add(qemu_plugin_tb_vaddr(tb),
                          (long)qemu_plugin_tb_n_insns(tb));
    stats->trans_count++;
    pthread_mutex_unlock(&lock);

    if (do_inline) {
        qemu_plugin_register_vcpu_tb_exec_inline(
            tb, QEMU_PLUGIN_INLINE_ADD_U64, &stats->exec_count, 1);
    } else {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec,
                                             QEMU_PLUGIN_CB_NO_REGS, stats);
    }
}

/* Most executed first; equal counts by pc, then by size. */
static int compare_hotness(const void *a, const void *b)
{
    const struct block_stats *ea = *(struct block_stats *const *)a;
    const struct block_stats *eb = *(struct block_stats *const *)b;

    if (ea->exec_count != eb->exec_count) {
        return ea->exec_count > eb->exec_count ? -1 : 1;
    }
    if (ea->pc != eb->pc) {
        return ea->pc < eb->pc ? -1 : 1;
    }
    return (ea->n_insns > eb->n_insns) - (ea->n_insns < eb->n_insns);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    struct block_stats **sorted;
    char line[128];
    size_t n = 0, i;

    pthread_mutex_lock(&lock);
    sorted = calloc(n_entries + 1, sizeof(*sorted));
    if (!sorted) {
        pthread_mutex_unlock(&lock);
        return;
    }
    for (i = 0; i < table_cap; i++) {
        if (table[i]) {
            sorted[n++] = table[i];
        }
    }
    qsort(sorted, n, sizeof(*sorted), compare_hotness);

    snprintf(line, sizeof(line), "collected %zu entries in the hash table\n",
             n);
    qemu_plugin_outs(line);
    qemu_plugin_outs("pc, tcount, icount, ecount\n");
    for (i = 0; i < n && i < TOP_BLOCKS; i++) {
        snprintf(line, sizeof(line), "%#016" PRIx64 ", %d, %ld, %" PRId64 "\n",
                 sorted[i]->pc, sorted[i]->trans_count, sorted[i]->n_insns,
                 (int64_t)__atomic_load_n(&sorted[i]->exec_count,
                                          __ATOMIC_RELAXED));
        qemu_plugin_outs(line);
    }
    free(sorted);
    pthread_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *value;

        if (!arg_has_key(argv[i], "inline", &value) ||
            !parse_bool(value, &do_inline)) {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
