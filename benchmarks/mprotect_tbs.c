// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mprotect_tbs.c - does an mprotect cost more when many blocks are translated?
 *
 * First makes argv[1] distinct functions (`mov eax, i; ret`, 16 bytes apart)
 * in one region, makes it executable and calls each once, so an emulator
 * holds that many translated blocks (and, under a tb_trans plugin, that many
 * records).  Then times argv[2] rounds of a W^X JIT on another page: write,
 * mprotect read-execute, call, mprotect read-write.  Prints the nanoseconds
 * per round; with invalidation by page the figure does not grow with argv[1].
 *
 *   pyqemu-x86_64 -plugin build/tests/plugin/libbb.so mprotect_tbs 1000 20000
 *   pyqemu-x86_64 -plugin build/tests/plugin/libbb.so mprotect_tbs 200000 20000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096
#define STRIDE 16

static void put_function(unsigned char *at, unsigned int value)
{
    at[0] = 0xb8;                       /* mov eax, imm32 */
    memcpy(at + 1, &value, sizeof(value));
    at[5] = 0xc3;                       /* ret */
}

int main(int argc, char **argv)
{
    long blocks = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    size_t size = ((size_t)blocks * STRIDE + PAGE - 1) / PAGE * PAGE;
    unsigned char *many = mmap(NULL, size, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned long sum = 0;
    struct timespec t0, t1;

    if (many == MAP_FAILED || page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (long i = 0; i < blocks; i++) {
        put_function(many + i * STRIDE, (unsigned int)i);
    }
    if (mprotect(many, size, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect");
        return 1;
    }
    for (long i = 0; i < blocks; i++) {
        sum += (unsigned int)((int (*)(void))(many + i * STRIDE))();
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < rounds; i++) {
        put_function(page, (unsigned int)i);
        if (mprotect(page, PAGE, PROT_READ | PROT_EXEC) != 0) {
            perror("mprotect rx");
            return 1;
        }
        sum += (unsigned int)((int (*)(void))page)();
        if (mprotect(page, PAGE, PROT_READ | PROT_WRITE) != 0) {
            perror("mprotect rw");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("blocks %ld rounds %ld: %.0f ns per round (sum %lu)\n", blocks, rounds,
           ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (rounds ? rounds : 1),
           sum);
    return 0;
}
