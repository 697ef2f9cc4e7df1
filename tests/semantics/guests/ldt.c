// SPDX-License-Identifier: GPL-2.0-or-later
/* modify_ldt (issue 18): install LDT descriptors, load one through a selector with the
 * table-indicator bit into GS and read memory through it, read the table back, and the
 * argument errors; a thread made afterwards uses the same LDT.  Built static and not PIE,
 * so the data's address fits a 32-bit base. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct user_desc_raw {
    uint32_t entry_number, base_addr, limit, flags;
};

/* qemu-x86_64 7.2 reads the structure with an 8-byte base_addr (24 bytes in all) and
 * answers Linux's 16 bytes with -EINVAL: each write tries Linux's layout, then qemu's */
struct user_desc_qemu {
    uint32_t entry_number;
    uint64_t base_addr;
    uint32_t limit, flags;
};

/* flag bits of struct user_desc (asm/ldt.h) */
enum { SEG_32BIT = 1, CONTENTS_SHIFT = 1, READ_EXEC_ONLY = 8, LIMIT_IN_PAGES = 16,
       SEG_NOT_PRESENT = 32, USEABLE = 64 };

static uint64_t data[4] = {0x1111111111111111ull, 0x2222222222222222ull,
                           0x3333333333333333ull, 0x4444444444444444ull};

static long modify_ldt(int func, void *ptr, unsigned long bytecount)
{
    long r = syscall(SYS_modify_ldt, func, ptr, bytecount);
    return r < 0 ? -errno : (int)r;   /* Linux returns an int zero-extended to a long */
}

static long write_both(int func, const struct user_desc_raw *d)
{
    long r = modify_ldt(func, (void *)d, sizeof *d);
    printf(" linux layout %ld", r);
    if (r == -EINVAL) {
        struct user_desc_qemu q = {d->entry_number, d->base_addr, d->limit, d->flags};
        r = modify_ldt(func, &q, sizeof q);
        printf(", qemu layout %ld", r);
    }
    printf("\n");
    return r;
}

static uint64_t read_gs(uint16_t selector, int index)
{
    uint64_t value;
    __asm__ volatile("movw %1, %%gs\n\tmovq %%gs:(,%2,8), %0\n\tmovw %3, %%gs"
                     : "=r"(value) : "r"(selector), "r"((long)index), "r"((uint16_t)0));
    return value;
}

static void *thread_reads_gs(void *arg)
{
    (void)arg;
    printf("thread: gs:8 via selector 0x7: %016llx\n", (unsigned long long)read_gs(0x7, 1));
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    unsigned char table[40];
    memset(table, 0xa5, sizeof table);
    printf("read before any write: %ld\n", modify_ldt(0, table, sizeof table));

    struct user_desc_raw d = {0, (uint32_t)(uintptr_t)data, 0xfffff,
                              SEG_32BIT | LIMIT_IN_PAGES | USEABLE};
    printf("write 0x11 entry 0:");
    write_both(0x11, &d);
    printf("gs:8 via selector 0x7: %016llx\n", (unsigned long long)read_gs(0x7, 1));

    pthread_t thread;                       /* a thread made now shares the LDT */
    pthread_create(&thread, NULL, thread_reads_gs, NULL);
    pthread_join(thread, NULL);

    struct user_desc_raw d1 = {1, (uint32_t)(uintptr_t)&data[2], 0xf,
                               SEG_32BIT | READ_EXEC_ONLY | USEABLE};
    printf("write 1 entry 1:");
    write_both(1, &d1);
    printf("gs:0 via selector 0xf: %016llx\n", (unsigned long long)read_gs(0xf, 0));

    struct user_desc_raw code = {3, 0x10000, 0x100, SEG_32BIT | (2 << CONTENTS_SHIFT)};
    printf("write 0x11 entry 3 (code):");
    write_both(0x11, &code);
    struct user_desc_raw clear = {2, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT};
    printf("write 0x11 entry 2 (empty):");
    write_both(0x11, &clear);

    long n = modify_ldt(0, table, 32);
    printf("read 32: %ld:", n);
    for (int i = 0; i < 32; i++)
        printf("%s%02x", i % 8 ? "" : " ", table[i]);
    printf(" next=%02x\n", table[32]);

    /* errors */
    printf("bytecount 15: %ld\n", modify_ldt(0x11, &d, 15));
    printf("bytecount 23: %ld\n", modify_ldt(0x11, &d, 23));
    struct user_desc_raw far = {8192, 0, 0, 0};
    printf("entry 8192:");
    write_both(0x11, &far);
    struct user_desc_raw conforming = {4, 0, 0, 3 << CONTENTS_SHIFT};
    printf("contents 3 old mode:");
    write_both(1, &conforming);
    printf("contents 3 present:");
    write_both(0x11, &conforming);
    printf("write bad pointer: %ld\n", modify_ldt(0x11, (void *)8, sizeof d));
    printf("read bad pointer: %ld\n", modify_ldt(0, (void *)8, 16));
    printf("func 3: %ld\n", modify_ldt(3, table, 16));
    return 0;
}
