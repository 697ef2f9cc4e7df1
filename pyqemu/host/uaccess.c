// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory access from the syscall paths (QEMU's linux-user/uaccess.c:
 * access_ok and the copies to and from the guest).  The rights are those of
 * the guest's one region list (mmap.c), which mmap.py's access_ok asks too,
 * so syscall.c's fast path makes the check the Python path makes (here too:
 * the guest strings, string arrays, iovecs, fd sets and output structs of
 * args.py's kinds); Python's own syscalls copy guest memory and make host
 * calls through syscall_host_copy and syscall_host at a cffi call's cost.
 *
 * Layer: called by syscall.c, syscall-signal.c (internal.h) and Python
 * (host.h); calls mmap.c, user-signal.c (internal.h) and libc.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

#define PROT_R 1
#define PROT_W 2
#define GUEST_PAGE 4096ull
/* the highest address select's sets may name (args.py's GUEST_ADDR_MAX) */
#define GUEST_ADDR_MAX 0x7FFFFFFFFFFFull
#define IOV_MAX 1024
#define MAX_ARG_STRLEN (32 * 4096)      /* Linux's longest argv or envp string, with its NUL */
#define EXECVE_MAX_STRINGS (1u << 20)   /* process.py's */

/*
 * May the guest itself access all of [addr, addr + size) with rights @need?
 * (mmap.py's access_ok, on the region list of mmap.c: an empty range always;
 * nothing at or above TASK_SIZE.)
 */
bool guest_range_ok(uint64_t addr, uint64_t size, int need)
{
    return guest_map_range_ok(addr, size, need, false);
}

/*
 * guest_range_ok, and no page of the range maps a file: the C host may load
 * and store there itself (a file mapping's page past the end of its file is
 * a SIGBUS, which syscall_host_copy's copy turns into a false return).
 */
bool guest_range_direct_ok(uint64_t addr, uint64_t size, int need)
{
    return guest_map_range_ok(addr, size, need, true);
}

/*
 * An iovec array of @count entries and the buffers it names, as args.py's
 * IoVec checks them; false also where Python answers EINVAL itself.
 */
bool guest_iovec_ok(uint64_t addr, int32_t count, int need)
{
    const uint64_t *iov = (const uint64_t *)(uintptr_t)addr;

    if (count < 0 || count > IOV_MAX || !guest_range_ok(addr, (uint64_t)count * 16, PROT_R)) {
        return false;
    }
    for (int32_t i = 0; i < count; i++) {
        if (iov[2 * i + 1] > INT64_MAX || !guest_range_ok(iov[2 * i], iov[2 * i + 1], need)) {
            return false;
        }
    }
    return true;
}

/*
 * A guest C string the Python path reads as the same bytes: not NULL, its NUL
 * within @limit bytes that the guest may read (page by page, as read_cstring
 * reads it).  NULL otherwise: Python answers (EFAULT, ENAMETOOLONG, E2BIG).
 */
const char *guest_cstring(uint64_t addr, uint64_t limit)
{
    uint64_t cursor = addr;
    uint64_t seen = 0;

    if (!addr) {
        return NULL;
    }
    while (seen < limit) {
        uint64_t chunk = GUEST_PAGE - (cursor & (GUEST_PAGE - 1));

        if (chunk > limit - seen) {
            chunk = limit - seen;
        }
        if (!guest_range_ok(cursor, chunk, PROT_R)) {
            return NULL;
        }
        if (memchr((const void *)(uintptr_t)cursor, 0, chunk)) {
            return (const char *)(uintptr_t)addr;
        }
        seen += chunk;
        cursor += chunk;
    }
    return NULL;
}

/*
 * process.py's read_string_array: NULL (no strings), or pointers the guest may
 * read up to a NULL one, each to a string within MAX_ARG_STRLEN.
 */
bool guest_string_array_ok(uint64_t addr)
{
    for (uint64_t i = 0; addr; i++) {
        uint64_t slot = addr + 8 * i;

        if (i >= EXECVE_MAX_STRINGS || !guest_range_ok(slot, 8, PROT_R)) {
            return false;
        }
        if (!*(const uint64_t *)(uintptr_t)slot) {
            break;
        }
        if (!guest_cstring(*(const uint64_t *)(uintptr_t)slot, MAX_ARG_STRLEN)) {
            return false;
        }
    }
    return true;
}

/* An output struct (args.py's Out, copied out on success): not NULL, writable. */
bool guest_out_ok(uint64_t addr, uint64_t size)
{
    return addr && guest_range_ok(addr, size, PROT_W);
}

/* args.py's FdSet: NULL, or as many bytes as nfds needs, writable. */
bool guest_fdset_ok(uint64_t addr, int32_t nfds)
{
    if (!addr) {
        return true;
    }
    if (nfds <= 0 && addr > GUEST_ADDR_MAX) {
        return false;
    }
    return guest_range_ok(addr, nfds > 0 ? ((uint64_t)nfds + 63) / 64 * 8 : 0, PROT_W);
}

/*
 * syscall.host_syscall's call, at a cffi call's cost instead of ctypes': host
 * syscall @nr with six register values; the result or -errno.
 */
int64_t syscall_host(int64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5)
{
    sigset_t saved;
    /* a signal the guest blocks waits in the host kernel meanwhile (user-signal.c) */
    bool masked = cpu_signal_guest_mask_enter(&saved);
    long r = syscall(nr, a0, a1, a2, a3, a4, a5);

    r = r == -1 ? -errno : r;
    if (masked) {
        cpu_signal_guest_mask_leave(&saved);
    }
    return r;
}

/*
 * Copy @size bytes between a host buffer and guest memory as mmap.py's
 * _host_copy does, for its Python callers at a C call's cost: through
 * process_vm_readv/writev on this process, so a page without backing (a file
 * mapping past its end) is a false return, not a SIGBUS; where the sandbox
 * forbids those calls, directly (the callers checked the guest's rights).
 */
bool syscall_host_copy(void *local, uint64_t remote, uint64_t size, bool to_remote)
{
    struct iovec here = {local, size};
    struct iovec there = {(void *)(uintptr_t)remote, size};
    ssize_t done = to_remote ? process_vm_writev(getpid(), &here, 1, &there, 1, 0)
                             : process_vm_readv(getpid(), &here, 1, &there, 1, 0);

    if (done >= 0 && (uint64_t)done == size) {
        return true;
    }
    if (done < 0 && (errno == ENOSYS || errno == EPERM)) {
        if (to_remote) {
            memmove(there.iov_base, local, size);
        } else {
            memmove(local, there.iov_base, size);
        }
        return true;
    }
    return false;
}
