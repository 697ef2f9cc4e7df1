// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * howvec.c: count executed instructions by class.
 *
 * Mirrors QEMU 5.2's contrib/plugins/howvec.c, which has class tables for
 * aarch64, sparc64 and m68k and lumps every other target into one class.
 * This version has an x86_64 table instead: each instruction is classified
 * by its opcode bytes (after legacy and REX prefixes; VEX/EVEX encodings are
 * all SIMD) using opcode_rows[] below, first matching row wins.
 *
 * Each class is counted as a whole (the default), instruction by instruction
 * ("counted individually": one counter per distinct encoding of up to 8
 * bytes), or not at all. At exit it prints, through qemu_plugin_outs:
 *
 *   Instruction Classes:
 *   Class: <name padded to 24>\t(<n> hits)
 *   Class: <name>\tcounted individually
 *   Class: <name>\tnot counted
 *   Individual Instructions:
 *   Instr: <disassembly>\t(<n> hits)\t(op=<opcode>/<class>)
 *
 * Classes counted as a whole are listed when they had hits (all of them with
 * verbose). The "Individual Instructions" part appears when any instruction
 * was counted individually: the top 50, most hits first, <opcode> being the
 * first 4 bytes read little-endian (printed with %#08x, as QEMU does).
 *
 * Arguments ("key" alone means key=on):
 *   inline=on|off    count with inline adds instead of callbacks
 *   verbose=on|off   also list classes without hits
 *   count=<class>, or the class option alone: count it individually;
 *   count=-<class> (or !<class>), or -<class> alone: do not count it.
 *   Class options: cbranch branch call stack mov alu string simd fpu sys nop
 *   other.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>
#include "plugin-args.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Individual instructions printed at exit. */
#define TOP_INSNS 50

enum count_mode {
    COUNT_CLASS,
    COUNT_INDIVIDUAL,
    COUNT_NONE,
};

struct insn_class {
    uint64_t count;     /* first: the inline add updates it in place */
    const char *name;
    const char *opt;
    enum count_mode what;
};

enum class_id {
    CLASS_CBRANCH,
    CLASS_BRANCH,
    CLASS_CALL,
    CLASS_STACK,
    CLASS_MOV,
    CLASS_ALU,
    CLASS_STRING,
    CLASS_SIMD,
    CLASS_FPU,
    CLASS_SYS,
    CLASS_NOP,
    CLASS_OTHER,
    N_CLASSES,
};

static struct insn_class classes[N_CLASSES] = {
    [CLASS_CBRANCH] = { 0, "Conditional branches", "cbranch", COUNT_CLASS },
    [CLASS_BRANCH] = { 0, "Unconditional branches", "branch", COUNT_CLASS },
    [CLASS_CALL] = { 0, "Calls and returns", "call", COUNT_CLASS },
    [CLASS_STACK] = { 0, "Stack push/pop", "stack", COUNT_CLASS },
    [CLASS_MOV] = { 0, "Data moves", "mov", COUNT_CLASS },
    [CLASS_ALU] = { 0, "Integer arithmetic", "alu", COUNT_CLASS },
    [CLASS_STRING] = { 0, "String operations", "string", COUNT_CLASS },
    [CLASS_SIMD] = { 0, "SSE/AVX", "simd", COUNT_CLASS },
    [CLASS_FPU] = { 0, "x87 floating point", "fpu", COUNT_CLASS },
    [CLASS_SYS] = { 0, "System", "sys", COUNT_CLASS },
    [CLASS_NOP] = { 0, "NOPs and hints", "nop", COUNT_CLASS },
    [CLASS_OTHER] = { 0, "Unclassified", "other", COUNT_CLASS },
};

/* Which opcode table an instruction's opcode byte belongs to. */
enum opcode_map {
    MAP_1BYTE, /* no escape byte */
    MAP_0F,    /* 0F xx */
    MAP_0F38,  /* 0F 38 xx */
    MAP_0F3A,  /* 0F 3A xx */
    MAP_VEX,   /* VEX (C4/C5) or EVEX (62) prefixed */
};

/* Opcodes lo..hi of @map, with ModRM.reg == @reg unless @reg is -1. */
struct opcode_row {
    enum opcode_map map;
    uint8_t lo;
    uint8_t hi;
    int reg;
    enum class_id class_id;
};

static const struct opcode_row opcode_rows[] = {
    /* One-byte opcodes */
    { MAP_1BYTE, 0x70, 0x7f, -1, CLASS_CBRANCH },  /* jcc rel8 */
    { MAP_1BYTE, 0xe0, 0xe3, -1, CLASS_CBRANCH },  /* loop*, jrcxz */
    { MAP_1BYTE, 0xe9, 0xe9, -1, CLASS_BRANCH },   /* jmp rel32 */
    { MAP_1BYTE, 0xeb, 0xeb, -1, CLASS_BRANCH },   /* jmp rel8 */
    { MAP_1BYTE, 0xff, 0xff, 4, CLASS_BRANCH },    /* jmp r/m */
    { MAP_1BYTE, 0xff, 0xff, 5, CLASS_BRANCH },    /* jmp far */
    { MAP_1BYTE, 0xe8, 0xe8, -1, CLASS_CALL },     /* call rel32 */
    { MAP_1BYTE, 0xff, 0xff, 2, CLASS_CALL },      /* call r/m */
    { MAP_1BYTE, 0xff, 0xff, 3, CLASS_CALL },      /* call far */
    { MAP_1BYTE, 0xc2, 0xc3, -1, CLASS_CALL },     /* ret */
    { MAP_1BYTE, 0xca, 0xcb, -1, CLASS_CALL },     /* ret far */
    { MAP_1BYTE, 0x50, 0x5f, -1, CLASS_STACK },    /* push/pop reg */
    { MAP_1BYTE, 0x68, 0x68, -1, CLASS_STACK },    /* push imm32 */
    { MAP_1BYTE, 0x6a, 0x6a, -1, CLASS_STACK },    /* push imm8 */
    { MAP_1BYTE, 0x8f, 0x8f, 0, CLASS_STACK },     /* pop r/m */
    { MAP_1BYTE, 0xff, 0xff, 6, CLASS_STACK },     /* push r/m */
    { MAP_1BYTE, 0x9c, 0x9d, -1, CLASS_STACK },    /* pushf/popf */
    { MAP_1BYTE, 0xc8, 0xc9, -1, CLASS_STACK },    /* enter/leave */
    { MAP_1BYTE, 0x90, 0x90, -1, CLASS_NOP },      /* nop, pause */
    { MAP_1BYTE, 0x88, 0x8c, -1, CLASS_MOV },      /* mov r/m */
    { MAP_1BYTE, 0x8e, 0x8e, -1, CLASS_MOV },      /* mov sreg */
    { MAP_1BYTE, 0x86, 0x87, -1, CLASS_MOV },      /* xchg r/m */
    { MAP_1BYTE, 0x91, 0x97, -1, CLASS_MOV },      /* xchg rax */
    { MAP_1BYTE, 0xa0, 0xa3, -1, CLASS_MOV },      /* mov moffs */
    { MAP_1BYTE, 0xb0, 0xbf, -1, CLASS_MOV },      /* mov imm */
    { MAP_1BYTE, 0xc6, 0xc7, -1, CLASS_MOV },      /* mov r/m, imm */
    { MAP_1BYTE, 0x63, 0x63, -1, CLASS_MOV },      /* movsxd */
    { MAP_1BYTE, 0xa4, 0xa7, -1, CLASS_STRING },   /* movs, cmps */
    { MAP_1BYTE, 0xaa, 0xaf, -1, CLASS_STRING },   /* stos, lods, scas */
    { MAP_1BYTE, 0x6c, 0x6f, -1, CLASS_STRING },   /* ins, outs */
    { MAP_1BYTE, 0xd8, 0xdf, -1, CLASS_FPU },      /* x87 escape */
    { MAP_1BYTE, 0xcc, 0xce, -1, CLASS_SYS },      /* int3, int, into */
    { MAP_1BYTE, 0xf1, 0xf1, -1, CLASS_SYS },      /* int1 */
    { MAP_1BYTE, 0xf4, 0xf4, -1, CLASS_SYS },      /* hlt */
    { MAP_1BYTE, 0xfa, 0xfb, -1, CLASS_SYS },      /* cli/sti */
    { MAP_1BYTE, 0xe4, 0xe7, -1, CLASS_SYS },      /* in/out imm */
    { MAP_1BYTE, 0xec, 0xef, -1, CLASS_SYS },      /* in/out dx */
    { MAP_1BYTE, 0x00, 0x3f, -1, CLASS_ALU },      /* add..cmp */
    { MAP_1BYTE, 0x69, 0x69, -1, CLASS_ALU },      /* imul imm32 */
    { MAP_1BYTE, 0x6b, 0x6b, -1, CLASS_ALU },      /* imul imm8 */
    { MAP_1BYTE, 0x80, 0x85, -1, CLASS_ALU },      /* group 1, test */
    { MAP_1BYTE, 0x8d, 0x8d, -1, CLASS_ALU },      /* lea */
    { MAP_1BYTE, 0x98, 0x99, -1, CLASS_ALU },      /* cbw/cwd family */
    { MAP_1BYTE, 0xa8, 0xa9, -1, CLASS_ALU },      /* test imm */
    { MAP_1BYTE, 0xc0, 0xc1, -1, CLASS_ALU },      /* shifts imm */
    { MAP_1BYTE, 0xd0, 0xd3, -1, CLASS_ALU },      /* shifts 1/cl */
    { MAP_1BYTE, 0xf5, 0xf5, -1, CLASS_ALU },      /* cmc */
    { MAP_1BYTE, 0xf6, 0xf7, -1, CLASS_ALU },      /* group 3 */
    { MAP_1BYTE, 0xf8, 0xf9, -1, CLASS_ALU },      /* clc/stc */
    { MAP_1BYTE, 0xfc, 0xfd, -1, CLASS_ALU },      /* cld/std */
    { MAP_1BYTE, 0xfe, 0xfe, -1, CLASS_ALU },      /* inc/dec r/m8 */
    { MAP_1BYTE, 0xff, 0xff, 0, CLASS_ALU },       /* inc r/m */
    { MAP_1BYTE, 0xff, 0xff, 1, CLASS_ALU },       /* dec r/m */
    /* Two-byte opcodes (0F xx) */
    { MAP_0F, 0x80, 0x8f, -1, CLASS_CBRANCH },     /* jcc rel32 */
    { MAP_0F, 0x05, 0x05, -1, CLASS_SYS },         /* syscall */
    { MAP_0F, 0x07, 0x07, -1, CLASS_SYS },         /* sysret */
    { MAP_0F, 0x34, 0x35, -1, CLASS_SYS },         /* sysenter/exit */
    { MAP_0F, 0x00, 0x01, -1, CLASS_SYS },         /* groups 6 and 7 */
    { MAP_0F, 0x0b, 0x0b, -1, CLASS_SYS },         /* ud2 */
    { MAP_0F, 0x31, 0x31, -1, CLASS_SYS },         /* rdtsc */
    { MAP_0F, 0xa2, 0xa2, -1, CLASS_SYS },         /* cpuid */
    { MAP_0F, 0xae, 0xae, -1, CLASS_SYS },         /* fences, fxsave... */
    { MAP_0F, 0x18, 0x1f, -1, CLASS_NOP },         /* prefetch, hint nops */
    { MAP_0F, 0x0d, 0x0d, -1, CLASS_NOP },         /* prefetchw */
    { MAP_0F, 0x40, 0x4f, -1, CLASS_MOV },         /* cmovcc */
    { MAP_0F, 0xb6, 0xb7, -1, CLASS_MOV },         /* movzx */
    { MAP_0F, 0xbe, 0xbf, -1, CLASS_MOV },         /* movsx */
    { MAP_0F, 0xa0, 0xa1, -1, CLASS_STACK },       /* push/pop fs */
    { MAP_0F, 0xa8, 0xa9, -1, CLASS_STACK },       /* push/pop gs */
    { MAP_0F, 0x90, 0x9f, -1, CLASS_ALU },         /* setcc */
    { MAP_0F, 0xa3, 0xa5, -1, CLASS_ALU },         /* bt, shld */
    { MAP_0F, 0xab, 0xad, -1, CLASS_ALU },         /* bts, shrd */
    { MAP_0F, 0xaf, 0xb1, -1, CLASS_ALU },         /* imul, cmpxchg */
    { MAP_0F, 0xb3, 0xb3, -1, CLASS_ALU },         /* btr */
    { MAP_0F, 0xb8, 0xb8, -1, CLASS_ALU },         /* popcnt */
    { MAP_0F, 0xba, 0xbd, -1, CLASS_ALU },         /* bt*, bsf/bsr */
    { MAP_0F, 0xc0, 0xc1, -1, CLASS_ALU },         /* xadd */
    { MAP_0F, 0xc8, 0xcf, -1, CLASS_ALU },         /* bswap */
    { MAP_0F, 0x10, 0x17, -1, CLASS_SIMD },        /* movups... */
    { MAP_0F, 0x28, 0x2f, -1, CLASS_SIMD },        /* movaps, cvt, comis */
    { MAP_0F, 0x50, 0x7f, -1, CLASS_SIMD },        /* packed arithmetic */
    { MAP_0F, 0xc2, 0xc6, -1, CLASS_SIMD },        /* cmpps, shufps... */
    { MAP_0F, 0xd0, 0xff, -1, CLASS_SIMD },        /* MMX/SSE2 integer */
    /* Three-byte opcodes and VEX/EVEX: all vector work here */
    { MAP_0F38, 0x00, 0xff, -1, CLASS_SIMD },
    { MAP_0F3A, 0x00, 0xff, -1, CLASS_SIMD },
    { MAP_VEX, 0x00, 0xff, -1, CLASS_SIMD },
};

/* One distinct instruction encoding, when its class counts individually. */
struct insn_record {
    uint64_t count;    /* first: the inline add updates it in place */
    uint64_t bytes;    /* the first up to 8 bytes, little-endian */
    size_t size;
    uint32_t opcode;   /* the first up to 4 bytes, little-endian */
    char *disas;
    const struct insn_class *class;
};

static bool do_inline;
static bool verbose;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Open-addressing table of individual records; NULL = empty slot. */
static struct insn_record **records;
static size_t records_cap;
static size_t n_records;

/*
 * Applies "[+|-|!]<class option>" (the first @len characters of @spec):
 * + or nothing counts the class individually, - or ! not at all.
 */
static bool set_class_mode(const char *spec, size_t len)
{
    enum count_mode what = COUNT_INDIVIDUAL;
    size_t i;

    if (len && (spec[0] == '-' || spec[0] == '!')) {
        what = COUNT_NONE;
        spec++;
        len--;
    } else if (len && spec[0] == '+') {
        spec++;
        len--;
    }
    for (i = 0; i < N_CLASSES; i++) {
        if (strlen(classes[i].opt) == len &&
            !strncmp(classes[i].opt, spec, len)) {
            classes[i].what = what;
            return true;
        }
    }
    return false;
}

static bool parse_arg(const char *arg)
{
    const char *value;
    bool on;

    if (arg_has_key(arg, "inline", &value)) {
        return parse_bool(value, &do_inline);
    }
    if (arg_has_key(arg, "verbose", &value)) {
        return parse_bool(value, &verbose);
    }
    if (arg_has_key(arg, "count", &value)) {
        return value && set_class_mode(value, strlen(value));
    }
    /* A bare class word; QEMU 7.2 hands "arg=-simd" over as "-simd=on". */
    value = strchr(arg, '=');
    if (value && (!parse_bool(value + 1, &on) || !on)) {
        return false;
    }
    return set_class_mode(arg, value ? (size_t)(value - arg) : strlen(arg));
}

static bool is_legacy_prefix(uint8_t byte)
{
    switch (byte) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: /* segment overrides */
    case 0x64: case 0x65:
    case 0x66: case 0x67:                       /* operand, address size */
    case 0xf0: case 0xf2: case 0xf3:            /* lock, rep */
        return true;
    default:
        return false;
    }
}

