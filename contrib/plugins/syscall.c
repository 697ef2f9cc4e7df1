// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall.c: per-system-call statistics of the guest.
 *
 * Behaves like QEMU 7.2's syscall plugin (tests/tcg/plugins/syscall.c): by
 * default it counts calls and failures per system call number and prints,
 * at exit, through qemu_plugin_outs (visible with -d plugin):
 *
 *   syscall no.  calls  errors
 *   <number, left-aligned in 13><calls, left-aligned in 6> <errors>
 *
 * one row per number, most calls first, ties by lower number. A call counts
 * as an error when it returns -4095..-1 (a negative errno); exit and
 * exit_group never return, so they count as calls only.
 *
 * With print=on it instead logs each call as it happens and prints no table:
 *   syscall #<number>
 *   syscall #<number> returned -> <return value>
 *
 * Arguments: print[=on|off].
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

/* Linux returns -1..-4095 for errors; anything else is a result. */
#define MAX_ERRNO 4095

struct syscall_stats {
    int64_t num;
    int64_t calls;
    int64_t errors;
};

static bool print_calls;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* One entry per number seen, in first-seen order; a guest uses a few dozen. */
static struct syscall_stats *stats;
static size_t n_stats;
static size_t stats_cap;

/* The entry for @num, created on first sight; caller holds lock. */
static struct syscall_stats *stats_for(int64_t num)
{
    size_t i;

    for (i = 0; i < n_stats; i++) {
        if (stats[i].num == num) {
            return &stats[i];
        }
    }
    if (n_stats == stats_cap) {
        struct syscall_stats *grown;

        stats_cap = stats_cap ? 2 * stats_cap : 64;
        grown = realloc(stats, stats_cap * sizeof(*stats));
        if (!grown) {
            fprintf(stderr, "syscall: out of memory\n");
            abort();
        }
        stats = grown;
    }
    stats[n_stats].num = num;
    stats[n_stats].calls = 0;
    stats[n_stats].errors = 0;
    return &stats[n_stats++];
}

static void vcpu_syscall(qemu_plugin_id_t id, unsigned int vcpu_index,
                         int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                         uint64_t a8)
{
    if (print_calls) {
        char line[64];

        snprintf(line, sizeof(line), "syscall #%" PRId64 "\n", num);
        qemu_plugin_outs(line);
        return;
    }
    pthread_mutex_lock(&lock);
    stats_for(num)->calls++;
    pthread_mutex_unlock(&lock);
}

static void vcpu_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu_idx,
                             int64_t num, int64_t ret)
{
    if (print_calls) {
        char line[96];

        snprintf(line, sizeof(line),
                 "syscall #%" PRId64 " returned -> %" PRId64 "\n", num, ret);
        qemu_plugin_outs(line);
        return;
    }
    if (ret < 0 && ret >= -MAX_ERRNO) {
        pthread_mutex_lock(&lock);
        stats_for(num)->errors++;
        pthread_mutex_unlock(&lock);
    }
}

/* Most calls first; ties by lower number. */
static int compare_stats(const void *a, const void *b)
{
    const struct syscall_stats *sa = a;
    const struct syscall_stats *sb = b;

    if (sa->calls != sb->calls) {
        return sa->calls > sb->calls ? -1 : 1;
    }
    return (sa->num > sb->num) - (sa->num < sb->num);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    char line[96];
    size_t i;

    if (print_calls) {
        return;
    }
    pthread_mutex_lock(&lock);
    qsort(stats, n_stats, sizeof(*stats), compare_stats);
    qemu_plugin_outs("syscall no.  calls  errors\n");
    for (i = 0; i < n_stats; i++) {
        snprintf(line, sizeof(line),
                 "%-13" PRId64 "%-6" PRId64 " %" PRId64 "\n",
                 stats[i].num, stats[i].calls, stats[i].errors);
        qemu_plugin_outs(line);
    }
    pthread_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *value;

        if (!arg_has_key(argv[i], "print", &value) ||
            !parse_bool(value, &print_calls)) {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_syscall_cb(id, vcpu_syscall);
    qemu_plugin_register_vcpu_syscall_ret_cb(id, vcpu_syscall_ret);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
