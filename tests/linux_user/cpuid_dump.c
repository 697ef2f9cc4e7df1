// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Print what a program learns about its CPU: every CPUID leaf and subleaf (one line
 * each: leaf.subleaf: eax ebx ecx edx), leaves past the top of each range, and
 * AT_HWCAP.  tests/linux_user/test_cpu_models.py runs it under qemu-x86_64 -cpu M and
 * pyqemu-x86_64 -cpu M and compares the output.
 */
#include <stdio.h>
#include <stdint.h>
#include <elf.h>

extern char **environ;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static void show(uint32_t leaf, uint32_t sub)
{
    uint32_t r[4];
    cpuid(leaf, sub, r);
    printf("%08x.%02x: %08x %08x %08x %08x\n", leaf, sub, r[0], r[1], r[2], r[3]);
}

int main(void)
{
    uint32_t r[4], max, xmax, leaf, sub;

    cpuid(0, 0, r);
    max = r[0];
    for (leaf = 0; leaf <= max + 1; leaf++) {
        int nsub = (leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0x14 ||
                    leaf == 0x12 || leaf == 0x1f || leaf == 0x1d || leaf == 0x1e) ? 64 : 1;
        for (sub = 0; sub < (uint32_t)nsub; sub++) {
            show(leaf, sub);
        }
    }
    cpuid(0x80000000, 0, r);
    xmax = r[0];
    for (leaf = 0x80000000; leaf <= (xmax > 0x80000008 ? xmax : 0x80000008) + 1; leaf++) {
        /* 0x8000001d: AMD's cache levels, one subleaf each */
        for (sub = 0; sub < (leaf == 0x8000001d ? 5u : 1u); sub++) {
            show(leaf, sub);
        }
    }
    show(0x40000000, 0);
    show(0xc0000000, 0);
    show(0x8fffffff, 0);
    show(0xffffffff, 0);
    /* the aux vector as the emulator built it (glibc's getauxval(AT_HWCAP) is its own) */
    char **env = environ;
    while (*env) {
        env++;
    }
    for (Elf64_auxv_t *aux = (Elf64_auxv_t *)(env + 1); aux->a_type != AT_NULL; aux++) {
        if (aux->a_type == AT_HWCAP) {
            printf("AT_HWCAP: %08lx\n", (unsigned long)aux->a_un.a_val);
        }
    }
    return 0;
}
