// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tbset.c: which blocks were translated, how often each ran, and when the
 * first events came.
 *
 * In the spirit of QEMU's tests/plugin: a differential test compares its
 * report under two emulators.  It declares API version 0 outright (the
 * oldest a QEMU with plugins accepts) and prints, from its atexit callback:
 *
 *   vcpu_init <index> after <n> tb_trans   one line per vcpu_init event
 *   tb_trans: <n>                          tb_trans callbacks in all
 *   tb_distinct: <n>                       distinct block start addresses
 *   tb <vaddr> <n_insns> <execs> <insn_execs> <last_insn_execs>
 *                                          one line per translation, sorted by
 *                                          address, then in translation order
 *                                          (hex vaddr, the rest decimal)
 *   atexit: <n>                            how often atexit has run
 *
 * execs counts the translation's executions (an inline add on the block);
 * insn_execs adds up its instructions' executions (an inline add on each),
 * and last_insn_execs is the part of it due to the last instruction.
 * It takes no arguments.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

_Static_assert(QEMU_PLUGIN_VERSION == 0, "the 5.2 header declares version 0");
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 0;

/* One translation of a block; the inline adds write into it, so it never moves. */
struct block_record {
    uint64_t vaddr;
    size_t seq;                     /* translation order */
    size_t n_insns;
    uint64_t execs;
    uint64_t insn_execs[];          /* one counter per instruction */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct block_record **records;
static size_t n_records, cap_records;
static uint64_t n_atexit;

/* The vcpu_init lines, kept until exit so they do not mix with guest output. */
static char init_log[1024];
static size_t init_log_len;

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    int len;

    pthread_mutex_lock(&lock);
    len = snprintf(init_log + init_log_len, sizeof(init_log) - init_log_len,
                   "vcpu_init %u after %zu tb_trans\n", vcpu_index, n_records);
    if (len > 0 && init_log_len + len < sizeof(init_log)) {
        init_log_len += len;
    }
    pthread_mutex_unlock(&lock);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    struct block_record *record;

    record = calloc(1, sizeof(*record) + n_insns * sizeof(record->insn_execs[0]));
    if (!record) {
        abort();
    }
    record->vaddr = qemu_plugin_tb_vaddr(tb);
    record->n_insns = n_insns;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                             &record->execs, 1);
    for (size_t i = 0; i < n_insns; i++) {
        qemu_plugin_register_vcpu_insn_exec_inline(qemu_plugin_tb_get_insn(tb, i),
                                                   QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &record->insn_execs[i], 1);
    }

    pthread_mutex_lock(&lock);
    if (n_records == cap_records) {
        cap_records = cap_records ? cap_records * 2 : 1024;
        records = realloc(records, cap_records * sizeof(*records));
        if (!records) {
            abort();
        }
    }
    record->seq = n_records;
    records[n_records++] = record;
    pthread_mutex_unlock(&lock);
}

static int compare_records(const void *a, const void *b)
{
    const struct block_record *x = *(struct block_record *const *)a;
    const struct block_record *y = *(struct block_record *const *)b;

    if (x->vaddr != y->vaddr) {
        return x->vaddr < y->vaddr ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static uint64_t sum_insn_execs(const struct block_record *record)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < record->n_insns; i++) {
        sum += record->insn_execs[i];
    }
    return sum;
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    size_t distinct = 0, text_len, text_cap;
    char *text;

    pthread_mutex_lock(&lock);
    n_atexit++;
    qsort(records, n_records, sizeof(*records), compare_records);
    for (size_t i = 0; i < n_records; i++) {
        if (i == 0 || records[i]->vaddr != records[i - 1]->vaddr) {
            distinct++;
        }
    }

    /* "tb " + up to 16 hex digits and four decimal numbers per translation */
    text_cap = init_log_len + n_records * 96 + 256;
    text = malloc(text_cap);
    if (!text) {
        abort();
    }
    memcpy(text, init_log, init_log_len);
    text_len = init_log_len;
    text_len += snprintf(text + text_len, text_cap - text_len,
                         "tb_trans: %zu\ntb_distinct: %zu\n", n_records, distinct);
    for (size_t i = 0; i < n_records; i++) {
        const struct block_record *record = records[i];
        uint64_t last_execs = record->n_insns ? record->insn_execs[record->n_insns - 1] : 0;

        text_len += snprintf(text + text_len, text_cap - text_len,
                             "tb %" PRIx64 " %zu %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                             record->vaddr, record->n_insns, record->execs,
                             sum_insn_execs(record), last_execs);
    }
    snprintf(text + text_len, text_cap - text_len, "atexit: %" PRIu64 "\n",
             n_atexit);
    pthread_mutex_unlock(&lock);

    qemu_plugin_outs(text);
    free(text);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc > 0) {
        fprintf(stderr, "tbset: takes no arguments, got %s\n", argv[0]);
        return -1;
    }
    qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
