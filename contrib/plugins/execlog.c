// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execlog.c: log every executed instruction and its memory accesses.
 *
 * Behaves like QEMU 7.2's contrib/plugins/execlog.c in user mode. Each
 * executed instruction gives one line through qemu_plugin_outs (visible with
 * -d plugin):
 *
 *   <vcpu>, 0x<vaddr>, 0x<opcode>, "<disassembly>"[, load|store, 0x<addr>]...
 *
 * <opcode> is the instruction's bytes read as one little-endian number (QEMU
 * 7.2 reads a fixed 4 bytes instead, which for x86 runs past short
 * instructions and cuts long ones); <addr> is the guest virtual address of
 * each access, at least 8 hex digits, in the order the accesses happened.
 * Memory callbacks run after the instruction's callback, so each vCPU's line
 * is held until its next instruction starts (or the guest exits) and then
 * printed whole.
 *
 * Arguments: none.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* vCPUs with a line buffer; a vCPU past this is not logged. */
#define MAX_VCPUS 1024

/* The line being built for one vCPU. */
struct vcpu_line {
    char *text;
    size_t len;
    size_t cap;
};

static struct vcpu_line *lines[MAX_VCPUS];
/* Guards creating lines[] entries and the final flush. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void line_append(struct vcpu_line *line, const char *text, size_t len)
{
    if (line->len + len + 2 > line->cap) {
        size_t cap = line->cap ? line->cap : 128;
        char *grown;

        while (line->len + len + 2 > cap) {
            cap *= 2;
        }
        grown = realloc(line->text, cap);
        if (!grown) {
            fprintf(stderr, "execlog: out of memory\n");
            abort();
        }
        line->text = grown;
        line->cap = cap;
    }
    memcpy(line->text + line->len, text, len);
    line->len += len;
    line->text[line->len] = '\0';
}

/* Prints the held line, if any, and empties it. */
static void line_flush(struct vcpu_line *line)
{
    if (line->len) {
        line_append(line, "\n", 1);
        qemu_plugin_outs(line->text);
        line->len = 0;
    }
}

static struct vcpu_line *line_of(unsigned int cpu_index)
{
    struct vcpu_line *line;

    if (cpu_index >= MAX_VCPUS) {
        return NULL;
    }
    line = __atomic_load_n(&lines[cpu_index], __ATOMIC_ACQUIRE);
    if (line) {
        return line;
    }
    pthread_mutex_lock(&lock);
    line = lines[cpu_index];
    if (!line) {
        line = calloc(1, sizeof(*line));
        if (!line) {
            fprintf(stderr, "execlog: out of memory\n");
            abort();
        }
        __atomic_store_n(&lines[cpu_index], line, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lock);
    return line;
}

static void vcpu_mem(unsigned int cpu_index, qemu_plugin_meminfo_t info,
                     uint64_t vaddr, void *userdata)
{
    struct vcpu_line *line = line_of(cpu_index);
    char text[48];
    int len;

    if (!line || !line->len) {
        return;
    }
    len = snprintf(text, sizeof(text), ", %s, 0x%08" PRIx64,
                   qemu_plugin_mem_is_store(info) ? "store" : "load", vaddr);
    line_append(line, text, (size_t)len);
}

/* @userdata is the instruction's text, made at translation. */
static void vcpu_insn_exec(unsigned int cpu_index, void *userdata)
{
    struct vcpu_line *line = line_of(cpu_index);
    char prefix[16];
    int len;

    if (!line) {
        return;
    }
    line_flush(line);
    len = snprintf(prefix, sizeof(prefix), "%u, ", cpu_index);
    line_append(line, prefix, (size_t)len);
    line_append(line, userdata, strlen(userdata));
}

/* "0x<vaddr>, 0x<opcode>, \"<disassembly>\"" for @insn; never freed. */
static char *describe_insn(struct qemu_plugin_insn *insn)
{
    const uint8_t *data = qemu_plugin_insn_data(insn);
    size_t size = qemu_plugin_insn_size(insn);
    char opcode[2 * 16 + 1];
    char *disas = qemu_plugin_insn_disas(insn);
    char *text;
    size_t pos = 0, i;
    size_t len;

    /* Most significant byte first, without leading zeros, like %x. */
    for (i = size; i-- > 0 && pos + 2 < sizeof(opcode);) {
        if (pos == 0 && data[i] == 0) {
            continue;
        }
        pos += (size_t)snprintf(opcode + pos, sizeof(opcode) - pos,
                                pos ? "%02x" : "%x", data[i]);
    }
    if (pos == 0) {
        snprintf(opcode, sizeof(opcode), "0");
    }
    len = strlen(opcode) + (disas ? strlen(disas) : 0) + 48;
    text = malloc(len);
    if (!text) {
        fprintf(stderr, "execlog: out of memory\n");
        abort();
    }
    snprintf(text, len, "0x%" PRIx64 ", 0x%s, \"%s\"",
             qemu_plugin_insn_vaddr(insn), opcode, disas ? disas : "");
    free(disas);
    return text;
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

        /* Registered first so that it runs before the access callbacks. */
        qemu_plugin_register_vcpu_insn_exec_cb(insn, vcpu_insn_exec,
                                               QEMU_PLUGIN_CB_NO_REGS,
                                               describe_insn(insn));
        qemu_plugin_register_vcpu_mem_cb(insn, vcpu_mem, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    size_t i;

    pthread_mutex_lock(&lock);
    for (i = 0; i < MAX_VCPUS; i++) {
        if (lines[i]) {
            line_flush(lines[i]);
        }
    }
    pthread_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (argc > 0) {
        fprintf(stderr, "option parsing failed: %s\n", argv[0]);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
