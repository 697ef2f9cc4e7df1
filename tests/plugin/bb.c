// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bb.c: count executed basic blocks and the instructions in them.
 *
 * Mirrors QEMU's tests/plugin/bb.c: same arguments ("inline", "idle") and the
 * same report, "bb's: N, insns: M", printed at exit (one "CPUn: ..." line per
 * vCPU in system emulation without "inline").
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct cpu_count {
    pthread_mutex_t lock;
    uint64_t bb_count;
    uint64_t insn_count;
};

/* Inline mode and user mode count into this one record. */
static struct cpu_count total = { .lock = PTHREAD_MUTEX_INITIALIZER };
/* System emulation without "inline" counts per vCPU instead. */
static struct cpu_count *per_cpu;
static int n_per_cpu;
static bool do_inline;

/*
 * True when @arg turns on the option @name: the bare word, as QEMU 5.2's
 * "arg=name" delivers it, or "name=on"/"name=true", as QEMU 7.2 rewrites it.
 */
static bool option_is_on(const char *arg, const char *name)
{
    size_t len = strlen(name);

    if (strncmp(arg, name, len) != 0) {
        return false;
    }
    arg += len;
    return !*arg || !strcmp(arg, "=on") || !strcmp(arg, "=true") ||
           !strcmp(arg, "=yes");
}

static struct cpu_count *count_of(unsigned int cpu_index)
{
    return (int)cpu_index < n_per_cpu ? &per_cpu[cpu_index] : &total;
}

static void print_count(const char *prefix, struct cpu_count *count)
{
    char line[128];

    pthread_mutex_lock(&count->lock);
    snprintf(line, sizeof(line), "%sbb's: %" PRIu64 ", insns: %" PRIu64 "\n",
             prefix, count->bb_count, count->insn_count);
    pthread_mutex_unlock(&count->lock);
    qemu_plugin_outs(line);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    char prefix[32];
    int i;

    if (!per_cpu) {
        print_count("", &total);
        return;
    }
    for (i = 0; i < n_per_cpu; i++) {
        snprintf(prefix, sizeof(prefix), "CPU%d: ", i);
        print_count(prefix, &per_cpu[i]);
    }
}

static void vcpu_idle(qemu_plugin_id_t id, unsigned int cpu_index)
{
    char prefix[32];

    snprintf(prefix, sizeof(prefix), "Idling CPU%u: ", cpu_index);
    print_count(prefix, count_of(cpu_index));
}

static void vcpu_tb_exec(unsigned int cpu_index, void *userdata)
{
    struct cpu_count *count = count_of(cpu_index);

    pthread_mutex_lock(&count->lock);
    count->bb_count++;
    count->insn_count += (uintptr_t)userdata;
    pthread_mutex_unlock(&count->lock);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n_insns = qemu_plugin_tb_n_insns(tb);

    if (do_inline) {
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                                 &total.bb_count, 1);
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                                 &total.insn_count, n_insns);
    } else {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec,
                                             QEMU_PLUGIN_CB_NO_REGS,
                                             (void *)(uintptr_t)n_insns);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    bool idle_report = false;
    int i;

    for (i = 0; i < argc; i++) {
        if (option_is_on(argv[i], "inline")) {
            do_inline = true;
        } else if (option_is_on(argv[i], "idle")) {
            idle_report = true;
        } else {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return -1;
        }
    }

    if (info->system_emulation && !do_inline && info->system.max_vcpus > 0) {
        per_cpu = calloc(info->system.max_vcpus, sizeof(*per_cpu));
        if (!per_cpu) {
            return -1;
        }
        n_per_cpu = info->system.max_vcpus;
        for (i = 0; i < n_per_cpu; i++) {
            pthread_mutex_init(&per_cpu[i].lock, NULL);
        }
    }

    if (idle_report) {
        qemu_plugin_register_vcpu_idle_cb(id, vcpu_idle);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
