// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jit.c - generates x86-64 machine code at run time and then rewrites it.
 *
 * Part 1 (W^X JIT): mmap a page read-write, write `lea eax,[rdi+rsi]; ret`,
 * mprotect it read-execute and call it; then flip it back to read-write, write
 * `mov eax,edi; imul eax,esi; ret` over the same bytes, make it executable
 * again and call it. An emulator must drop the translation it cached for the
 * first version.
 *
 * Part 2 (self-modifying code): the same two functions written into one
 * read-write-execute page with no mprotect between the writes, so only the
 * store itself tells an emulator that the code changed.
 *
 * Expected status: 0
 * Expected stdout:
 *   "wx add(20, 22) = 42\nwx mul(6, 9) = 54\nrwx add(20, 22) = 42\nrwx mul(6, 9) = 54\n"
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*binary_op)(int, int);

/* lea eax,[rdi+rsi]; ret */
static const unsigned char add_code[] = {0x8d, 0x04, 0x37, 0xc3};
/* mov eax,edi; imul eax,esi; ret */
static const unsigned char mul_code[] = {0x89, 0xf8, 0x0f, 0xaf, 0xc6, 0xc3};

#define CODE_PAGE_SIZE 4096
#define WARM_UP_CALLS 100

/* Calls the code several times so that an emulator has translated and cached it. */
static int call_repeatedly(void *code, int left, int right)
{
    binary_op op = (binary_op)code;
    int result = 0;

    for (int i = 0; i < WARM_UP_CALLS; i++) {
        result = op(left, right);
    }
    return result;
}

static void install(void *page, const unsigned char *code, size_t size)
{
    memcpy(page, code, size);
    __builtin___clear_cache((char *)page, (char *)page + size);
}

static int run_wx(void)
{
    void *page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap rw");
        return 1;
    }
    install(page, add_code, sizeof(add_code));
    if (mprotect(page, CODE_PAGE_SIZE, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect rx");
        return 1;
    }
    printf("wx add(20, 22) = %d\n", call_repeatedly(page, 20, 22));

    if (mprotect(page, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) {
        perror("mprotect rw");
        return 1;
    }
    install(page, mul_code, sizeof(mul_code));
    if (mprotect(page, CODE_PAGE_SIZE, PROT_READ | PROT_EXEC) != 0) {
        perror("mprotect rx again");
        return 1;
    }
    printf("wx mul(6, 9) = %d\n", call_repeatedly(page, 6, 9));
    return munmap(page, CODE_PAGE_SIZE);
}

static int run_rwx(void)
{
    void *page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap rwx");
        return 1;
    }
    install(page, add_code, sizeof(add_code));
    printf("rwx add(20, 22) = %d\n", call_repeatedly(page, 20, 22));
    install(page, mul_code, sizeof(mul_code));
    printf("rwx mul(6, 9) = %d\n", call_repeatedly(page, 6, 9));
    return munmap(page, CODE_PAGE_SIZE);
}

int main(void)
{
    if (run_wx() != 0 || run_rwx() != 0) {
        return 1;
    }
    return 0;
}
