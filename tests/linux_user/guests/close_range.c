// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * close_range: closing a range of descriptors, marking them close-on-exec, and the
 * invalid calls; prints which of fds 3..7 are open (and with FD_CLOEXEC) after each.
 * glibc 2.34 and later, OpenSSH and Python's subprocess call it.
 *
 * Expected status: 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void show(const char *what, long ret)
{
    int fd;

    printf("%-22s %3ld %-7s", what, ret, ret < 0 ? strerror(errno) : "");
    for (fd = 3; fd <= 7; fd++) {
        int flags = fcntl(fd, F_GETFD);
        printf(" %d:%s", fd, flags < 0 ? "closed" : flags & FD_CLOEXEC ? "cloexec" : "open");
    }
    printf("\n");
}

int main(void)
{
    int fd;

    for (fd = 3; fd <= 7; fd++) {
        if (open("/dev/null", O_RDONLY) != fd) {
            return 1;
        }
    }
    show("start", 0);
    show("close 4..5", syscall(SYS_close_range, 4, 5, 0));
    show("cloexec 3..6", syscall(SYS_close_range, 3, 6, CLOSE_RANGE_CLOEXEC));
    show("first > last", syscall(SYS_close_range, 6, 3, 0));
    show("unknown flag", syscall(SYS_close_range, 3, 7, 1U << 5));
    show("unshare 7..~0", syscall(SYS_close_range, 7, ~0U, CLOSE_RANGE_UNSHARE));
    show("nothing open 100..200", syscall(SYS_close_range, 100, 200, 0));
    show("all from 3", syscall(SYS_close_range, 3, ~0U, 0));
    printf("stdout still works\n");
    return 0;
}
