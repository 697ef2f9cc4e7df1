// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bad_plugin.c: one source for every way a plugin can be wrong at load time.
 *
 * Built several times with -D flags (see tests/errors/conftest.py):
 *   PLUGIN_VERSION=<n>   the qemu_plugin_version it declares (default: the header's)
 *   NO_VERSION           no qemu_plugin_version symbol at all
 *   NO_INSTALL           no qemu_plugin_install symbol at all
 *   INSTALL_RESULT=<n>   what qemu_plugin_install returns (default 0)
 * When installed it registers an atexit callback that prints one line with -d plugin,
 * so a test can tell whether its atexit ran.
 */
#include <qemu-plugin.h>

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION QEMU_PLUGIN_VERSION
#endif
#ifndef INSTALL_RESULT
#define INSTALL_RESULT 0
#endif

#ifndef NO_VERSION
QEMU_PLUGIN_EXPORT int qemu_plugin_version = PLUGIN_VERSION;
#endif

#ifndef NO_INSTALL
static void at_exit(qemu_plugin_id_t id, void *userdata)
{
    qemu_plugin_outs("bad_plugin: atexit\n");
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return INSTALL_RESULT;
}
#endif
