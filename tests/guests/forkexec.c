// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forkexec.c - fork(2); the child execs /bin/echo hi; the parent waits for it
 * and prints how it ended. A second child exits with status 3 without exec,
 * so the parent also reports a non-zero status.
 *
 * Expected status: 0
 * Expected stdout: "hi\nchild 1 exited with status 0\nchild 2 exited with status 3\n"
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(int number, pid_t child)
{
    int status;

    if (waitpid(child, &status, 0) != child) {
        perror("waitpid");
        return 1;
    }
    if (WIFEXITED(status)) {
        printf("child %d exited with status %d\n", number, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        printf("child %d killed by signal %d\n", number, WTERMSIG(status));
    } else {
        printf("child %d ended oddly: 0x%x\n", number, status);
    }
    fflush(stdout);
    return 0;
}

int main(void)
{
    char *const echo_argv[] = {"echo", "hi", NULL};
    pid_t child;

    fflush(stdout); /* nothing buffered may be duplicated into the children */
    child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        execv("/bin/echo", echo_argv);
        perror("execv");
        _exit(127);
    }
    if (report(1, child) != 0) {
        return 1;
    }

    child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        _exit(3);
    }
    return report(2, child);
}
