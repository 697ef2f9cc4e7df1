// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text of one instruction for qemu_plugin_insn_disas (QEMU's disas/):
 * the target's own where QEMU 7.2's differs from capstone 5's
 * (target-<arch>.c: capstone 4, or QEMU's RISC-V format, disas-riscv.c),
 * else capstone 5's.
 *
 * Layer: called by api.c; calls the target's hooks (target.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/*
 * qemu_plugin_insn_disas: as QEMU 7.2 prints for plugins.  The target's own
 * text first (target-<arch>.c: capstone 4, or QEMU's RISC-V format), else
 * capstone 5's "mnemonic operands" (x86 in AT&T syntax; the space stays when
 * there are no operands: "retq ").
 */
char *plugin_disas_insn(const struct qemu_plugin_insn *insn)
{
    static __thread csh cs;
    static __thread bool cs_ready;
    cs_insn *out = NULL;
    char *text = target->disas_qemu ? target->disas_qemu(insn) : NULL;
    size_t n;

    if (text) {
        return text;
    }
    if (!cs_ready) {
        if (cs_open(target->cs_arch, target->cs_mode, &cs) != CS_ERR_OK) {
            return strdup("");
        }
        target->disas_setup(cs);
        cs_ready = true;
    }
    n = cs_disasm(cs, insn->data, insn->size, insn->vaddr, 1, &out);
    if (n == 0) {
        return strdup("");
    }
    if (asprintf(&text, "%s %s", out[0].mnemonic, out[0].op_str) < 0) {
        text = NULL;
    }
    cs_free(out, n);
    return text;
}
