// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
/*
 * errno_probe (issue 18): syscall_probe's walk over every syscall number, with all six
 * arguments set to one value given in hex as argv[1], so that the calls fail in other
 * ways than with -1: 0x80000000 (a pointer to unmapped memory, an fd, pid and signal out
 * of range, unknown flag bits) and 0xfffffffffffff000 (a kernel-space pointer, a
 * negative fd).  tests/semantics/test_linux_semantics.py compares the errno of each call
 * under qemu-x86_64 7.2 and pyqemu.
 *
 * Left out besides syscall_probe's list: clone and clone3 (with such flags they would
 * fork a child that runs on a wild stack), sched_setaffinity and sched_getaffinity (qemu
 * 7.2 crashes on a
 * 2 GiB mask), nanosleep (qemu 7.2 sleeps on its stack's
 * garbage when the request cannot be read).  The values never name a live process, a
 * valid signal or uid 0, so nothing acts beyond the probe itself (setuid and the like
 * may change its own ids, in the same order under both emulators).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LAST_NR 460

static const long SKIP[] = {
#include "../../linux_user/guests/syscall_probe_skip.h"
    SYS_clone,          /* would fork a child running on a wild stack */
#ifdef SYS_clone3
    SYS_clone3,
#endif
    SYS_nanosleep,      /* qemu 7.2 sleeps on stack garbage when the request faults */
    SYS_sched_setaffinity, /* qemu 7.2 itself crashes (SIGSEGV) on a 2 GiB mask length */
    SYS_sched_getaffinity, /* the same */
};

/* The errno's name (glibc's table), or E#n for one it does not name. */
static const char *errno_name(int err)
{
    static char buf[16];
    const char *name = strerrorname_np(err);

    if (name) {
        return name;
    }
    snprintf(buf, sizeof(buf), "E#%d", err);
    return buf;
}

int main(int argc, char **argv)
{
    long nr;
    size_t i;
    long value = argc > 1 ? (long)strtoul(argv[1], NULL, 16) : -1L;

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
        ret = syscall(nr, value, value, value, value, value, value);
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
