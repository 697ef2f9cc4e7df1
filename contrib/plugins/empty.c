// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * empty.c: the smallest useful plugin.
 *
 * Mirrors QEMU's tests/plugin/empty.c, kept here as the first contrib
 * plugin: it subscribes to block translation and does nothing there, which
 * measures the bare cost of having a plugin loaded. It takes no arguments and
 * prints nothing.
 */
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    return 0;
}
