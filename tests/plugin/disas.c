// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * disas.c: every instruction of every translated block, as the plugin API shows it.
 *
 * One line per instruction at translation time, through qemu_plugin_outs:
 *
 *   <vaddr hex>\t<size>\t<bytes as one little-endian hex number>\t<qemu_plugin_insn_disas>
 *
 * so that a test can compare an emulator's disassembly text with pyqemu's, or feed the
 * pairs to a disassembler under test (tests/arch/test_riscv_disas.py).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *data = qemu_plugin_insn_data(insn);
        size_t size = qemu_plugin_insn_size(insn);
        char *text = qemu_plugin_insn_disas(insn);
        char hex[2 * 16 + 1];
        char line[512];
        size_t at = 0;

        for (size_t k = size; k > 0 && at + 2 < sizeof(hex); k--) {
            at += (size_t)snprintf(hex + at, sizeof(hex) - at, "%02x", data[k - 1]);
        }
        hex[at] = '\0';
        snprintf(line, sizeof(line), "%" PRIx64 "\t%zu\t%s\t%s\n",
                 qemu_plugin_insn_vaddr(insn), size, hex, text ? text : "");
        qemu_plugin_outs(line);
        free(text);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    (void)argc;
    (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    return 0;
}
