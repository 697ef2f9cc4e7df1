// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * codeinfo.c: a plugin built against the QEMU 7.2 API level (version 1).
 *
 * Test plugin for the API-level work (issue 9): it asks for the 7.2 header
 * with QEMU_PLUGIN_API_LEVEL 702 and prints, through qemu_plugin_outs,
 * what the 7.2 additions answer, so that its output under qemu-x86_64 7.2
 * and under pyqemu can be compared line by line:
 *
 *   install: version <qemu_plugin_version>, info <min>..<cur>
 *   install: bool <name>=<value> -> <0|1>        (one line per argument)
 *   hwaddr: device_name <s>, phys_addr <n>       (user mode: no hwaddr)
 *   first block: <vaddr> entry <entry> start_code <s> end_code <e> binary <path>
 *   exit: entry <entry> start_code <s> end_code <e> binary <path>
 *   symbols: <n> functions ran                   (then one line per name, sorted)
 *
 * Arguments: any "name=value"; each value goes through qemu_plugin_bool_parse.
 */
#define QEMU_PLUGIN_API_LEVEL 702

#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_SYMBOLS 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool seen_first_block;
static const char *symbols[MAX_SYMBOLS];
static size_t n_symbols;

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));



static void outf(const char *fmt, ...)
{
    char line[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    qemu_plugin_outs(line);
}

static void print_program(const char *when)
{
    const char *path = qemu_plugin_path_to_binary();

    outf("%s: entry 0x%" PRIx64 " start_code 0x%" PRIx64 " end_code 0x%" PRIx64
         " binary %s\n", when, qemu_plugin_entry_code(), qemu_plugin_start_code(),
         qemu_plugin_end_code(), path ? path : "(null)");
    free((void *)path);
}

static void add_symbol(const char *name)
{
    size_t i;

    for (i = 0; i < n_symbols; i++) {
        if (!strcmp(symbols[i], name)) {
            return;
        }
    }
    if (n_symbols < MAX_SYMBOLS) {
        symbols[n_symbols++] = name;
    }
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t i, n = qemu_plugin_tb_n_insns(tb);

    pthread_mutex_lock(&lock);
    if (!seen_first_block) {
        char when[64];

        seen_first_block = true;
        snprintf(when, sizeof(when), "first block: 0x%" PRIx64, qemu_plugin_tb_vaddr(tb));
        print_program(when);
    }
    for (i = 0; i < n; i++) {
        const char *name = qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, i));

        if (name) {
            add_symbol(name);
        }
    }
    pthread_mutex_unlock(&lock);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    size_t i;

    print_program("exit");
    pthread_mutex_lock(&lock);
    qsort(symbols, n_symbols, sizeof(symbols[0]), compare_names);
    outf("symbols: %zu functions ran\n", n_symbols);
    for (i = 0; i < n_symbols; i++) {
        outf("  %s\n", symbols[i]);
    }
    pthread_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;

    outf("install: version %d, info %d..%d\n", qemu_plugin_version,
         info->version.min, info->version.cur);
    for (i = 0; i < argc; i++) {
        char *name = strdup(argv[i]);
        char *value = strchr(name, '=');
        bool result = false;
        bool parsed;

        if (value) {
            *value++ = '\0';
        }
        parsed = qemu_plugin_bool_parse(name, value, &result);
        outf("install: bool %s=%s -> %s\n", name, value ? value : "(none)",
             parsed ? (result ? "1" : "0") : "not parsed");
        free(name);
    }
    outf("hwaddr: device_name %s, phys_addr %" PRIu64 "\n",
         qemu_plugin_hwaddr_device_name(NULL), qemu_plugin_hwaddr_phys_addr(NULL));
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