/* The class of the x86_64 instruction in @bytes[0..@size). */
static enum class_id classify(const uint8_t *bytes, size_t size)
{
    enum opcode_map map = MAP_1BYTE;
    size_t i = 0;
    int reg = -1;
    uint8_t op;
    size_t row;

    while (i < size && is_legacy_prefix(bytes[i])) {
        i++;
    }
    if (i < size && (bytes[i] & 0xf0) == 0x40) { /* REX */
        i++;
    }
    if (i >= size) {
        return CLASS_OTHER;
    }
    op = bytes[i];
    if (op == 0xc4 || op == 0xc5 || op == 0x62) {
        map = MAP_VEX;
    } else if (op == 0x0f && i + 1 < size) {
        map = MAP_0F;
        op = bytes[++i];
        if ((op == 0x38 || op == 0x3a) && i + 1 < size) {
            map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
            op = bytes[++i];
        }
    }
    if (i + 1 < size) {
        reg = (bytes[i + 1] >> 3) & 7; /* ModRM.reg, when there is one */
    }
    for (row = 0; row < sizeof(opcode_rows) / sizeof(opcode_rows[0]); row++) {
        const struct opcode_row *r = &opcode_rows[row];

        if (r->map == map && op >= r->lo && op <= r->hi &&
            (r->reg < 0 || r->reg == reg)) {
            return r->class_id;
        }
    }
    return CLASS_OTHER;
}

