// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forking: the parent and the child it forks run different functions on the input's
 * first byte, so a run's coverage is whole only with the child's file.
 *
 * Expected status: 0
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int in_child(int c)
{
    return c * 3 + 1;
}

__attribute__((noinline)) int in_parent(int c)
{
    return c * 5 + 2;
}

int main(void)
{
    int c = getchar();
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        return in_child(c) == -2 ? 1 : 0;
    }
    waitpid(pid, &status, 0);
    printf("%d %d\n", in_parent(c), WEXITSTATUS(status));
    return 0;
}
