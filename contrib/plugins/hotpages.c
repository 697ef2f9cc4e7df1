// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotpages.c: the guest pages that saw the most memory accesses.
 *
 * Mirrors QEMU 5.2's contrib/plugins/hotpages.c: every load and store is
 * counted against its page, with a bit mask of the vCPUs that read and wrote
 * it. At exit it prints, through qemu_plugin_outs (visible with -d plugin):
 *
 *   Addr, RCPUs, Reads, WCPUs, Writes
 *   <page>, <reading vCPUs>, <reads>, <writing vCPUs>, <writes>  (up to 50)
 *
 * QEMU's 5.2 version files a RAM access under its RAM offset from
 * qemu_plugin_hwaddr_device_offset(), which 5.2 does not export to plugins.
 * In user mode there is no RAM offset anyway, so this version always uses
 * the guest virtual page (what QEMU does when it gets no hwaddr).
 *
 * Arguments ("key" alone means key=on):
 *   sortby=rw|reads|writes|address, or the 5.2 words reads, writes, address:
 *       order of the rows: by reads + writes (default), reads, writes, all
 *       descending, or by page address, also descending as QEMU sorts it;
 *       ties go to the lower address
 *   io=on|off      count only accesses that reach a device instead of RAM
 *                  (there are none in user mode)
 *   pagesize=N     page size in bytes, a power of two (default 4096)
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
#define TOP_PAGES 50

enum sort_key {
    SORT_RW,
    SORT_R,
    SORT_W,
    SORT_A,
};

struct page_stats {
    uint64_t page;
    uint64_t reads;
    uint64_t writes;
    unsigned int read_cpus;  /* bit n: vCPU n read the page */
    unsigned int write_cpus;
};

static enum sort_key sort_by = SORT_RW;
static bool track_io;
static uint64_t page_size = 4096;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Open-addressing table keyed by page; entries with n_pages in use. */
static struct page_stats *table;
static bool *table_used;
static size_t table_cap;
static size_t n_pages;

static bool parse_sort_key(const char *name, enum sort_key *key)
{
    static const struct {
        const char *name;
        enum sort_key key;
    } keys[] = {
        { "rw", SORT_RW }, { "reads", SORT_R }, { "writes", SORT_W },
        { "address", SORT_A },
    };
    size_t i;

    for (i = 0; name && i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!strcmp(name, keys[i].name)) {
            *key = keys[i].key;
            return true;
        }
    }
    return false;
}

static bool parse_arg(const char *arg)
{
    const char *value;
    bool on;

    if (arg_has_key(arg, "sortby", &value)) {
        return parse_sort_key(value, &sort_by);
    }
    if (arg_has_key(arg, "io", &value)) {
        return parse_bool(value, &track_io);
    }
    if (arg_has_key(arg, "pagesize", &value)) {
        char *end;
        unsigned long long size;

        if (!value || !*value) {
            return false;
        }
        size = strtoull(value, &end, 0);
        if (*end || size == 0 || (size & (size - 1))) {
            return false;
        }
        page_size = size;
        return true;
    }
    /* 5.2's bare words: "reads" (7.2 passes it on as "reads=on"). */
    if (arg_has_key(arg, "reads", &value) ||
        arg_has_key(arg, "writes", &value) ||
        arg_has_key(arg, "address", &value)) {
        char name[16];

        snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
        if (!parse_bool(value, &on)) {
            return false;
        }
        /* "reads=off" asks for nothing: the order stays as it is. */
        return !on || parse_sort_key(name, &sort_by);
    }
    return false;
}

static size_t slot_of(uint64_t page, size_t cap)
{
    return (size_t)((page * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static void table_grow(void)
{
    struct page_stats *old = table;
    bool *old_used = table_used;
    size_t old_cap = table_cap;
    size_t i;

    table_cap = old_cap ? 2 * old_cap : 256;
    table = calloc(table_cap, sizeof(*table));
    table_used = calloc(table_cap, sizeof(*table_used));
    if (!table || !table_used) {
        fprintf(stderr, "hotpages: out of memory\n");
        abort();
    }
    for (i = 0; i < old_cap; i++) {
        if (old_used[i]) {
            size_t slot = slot_of(old[i].page, table_cap);

            while (table_used[slot]) {
                slot = (slot + 1) & (table_cap - 1);
            }
            table[slot] = old[i];
            table_used[slot] = true;
        }
    }
    free(old);
    free(old_used);
}

/* The counters of @page, created on first access; caller holds lock. */
static struct page_stats *lookup_or_add(uint64_t page)
{
    size_t slot;

    if (2 * (n_pages + 1) > table_cap) {
        table_grow();
    }
    slot = slot_of(page, table_cap);
    while (table_used[slot]) {
        if (table[slot].page == page) {
            return &table[slot];
        }
        slot = (slot + 1) & (table_cap - 1);
    }
    table_used[slot] = true;
    table[slot].page = page;
    n_pages++;
    return &table[slot];
}

static void vcpu_mem_access(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                            uint64_t vaddr, void *userdata)
{
    struct qemu_plugin_hwaddr *hwaddr = qemu_plugin_get_hwaddr(info, vaddr);
    bool is_io = hwaddr && qemu_plugin_hwaddr_is_io(hwaddr);
    unsigned int cpu_bit = 1u << (cpu_index % 32);
    struct page_stats *stats;

    if (is_io != track_io) {
        return;
    }
    pthread_mutex_lock(&lock);
    stats = lookup_or_add(vaddr & ~(page_size - 1));
    if (qemu_plugin_mem_is_store(info)) {
        stats->writes++;
        stats->write_cpus |= cpu_bit;
    } else {
        stats->reads++;
        stats->read_cpus |= cpu_bit;
    }
    pthread_mutex_unlock(&lock);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n; i++) {
        qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
                                         vcpu_mem_access,
                                         QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static uint64_t sort_value(const struct page_stats *p)
{
    switch (sort_by) {
    case SORT_R:
        return p->reads;
    case SORT_W:
        return p->writes;
    case SORT_A:
        return p->page;
    case SORT_RW:
    default:
        return p->reads + p->writes;
    }
}

/* Largest sort value first; equal values by lower page address. */
static int compare_pages(const void *a, const void *b)
{
    const struct page_stats *pa = a;
    const struct page_stats *pb = b;
    uint64_t va = sort_value(pa), vb = sort_value(pb);

    if (va != vb) {
        return va > vb ? -1 : 1;
    }
    return (pa->page > pb->page) - (pa->page < pb->page);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    struct page_stats *sorted;
    char line[128];
    size_t n = 0, i;

    pthread_mutex_lock(&lock);
    sorted = calloc(n_pages + 1, sizeof(*sorted));
    if (!sorted) {
        pthread_mutex_unlock(&lock);
        return;
    }
    for (i = 0; i < table_cap; i++) {
        if (table_used[i]) {
            sorted[n++] = table[i];
        }
    }
    pthread_mutex_unlock(&lock);
    qsort(sorted, n, sizeof(*sorted), compare_pages);

    qemu_plugin_outs("Addr, RCPUs, Reads, WCPUs, Writes\n");
    for (i = 0; i < n && i < TOP_PAGES; i++) {
        snprintf(line, sizeof(line),
                 "%#016" PRIx64 ", 0x%04x, %" PRId64 ", 0x%04x, %" PRId64 "\n",
                 sorted[i].page, sorted[i].read_cpus, (int64_t)sorted[i].reads,
                 sorted[i].write_cpus, (int64_t)sorted[i].writes);
        qemu_plugin_outs(line);
    }
    free(sorted);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (!parse_arg(argv[i])) {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
