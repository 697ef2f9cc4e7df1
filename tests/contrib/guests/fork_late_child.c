// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fork_late_child.c - forks a child that outlives its parent.
 *
 * The parent returns at once; the child sleeps CHILD_DELAY_US, runs
 * child_only() (code the parent never runs) and exits normally, so any
 * atexit work the child does happens after the parent's. The child keeps the
 * parent's stdout open until it exits, so whoever reads the output sees EOF
 * only when both are done.
 *
 * Expected status: 0
 * Expected stdout: "parent\n" then "child 7\n"
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHILD_DELAY_US 200000

__attribute__((noinline)) int child_only(int x)
{
    return x * 7;
}

int main(void)
{
    pid_t child = fork();

    if (child < 0) {
        return 1;
    }
    if (child == 0) {
        usleep(CHILD_DELAY_US);
        printf("child %d\n", child_only(1));
        exit(0);
    }
    printf("parent\n");
    return 0;
}
