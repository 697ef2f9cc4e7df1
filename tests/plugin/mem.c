// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mem.c: count guest memory accesses.
 *
 * Mirrors QEMU's tests/plugin/mem.c. Its arguments are positional:
 *   argv[0] "inline"  count with an inline add instead of a callback
 *   argv[1] "r"|"w"   count only loads or only stores (default: both)
 *   argv[2] "haddr"   look up each access's hwaddr and count device accesses
 *                     apart (callback mode only)
 * Prints "mem accesses: N" at exit, plus "io accesses: N" with "haddr".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t mem_count;
static uint64_t io_count;
static bool do_inline;
static bool do_haddr;
static enum qemu_plugin_mem_rw rw = QEMU_PLUGIN_MEM_RW;

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

static void vcpu_mem(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *userdata)
{
    if (do_haddr) {
        struct qemu_plugin_hwaddr *hwaddr = qemu_plugin_get_hwaddr(info, vaddr);

        if (hwaddr && qemu_plugin_hwaddr_is_io(hwaddr)) {
            __atomic_fetch_add(&io_count, 1, __ATOMIC_RELAXED);
            return;
        }
    }
    __atomic_fetch_add(&mem_count, 1, __ATOMIC_RELAXED);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n_insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

        if (do_inline) {
            qemu_plugin_register_vcpu_mem_inline(
                insn, rw, QEMU_PLUGIN_INLINE_ADD_U64, &mem_count, 1);
        } else {
            qemu_plugin_register_vcpu_mem_cb(insn, vcpu_mem,
                                             QEMU_PLUGIN_CB_NO_REGS, rw, NULL);
        }
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    char text[128];
    int len;

    len = snprintf(text, sizeof(text), "mem accesses: %" PRIu64 "\n", mem_count);
    if (do_haddr) {
        snprintf(text + len, sizeof(text) - len, "io accesses: %" PRIu64 "\n",
                 io_count);
    }
    qemu_plugin_outs(text);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc > 0) {
        do_inline = option_is_on(argv[0], "inline");
    }
    if (argc > 1) {
        if (option_is_on(argv[1], "r")) {
            rw = QEMU_PLUGIN_MEM_R;
        } else if (option_is_on(argv[1], "w")) {
            rw = QEMU_PLUGIN_MEM_W;
        }
    }
    if (argc > 2) {
        do_haddr = option_is_on(argv[2], "haddr");
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
