// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ymm_inherit.c - a new thread and a forked child start with their parent's
 * YMM registers, all 256 bits (Linux copies the whole FPU state at clone and
 * fork: fpu_clone), and the parent keeps its own.
 *
 * ymm0-15 are loaded, clone (thread flags, as pthread_create passes them) or
 * fork is a raw syscall, and each side stores ymm0-15 right after it, in one
 * asm block, so no compiled code touches them in between.  The thread
 * stores them, says it is done and exits with a raw exit; the forked child
 * prints its registers.  Built with -mavx2.
 *
 * Expected status: 0
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ymm_regs.h"

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
                      CLONE_SYSVSEM)

static uint8_t regs[16][32], parent[16][32], child[16][32];
static uint8_t child_stack[65536] __attribute__((aligned(16)));
static volatile int child_done;

static void print_regs(const char *who, uint8_t r[16][32])
{
    for (int i = 0; i < 16; i++) {
        printf("%s ymm%-2d ", who, i);
        for (int b = 31; b >= 0; b--) {
            printf("%s%02x", b == 15 ? " " : "", r[i][b]);
        }
        printf("\n");
    }
    fflush(stdout);
}

static void fill(int seed)
{
    for (int r = 0; r < 16; r++) {
        for (int b = 0; b < 32; b++) {
            regs[r][b] = (uint8_t)(seed + r * 29 + b * 7);
        }
    }
}

static void thread_case(void)
{
    long ret;

    fill(3);
    child_done = 0;
    /* clone(flags, newsp, parent_tid, child_tid, tls): the child stores its registers
       in child[], sets child_done and exits; the parent stores its own in parent[] */
    __asm__ volatile(LOAD16("%[in]")
                     "syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "lea %[child], %%r8\n\t"
                     STORE16("0(%%r8)")
                     "movl $1, %[done]\n\t"
                     "mov $60, %%eax\n\t"       /* exit(0): this thread only */
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:\n\t"
                     "lea %[parent], %%r8\n\t"
                     STORE16("0(%%r8)")
                     : "=a"(ret), [child] "=m"(child), [parent] "=m"(parent),
                       [done] "=m"(child_done)
                     : [in] "m"(regs), "a"((long)SYS_clone), "D"((long)THREAD_FLAGS),
                       "S"(child_stack + sizeof(child_stack)), "d"(0L)
                     : "rcx", "r8", "r10", "r11", "memory", ALL_YMM);
    if (ret < 0) {
        printf("clone failed: %ld\n", ret);
        return;
    }
    while (!child_done) {
        sched_yield();
    }
    print_regs("thread", child);
    print_regs("thread's parent", parent);
}

static void fork_case(void)
{
    long ret;
    int status;

    fill(11);
    __asm__ volatile(LOAD16("%[in]")
                     "syscall\n\t"
                     "lea %[out], %%r8\n\t"
                     STORE16("0(%%r8)")
                     : "=a"(ret), [out] "=m"(parent)
                     : [in] "m"(regs), "a"((long)SYS_fork)
                     : "rcx", "r8", "r11", "memory", ALL_YMM);
    if (ret < 0) {
        printf("fork failed: %ld\n", ret);
        return;
    }
    if (ret == 0) {
        print_regs("fork child", parent);
        _exit(0);
    }
    waitpid((pid_t)ret, &status, 0);
    print_regs("fork parent", parent);
    printf("child status %d\n", status);
}

int main(void)
{
    thread_case();
    fork_case();
    return 0;
}
