// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * insn.c: count executed guest instructions.
 *
 * Mirrors QEMU's tests/plugin/insn.c: with "inline" as the first argument the
 * count is kept by an inline add before each instruction, otherwise by a
 * callback. Prints "insns: N" at exit.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insn_count;
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

static void vcpu_insn_exec(unsigned int cpu_index, void *userdata)
{
    __atomic_fetch_add(&insn_count, 1, __ATOMIC_RELAXED);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n_insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

        if (do_inline) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count, 1);
        } else {
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn, vcpu_insn_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    char line[64];

    snprintf(line, sizeof(line), "insns: %" PRIu64 "\n", insn_count);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    do_inline = argc > 0 && option_is_on(argv[0], "inline");
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
