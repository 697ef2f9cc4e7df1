// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resetter.c: a plugin that resets itself while guest threads run.
 *
 * Counts block executions with a callback and an inline counter, and from
 * the block execution given by "at=N" (default 200000) calls
 * qemu_plugin_reset(); its reset callback subscribes again (block
 * translation and vcpu_init), so with "times=K" (default 3) it resets K
 * times in all.  At exit it prints "resets: <done>".  Used by the threads
 * stress test (tests/linux_user/test_threads_stress.py): resets come from
 * whichever vCPU reaches the count, while the others execute.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static qemu_plugin_id_t self;
static uint64_t at = 200000, times = 3;
static uint64_t execs, inline_execs, resets;
static int resetting;

static void subscribe(void);

static void vcpu_tb_exec(unsigned int vcpu_index, void *udata)
{
    (void)vcpu_index;
    (void)udata;
    if (__atomic_add_fetch(&execs, 1, __ATOMIC_RELAXED) >= at && resets < times &&
        !__atomic_exchange_n(&resetting, 1, __ATOMIC_ACQ_REL)) {
        qemu_plugin_reset(self, (qemu_plugin_simple_cb_t)subscribe);
    }
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &inline_execs, 1);
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index)
{
    (void)id;
    (void)vcpu_index;
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    char line[64];

    (void)id;
    (void)p;
    snprintf(line, sizeof(line), "resets: %" PRIu64 "\n", resets);
    qemu_plugin_outs(line);
}

/* install, and the reset callback: (re)subscribe */
static void subscribe(void)
{
    if (resetting) {
        resets++;
        execs = 0;
        __atomic_store_n(&resetting, 0, __ATOMIC_RELEASE);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(self, vcpu_tb_trans);
    qemu_plugin_register_vcpu_init_cb(self, vcpu_init);
    qemu_plugin_register_atexit_cb(self, plugin_exit, NULL);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "at=", 3) == 0) {
            at = strtoull(argv[i] + 3, NULL, 0);
        } else if (strncmp(argv[i], "times=", 6) == 0) {
            times = strtoull(argv[i] + 6, NULL, 0);
        }
    }
    self = id;
    subscribe();
    return 0;
}