static size_t record_slot(uint64_t bytes, size_t size, size_t cap)
{
    uint64_t h = (bytes ^ size) * 0x9e3779b97f4a7c15ULL;

    return (size_t)(h >> 23) & (cap - 1);
}

static void records_grow(void)
{
    struct insn_record **old = records;
    size_t old_cap = records_cap;
    size_t i;

    records_cap = old_cap ? 2 * old_cap : 256;
    records = calloc(records_cap, sizeof(*records));
    if (!records) {
        fprintf(stderr, "howvec: out of memory\n");
        abort();
    }
    for (i = 0; i < old_cap; i++) {
        if (old[i]) {
            size_t slot = record_slot(old[i]->bytes, old[i]->size, records_cap);

            while (records[slot]) {
                slot = (slot + 1) & (records_cap - 1);
            }
            records[slot] = old[i];
        }
    }
    free(old);
}

/* The record for one encoding, made on first sight; caller holds lock. */
static struct insn_record *record_for(struct qemu_plugin_insn *insn,
                                      const struct insn_class *class)
{
    const uint8_t *data = qemu_plugin_insn_data(insn);
    size_t size = qemu_plugin_insn_size(insn);
    uint64_t bytes = 0;
    uint32_t opcode = 0;
    size_t slot, i;
    char *disas;

    for (i = 0; i < size && i < 8; i++) {
        bytes |= (uint64_t)data[i] << (8 * i);
    }
    for (i = 0; i < size && i < 4; i++) {
        opcode |= (uint32_t)data[i] << (8 * i);
    }
    if (2 * (n_records + 1) > records_cap) {
        records_grow();
    }
    slot = record_slot(bytes, size, records_cap);
    while (records[slot]) {
        if (records[slot]->bytes == bytes && records[slot]->size == size) {
            return records[slot];
        }
        slot = (slot + 1) & (records_cap - 1);
    }
    records[slot] = calloc(1, sizeof(**records));
    if (!records[slot]) {
        fprintf(stderr, "howvec: out of memory\n");
        abort();
    }
    disas = qemu_plugin_insn_disas(insn);
    records[slot]->bytes = bytes;
    records[slot]->size = size;
    records[slot]->opcode = opcode;
    records[slot]->disas = disas ? disas : strdup("?");
    records[slot]->class = class;
    n_records++;
    return records[slot];
}

