// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qemu_plugin_insn_disas text from capstone 4, as Debian's QEMU 7.2 prints it.
 *
 * QEMU's disas/capstone.c prints x86 and A64 instructions for plugins with the
 * capstone it was built with, which on Debian 12 is capstone 4
 * (libcapstone.so.4, a dependency of qemu-user).  pyqemu links capstone 5,
 * which prints some instructions differently: aliases ("mov x29, #0" for
 * "movz x29, #0", "bti c" for "hint #0x22") and immediates ("movq
 * $18446744073709551615, %r9" for "movq $-1, %r9").  So when
 * libcapstone.so.4 is installed it is loaded beside 5, in a link-map
 * namespace of its own (dlmopen) where its symbols cannot meet 5's, for this
 * text alone.
 *
 * Layer: called by target-<arch>.c; calls only capstone 4 (dlopen).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

enum { CS4_ERR_OK = 0, CS4_OPT_SYNTAX = 1, CS4_OPT_SKIPDATA = 5, CS4_OPT_ON = 3 };

struct cs4_insn {           /* capstone 4's cs_insn (5's bytes[] is longer) */
    unsigned int id;
    uint64_t address;
    uint16_t size;
    uint8_t bytes[16];
    char mnemonic[32];
    char op_str[160];
    void *detail;
};

static struct {
    int (*open)(int arch, int mode, size_t *handle);
    int (*option)(size_t handle, int type, size_t value);
    size_t (*disasm)(size_t handle, const uint8_t *code, size_t size, uint64_t address,
                     size_t count, struct cs4_insn **insn);
    void (*free)(struct cs4_insn *insn, size_t count);
} cs4;
static pthread_once_t cs4_once = PTHREAD_ONCE_INIT;

static void cs4_load(void)
{
    /* a link-map namespace of its own: its symbols never meet capstone 5's */
    void *lib = dlmopen(LM_ID_NEWLM, "libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);

    if (!lib) {
        return;
    }
    *(void **)&cs4.open = dlsym(lib, "cs_open");
    *(void **)&cs4.option = dlsym(lib, "cs_option");
    *(void **)&cs4.disasm = dlsym(lib, "cs_disasm");
    *(void **)&cs4.free = dlsym(lib, "cs_free");
    if (!cs4.open || !cs4.option || !cs4.disasm || !cs4.free) {
        memset(&cs4, 0, sizeof(cs4));
    }
}

char *disas_capstone4(int arch, int mode, int syntax, const struct qemu_plugin_insn *insn)
{
    /* one target per process, so one handle per thread */
    static __thread size_t handle;
    static __thread bool handle_ready;
    struct cs4_insn *out = NULL;
    char *text = NULL;
    size_t n;

    pthread_once(&cs4_once, cs4_load);
    if (!cs4.open) {
        return NULL;
    }
    if (!handle_ready) {
        if (cs4.open(arch, mode, &handle) != CS4_ERR_OK) {
            return NULL;
        }
        if (syntax) {
            cs4.option(handle, CS4_OPT_SYNTAX, (size_t)syntax);
        }
        if (arch == CS4_ARCH_X86) {
            /* QEMU's capstone glue skips what it cannot decode: ".byte 0x48", as for the
               start of an instruction a block drops at a page crossing */
            cs4.option(handle, CS4_OPT_SKIPDATA, CS4_OPT_ON);
        }
        handle_ready = true;
    }
    n = cs4.disasm(handle, insn->data, insn->size, insn->vaddr, 1, &out);
    if (n == 0) {
        return NULL;
    }
    if (asprintf(&text, "%s %s", out[0].mnemonic, out[0].op_str) < 0) {
        text = NULL;
    }
    cs4.free(out, n);
    return text;
}
