// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * badversion.c: a plugin that asks for an API version nobody supports.
 *
 * Exercises the version check of QEMU's plugins/loader.c: loading it must
 * fail with "TCG plugin <path> requires API version 99, but this QEMU
 * supports only up to version <N>" and exit status 1, before the guest runs.
 */
#include <stdio.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 99;

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    /* Never reached: the loader rejects the version first. */
    fprintf(stderr, "badversion: installed despite version 99\n");
    return 0;
}
