// SPDX-License-Identifier: GPL-2.0-or-later
/* Many tiny blocks chained across page boundaries, in a loop. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
int main(void)
{
    int pages = 64;
    unsigned char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* at the end of each page: inc eax; jmp to the next page's end - 8 */
    for (int i = 0; i < pages; i++) {
        unsigned char *q = p + i * 4096 + 4096 - 8;
        if (i == pages - 1) { q[0] = 0xff; q[1] = 0xc0; q[2] = 0xc3; break; }
        q[0] = 0xff; q[1] = 0xc0;            /* inc eax */
        q[2] = 0xe9;                        /* jmp rel32 */
        int rel = 4096 - 7;                 /* target: next page's end - 8, from q + 7 */
        memcpy(q + 3, &rel, 4);
    }
    long total = 0;
    for (int r = 0; r < 20000; r++) {
        int (*f)(void) = (int (*)(void))(p + 4096 - 8);
        int v;
        __asm__ volatile("xor %%eax, %%eax; call *%1" : "=a"(v) : "r"(f) : "memory", "cc");
        total += v;
    }
    printf("total %ld\n", total);
    return 0;
}
