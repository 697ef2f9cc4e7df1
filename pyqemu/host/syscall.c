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
 * The guest's rights per address are those of its one region list (mmap.c),
 * which mmap.py's access_ok asks too, so the check is the one the Python path
 * makes.
 *
 * The table: getpid, getppid, gettid, lseek, clock_gettime, gettimeofday,
 * fstat, futex wakes, rt_sigprocmask and rt_sigaction (syscall-signal.c); and, where a
 * call may block (the vCPUs run at once, or this one is alone: syscall_fast_serve), read,
 * write, pread64, pwrite64, readv, writev, close, getrandom and futex waits.
 * Then the calls args.py's rows declare with plain kinds (ints, checked
 * buffers and structs, paths), as their rows and do_* functions check them:
 * stat, lstat, newfstatat, statx, access, faccessat(2), readlink(at),
 * the xattr reads (get and list, by path, link and fd), getcwd, chdir, fchdir, getdents(64), dup, pipe(2), fcntl's value commands,
 * ioctl's terminal reads, uname, sysinfo, getrusage, getrlimit, prlimit64
 * reads, sched_yield, socket, kill's signal 0, nanosleep of zero, set_robust_list and
 * get_robust_list (ENOSYS, as in process.py), execve (not of
 * /proc/self/exe; each string within Linux's MAX_ARG_STRLEN); and where a
 * call may block, open(at), dup2, dup3, poll, ppoll, select and wait4 without rusage.
 * rt_sigprocmask and rt_sigaction change the task's mask and its process's
 * actions, which Python shares (syscall-signal.c); mmap, munmap, mprotect
 * and brk change the region list Python shares (mmap.c), while alone.
 * A path is served only as Path decodes it unchanged: no -L prefix
 * (syscall_fast_paths), all of it readable before its NUL within PATH_MAX;
 * /proc/self/exe is the guest's program for open and readlink, as in fs.py;
 * opens of the guest's own maps, stat, auxv and cmdline are Python's
 * (proc_self.py makes them up).
 *
 * Layer: called by cpu-exec.c (internal.h) and Python (host.h); calls
 * syscall-signal.c, syscall-mmap.c, uaccess.c, user-signal.c (internal.h),
 * cpus-common.c (cpu.h) and libc only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

#define PROT_R 1
#define PROT_W 2
#define TIMESPEC_SIZE 16
#define TIMEVAL_SIZE 16
#define TIMEZONE_SIZE 8
#define STAT_SIZE 144
#define FUTEX_CMD_MASK (~(0x80 | 0x100))   /* without FUTEX_PRIVATE_FLAG, _CLOCK_REALTIME */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define PATH_MAX_BYTES 4096     /* args.py's PATH_MAX, with the NUL */
#define STATX_SIZE 256
#define UTSNAME_SIZE 390
#define SYSINFO_SIZE 112
#define RUSAGE_SIZE 144
#define RLIMIT_SIZE 16
#define POLLFD_SIZE 8
#define POLL_NFDS_MAX (0x7FFFFFFF / POLLFD_SIZE)
#define SIGSET_SIZE 8
#define F_GETFL_CMD 3
#define O_LARGEFILE_FLAG 0100000
#define SOCK_TYPE_KEEP (0xF | 04000 | 02000000)  /* type, SOCK_NONBLOCK, SOCK_CLOEXEC */

/* said again by each guest thread's start while others run syscalls: atomic */
static bool fast_enabled;
static bool paths_plain;
static char *exe_path;      /* the guest program's absolute path (fs.py's task.exe_path) */
static uint64_t fast_count;

void syscall_fast_enable(bool on)
{
    __atomic_store_n(&fast_enabled, on, __ATOMIC_RELAXED);
}

/*
 * Guest paths are host paths (@plain: no -L prefix to look them up under
 * first); @exe is what /proc/self/exe names for the guest (NULL: unknown,
 * those calls stay in Python).
 */
void syscall_fast_paths(bool plain, const char *exe)
{
    __atomic_store_n(&paths_plain, plain, __ATOMIC_RELAXED);
    /* every thread's start says it again: the copy the others may be reading stays */
    if (exe_path && exe && strcmp(exe_path, exe) == 0) {
        return;
    }
    free(exe_path);
    exe_path = exe ? strdup(exe) : NULL;
}

uint64_t syscall_fast_count(void)
{
    return __atomic_load_n(&fast_count, __ATOMIC_RELAXED);
}

/* A C int argument as the Python path decodes it (args.py's Int: the low 32 bits, signed). */
static long int_arg(uint64_t value)
{
    return (long)(int32_t)(uint32_t)value;
}

/*
 * A guest path that args.py's Path reads as the same bytes: a C string within
 * PATH_MAX, and no -L prefix that could redirect it.
 */
static const char *guest_path(uint64_t addr)
{
    if (!__atomic_load_n(&paths_plain, __ATOMIC_RELAXED)) {
        return NULL;
    }
    return guest_cstring(addr, PATH_MAX_BYTES);
}

/* proc_self.py's is_proc_myself: @path is /proc/self/@entry or /proc/<our pid>/@entry. */
static bool is_proc_myself(const char *path, const char *entry)
{
    char own[32];
    int n = snprintf(own, sizeof(own), "/proc/%d/", (int)getpid());

    if (strncmp(path, "/proc/self/", 11) == 0) {
        return strcmp(path + 11, entry) == 0;
    }
    return strncmp(path, own, (size_t)n) == 0 && strcmp(path + n, entry) == 0;
}

/* proc_self.py's FAKES: the guest's own /proc files, which Python makes up. */
static bool is_proc_self_fake(const char *path)
{
    return is_proc_myself(path, "maps") || is_proc_myself(path, "stat") ||
           is_proc_myself(path, "auxv") || is_proc_myself(path, "cmdline");
}

/* io.py's IOCTLS that only write a struct: its size, or 0 for any other request. */
static uint64_t ioctl_out_size(uint32_t cmd)
{
    switch (cmd) {
    case 0x5401:            /* TCGETS: the kernel's struct termios */
        return 36;
    case 0x5413:            /* TIOCGWINSZ */
        return 8;
    case 0x540F:            /* TIOCGPGRP */
    case 0x5411:            /* TIOCOUTQ */
    case 0x541B:            /* FIONREAD */
    case 0x5429:            /* TIOCGSID */
    case 0x80045430:        /* TIOCGPTN */
        return 4;
    default:
        return 0;
    }
}

/* io.py's FCNTL_VALUE_CMDS: commands whose third argument is a plain value. */
static bool fcntl_value_cmd(uint32_t cmd)
{
    return cmd <= 4 || (cmd >= 8 && cmd <= 11) || (cmd >= 1024 && cmd <= 1026) ||
           (cmd >= 1030 && cmd <= 1034);
}

/*
 * The calls of args.py's plain kinds (see the head of this file); the same
 * contract as syscall_fast.
 */
static bool syscall_fast_plain(int32_t num, const uint64_t *a, bool may_block, long *out)
{
    const char *path;
    long r;

    switch (num) {
    case SYS_stat:
    case SYS_lstat:
        if (!guest_path(a[0]) || !guest_out_ok(a[1], STAT_SIZE)) {
            return false;
        }
        r = syscall(num, a[0], a[1]);
        break;
    case SYS_newfstatat:
        if (!guest_path(a[1]) || !guest_out_ok(a[2], STAT_SIZE)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1], a[2], int_arg(a[3]));
        break;
    case SYS_statx:
        if (!guest_path(a[1]) || !guest_out_ok(a[4], STATX_SIZE)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1], int_arg(a[2]), (long)(uint32_t)a[3], a[4]);
        break;
    case SYS_access:
        if (!guest_path(a[0])) {
            return false;
        }
        r = syscall(num, a[0], int_arg(a[1]));
        break;
    case SYS_chdir:
        if (!guest_path(a[0])) {
            return false;
        }
        r = syscall(num, a[0]);
        break;
    case SYS_faccessat:
    case SYS_faccessat2:
        if (!guest_path(a[1])) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1], int_arg(a[2]), int_arg(a[3]));
        break;
    case SYS_readlink:
    case SYS_readlinkat: {
        /* fs.py's do_readlink(at): EINVAL and EFAULT answered in Python */
        int at = num == SYS_readlinkat;
        long size = int_arg(a[at + 2]);

        path = guest_path(a[at]);
        if (!path || size <= 0 || !guest_range_ok(a[at + 1], (uint64_t)size, PROT_W)) {
            return false;
        }
        if (is_proc_myself(path, "exe")) {
            /* fs.py's _readlink_exe: the program's path, cut to the buffer */
            size_t n = exe_path ? strlen(exe_path) : 0;
            struct iovec local = {exe_path, n < (size_t)size ? n : (size_t)size};
            struct iovec remote = {(void *)(uintptr_t)a[at + 1], local.iov_len};

            /* copied as mmap.py's _host_copy copies: an unbacked page is no SIGBUS */
            if (!exe_path ||
                process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)local.iov_len) {
                return false;
            }
            r = (long)local.iov_len;
            break;
        }
        r = at ? syscall(num, int_arg(a[0]), a[1], a[2], size)
               : syscall(num, a[0], a[1], size);
        break;
    }
    case SYS_open:
    case SYS_openat: {
        /* may block (a FIFO) */
        int at = num == SYS_openat;

        path = guest_path(a[at]);
        if (!may_block || !path || is_proc_self_fake(path)) {
            return false;
        }
        if (is_proc_myself(path, "exe")) {
            /* fs.py's guest_path: the guest's program, not the emulator */
            if (!exe_path) {
                return false;
            }
            path = exe_path;
        }
        r = at ? syscall(num, int_arg(a[0]), path, int_arg(a[2]), (long)(uint32_t)a[3])
               : syscall(num, path, int_arg(a[1]), (long)(uint32_t)a[2]);
        break;
    }
    case SYS_getxattr:
    case SYS_lgetxattr:
    case SYS_fgetxattr: {
        /* fs.py's rows: the name is read as a path; a NULL value asks for the size */
        bool by_fd = num == SYS_fgetxattr;

        if ((!by_fd && !guest_path(a[0])) || !guest_path(a[1]) ||
            (a[2] && !guest_range_ok(a[2], a[3], PROT_W))) {
            return false;
        }
        r = syscall(num, by_fd ? (uint64_t)int_arg(a[0]) : a[0], a[1], a[2], a[3]);
        break;
    }
    case SYS_listxattr:
    case SYS_llistxattr:
    case SYS_flistxattr: {
        bool by_fd = num == SYS_flistxattr;

        if ((!by_fd && !guest_path(a[0])) || (a[1] && !guest_range_ok(a[1], a[2], PROT_W))) {
            return false;
        }
        r = syscall(num, by_fd ? (uint64_t)int_arg(a[0]) : a[0], a[1], a[2]);
        break;
    }
    case SYS_set_robust_list:
    case SYS_get_robust_list:
        /* process.py's do_enosys: refused, as qemu-x86_64 7.2 refuses them */
        errno = ENOSYS;
        r = -1;
        break;
    case SYS_wait4:
        /* process.py's do_wait4 without rusage (it stores a zeroed one on 0): may block */
        if (!may_block || a[3] || (a[1] && !guest_range_ok(a[1], 4, PROT_W))) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1], int_arg(a[2]), 0L);
        break;
    case SYS_getcwd:
        if (!guest_range_ok(a[0], a[1], PROT_W)) {
            return false;
        }
        r = syscall(num, a[0], a[1]);
        break;
    case SYS_fchdir:
    case SYS_dup:
        r = syscall(num, int_arg(a[0]));
        break;
    case SYS_getdents:
    case SYS_getdents64:
        if (!guest_range_ok(a[1], a[2], PROT_W)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1], (long)(uint32_t)a[2]);
        break;
    case SYS_dup2:
    case SYS_dup3:
        /* closes the old file at the new number, as close may block */
        if (!may_block) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), int_arg(a[1]), int_arg(a[2]));
        break;
    case SYS_pipe:
    case SYS_pipe2:
        if (!guest_out_ok(a[0], 8)) {
            return false;
        }
        r = num == SYS_pipe ? syscall(num, a[0]) : syscall(num, a[0], int_arg(a[1]));
        break;
    case SYS_fcntl: {
        uint32_t cmd = (uint32_t)a[1];

        if (!fcntl_value_cmd(cmd)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), (long)cmd, a[2]);
        if (cmd == F_GETFL_CMD && r >= 0) {
            r &= ~(long)O_LARGEFILE_FLAG;   /* do_fcntl: qemu 7.2 never shows it */
        }
        break;
    }
    case SYS_ioctl: {
        uint32_t cmd = (uint32_t)a[1];
        uint64_t size = ioctl_out_size(cmd);

        if (!size || !guest_out_ok(a[2], size)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), (long)cmd, a[2]);
        break;
    }
    case SYS_uname:
        if (!guest_out_ok(a[0], UTSNAME_SIZE)) {
            return false;
        }
        r = syscall(num, a[0]);
        break;
    case SYS_sysinfo:
        if (!guest_out_ok(a[0], SYSINFO_SIZE)) {
            return false;
        }
        r = syscall(num, a[0]);
        break;
    case SYS_getrusage:
        if (!guest_out_ok(a[1], RUSAGE_SIZE)) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), a[1]);
        break;
    case SYS_getrlimit:
        if (!guest_out_ok(a[1], RLIMIT_SIZE)) {
            return false;
        }
        r = syscall(num, (long)(uint32_t)a[0], a[1]);
        break;
    case SYS_prlimit64:
        /* reads only: a new limit may be one the emulator keeps (misc.py) */
        if (a[2] || (a[3] && !guest_out_ok(a[3], RLIMIT_SIZE))) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), (long)(uint32_t)a[1], 0L, a[3]);
        break;
    case SYS_sched_yield:
        r = syscall(num);
        break;
    case SYS_socket:
        r = syscall(num, int_arg(a[0]), int_arg(a[1]) & SOCK_TYPE_KEEP, int_arg(a[2]));
        break;
    case SYS_kill:
        /* signal 0 only checks the target; a real signal keeps Python's path */
        if (int_arg(a[1]) != 0) {
            return false;
        }
        r = syscall(num, int_arg(a[0]), 0L);
        break;
    case SYS_nanosleep: {
        /* a zero sleep only (it cannot block) */
        const int64_t *req = (const int64_t *)(uintptr_t)a[0];

        if (!a[0] || !guest_range_ok(a[0], TIMESPEC_SIZE, PROT_R) ||
            (a[1] && !guest_range_ok(a[1], TIMESPEC_SIZE, PROT_W)) || req[0] || req[1]) {
            return false;
        }
        r = syscall(num, a[0], a[1]);
        break;
    }
    case SYS_poll:
    case SYS_ppoll: {
        uint32_t nfds = (uint32_t)a[1];

        if (!may_block || nfds > POLL_NFDS_MAX ||
            !guest_range_ok(a[0], (uint64_t)nfds * POLLFD_SIZE, PROT_W)) {
            return false;
        }
        if (num == SYS_poll) {
            r = syscall(num, a[0], (long)nfds, int_arg(a[2]));
            break;
        }
        if ((a[2] && !guest_range_ok(a[2], TIMESPEC_SIZE, PROT_W)) ||
            (a[3] && (a[4] != SIGSET_SIZE || !guest_range_ok(a[3], SIGSET_SIZE, PROT_R)))) {
            return false;
        }
        r = syscall(num, a[0], (long)nfds, a[2], a[3], a[4]);
        break;
    }
    case SYS_select: {
        int32_t nfds = (int32_t)a[0];

        if (!may_block || !guest_fdset_ok(a[1], nfds) || !guest_fdset_ok(a[2], nfds) ||
            !guest_fdset_ok(a[3], nfds) || (a[4] && !guest_out_ok(a[4], TIMEVAL_SIZE))) {
            return false;
        }
        r = syscall(num, (long)nfds, a[1], a[2], a[3], a[4]);
        break;
    }
    default:
        return false;
    }
    *out = r;
    return true;
}