static void vcpu_insn_exec(unsigned int cpu_index, void *userdata)
{
    __atomic_fetch_add((uint64_t *)userdata, 1, __ATOMIC_RELAXED);
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;

    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        struct insn_class *class =
            &classes[classify(qemu_plugin_insn_data(insn),
                              qemu_plugin_insn_size(insn))];
        uint64_t *counter;

        if (class->what == COUNT_NONE) {
            continue;
        }
        if (class->what == COUNT_INDIVIDUAL) {
            pthread_mutex_lock(&lock);
            counter = &record_for(insn, class)->count;
            pthread_mutex_unlock(&lock);
        } else {
            counter = &class->count;
        }
        if (do_inline) {
            qemu_plugin_register_vcpu_insn_exec_inline(
                insn, QEMU_PLUGIN_INLINE_ADD_U64, counter, 1);
        } else {
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn, vcpu_insn_exec, QEMU_PLUGIN_CB_NO_REGS, counter);
        }
    }
}

/* Most hits first; ties by encoding, so the order never varies. */
static int compare_records(const void *a, const void *b)
{
    const struct insn_record *ra = *(struct insn_record *const *)a;
    const struct insn_record *rb = *(struct insn_record *const *)b;

    if (ra->count != rb->count) {
        return ra->count > rb->count ? -1 : 1;
    }
    if (ra->bytes != rb->bytes) {
        return ra->bytes < rb->bytes ? -1 : 1;
    }
    return (ra->size > rb->size) - (ra->size < rb->size);
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    struct insn_record **sorted;
    char line[512];
    size_t n = 0, i;

    qemu_plugin_outs("Instruction Classes:\n");
    for (i = 0; i < N_CLASSES; i++) {
        const struct insn_class *class = &classes[i];
        uint64_t count = __atomic_load_n(&class->count, __ATOMIC_RELAXED);

        switch (class->what) {
        case COUNT_CLASS:
            if (!count && !verbose) {
                continue;
            }
            snprintf(line, sizeof(line), "Class: %-24s\t(%" PRId64 " hits)\n",
                     class->name, (int64_t)count);
            break;
        case COUNT_INDIVIDUAL:
            snprintf(line, sizeof(line), "Class: %-24s\tcounted individually\n",
                     class->name);
            break;
        case COUNT_NONE:
        default:
            snprintf(line, sizeof(line), "Class: %-24s\tnot counted\n",
                     class->name);
            break;
        }
        qemu_plugin_outs(line);
    }

    pthread_mutex_lock(&lock);
    sorted = calloc(n_records + 1, sizeof(*sorted));
    for (i = 0; sorted && i < records_cap; i++) {
        if (records[i]) {
            sorted[n++] = records[i];
        }
    }
    pthread_mutex_unlock(&lock);
    if (!sorted || !n) {
        free(sorted);
        return;
    }
    qsort(sorted, n, sizeof(*sorted), compare_records);
    qemu_plugin_outs("Individual Instructions:\n");
    for (i = 0; i < n && i < TOP_INSNS; i++) {
        snprintf(line, sizeof(line),
                 "Instr: %-24s\t(%" PRId64 " hits)\t(op=%#08x/%s)\n",
                 sorted[i]->disas, (int64_t)sorted[i]->count,
                 sorted[i]->opcode, sorted[i]->class->name);
        qemu_plugin_outs(line);
    }
    free(sorted);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (!parse_arg(argv[i])) {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
