// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/* int $0x80 as qemu-x86_64 7.2 runs it: a syscall of the x86_64 table (not the i386 one
 * Linux uses) with the i386 argument registers.  A thread made with clone (56) this way
 * starts after the int instruction with rax 0, sets a flag and exits (60); the parent
 * waits for the flag.  Natively 56 and 60 are other i386 calls: the program says so. */
#include <sched.h>
#include <stdio.h>

static volatile int child_ran;
static char stack[65536] __attribute__((aligned(16)));

int main(void)
{
    long ret = 39;      /* getpid: the x86_64 number */
    __asm__ volatile("int $0x80" : "+a"(ret) : "b"(0L), "c"(0L) : "rdx", "memory");
    if (ret <= 0) {
        printf("int $0x80 is not the x86_64 table here: %ld\n", ret);
        return 0;
    }
    long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                 CLONE_SYSVSEM;
    ret = 56;
    __asm__ volatile("int $0x80\n"
                     "test %%rax, %%rax\n"
                     "jnz 1f\n"
                     "movl $1, %[flag]\n"      /* the child, on the new stack */
                     "mov $60, %%eax\n"
                     "xor %%ebx, %%ebx\n"
                     "int $0x80\n"
                     "ud2\n"
                     "1:\n"
                     : "+a"(ret), [flag] "=m"(child_ran)
                     : "b"(flags), "c"(stack + sizeof stack), "d"(0L), "S"(0L), "D"(0L)
                     : "memory");
    if (ret < 0) {
        printf("clone: %ld\n", ret);
        return 1;
    }
    while (!child_ran)
        sched_yield();
    printf("clone by int $0x80: the thread ran\n");
    return 0;
}
