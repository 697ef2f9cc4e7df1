// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory access from the syscall paths (QEMU's linux-user/uaccess.c:
 * access_ok and the copies to and from the guest).  Python mirrors the
 * guest's rights per address here (mmap.py's Region.prot, through
 * syscall_rights_set), so guest_range_ok answers as mmap.py's access_ok does
 * and syscall.c's fast path makes the check the Python path makes; Python's
 * own syscalls ask the same mirror (syscall_rights_ok) and copy guest memory
 * and make host calls through syscall_host_copy and syscall_host at a cffi
 * call's cost.
 *
 * Layer: called by syscall.c (internal.h) and Python (host.h); calls libc only.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

#define PROT_R 1
#define PROT_W 2
/* first address above x86-64 user space (mmap.py's TASK_SIZE) */
#define GUEST_TASK_SIZE 0x7FFFFFFFF000ull

typedef struct {
    uint64_t start, end;
    int prot;
} rights_range;

/* sorted, disjoint ranges with rights; an address in none has no rights */
static rights_range *ranges;
static size_t n_ranges, cap_ranges;
static pthread_mutex_t ranges_lock = PTHREAD_MUTEX_INITIALIZER;

/* Index of the first range ending after @addr (n_ranges if none). */
static size_t first_ending_after(uint64_t addr)
{
    size_t lo = 0, hi = n_ranges;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (ranges[mid].end > addr) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

void syscall_rights_reset(void)
{
    pthread_mutex_lock(&ranges_lock);
    n_ranges = 0;
    pthread_mutex_unlock(&ranges_lock);
}

/*
 * [start, end) now has rights @prot (0: none, or unmapped).  Returns 0, or
 * -1 without memory (the table then answers "no rights" everywhere, which
 * only sends calls to Python).
 */
int syscall_rights_set(uint64_t start, uint64_t end, int prot)
{
    size_t first, last;
    rights_range pieces[3];
    size_t n_new = 0;
    bool has_right = false;
    rights_range right = {0, 0, 0};
    int ret = 0;

    if (start >= end) {
        return 0;
    }
    pthread_mutex_lock(&ranges_lock);
    first = first_ending_after(start);
    last = first;
    /* the ranges overlapping [start, end): only the first and the last are cut */
    while (last < n_ranges && ranges[last].start < end) {
        if (ranges[last].start < start) {
            pieces[n_new++] = (rights_range){ranges[last].start, start, ranges[last].prot};
        }
        if (ranges[last].end > end) {
            right = (rights_range){end, ranges[last].end, ranges[last].prot};
            has_right = true;
        }
        last++;
    }
    if (prot) {
        pieces[n_new++] = (rights_range){start, end, prot};
    }
    if (has_right) {
        pieces[n_new++] = right;
    }
    if (n_ranges - (last - first) + n_new > cap_ranges) {
        size_t cap = cap_ranges ? cap_ranges * 2 : 64;
        rights_range *grown;

        while (cap < n_ranges - (last - first) + n_new) {
            cap *= 2;
        }
        grown = realloc(ranges, cap * sizeof(*ranges));
        if (!grown) {
            n_ranges = 0;
            ret = -1;
            goto out;
        }
        ranges = grown;
        cap_ranges = cap;
    }
    memmove(&ranges[first + n_new], &ranges[last], (n_ranges - last) * sizeof(*ranges));
    memcpy(&ranges[first], pieces, n_new * sizeof(*ranges));
    n_ranges = n_ranges - (last - first) + n_new;
out:
    pthread_mutex_unlock(&ranges_lock);
    return ret;
}

/*
 * Does every range of [addr, addr + size) have all of @need's bits, none of
 * @forbid's?
 */
static bool range_has(uint64_t addr, uint64_t size, int need, int forbid)
{
    uint64_t cursor = addr;
    bool ok = false;

    if (size == 0) {
        return true;
    }
    if (addr >= GUEST_TASK_SIZE || size > GUEST_TASK_SIZE - addr) {
        return false;
    }
    pthread_mutex_lock(&ranges_lock);
    for (size_t i = first_ending_after(addr); i < n_ranges; i++) {
        if (ranges[i].start > cursor || (ranges[i].prot & need) != need ||
            (ranges[i].prot & forbid)) {
            break;
        }
        cursor = ranges[i].end;
        if (cursor >= addr + size) {
            ok = true;
            break;
        }
    }
    pthread_mutex_unlock(&ranges_lock);
    return ok;
}

/*
 * May the guest itself access all of [addr, addr + size) with rights @need?
 * (mmap.py's access_ok: an empty range always; nothing at or above TASK_SIZE.)
 */
bool guest_range_ok(uint64_t addr, uint64_t size, int need)
{
    return range_has(addr, size, need, 0);
}

/*
 * guest_range_ok, and no page of the range maps a file: the C host may load
 * and store there itself (a file mapping's page past the end of its file is
 * a SIGBUS, which syscall_host_copy's copy turns into a false return).
 */
bool guest_range_direct_ok(uint64_t addr, uint64_t size, int need)
{
    return range_has(addr, size, need, GUEST_RIGHTS_FILE);
}

/*
 * syscall.host_syscall's call, at a cffi call's cost instead of ctypes': host
 * syscall @nr with six register values; the result or -errno.
 */
int64_t syscall_host(int64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5)
{
    long r = syscall(nr, a0, a1, a2, a3, a4, a5);

    return r == -1 ? -errno : r;
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

/* guest_range_ok for Python's tests: the mirror must answer as mmap.py's access_ok. */
bool syscall_rights_ok(uint64_t addr, uint64_t size, bool write)
{
    return guest_range_ok(addr, size, write ? PROT_W : PROT_R);
}
