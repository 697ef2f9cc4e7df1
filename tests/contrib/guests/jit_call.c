// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jit_call.c - runs code it wrote into an anonymous executable mapping.
 *
 * Writes "mov eax, 42; ret" into fresh PROT_EXEC memory, calls it JIT_CALLS
 * times and prints the code's address and the sum of the results, so a test
 * knows where the block that belongs to no file lies.
 *
 * Expected status: 0
 * Expected stdout: "jit 0x<address> sum 4200\n"
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define JIT_CALLS 100

int main(void)
{
    static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int (*jitted)(void);
    long sum = 0;

    if (page == MAP_FAILED) {
        return 1;
    }
    memcpy(page, code, sizeof(code));
    jitted = (int (*)(void))page;
    for (int i = 0; i < JIT_CALLS; i++) {
        sum += jitted();
    }
    printf("jit %p sum %ld\n", page, sum);
    return 0;
}
