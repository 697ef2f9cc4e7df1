// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jit_cycles.c - a W^X JIT that rewrites one function many times:
 * write `mov eax, imm32; ret` with a new immediate into a read-write page,
 * mprotect it read-execute, call it, mprotect it back, and again.  Each
 * round drops the translation of the last (and, under a plugin, its record).
 *
 * argv[1]: rounds (default 1000); argv[2], if given: the round after which
 * the process's VmRSS (kB) is printed, read from /proc/self/status (under an
 * emulator, the emulator's own), as is the VmRSS at the end.
 *
 * Expected status: 0
 * Expected stdout: "sum <the sum of the immediates>\n" (and the VmRSS lines)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CODE_PAGE_SIZE 4096

static long vm_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    long checkpoint = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
    unsigned char code[] = {0xb8, 0, 0, 0, 0, 0xc3};    /* mov eax, imm32; ret */
    unsigned long sum = 0;
    unsigned char *page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (long i = 1; i <= rounds; i++) {
        unsigned int imm = (unsigned int)i;

        memcpy(code + 1, &imm, sizeof(imm));
        memcpy(page, code, sizeof(code));
        __builtin___clear_cache((char *)page, (char *)page + sizeof(code));
        if (mprotect(page, CODE_PAGE_SIZE, PROT_READ | PROT_EXEC) != 0) {
            perror("mprotect rx");
            return 1;
        }
        sum += (unsigned int)((int (*)(void))page)();
        if (mprotect(page, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) {
            perror("mprotect rw");
            return 1;
        }
        if (i == checkpoint) {
            printf("rss %ld\n", vm_rss_kb());
        }
    }
    if (checkpoint >= 0) {
        printf("rss %ld\n", vm_rss_kb());
    }
    printf("sum %lu\n", sum);
    return 0;
}
