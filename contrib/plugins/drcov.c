// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * drcov.c: block coverage in DynamoRIO's drcov format, for Lighthouse and
 * other coverage viewers.
 *
 * Mirrors QEMU 7.0's contrib/plugins/drcov.c, rebuilt for the 5.2 plugin API
 * (version 0), so it loads under real qemu-x86_64 7.2 and under pyqemu. 5.2
 * has no qemu_plugin_path_to_binary()/start_code()/end_code(), so the module
 * table comes from the host's /proc/self/maps: in user mode the guest's file
 * mappings show up there at their guest addresses (qemu-x86_64 runs with
 * guest_base 0 on an x86_64 host; pyqemu maps guest memory at the same host
 * address).
 *
 * How blocks and modules meet:
 * - A module is one run of consecutive /proc/self/maps lines that map the
 *   same file (same device, inode and path, file offsets not going back),
 *   spanning [lowest start, highest end).
 * - Each block is placed in a module when it is translated. A block outside
 *   every known module triggers a fresh read of /proc/self/maps, so modules
 *   mapped late (dlopen) are found. A block that is in no file mapping even
 *   then (JIT code, anonymous memory) belongs to no module and is left out
 *   of the default output. The addresses of such memory are remembered until
 *   the guest's next system call, so JIT code does not re-read the maps for
 *   every block.
 * - The emulator's own files need no special case: only modules holding at
 *   least one recorded block are written, and no guest block runs in them.
 *   They are written in address order; the maps are read once more at exit
 *   so each module's end is its final one, and its entry is the ELF entry
 *   point of its file moved to where it is mapped (0 when unreadable).
 * - Each (module, offset, size) is written once, in the order first seen.
 *   With exec=on (the default) a block counts once it has executed; with
 *   exec=off once it has been translated.
 *
 * Arguments ("key=value", or a bare "key" meaning on):
 *   filename=<path>      output file (default file.drcov.trace, relative to
 *                        the directory the emulator started in); "%p" in it
 *                        is the process id, as in LLVM_PROFILE_FILE: every
 *                        process (the guest's forked children too) writes
 *                        its own file
 *   exec=on|off          record executed blocks (on) or translated ones (off)
 *   format=drcov2|qemu7  drcov2: one module per file, block starts relative
 *                        to their module (what DynamoRIO writes); qemu7: the
 *                        layout of QEMU 7.0's plugin (see write_qemu7())
 *
 * The file is written at exit. QEMU 7.2 runs no atexit callbacks when the
 * guest dies of a signal, so then no file is written (install only checks
 * that the file can be created, and removes what it created). A child the
 * guest forks runs the atexit callbacks too when it exits. Without "%p" in the
 * file name only the process that installed the plugin writes, so a child
 * cannot clobber the file (its own coverage is not written); with "%p" each
 * process writes the blocks it recorded (a child's include those its parent
 * ran before the fork) to a file of its own. (QEMU has no "%p": there parent
 * and child both write the one file, and the last writer wins.)
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define DEFAULT_FILE_NAME "file.drcov.trace"
/* Translation records are allocated this many at a time and never freed. */
#define RECORDS_PER_CHUNK 1024
/* Most remembered address ranges that hold no module. */
#define MAX_FOREIGN_RANGES 64

enum output_format {
    FORMAT_DRCOV2,
    FORMAT_QEMU7,
};

/* One file seen in /proc/self/maps. */
struct module {
    uint64_t base;        /* lowest mapped address */
    uint64_t end;         /* highest mapped address + 1 */
    uint64_t base_offset; /* file offset mapped at @base */
    uint64_t dev;
    uint64_t inode;
    char *path;
    bool live;            /* present in the latest read of the maps */
};

/* One translated block; the tb_exec callback gets a pointer to it. */
struct tb_record {
    int module;        /* index in modules[], or -1 for none */
    uint64_t start;    /* offset from the module's base, or the vaddr */
    uint16_t size;     /* bytes */
    bool recorded;     /* already in the coverage set */
};

/* One distinct covered block, in the order first recorded. */
struct covered_block {
    int module;
    uint64_t start;
    uint16_t size;
};

/* Address range known to hold no module, valid while no syscall ran. */
struct foreign_range {
    uint64_t start;
    uint64_t end;
};

/* What the ELF headers of a module's file say, relocated to its base. */
struct elf_facts {
    uint64_t entry;      /* 0 when unknown */
    uint64_t text_start; /* bounds of the executable segments; 0, 0 when */
    uint64_t text_end;   /* unknown */
};

static char *output_path; /* absolute; may hold "%p" */
static pid_t installing_pid; /* the process that writes the file (no "%p") */
static const char *output_name; /* as the user gave it, for messages */
static bool record_translations;
static enum output_format output_format = FORMAT_DRCOV2;

/* Guards everything below. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct module *modules;
static size_t n_modules;
static size_t modules_cap;

static struct tb_record *record_chunk;
static size_t record_chunk_used = RECORDS_PER_CHUNK;

static struct covered_block *blocks;
static size_t n_blocks;
static size_t blocks_cap;
/* Open-addressing set of indices into blocks[] + 1 (0 = empty slot). */
static uint32_t *block_slots;
static size_t block_slots_cap;

static struct foreign_range foreign_ranges[MAX_FOREIGN_RANGES];
static size_t n_foreign_ranges;
static size_t foreign_next;
static uint64_t foreign_generation;
/* Bumped by every guest syscall: any of them may change the mappings. */
static uint64_t syscall_generation;

static void *xrealloc(void *ptr, size_t size)
{
    void *grown = realloc(ptr, size);

    if (!grown) {
        fprintf(stderr, "drcov: out of memory\n");
        abort();
    }
    return grown;
}

/*
 * Arguments
 */

/*
 * True when @arg is @key alone or "@key=value"; *value is then the text after
 * '=' or NULL for the bare key.
 */
static bool arg_has_key(const char *arg, const char *key, const char **value)
{
    size_t len = strlen(key);

    if (strncmp(arg, key, len) != 0 || (arg[len] != '\0' && arg[len] != '=')) {
        return false;
    }
    *value = arg[len] ? arg + len + 1 : NULL;
    return true;
}

/* Parses on/off/true/false/yes/no; a missing value (bare key) means on. */
static bool parse_bool(const char *value, bool *out)
{
    static const char *const on[] = { "on", "true", "yes" };
    static const char *const off[] = { "off", "false", "no" };
    size_t i;

    if (!value) {
        *out = true;
        return true;
    }
    for (i = 0; i < 3; i++) {
        if (!strcmp(value, on[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(value, off[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_args(int argc, char **argv)
{
    int i;

    output_name = DEFAULT_FILE_NAME;
    for (i = 0; i < argc; i++) {
        const char *value;
        bool exec = true;

        if (arg_has_key(argv[i], "filename", &value) && value && *value) {
            output_name = value;
        } else if (arg_has_key(argv[i], "exec", &value) &&
                   parse_bool(value, &exec)) {
            record_translations = !exec;
        } else if (arg_has_key(argv[i], "format", &value) && value &&
                   !strcmp(value, "drcov2")) {
            output_format = FORMAT_DRCOV2;
        } else if (arg_has_key(argv[i], "format", &value) && value &&
                   !strcmp(value, "qemu7")) {
            output_format = FORMAT_QEMU7;
        } else {
            fprintf(stderr, "option parsing failed: %s\n", argv[i]);
            return false;
        }
    }
    return true;
}

/*
 * The module table, from /proc/self/maps
 */

/* One parsed line of /proc/self/maps. */
struct map_line {
    uint64_t start;
    uint64_t end;
    uint64_t offset;
    uint64_t dev;
    uint64_t inode;
    char path[PATH_MAX + 32];
};

static bool parse_map_line(char *text, struct map_line *line)
{
    unsigned int major, minor;
    unsigned long long inode;
    int path_at = 0;
    char *path;
    size_t len;

    if (sscanf(text, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %x:%x %llu %n",
               &line->start, &line->end, &line->offset, &major, &minor,
               &inode, &path_at) < 6 || path_at == 0) {
        return false;
    }
    line->dev = (uint64_t)major << 32 | minor;
    line->inode = inode;
    path = text + path_at;
    len = strcspn(path, "\n");
    path[len] = '\0';
    /* The kernel marks mappings of unlinked files; the path is what counts. */
    if (len > 10 && !strcmp(path + len - 10, " (deleted)")) {
        path[len - 10] = '\0';
    }
    snprintf(line->path, sizeof(line->path), "%s", path);
    return true;
}

/*
 * A mapping of a real file, as opposed to anonymous memory, [heap] and the
 * like, or the kernel's names for shared anonymous memory (/dev/zero,
 * memfd, SysV shm), which an emulator may use to back guest RAM.
 */
static bool is_file_mapping(const struct map_line *line)
{
    return line->inode != 0 && line->path[0] == '/' &&
           strncmp(line->path, "/dev/zero", 9) != 0 &&
           strncmp(line->path, "/memfd:", 7) != 0 &&
           strncmp(line->path, "/SYSV", 5) != 0;
}

/* Adds the file run @run to modules[], or refreshes its existing entry. */
static void merge_module(const struct module *run)
{
    size_t i;

    for (i = 0; i < n_modules; i++) {
        struct module *known = &modules[i];

        if (known->base == run->base && known->dev == run->dev &&
            known->inode == run->inode && !strcmp(known->path, run->path)) {
            known->live = true;
            if (run->end > known->end) {
                known->end = run->end;
            }
            return;
        }
    }
    if (n_modules == modules_cap) {
        modules_cap = modules_cap ? 2 * modules_cap : 16;
        modules = xrealloc(modules, modules_cap * sizeof(*modules));
    }
    modules[n_modules] = *run;
    modules[n_modules].path = strdup(run->path);
    modules[n_modules].live = true;
    if (!modules[n_modules].path) {
        fprintf(stderr, "drcov: out of memory\n");
        abort();
    }
    n_modules++;
}

/* Remembers [start, end) as holding no module, replacing the oldest entry. */
static void remember_foreign(uint64_t start, uint64_t end)
{
    foreign_ranges[foreign_next].start = start;
    foreign_ranges[foreign_next].end = end;
    foreign_next = (foreign_next + 1) % MAX_FOREIGN_RANGES;
    if (n_foreign_ranges < MAX_FOREIGN_RANGES) {
        n_foreign_ranges++;
    }
}

/*
 * Re-reads /proc/self/maps into modules[]. When @addr is given and lies in
 * no file mapping, remembers the range around it as foreign. Caller holds
 * lock.
 */
static void scan_maps(const uint64_t *addr)
{
    static char text[PATH_MAX + 256];
    static char run_path[sizeof(((struct map_line *)0)->path)];
    struct map_line line;
    struct module run = { .path = run_path };
    bool in_run = false;
    uint64_t run_last_offset = 0;
    bool addr_seen = false;
    FILE *maps = fopen("/proc/self/maps", "r");
    size_t i;

    if (!maps) {
        return;
    }
    for (i = 0; i < n_modules; i++) {
        modules[i].live = false;
    }
    while (fgets(text, sizeof(text), maps)) {
        if (!parse_map_line(text, &line)) {
            continue;
        }
        if (addr && *addr >= line.start && *addr < line.end) {
            addr_seen = true;
            if (!is_file_mapping(&line)) {
                remember_foreign(line.start, line.end);
            }
        }
        if (!is_file_mapping(&line)) {
            if (in_run) {
                merge_module(&run);
                in_run = false;
            }
            continue;
        }
        /* Same file, and its offsets still climbing: the run goes on. */
        if (in_run && line.dev == run.dev && line.inode == run.inode &&
            !strcmp(line.path, run.path) && line.offset >= run_last_offset) {
            run.end = line.end;
            run_last_offset = line.offset;
            continue;
        }
        if (in_run) {
            merge_module(&run);
        }
        run.base = line.start;
        run.end = line.end;
        run.base_offset = line.offset;
        run.dev = line.dev;
        run.inode = line.inode;
        snprintf(run_path, sizeof(run_path), "%s", line.path);
        run_last_offset = line.offset;
        in_run = true;
    }
    if (in_run) {
        merge_module(&run);
    }
    fclose(maps);
    /* Not mapped at all: remember just its page, to avoid re-reading. */
    if (addr && !addr_seen) {
        remember_foreign(*addr & ~(uint64_t)0xfff, (*addr | 0xfff) + 1);
    }
}

/* Index of the live module holding @addr, or -1. Caller holds lock. */
static int find_module(uint64_t addr)
{
    size_t i;

    /* Newest first: a later mapping at the same place wins. */
    for (i = n_modules; i-- > 0;) {
        if (modules[i].live && addr >= modules[i].base &&
            addr < modules[i].end) {
            return (int)i;
        }
    }
    return -1;
}

static bool is_known_foreign(uint64_t addr)
{
    size_t i;

    if (foreign_generation !=
        __atomic_load_n(&syscall_generation, __ATOMIC_RELAXED)) {
        return false;
    }
    for (i = 0; i < n_foreign_ranges; i++) {
        if (addr >= foreign_ranges[i].start && addr < foreign_ranges[i].end) {
            return true;
        }
    }
    return false;
}

/* The module holding @addr, reading the maps again if needed; holds lock. */
static int module_for(uint64_t addr)
{
    int module = find_module(addr);

    if (module >= 0 || is_known_foreign(addr)) {
        return module;
    }
    if (foreign_generation !=
        __atomic_load_n(&syscall_generation, __ATOMIC_RELAXED)) {
        n_foreign_ranges = 0;
        foreign_next = 0;
        foreign_generation =
            __atomic_load_n(&syscall_generation, __ATOMIC_RELAXED);
    }
    scan_maps(&addr);
    return find_module(addr);
}

/*
 * The coverage set
 */

static uint64_t block_hash(int module, uint64_t start, uint16_t size)
{
    uint64_t h = (uint64_t)(uint32_t)module * 0x9e3779b97f4a7c15ULL;

    h ^= start + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
    h ^= size + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

static void block_slots_insert(uint32_t index)
{
    const struct covered_block *b = &blocks[index];
    size_t mask = block_slots_cap - 1;
    size_t slot = block_hash(b->module, b->start, b->size) & mask;

    while (block_slots[slot]) {
        slot = (slot + 1) & mask;
    }
    block_slots[slot] = index + 1;
}

/* Adds the block to the set unless it is there already; caller holds lock. */
static void record_block(const struct tb_record *rec)
{
    size_t mask, slot;
    uint32_t i;

    if (2 * (n_blocks + 1) > block_slots_cap) {
        size_t old_cap = block_slots_cap;

        block_slots_cap = old_cap ? 2 * old_cap : 4096;
        free(block_slots);
        block_slots = calloc(block_slots_cap, sizeof(*block_slots));
        if (!block_slots) {
            fprintf(stderr, "drcov: out of memory\n");
            abort();
        }
        for (i = 0; i < n_blocks; i++) {
            block_slots_insert(i);
        }
    }
    mask = block_slots_cap - 1;
    slot = block_hash(rec->module, rec->start, rec->size) & mask;
    while (block_slots[slot]) {
        const struct covered_block *b = &blocks[block_slots[slot] - 1];

        if (b->module == rec->module && b->start == rec->start &&
            b->size == rec->size) {
            return;
        }
        slot = (slot + 1) & mask;
    }
    if (n_blocks == blocks_cap) {
        blocks_cap = blocks_cap ? 2 * blocks_cap : 4096;
        blocks = xrealloc(blocks, blocks_cap * sizeof(*blocks));
    }
    blocks[n_blocks].module = rec->module;
    blocks[n_blocks].start = rec->start;
    blocks[n_blocks].size = rec->size;
    block_slots[slot] = (uint32_t)n_blocks + 1;
    n_blocks++;
}

/*
 * Callbacks
 */

static void vcpu_tb_exec(unsigned int vcpu_index, void *userdata)
{
    struct tb_record *rec = userdata;

    /* The common case, a block seen before, takes no lock. */
    if (__atomic_load_n(&rec->recorded, __ATOMIC_ACQUIRE)) {
        return;
    }
    pthread_mutex_lock(&lock);
    if (!rec->recorded) {
        record_block(rec);
        __atomic_store_n(&rec->recorded, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lock);
}

static struct tb_record *new_record(void)
{
    if (record_chunk_used == RECORDS_PER_CHUNK) {
        record_chunk = calloc(RECORDS_PER_CHUNK, sizeof(*record_chunk));
        if (!record_chunk) {
            fprintf(stderr, "drcov: out of memory\n");
            abort();
        }
        record_chunk_used = 0;
    }
    return &record_chunk[record_chunk_used++];
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
    size_t n_insns = qemu_plugin_tb_n_insns(tb);
    size_t bytes = 0;
    struct tb_record *rec;
    size_t i;

    for (i = 0; i < n_insns; i++) {
        bytes += qemu_plugin_insn_size(qemu_plugin_tb_get_insn(tb, i));
    }

    pthread_mutex_lock(&lock);
    rec = new_record();
    rec->module = module_for(vaddr);
    rec->start = rec->module >= 0 ? vaddr - modules[rec->module].base : vaddr;
    rec->size = bytes > UINT16_MAX ? UINT16_MAX : (uint16_t)bytes;
    if (record_translations) {
        record_block(rec);
        rec->recorded = true;
    }
    pthread_mutex_unlock(&lock);

    if (!record_translations) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_tb_exec,
                                             QEMU_PLUGIN_CB_NO_REGS, rec);
    }
}

static void vcpu_syscall(qemu_plugin_id_t id, unsigned int vcpu_index,
                         int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                         uint64_t a8)
{
    __atomic_fetch_add(&syscall_generation, 1, __ATOMIC_RELAXED);
}

/*
 * Writing the file
 */

/*
 * Reads the ELF headers of @m's file: its entry point and the bounds of its
 * executable segments, moved to where the file is mapped.
 */
static struct elf_facts read_elf_facts(const struct module *m)
{
    struct elf_facts facts = { 0, 0, 0 };
    Elf64_Ehdr ehdr;
    Elf64_Phdr phdr;
    bool have_bias = false;
    uint64_t bias = 0;
    uint64_t text_lo = UINT64_MAX, text_hi = 0;
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    unsigned int i;

    if (fd < 0) {
        return facts;
    }
    if (pread(fd, &ehdr, sizeof(ehdr), 0) != sizeof(ehdr) ||
        memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0 ||
        ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
        ehdr.e_phentsize != sizeof(phdr)) {
        close(fd);
        return facts;
    }
    for (i = 0; i < ehdr.e_phnum; i++) {
        off_t at = (off_t)(ehdr.e_phoff + (uint64_t)i * sizeof(phdr));

        if (pread(fd, &phdr, sizeof(phdr), at) != sizeof(phdr)) {
            close(fd);
            return facts;
        }
        if (phdr.p_type != PT_LOAD) {
            continue;
        }
        if (!have_bias) {
            /* File offset base_offset sits at base. */
            bias = m->base - m->base_offset - (phdr.p_vaddr - phdr.p_offset);
            have_bias = true;
        }
        if (phdr.p_flags & PF_X) {
            if (phdr.p_vaddr < text_lo) {
                text_lo = phdr.p_vaddr;
            }
            if (phdr.p_vaddr + phdr.p_filesz > text_hi) {
                text_hi = phdr.p_vaddr + phdr.p_filesz;
            }
        }
    }
    close(fd);
    if (!have_bias) {
        return facts;
    }
    if (ehdr.e_entry && ehdr.e_entry + bias >= m->base &&
        ehdr.e_entry + bias < m->end) {
        facts.entry = ehdr.e_entry + bias;
    }
    if (text_lo < text_hi) {
        facts.text_start = text_lo + bias;
        facts.text_end = text_hi + bias;
    }
    return facts;
}

/* A block fits in its module: drcov readers expect nothing else. */
static bool block_in_module(const struct covered_block *b)
{
    const struct module *m;

    if (b->module < 0) {
        return false;
    }
    m = &modules[b->module];
    return b->start + b->size <= m->end - m->base;
}

static void write_block(FILE *fp, uint32_t start, uint16_t size,
                        uint16_t mod_id)
{
    /* DynamoRIO's bb_entry_t, always little-endian. */
    unsigned char entry[8] = {
        start & 0xff, (start >> 8) & 0xff, (start >> 16) & 0xff, start >> 24,
        size & 0xff, size >> 8, mod_id & 0xff, mod_id >> 8,
    };

    fwrite(entry, sizeof(entry), 1, fp);
}

static void write_header(FILE *fp, size_t n_written_modules)
{
    fprintf(fp, "DRCOV VERSION: 2\n");
    fprintf(fp, "DRCOV FLAVOR: drcov-64\n");
    fprintf(fp, "Module Table: version 2, count %zu\n", n_written_modules);
    fprintf(fp, "Columns: id, base, end, entry, path\n");
}

static int compare_module_base(const void *a, const void *b)
{
    const struct module *ma = &modules[*(const int *)a];
    const struct module *mb = &modules[*(const int *)b];

    if (ma->base != mb->base) {
        return ma->base < mb->base ? -1 : 1;
    }
    return *(const int *)a - *(const int *)b;
}

/*
 * DynamoRIO's layout: every module holding a recorded block, by base
 * address, and block starts relative to their module.
 */
static void write_drcov2(FILE *fp)
{
    int *order = calloc(n_modules + 1, sizeof(*order));
    int *out_id = calloc(n_modules + 1, sizeof(*out_id));
    size_t n_used = 0, n_written = 0;
    size_t i;

    if (!order || !out_id) {
        fprintf(stderr, "drcov: out of memory\n");
        abort();
    }
    for (i = 0; i < n_modules; i++) {
        out_id[i] = -1;
    }
    for (i = 0; i < n_blocks; i++) {
        if (block_in_module(&blocks[i]) && out_id[blocks[i].module] < 0) {
            out_id[blocks[i].module] = 0;
            order[n_used++] = blocks[i].module;
        }
    }
    qsort(order, n_used, sizeof(*order), compare_module_base);

    write_header(fp, n_used);
    for (i = 0; i < n_used; i++) {
        const struct module *m = &modules[order[i]];
        struct elf_facts facts = read_elf_facts(m);

        out_id[order[i]] = (int)i;
        fprintf(fp, "%zu, 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %s\n",
                i, m->base, m->end, facts.entry, m->path);
    }
    for (i = 0; i < n_blocks; i++) {
        n_written += block_in_module(&blocks[i]);
    }
    fprintf(fp, "BB Table: %zu bbs\n", n_written);
    for (i = 0; i < n_blocks; i++) {
        if (block_in_module(&blocks[i])) {
            write_block(fp, (uint32_t)blocks[i].start, blocks[i].size,
                        (uint16_t)out_id[blocks[i].module]);
        }
    }
    free(order);
    free(out_id);
}

/*
 * QEMU 7.0's layout: one module, the main program, and every recorded block
 * (shared libraries and code outside any file included) under module 0,
 * with its absolute address truncated to 32 bits. QEMU names the program
 * from its loader; here the main program is the file mapped lowest among
 * the modules holding a recorded block: the executable is mapped below its
 * interpreter and libraries under qemu-x86_64 (0x400000 or 0x4000000000 for
 * PIE, with ld.so and libraries above). base and end are the bounds of its
 * executable segments (QEMU's start_code/end_code), entry its entry point.
 */
static void write_qemu7(FILE *fp)
{
    const struct module *main_module = NULL;
    struct elf_facts facts = { 0, 0, 0 };
    uint64_t base = 0, end = 0;
    size_t i;

    for (i = 0; i < n_blocks; i++) {
        const struct module *m;

        if (!block_in_module(&blocks[i])) {
            continue;
        }
        m = &modules[blocks[i].module];
        if (!main_module || m->base < main_module->base) {
            main_module = m;
        }
    }
    if (main_module) {
        facts = read_elf_facts(main_module);
        base = facts.text_end ? facts.text_start : main_module->base;
        end = facts.text_end ? facts.text_end : main_module->end;
    }

    write_header(fp, 1);
    fprintf(fp, "0, 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", %s\n",
            base, end, facts.entry, main_module ? main_module->path : "(null)");
    fprintf(fp, "BB Table: %zu bbs\n", n_blocks);
    for (i = 0; i < n_blocks; i++) {
        const struct covered_block *b = &blocks[i];
        uint64_t vaddr = b->start;

        if (b->module >= 0) {
            vaddr += modules[b->module].base;
        }
        write_block(fp, (uint32_t)vaddr, b->size, 0);
    }
}

/*
 * The file name with every "%p" replaced by pid (a copy to free), or NULL
 * when out of memory.
 */
static char *expand_pid(const char *name, pid_t pid)
{
    char digits[24];
    size_t len = strlen(name) + 1, n_digits;
    const char *at;
    char *out, *to;

    n_digits = (size_t)snprintf(digits, sizeof(digits), "%ld", (long)pid);
    for (at = strstr(name, "%p"); at; at = strstr(at + 2, "%p")) {
        len += n_digits;
    }
    out = malloc(len);
    if (!out) {
        return NULL;
    }
    for (to = out; *name; ) {
        if (name[0] == '%' && name[1] == 'p') {
            memcpy(to, digits, n_digits);
            to += n_digits;
            name += 2;
        } else {
            *to++ = *name++;
        }
    }
    *to = '\0';
    return out;
}

static bool per_process_file(void)
{
    return strstr(output_path, "%p") != NULL;
}

static void plugin_exit(qemu_plugin_id_t id, void *userdata)
{
    FILE *fp;
    char *path;

    if (!per_process_file() && getpid() != installing_pid) {
        return; /* a forked child of the guest */
    }
    path = expand_pid(output_path, getpid());
    if (!path) {
        fprintf(stderr, "drcov: out of memory\n");
        return;
    }
    pthread_mutex_lock(&lock);
    /* Modules may have grown since they were first seen. */
    scan_maps(NULL);
    fp = fopen(path, "wb");
    free(path);
    if (!fp) {
        fprintf(stderr, "drcov: cannot open %s: %s\n", output_name,
                strerror(errno));
        pthread_mutex_unlock(&lock);
        return;
    }
    if (output_format == FORMAT_QEMU7) {
        write_qemu7(fp);
    } else {
        write_drcov2(fp);
    }
    if (fclose(fp) != 0) {
        fprintf(stderr, "drcov: cannot write %s: %s\n", output_name,
                strerror(errno));
    }
    pthread_mutex_unlock(&lock);
}

/*
 * Makes output_path absolute (the guest may chdir before exit) and checks
 * that it can be written, leaving no file behind that was not there before.
 */
static bool prepare_output(void)
{
    char cwd[PATH_MAX];
    char *path;
    size_t len;
    int fd;

    if (output_name[0] == '/') {
        output_path = strdup(output_name);
    } else if (getcwd(cwd, sizeof(cwd))) {
        len = strlen(cwd) + strlen(output_name) + 2;
        output_path = malloc(len);
        if (output_path) {
            snprintf(output_path, len, "%s/%s", cwd, output_name);
        }
    } else {
        fprintf(stderr, "drcov: cannot open %s: %s\n", output_name,
                strerror(errno));
        return false;
    }
    if (!output_path) {
        fprintf(stderr, "drcov: out of memory\n");
        return false;
    }

    /* The file this process will write ("%p": its own pid). */
    path = expand_pid(output_path, getpid());
    if (!path) {
        fprintf(stderr, "drcov: out of memory\n");
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
        close(fd);
        unlink(path);
        free(path);
        return true;
    }
    if (errno == EEXIST) {
        /* Emptied now: a run that never reaches exit leaves no stale data. */
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            free(path);
            return true;
        }
    }
    free(path);
    fprintf(stderr, "drcov: cannot open %s: %s\n", output_name,
            strerror(errno));
    return false;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    if (!parse_args(argc, argv) || !prepare_output()) {
        return -1;
    }
    installing_pid = getpid();
    qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
    qemu_plugin_register_vcpu_syscall_cb(id, vcpu_syscall);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
