// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Function symbols of the guest's program and interpreter, for
 * qemu_plugin_insn_symbol() (QEMU 7.2 level).
 *
 * Plays the part of load_symbols() and lookup_symbol() in QEMU's
 * linux-user/elfload.c and disas.c: each loaded image's .symtab is read, the
 * entries that are not defined STT_FUNC symbols are dropped the way QEMU
 * drops them (the last entry takes the dropped one's place), values are moved
 * by the load bias, the table is sorted with qsort() on the value, and a
 * lookup is a bsearch() for the symbol whose [value, value + size) holds the
 * address.  Same steps, same C library: the same name wins among aliases.
 *
 * Layer: called by api.c and Python; calls only the C library.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct symbol_table {
    Elf64_Sym *syms;
    size_t n_syms;
    char *strings;
    size_t strings_size;
    struct symbol_table *next;
};

/* The image loaded last comes first, as QEMU's syminfos list. */
static struct symbol_table *symbol_tables;

static int symcmp(const void *a, const void *b)
{
    const Elf64_Sym *sa = a, *sb = b;

    return sa->st_value < sb->st_value ? -1 : sa->st_value > sb->st_value;
}

static int symfind(const void *key, const void *elem)
{
    uint64_t addr = *(const uint64_t *)key;
    const Elf64_Sym *sym = elem;

    if (addr < sym->st_value) {
        return -1;
    }
    return addr >= sym->st_value + sym->st_size ? 1 : 0;
}

static void *read_at(int fd, uint64_t offset, uint64_t size)
{
    void *buf = size ? malloc(size) : NULL;

    if (buf && pread(fd, buf, size, (off_t)offset) != (ssize_t)size) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Reads the .symtab of the ELF file at @path, mapped with @load_bias. */
void plugin_load_symbols(const char *path, uint64_t load_bias)
{
    struct symbol_table *table = NULL;
    Elf64_Shdr *shdrs = NULL;
    Elf64_Ehdr ehdr;
    size_t i, n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        return;
    }
    if (pread(fd, &ehdr, sizeof(ehdr), 0) != sizeof(ehdr) ||
        ehdr.e_shentsize != sizeof(Elf64_Shdr)) {
        goto out;
    }
    shdrs = read_at(fd, ehdr.e_shoff, (uint64_t)ehdr.e_shnum * sizeof(*shdrs));
    if (!shdrs) {
        goto out;
    }
    for (i = 0; i < ehdr.e_shnum && shdrs[i].sh_type != SHT_SYMTAB; i++) {
    }
    if (i == ehdr.e_shnum || shdrs[i].sh_link >= ehdr.e_shnum) {
        goto out;   /* stripped */
    }
    table = calloc(1, sizeof(*table));
    if (!table) {
        goto out;
    }
    table->strings_size = shdrs[shdrs[i].sh_link].sh_size;
    table->strings = read_at(fd, shdrs[shdrs[i].sh_link].sh_offset, table->strings_size);
    table->syms = read_at(fd, shdrs[i].sh_offset, shdrs[i].sh_size);
    if (!table->strings || !table->syms) {
        goto out;
    }
    n = shdrs[i].sh_size / sizeof(Elf64_Sym);
    for (i = 0; i < n;) {
        Elf64_Sym *sym = &table->syms[i];

        if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE ||
            ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_name >= table->strings_size) {
            if (i < --n) {
                *sym = table->syms[n];
            }
        } else {
            sym->st_value += load_bias;
            i++;
        }
    }
    if (n == 0) {
        goto out;
    }
    table->strings[table->strings_size - 1] = '\0';
    qsort(table->syms, n, sizeof(Elf64_Sym), symcmp);
    table->n_syms = n;
    table->next = symbol_tables;
    symbol_tables = table;
    table = NULL;
out:
    if (table) {
        free(table->syms);
        free(table->strings);
        free(table);
    }
    free(shdrs);
    close(fd);
}

/* The name of the function holding @addr, or "" (QEMU's lookup_symbol). */
const char *plugin_lookup_symbol(uint64_t addr)
{
    for (const struct symbol_table *t = symbol_tables; t; t = t->next) {
        const Elf64_Sym *sym = bsearch(&addr, t->syms, t->n_syms, sizeof(Elf64_Sym), symfind);

        if (sym && t->strings[sym->st_name]) {
            return t->strings + sym->st_name;
        }
    }
    return "";
}
