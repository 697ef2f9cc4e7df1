// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syscall_probe: call every syscall number from 0 to the last one Linux 6.x
 * defines with arguments that fail or do nothing lasting (all -1), and print one
 * line per number: "<nr> ok" for a non-negative result, "<nr> <errno name>"
 * otherwise.  Run under qemu-<arch> 7.2 and pyqemu with -d unimp, the lines and
 * the "Unsupported syscall: N" log tell which numbers each emulator serves and
 * how each refuses the call (tests/linux_user/test_syscall_probe.py).
 *
 * Left out, because even a failing-argument call would act (the reason for each
 * is in SKIP below): exit, exit_group, fork, vfork, pause, rt_sigreturn, vhangup,
 * sync.  A System V object a call makes (msgget(-1, -1) makes a queue of key -1)
 * is removed at once.  Portable C: numbers come from <sys/syscall.h> of each
 * architecture.
 *
 * Expected status: 0
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LAST_NR 460

static const long SKIP[] = {
#include "syscall_probe_skip.h"
};

static const char *errno_name(int err)
{
    static char buf[16];

    switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case ESPIPE: return "ESPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOTSOCK: return "ENOTSOCK";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOKEY: return "ENOKEY";
    case EMSGSIZE: return "EMSGSIZE";
    default:
        snprintf(buf, sizeof(buf), "E#%d", err);
        return buf;
    }
}

int main(void)
{
    long nr;
    size_t i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (nr = 0; nr <= LAST_NR; nr++) {
        int skip = 0;
        long ret;

        for (i = 0; i < sizeof(SKIP) / sizeof(SKIP[0]); i++) {
            skip |= SKIP[i] == nr;
        }
        if (skip) {
            printf("%ld skipped\n", nr);
            continue;
        }
        errno = 0;
        ret = syscall(nr, -1L, -1L, -1L, -1L, -1L, -1L);
        if (ret >= 0) {
            /* msgget(-1, -1) makes a queue of key -1: remove what a run made */
            if (nr == SYS_msgget) {
                msgctl(ret, IPC_RMID, NULL);
            } else if (nr == SYS_semget) {
                semctl(ret, 0, IPC_RMID);
            } else if (nr == SYS_shmget) {
                shmctl(ret, IPC_RMID, NULL);
            }
            printf("%ld ok\n", nr);
        } else {
            printf("%ld %s\n", nr, errno_name(errno));
        }
    }
    return 0;
}