/*
 * process.py's do_execve, whose arrays are the guest's own here (guest_base
 * 0): the path as Path reads it (/proc/self/exe stays in Python), each
 * pointer readable, each string within MAX_ARG_STRLEN; the new program gets
 * the guest's mask (cpu_signal_execve).  False: Python answers.
 */
static bool execve_fast(CPUState *cpu, const uint64_t *a, int64_t *ret)
{
    const char *path = guest_path(a[0]);

    if (!path || is_proc_myself(path, "exe") || !guest_string_array_ok(a[1]) ||
        !guest_string_array_ok(a[2])) {
        return false;
    }
    *ret = cpu_signal_execve(path, a[1], a[2], cpu->task_signals ? cpu->task_signals->mask : 0);
    return true;
}

/*
 * Serve guest syscall @num with raw arguments @a in C if it is in the table
 * and nothing about it is special; the result (or -errno) goes to *@ret.
 * False: take the Python path.
 */
static bool syscall_fast_serve(CPUState *cpu, int64_t num, const uint64_t *a, bool alone,
                               int64_t *ret);

/*
 * Called in guest code (cpu_exec_start): whether the vCPU is alone is read
 * there, where no exclusive section (which adds and removes vCPUs) runs.
 * Alone, the call is served in guest code, and nothing else can want an
 * exclusive section meanwhile.  With other vCPUs it is served out of guest
 * code, as QEMU's cpu_loop makes its syscalls after cpu_exec_end, so that
 * their sections need not wait for a call that blocks.
 */
