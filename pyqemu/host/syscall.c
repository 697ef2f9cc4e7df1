// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pass-through syscalls served in C (the fast half of QEMU's
 * linux-user/syscall.c do_syscall1): for an x86_64 guest on an x86_64 host
 * with guest_base 0, a call whose arguments are plain numbers, or guest
 * buffers the guest may access as the call needs, goes to the host kernel
 * unchanged, without a trip into Python.  Anything else (a number not in
 * the table, a buffer that fails the check, a call that may block while
 * other vCPUs exist, an exit request pending) returns false and the caller
 * takes the Python path, which answers exactly as before (-EFAULT, -strace
 * lines...).  Python switches the table on (syscall_fast_enable) only when
 * nothing needs to see a syscall in Python: no -strace, an x86_64 guest on
 * an x86_64 host.
 *
 * The guest's rights per address (mmap.py's Region.prot, what its access_ok
 * checks) are mirrored here by Python (syscall_rights_set), so the check is
 * the one the Python path makes.
 *
 * The table: getpid, getppid, gettid, lseek, clock_gettime, gettimeofday,
 * fstat, futex wakes; and, while the vCPU is the process's only one (they
 * may block), read, write, pread64, pwrite64, readv, writev, close, getrandom.
 *
 * Layer: called by cpu-exec.c (internal.h) and Python (host.h); calls
 * cpus-common.c (cpu.h) and libc only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define PROT_R 1
#define PROT_W 2
/* first address above x86-64 user space (mmap.py's TASK_SIZE) */
#define GUEST_TASK_SIZE 0x7FFFFFFFF000ull
#define TIMESPEC_SIZE 16
#define TIMEVAL_SIZE 16
#define TIMEZONE_SIZE 8
#define STAT_SIZE 144
#define IOV_MAX 1024
#define FUTEX_CMD_MASK (~(0x80 | 0x100))   /* without FUTEX_PRIVATE_FLAG, _CLOCK_REALTIME */
#define FUTEX_WAKE 1
#define FUTEX_WAKE_BITSET 10

typedef struct {
    uint64_t start, end;
    int prot;
} rights_range;

/* sorted, disjoint ranges with rights; an address in none has no rights */
static rights_range *ranges;
static size_t n_ranges, cap_ranges;
static pthread_mutex_t ranges_lock = PTHREAD_MUTEX_INITIALIZER;
static bool fast_enabled;
static uint64_t fast_count;

void syscall_fast_enable(bool on)
{
    fast_enabled = on;
}

uint64_t syscall_fast_count(void)
{
    return __atomic_load_n(&fast_count, __ATOMIC_RELAXED);
}

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
 * May the guest itself access all of [addr, addr + size) with rights @need?
 * (mmap.py's access_ok: an empty range always; nothing at or above TASK_SIZE.)
 */
static bool guest_range_ok(uint64_t addr, uint64_t size, int need)
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
        if (ranges[i].start > cursor || !(ranges[i].prot & need)) {
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

/* guest_range_ok for Python's tests: the mirror must answer as mmap.py's access_ok. */
bool syscall_rights_ok(uint64_t addr, uint64_t size, bool write)
{
    return guest_range_ok(addr, size, write ? PROT_W : PROT_R);
}

/*
 * An iovec array of @count entries and the buffers it names, as args.py's
 * IoVec checks them; false also where Python answers EINVAL itself.
 */
static bool guest_iovec_ok(uint64_t addr, int32_t count, int need)
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

/* A C int argument as the Python path decodes it (args.py's Int: the low 32 bits, signed). */
static long int_arg(uint64_t value)
{
    return (long)(int32_t)(uint32_t)value;
}

/*
 * Serve guest syscall @num with raw arguments @a in C if it is in the table
 * and nothing about it is special; the result (or -errno) goes to *@ret.
 * False: take the Python path.
 */
bool syscall_fast(CPUState *cpu, int64_t num, const uint64_t *a, int64_t *ret)
{
    /* a call that may block keeps this vCPU inside the engine: only when it is alone */
    bool alone = cpu_list == cpu && !cpu->next;
    long r;

    if (!fast_enabled || cpu_exit_requested(cpu)) {
        return false;
    }
    switch ((int32_t)num) {  /* only the low 32 bits of RAX count (do_syscall's to_s32) */
    case SYS_getpid:
    case SYS_getppid:
    case SYS_gettid:
        r = syscall((int32_t)num);
        break;
    case SYS_lseek:
        r = syscall(SYS_lseek, int_arg(a[0]), (long)a[1], (unsigned int)a[2]);
        break;
    case SYS_read:
    case SYS_write:
    case SYS_pread64:
    case SYS_pwrite64: {
        bool into = (int32_t)num == SYS_read || (int32_t)num == SYS_pread64;

        if (!alone || !guest_range_ok(a[1], a[2], into ? PROT_W : PROT_R)) {
            return false;
        }
        r = syscall((int32_t)num, int_arg(a[0]), a[1], a[2], (long)a[3]);
        break;
    }
    case SYS_readv:
    case SYS_writev:
        if (!alone || !guest_iovec_ok(a[1], (int32_t)a[2],
                                      (int32_t)num == SYS_readv ? PROT_W : PROT_R)) {
            return false;
        }
        r = syscall((int32_t)num, int_arg(a[0]), a[1], int_arg(a[2]));
        break;
    case SYS_futex: {
        /* wakes only (they never block): the word must be aligned guest memory */
        int32_t op = (int32_t)a[1], cmd = op & FUTEX_CMD_MASK;

        if (!(cmd == FUTEX_WAKE || (cmd == FUTEX_WAKE_BITSET && (uint32_t)a[5])) ||
            a[0] % 4 || !guest_range_ok(a[0], 4, PROT_R)) {
            return false;
        }
        r = syscall(SYS_futex, a[0], (long)op, (unsigned int)a[2], a[3], a[4],
                    (unsigned int)a[5]);
        break;
    }
    case SYS_close:
        if (!alone) {
            return false;
        }
        r = syscall(SYS_close, int_arg(a[0]));
        break;
    case SYS_fstat:
        if (!guest_range_ok(a[1], STAT_SIZE, PROT_W) || !a[1]) {
            return false;
        }
        r = syscall(SYS_fstat, int_arg(a[0]), a[1]);
        break;
    case SYS_clock_gettime:
        if (!guest_range_ok(a[1], TIMESPEC_SIZE, PROT_W) || !a[1]) {
            return false;
        }
        r = syscall(SYS_clock_gettime, int_arg(a[0]), a[1]);
        break;
    case SYS_gettimeofday:
        if (!guest_range_ok(a[0], a[0] ? TIMEVAL_SIZE : 0, PROT_W) ||
            !guest_range_ok(a[1], a[1] ? TIMEZONE_SIZE : 0, PROT_W)) {
            return false;
        }
        r = syscall(SYS_gettimeofday, a[0], a[1]);
        break;
    case SYS_getrandom:
        if (!alone || !guest_range_ok(a[0], a[1], PROT_W)) {
            return false;
        }
        r = syscall(SYS_getrandom, a[0], a[1], (unsigned int)a[2]);
        break;
    default:
        return false;
    }
    *ret = r == -1 ? -errno : r;
    __atomic_fetch_add(&fast_count, 1, __ATOMIC_RELAXED);
    return true;
}
