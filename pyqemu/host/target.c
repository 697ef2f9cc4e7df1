// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest architecture of this process: QEMU builds one binary per target
 * (qemu-x86_64, qemu-aarch64, ...); pyqemu chooses at start-up, before the
 * first vCPU exists.
 *
 * Layer: called by Python (cpu_target_select); calls nothing.
 */
#include <string.h>

#include "target.h"

static const struct target_ops *const targets[] = {
    &target_x86_64,
    &target_aarch64,
    &target_riscv64,
};

const struct target_ops *target = &target_x86_64;

int cpu_target_select(const char *name)
{
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if (strcmp(targets[i]->name, name) == 0) {
            target = targets[i];
            return 0;
        }
    }
    return -1;
}