bool syscall_fast(CPUState *cpu, int64_t num, const uint64_t *a, int64_t *ret)
{
    sigset_t saved;
    bool masked, served, alone;

    if (!__atomic_load_n(&fast_enabled, __ATOMIC_RELAXED) || cpu_exit_requested(cpu)) {
        return false;
    }
    alone = cpu_list == cpu && !cpu->next;
    if (!alone) {
        cpu_exec_end(cpu);
    }
    /* a signal the guest blocks waits in the host kernel meanwhile (user-signal.c) */
    masked = cpu_signal_guest_mask_enter(&saved);
    served = syscall_fast_serve(cpu, num, a, alone, ret);
    if (masked) {
        cpu_signal_guest_mask_leave(&saved);
    }
    if (!alone) {
        cpu_exec_start(cpu);
    }
    return served;
}

static bool syscall_fast_serve(CPUState *cpu, int64_t num, const uint64_t *a, bool alone,
                               int64_t *ret)
{
    /*
     * A call that may block keeps this vCPU inside its engine's hook, out of
     * guest code when others exist (syscall_fast): an exclusive section does
     * not wait for it, and it waits for the section at cpu_exec_start.  That
     * holds for every section when the vCPUs run at once (Python's CpuList
     * takes the C host's, accel/cpus.py); on the stock engine the vCPUs take
     * turns, and one blocked here would keep the turn, so only while it is
     * alone.  The region list and the task's signals, which Python shares,
     * are changed in C only while alone.
     */
    bool may_block = alone || cpu_runs_parallel();
    long r;

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

        if (!may_block || !guest_range_ok(a[1], a[2], into ? PROT_W : PROT_R)) {
            return false;
        }
        r = syscall((int32_t)num, int_arg(a[0]), a[1], a[2], (long)a[3]);
        break;
    }
    case SYS_readv:
    case SYS_writev:
        if (!may_block || !guest_iovec_ok(a[1], (int32_t)a[2],
                                      (int32_t)num == SYS_readv ? PROT_W : PROT_R)) {
            return false;
        }
        r = syscall((int32_t)num, int_arg(a[0]), a[1], int_arg(a[2]));
        break;
    case SYS_futex: {
        /*
         * process.py's do_futex for wakes, and for waits where a call may
         * block: the word aligned guest memory, a wait's timeout readable
         */
        int32_t op = (int32_t)a[1], cmd = op & FUTEX_CMD_MASK;
        bool wait = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET;

        if (!(cmd == FUTEX_WAKE || cmd == FUTEX_WAIT ||
              ((cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_WAIT_BITSET) && (uint32_t)a[5])) ||
            a[0] % 4 || !guest_range_ok(a[0], 4, PROT_R) ||
            (wait && (!may_block || (a[3] && !guest_range_ok(a[3], TIMESPEC_SIZE, PROT_R))))) {
            return false;
        }
        r = syscall(SYS_futex, a[0], (long)op, (unsigned int)a[2], a[3], a[4],
                    (unsigned int)a[5]);
        break;
    }
    case SYS_close:
        if (!may_block) {
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
        if (!may_block || !guest_range_ok(a[0], a[1], PROT_W)) {
            return false;
        }
        r = syscall(SYS_getrandom, a[0], a[1], (unsigned int)a[2]);
        break;
    case SYS_execve:
        if (!execve_fast(cpu, a, ret)) {
            return false;
        }
        __atomic_fetch_add(&fast_count, 1, __ATOMIC_RELAXED);
        return true;
    case SYS_mmap:
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_brk:
    case SYS_rt_sigprocmask:
    case SYS_rt_sigaction: {
        /*
         * state C shares with Python: the task's signals (syscall-signal.c), the
         * guest's region list (syscall-mmap.c); the answer is never -1 and errno
         */
        bool signal = (int32_t)num == SYS_rt_sigprocmask || (int32_t)num == SYS_rt_sigaction;

        if (!(signal ? syscall_fast_signal(cpu, (int32_t)num, a, alone, &r)
                     : syscall_fast_mmap(cpu, (int32_t)num, a, alone, &r))) {
            return false;
        }
        *ret = r;
        __atomic_fetch_add(&fast_count, 1, __ATOMIC_RELAXED);
        return true;
    }
    default:
        if (!syscall_fast_plain((int32_t)num, a, may_block, &r)) {
            return false;
        }
        break;
    }
    *ret = r == -1 ? -errno : r;
    __atomic_fetch_add(&fast_count, 1, __ATOMIC_RELAXED);
    return true;
}
