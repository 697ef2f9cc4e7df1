# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's ``-strace`` output: mirrors linux-user/strace.c and strace.list (QEMU 7.2).

A call is printed in two parts, as QEMU does: ``PID name(args)`` before the
syscall runs and `` = result`` after, so the guest's own output lands between
them.  The shapes below were observed on qemu-x86_64 7.2 (see
tests/linux_user/test_syscall_strace.py); calls 7.2 has no entry for print
``Unknown syscall N``.  Output goes through ``task.log_write``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pyqemu.errors import GuestFault
from pyqemu.linux_user.syscall.args import to_s32, to_s64, to_u32, to_u64
from pyqemu.linux_user.syscall.io import IOCTLS, IoctlDir

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

Raw = Sequence[int]

# Syscalls qemu-x86_64 7.2 prints by name; any other number is "Unknown syscall N".
KNOWN_NAMES = frozenset("""
read write open close stat fstat lstat poll lseek mmap mprotect munmap brk rt_sigaction
rt_sigprocmask rt_sigreturn ioctl pread64 pwrite64 readv writev access pipe select sched_yield
mremap msync mincore madvise shmget shmat shmctl dup dup2 pause nanosleep getitimer alarm
setitimer getpid sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind
listen getsockname getpeername socketpair setsockopt getsockopt clone fork vfork execve exit wait4
kill uname semget semop semctl shmdt msgget msgsnd msgrcv msgctl fcntl flock fsync fdatasync
truncate ftruncate getdents getcwd chdir fchdir rename mkdir rmdir creat link unlink symlink
readlink chmod fchmod chown fchown lchown umask gettimeofday getrlimit getrusage sysinfo times
ptrace getuid syslog getgid setuid setgid geteuid getegid setpgid getppid getpgrp setsid setreuid
setregid getgroups setgroups setresuid getresuid setresgid getresgid getpgid setfsuid setfsgid
getsid capget capset rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend sigaltstack utime
mknod uselib personality ustat statfs fstatfs sysfs getpriority setpriority sched_setparam
sched_getparam sched_setscheduler sched_getscheduler sched_get_priority_max
sched_get_priority_min sched_rr_get_interval mlock munlock mlockall munlockall vhangup modify_ldt
pivot_root _sysctl prctl arch_prctl adjtimex setrlimit chroot sync acct settimeofday mount umount2
swapon swapoff reboot sethostname setdomainname iopl ioperm create_module init_module
delete_module get_kernel_syms query_module quotactl nfsservctl getpmsg putpmsg afs_syscall tuxcall
security gettid readahead setxattr lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr
llistxattr flistxattr removexattr lremovexattr fremovexattr tkill time futex sched_setaffinity
sched_getaffinity set_thread_area io_setup io_destroy io_getevents io_submit io_cancel
lookup_dcookie epoll_create epoll_ctl_old epoll_wait_old remap_file_pages getdents64
set_tid_address restart_syscall semtimedop fadvise64 timer_create timer_settime timer_gettime
timer_getoverrun timer_delete clock_settime clock_gettime clock_getres clock_nanosleep exit_group
epoll_wait epoll_ctl tgkill utimes vserver mbind set_mempolicy get_mempolicy mq_open mq_unlink
mq_timedsend mq_timedreceive mq_notify mq_getsetattr kexec_load waitid add_key request_key keyctl
ioprio_set ioprio_get inotify_init inotify_add_watch inotify_rm_watch migrate_pages openat mkdirat
mknodat fchownat futimesat newfstatat unlinkat renameat linkat symlinkat readlinkat fchmodat
faccessat pselect6 ppoll unshare set_robust_list get_robust_list splice tee sync_file_range
vmsplice move_pages utimensat epoll_pwait signalfd timerfd_create eventfd fallocate
timerfd_settime timerfd_gettime accept4 signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init1
preadv pwritev rt_tgsigqueueinfo perf_event_open recvmmsg fanotify_init fanotify_mark prlimit64
name_to_handle_at clock_adjtime syncfs sendmmsg setns getcpu process_vm_readv process_vm_writev
kcmp finit_module sched_getattr renameat2 seccomp getrandom memfd_create bpf execveat userfaultfd
membarrier mlock2 copy_file_range statx pidfd_send_signal pidfd_open close_range pidfd_getfd
faccessat2
""".split())


# ---- one value, formatted as the C conversion QEMU's format strings use ----

def fmt_d(value: int) -> str:
    """``%d`` of a register (truncated to int)."""
    return str(to_s32(value))


def fmt_u(value: int) -> str:
    """``%u``."""
    return str(to_u32(value))


def fmt_hex(value: int) -> str:
    """``%#x``: ``0`` for zero, else ``0x...`` of the low 32 bits."""
    value = to_u32(value)
    return f"{value:#x}" if value else "0"


def fmt_oct(value: int) -> str:
    """``%#o``: ``0`` for zero, else a leading 0."""
    value = to_u32(value)
    return f"0{value:o}" if value else "0"


def fmt_p(value: int) -> str:
    """glibc's ``%p``: ``(nil)`` for NULL."""
    value = to_u64(value)
    return f"{value:#x}" if value else "(nil)"


def fmt_ld(value: int) -> str:
    """``%ld``."""
    return str(to_s64(value))


def fmt_lu(value: int) -> str:
    """``%lu``."""
    return str(to_u64(value))


def fmt_lx016(value: int) -> str:
    """``0x%016lx``, zero included."""
    return f"0x{to_u64(value):016x}"


def fmt_pointer(value: int) -> str:
    """QEMU's print_pointer: ``NULL`` or a zero-padded address."""
    value = to_u64(value)
    return f"0x{value:016x}" if value else "NULL"


def fmt_hex64(value: int) -> str:
    """``%#lx`` of a 64-bit value (mmap's offset)."""
    value = to_u64(value)
    return f"{value:#x}" if value else "0"


#: QEMU's mode_flags: the file type named first, in this order
FILE_TYPES = (("S_IFSOCK", 0o140000), ("S_IFLNK", 0o120000), ("S_IFREG", 0o100000),
              ("S_IFBLK", 0o60000), ("S_IFDIR", 0o40000), ("S_IFCHR", 0o20000),
              ("S_IFIFO", 0o10000))
S_IFMT = 0o170000


def fmt_mode(value: int) -> str:
    """QEMU's print_file_mode: ``000`` for zero, else the first file type whose bits are
    all set, then the rest but the type bits in octal with a leading zero."""
    mode = to_s64(value)
    if mode == 0:
        return "000"
    parts = []
    for name, bits in FILE_TYPES:
        if mode & bits == bits:
            parts.append(name)
            mode &= ~bits
            break
    mode &= ~S_IFMT
    if mode:
        parts.append(f"0{mode & 0xFFFFFFFF:o}")
    return "|".join(parts)


FORMAT_CODES: dict[str, Callable[[int], str]] = {
    "d": fmt_d, "u": fmt_u, "#x": fmt_hex, "#o": fmt_oct, "p": fmt_p, "ld": fmt_ld,
    "lu": fmt_lu, "016lx": fmt_lx016,
}

#: Calls QEMU 7.2 prints from a format string (strace.list), one code per argument.
FORMATS: dict[str, tuple[str, ...]] = {
    "read": ("d", "#x", "d"), "write": ("d", "#x", "d"), "close": ("d",),
    "writev": ("d", "p", "#x"), "dup": ("d",), "dup2": ("d", "d"), "alarm": ("u",),
    "getpid": (), "connect": ("d", "#x", "d"), "recvmsg": ("d", "p", "#x"),
    "listen": ("d", "d"), "fork": (), "exit": ("d",), "uname": ("p",), "fsync": ("d",),
    "fdatasync": ("d",), "ftruncate": ("d", "ld"), "getdents": ("d", "p", "u"),
    "getcwd": ("p", "d"), "fchdir": ("d",), "fchmod": ("d", "#o"), "fchown": ("d", "d", "d"),
    "umask": ("#o",), "getuid": (), "getgid": (), "setgid": ("u",), "geteuid": (),
    "getegid": (), "setpgid": ("u", "u"), "getppid": (), "getpgrp": (), "setsid": (),
    "setreuid": ("u", "u"), "setresuid": ("u", "u", "u"), "setresgid": ("u", "u", "u"),
    "getpgid": ("u",), "setfsuid": ("u",), "setfsgid": ("u",), "getsid": ("d",),
    "capget": ("p", "p"), "capset": ("p", "p"), "sigaltstack": ("p", "p"),
    "ustat": ("#x", "p"), "fstatfs": ("d", "p"), "getpriority": ("#x", "#x"),
    "mlock": ("p", "lu"), "munlock": ("p", "lu"), "munlockall": (), "adjtimex": ("p",),
    "gettid": (), "set_thread_area": ("016lx",), "epoll_create": ("d",),
    "getdents64": ("d", "p", "u"), "timer_settime": ("d", "d", "p", "p"), "exit_group": ("d",),
    "mq_timedsend": ("d", "p", "d", "u", "p"), "mq_timedreceive": ("d", "p", "d", "u", "p"),
    "mq_notify": ("d", "p"), "mq_getsetattr": ("d", "p", "p"), "waitid": ("#x", "d", "p", "#x"),
    "eventfd": ("d",), "eventfd2": ("d", "d"), "epoll_create1": ("d",), "dup3": ("d", "d", "d"),
    "syncfs": ("d",), "getcpu": ("p", "d"), "getrandom": ("p", "u", "u"),
    "copy_file_range": ("d", "p", "d", "p", "lu", "u"), "pidfd_open": ("d", "u"),
    "close_range": ("u", "u", "u"), "pidfd_getfd": ("d", "d", "u"),
}
#: Calls whose format ends the line: nothing is printed after them.
NO_RETURN = frozenset({"exit", "exit_group"})


# ---- symbolic values ----

FlagTable = Sequence[tuple[str, int]]


def fmt_flags(table: FlagTable, value: int) -> str:
    """Names of the flags set in ``value``, ``|``-joined, then any unnamed bits in hex."""
    if value == 0:
        for name, flag in table:
            if flag == 0:
                return name
        return "0"
    names = []
    for name, flag in table:
        if flag and value & flag == flag:
            names.append(name)
            value &= ~flag
    if value:
        names.append(f"{value:#x}")
    return "|".join(names)


def fmt_enum(names: dict[int, str], value: int, fallback: Callable[[int], str] = fmt_hex) -> str:
    """A value's symbolic name, or the fallback format."""
    return names.get(value) or fallback(value)


OPEN_ACCESS_FLAGS: FlagTable = (("O_RDONLY", 0), ("O_WRONLY", 1), ("O_RDWR", 2))
OPEN_FLAGS: FlagTable = (
    ("O_APPEND", 0o2000), ("O_CREAT", 0o100), ("O_DIRECTORY", 0o200000), ("O_EXCL", 0o200),
    ("O_LARGEFILE", 0o100000), ("O_NOCTTY", 0o400), ("O_NOFOLLOW", 0o400000),
    ("O_NONBLOCK", 0o4000), ("O_DSYNC", 0o10000), ("__O_SYNC", 0o4000000), ("O_TRUNC", 0o1000),
    ("O_DIRECT", 0o40000), ("O_NOATIME", 0o1000000), ("O_CLOEXEC", 0o2000000),
    ("O_PATH", 0o10000000), ("__O_TMPFILE", 0o20000000),
)
O_CREAT = 0o100
ACCESS_FLAGS: FlagTable = (("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1))
AT_FILE_FLAGS: FlagTable = (("AT_EACCESS", 0x200), ("AT_SYMLINK_NOFOLLOW", 0x100))
UNLINKAT_FLAGS: FlagTable = (("AT_REMOVEDIR", 0x200),)
STATX_FLAGS: FlagTable = (
    ("AT_EMPTY_PATH", 0x1000), ("AT_NO_AUTOMOUNT", 0x800), ("AT_SYMLINK_NOFOLLOW", 0x100),
    ("AT_STATX_FORCE_SYNC", 0x2000), ("AT_STATX_DONT_SYNC", 0x4000),
)
STATX_MASK: FlagTable = (
    ("STATX_ALL", 0xFFF), ("STATX_BASIC_STATS", 0x7FF), ("STATX_TYPE", 0x1), ("STATX_MODE", 0x2),
    ("STATX_NLINK", 0x4),
    ("STATX_UID", 0x8), ("STATX_GID", 0x10), ("STATX_ATIME", 0x20), ("STATX_MTIME", 0x40),
    ("STATX_CTIME", 0x80), ("STATX_INO", 0x100), ("STATX_SIZE", 0x200), ("STATX_BLOCKS", 0x400),
    ("STATX_BTIME", 0x800), ("STATX_MNT_ID", 0x1000),
)
MMAP_PROT: FlagTable = (
    ("PROT_NONE", 0), ("PROT_EXEC", 4), ("PROT_READ", 1), ("PROT_WRITE", 2),
    ("PROT_SEM", 8), ("PROT_GROWSDOWN", 0x01000000), ("PROT_GROWSUP", 0x02000000),
)
MMAP_FLAGS: FlagTable = (
    ("MAP_SHARED", 0x1), ("MAP_PRIVATE", 0x2), ("MAP_ANONYMOUS", 0x20), ("MAP_DENYWRITE", 0x800),
    ("MAP_FIXED", 0x10), ("MAP_GROWSDOWN", 0x100), ("MAP_EXECUTABLE", 0x1000),
    ("MAP_LOCKED", 0x2000), ("MAP_NONBLOCK", 0x10000), ("MAP_NORESERVE", 0x4000),
    ("MAP_POPULATE", 0x8000),
)
CLONE_FLAGS: FlagTable = (
    ("CLONE_VM", 0x100), ("CLONE_FS", 0x200), ("CLONE_FILES", 0x400), ("CLONE_SIGHAND", 0x800),
    ("CLONE_PTRACE", 0x2000), ("CLONE_VFORK", 0x4000), ("CLONE_PARENT", 0x8000),
    ("CLONE_THREAD", 0x10000), ("CLONE_NEWNS", 0x20000), ("CLONE_SYSVSEM", 0x40000),
    ("CLONE_SETTLS", 0x80000), ("CLONE_PARENT_SETTID", 0x100000),
    ("CLONE_CHILD_CLEARTID", 0x200000), ("CLONE_DETACHED", 0x400000),
    ("CLONE_UNTRACED", 0x800000), ("CLONE_CHILD_SETTID", 0x1000000),
    ("CLONE_NEWUTS", 0x4000000), ("CLONE_NEWIPC", 0x8000000), ("CLONE_NEWUSER", 0x10000000),
    ("CLONE_NEWPID", 0x20000000), ("CLONE_NEWNET", 0x40000000), ("CLONE_NEWCGROUP", 0x2000000),
    ("CLONE_NEWTIME", 0x80), ("CLONE_IO", 0x80000000),
)
FALLOC_FLAGS: FlagTable = (
    ("FALLOC_FL_KEEP_SIZE", 0x1), ("FALLOC_FL_PUNCH_HOLE", 0x2), ("FALLOC_FL_NO_HIDE_STALE", 0x4),
    ("FALLOC_FL_COLLAPSE_RANGE", 0x8), ("FALLOC_FL_ZERO_RANGE", 0x10),
    ("FALLOC_FL_INSERT_RANGE", 0x20), ("FALLOC_FL_UNSHARE_RANGE", 0x40),
)
SOCK_CLOEXEC, SOCK_NONBLOCK = 0o2000000, 0o4000
SOCKET_TYPE_FLAGS: FlagTable = (("SOCK_CLOEXEC", SOCK_CLOEXEC), ("SOCK_NONBLOCK", SOCK_NONBLOCK))
FUTEX_FLAGS: FlagTable = (("FUTEX_PRIVATE_FLAG", 128), ("FUTEX_CLOCK_REALTIME", 256))

SIGNAL_NAMES = {
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGIOT", 7: "SIGBUS",
    8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
    14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
    20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
    26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}
SIGPROCMASK_HOW = {0: "SIG_BLOCK", 1: "SIG_UNBLOCK", 2: "SIG_SETMASK"}
SEEK_WHENCE = {0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}
CLOCK_NAMES = {
    0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID",
    3: "CLOCK_THREAD_CPUTIME_ID", 4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE",
    6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME", 8: "CLOCK_REALTIME_ALARM",
    9: "CLOCK_BOOTTIME_ALARM", 10: "CLOCK_SGI_CYCLE", 11: "CLOCK_TAI",
}
MADVISE_ADVICE = {
    0: "MADV_NORMAL", 1: "MADV_RANDOM", 2: "MADV_SEQUENTIAL", 3: "MADV_WILLNEED",
    4: "MADV_DONTNEED", 8: "MADV_FREE", 9: "MADV_REMOVE", 10: "MADV_DONTFORK",
    11: "MADV_DOFORK", 12: "MADV_MERGEABLE", 13: "MADV_UNMERGEABLE", 14: "MADV_HUGEPAGE",
    15: "MADV_NOHUGEPAGE", 16: "MADV_DONTDUMP", 17: "MADV_DODUMP", 18: "MADV_WIPEONFORK",
    19: "MADV_KEEPONFORK", 20: "MADV_COLD", 21: "MADV_PAGEOUT",
}
SOCKET_DOMAINS = {1: "PF_UNIX", 2: "PF_INET", 16: "PF_NETLINK", 17: "PF_PACKET"}
SOCKET_TYPES = {1: "SOCK_STREAM", 2: "SOCK_DGRAM", 3: "SOCK_RAW", 4: "SOCK_RDM",
                5: "SOCK_SEQPACKET", 10: "SOCK_PACKET"}
IP_PROTOCOLS = {0: "IPPROTO_IP", 6: "IPPROTO_TCP", 17: "IPPROTO_UDP"}
NETLINK_PROTOCOLS = {0: "NETLINK_ROUTE", 4: "NETLINK_SOCK_DIAG", 9: "NETLINK_AUDIT",
                     15: "NETLINK_KOBJECT_UEVENT", 16: "NETLINK_GENERIC"}
FUTEX_COMMANDS = {
    0: "FUTEX_WAIT", 1: "FUTEX_WAKE", 2: "FUTEX_FD", 3: "FUTEX_REQUEUE", 4: "FUTEX_CMP_REQUEUE",
    5: "FUTEX_WAKE_OP", 6: "FUTEX_LOCK_PI", 7: "FUTEX_UNLOCK_PI", 8: "FUTEX_TRYLOCK_PI",
    9: "FUTEX_WAIT_BITSET", 10: "FUTEX_WAKE_BITSET", 11: "FUTEX_WAIT_REQUEUE_PI",
    12: "FUTEX_CMP_REQUEUE_PI", 13: "FUTEX_LOCK_PI2",
}
#: the commands whose fourth argument 7.2 prints as a struct timespec (a timeout)
FUTEX_TIMED = frozenset({0, 6, 9, 11, 13})
FCNTL_NAMES = {
    0: "F_DUPFD", 1: "F_GETFD", 2: "F_SETFD", 3: "F_GETFL", 4: "F_SETFL", 5: "F_GETLK",
    6: "F_SETLK", 7: "F_SETLKW", 8: "F_SETOWN", 9: "F_GETOWN", 10: "F_SETSIG", 11: "F_GETSIG",
    1024: "F_SETLEASE", 1025: "F_GETLEASE", 1026: "F_NOTIFY", 1030: "F_DUPFD_CLOEXEC",
    1031: "F_SETPIPE_SZ", 1032: "F_GETPIPE_SZ", 1033: "F_ADD_SEALS", 1034: "F_GET_SEALS",
}
#: How each named fcntl command prints its third argument (QEMU 7.2, quirks included:
#: F_SETOWN and F_SETSIG print a trailing comma).
FCNTL_ARG: dict[str, Callable[[int], str]] = {
    "F_DUPFD": lambda v: "," + fmt_d(v), "F_DUPFD_CLOEXEC": lambda v: "," + fmt_d(v),
    "F_SETFD": lambda v: "," + fmt_d(v), "F_SETLEASE": lambda v: "," + fmt_d(v),
    "F_NOTIFY": lambda v: "," + fmt_d(v), "F_SETPIPE_SZ": lambda v: "," + fmt_d(v),
    "F_SETOWN": lambda v: "," + fmt_d(v) + ",", "F_SETSIG": lambda v: "," + fmt_d(v) + ",",
    "F_SETFL": lambda v: "," + fmt_open_flags(v), "F_ADD_SEALS": lambda v: "," + fmt_lx016(v),
    "F_GETLK": lambda v: "," + fmt_pointer(v), "F_SETLK": lambda v: "," + fmt_pointer(v),
    "F_SETLKW": lambda v: "," + fmt_pointer(v),
}


def fmt_open_flags(value: int) -> str:
    """Open flags: the access mode, then the other flags."""
    value = to_u32(value)
    text = fmt_flags(OPEN_ACCESS_FLAGS, value & 3)
    if value & ~3:
        text += "|" + fmt_flags(OPEN_FLAGS, value & ~3)
    return text


def fmt_signal(value: int) -> str:
    """A signal number by name (QEMU's names: 6 is SIGIOT), else decimal."""
    return fmt_enum(SIGNAL_NAMES, to_s32(value), fmt_d)


# ---- reading guest memory for the printout; a fault prints the pointer instead ----

#: the longest string fmt_string prints (qemu's has no bound; this keeps a runaway one finite)
STRING_MAX = 1 << 20


def fmt_string(task: TaskState, addr: int) -> str:
    """A guest C string in double quotes, or the pointer if it cannot be read.

    The whole string, as qemu's lock_user_string reads it (a path longer than PATH_MAX
    too), up to STRING_MAX bytes.
    """
    addr = to_u64(addr)
    if addr == 0:
        return "NULL"
    try:
        text = task.mem.read_cstring(addr, STRING_MAX)
    except GuestFault:
        return fmt_pointer(addr)
    return '"' + text.decode("utf-8", "replace") + '"'


def read_struct(task: TaskState, addr: int, fmt: str) -> tuple[int, ...] | None:
    """Unpack a guest struct for the printout, or None if it cannot be read."""
    size = struct.calcsize(fmt)
    if addr == 0 or not task.mem.access_ok(addr, size, False):
        return None
    try:
        return struct.unpack(fmt, task.mem.read(addr, size))
    except GuestFault:
        return None


def fmt_timespec(task: TaskState, addr: int, sub: str = "tv_nsec") -> str:
    """``{tv_sec = S,tv_nsec = N}`` or the pointer."""
    fields = read_struct(task, addr, "<qq")
    if fields is None:
        return fmt_pointer(addr)
    return f"{{tv_sec = {fields[0]},{sub} = {fields[1]}}}"


def fmt_execve_argv(task: TaskState, addr: int) -> str:
    """execve's argv as QEMU 7.2 prints it: ``{"a","b",NULL})``, the closing ``)`` its own;
    a string it cannot read left out; an entry it cannot read (a NULL or unmapped array)
    ends the line there, after ``{"a",``, without ``NULL})``."""
    parts = []
    index = 0
    while True:
        entry = read_struct(task, addr + 8 * index, "<Q") if addr else None
        if entry is None:
            return "{" + "".join(parts)
        if entry[0] == 0:
            return "{" + "".join(parts) + "NULL})"
        text = fmt_string(task, entry[0])
        if text.startswith('"'):
            parts.append(text + ",")
        index += 1


# ---- struct termios (the kernel's 36-byte one), as 7.2 prints it for TCGETS/TCSETS* ----

TERMIOS_FORMAT = "<IIIIB19s"
TERMIOS_IFLAG: FlagTable = (
    ("IGNBRK", 0x1), ("BRKINT", 0x2), ("IGNPAR", 0x4), ("PARMRK", 0x8), ("INPCK", 0x10),
    ("ISTRIP", 0x20), ("INLCR", 0x40), ("IGNCR", 0x80), ("ICRNL", 0x100), ("IUCLC", 0x200),
    ("IXON", 0x400), ("IXANY", 0x800), ("IXOFF", 0x1000), ("IMAXBEL", 0x2000), ("IUTF8", 0x4000),
)
TERMIOS_OFLAG: FlagTable = (
    ("OPOST", 0x1), ("OLCUC", 0x2), ("ONLCR", 0x4), ("OCRNL", 0x8), ("ONOCR", 0x10),
    ("ONLRET", 0x20), ("OFILL", 0x40), ("OFDEL", 0x80),
)
#: c_oflag delay fields: (mask, {value: name}), printed after the flags when non-zero.
TERMIOS_ODELAYS: tuple[tuple[int, dict[int, str]], ...] = (
    (0x100, {0x100: "NL1"}),
    (0x600, {0x200: "CR1", 0x400: "CR2", 0x600: "CR3"}),
    (0x1800, {0x800: "TAB1", 0x1000: "TAB2", 0x1800: "TAB3"}),
    (0x2000, {0x2000: "BS1"}),
    (0x4000, {0x4000: "VT1"}),
    (0x8000, {0x8000: "FF1"}),
)
TERMIOS_BAUD_MASK = 0x100F
TERMIOS_BAUDS = {
    1: "B50", 2: "B75", 3: "B110", 4: "B134", 5: "B150", 6: "B200", 7: "B300", 8: "B600",
    9: "B1200", 10: "B1800", 11: "B2400", 12: "B4800", 13: "B9600", 14: "B19200", 15: "B38400",
    0x1001: "B57600", 0x1002: "B115200", 0x1003: "B230400", 0x1004: "B460800",
}
TERMIOS_CSIZE = {0x10: "CS6", 0x20: "CS7", 0x30: "CS8"}
TERMIOS_CFLAG: FlagTable = (
    ("CSTOPB", 0x40), ("CREAD", 0x80), ("PARENB", 0x100), ("PARODD", 0x200), ("HUPCL", 0x400),
    ("CLOCAL", 0x800), ("CRTSCTS", 0x80000000),
)
TERMIOS_LFLAG: FlagTable = (
    ("ISIG", 0x1), ("ICANON", 0x2), ("XCASE", 0x4), ("ECHO", 0x8), ("ECHOE", 0x10),
    ("ECHOK", 0x20), ("ECHONL", 0x40), ("NOFLSH", 0x80), ("TOSTOP", 0x100), ("ECHOCTL", 0x200),
    ("ECHOPRT", 0x400), ("ECHOKE", 0x800), ("FLUSHO", 0x1000), ("PENDIN", 0x4000),
    ("IEXTEN", 0x8000), ("EXTPROC", 0x10000),
)


def fmt_termios(task: TaskState, addr: int) -> str:
    """A guest struct termios as QEMU 7.2 prints it, or the pointer."""
    fields = read_struct(task, addr, TERMIOS_FORMAT)
    if fields is None:
        return fmt_pointer(addr)
    iflag, oflag, cflag, lflag, line_discipline, control_chars = fields
    assert isinstance(control_chars, bytes)
    delays_mask = 0xFF00
    oflag_text = fmt_flags(TERMIOS_OFLAG, oflag & ~delays_mask)
    for mask, names in TERMIOS_ODELAYS:
        if oflag & mask:
            oflag_text += "," + names[oflag & mask]
    cflag_parts = []
    if cflag & TERMIOS_BAUD_MASK:
        cflag_parts.append(fmt_enum(TERMIOS_BAUDS, cflag & TERMIOS_BAUD_MASK))
    if cflag & 0x30:
        cflag_parts.append(TERMIOS_CSIZE[cflag & 0x30])
    cflag_parts.append(fmt_flags(TERMIOS_CFLAG, cflag & ~(TERMIOS_BAUD_MASK | 0x30)))
    chars = control_chars.split(b"\0")[0].decode("latin-1")
    return (f"{{c_iflag = {fmt_flags(TERMIOS_IFLAG, iflag)},c_oflag = {oflag_text},"
            f"c_cflag = {','.join(cflag_parts)},c_lflag = {fmt_flags(TERMIOS_LFLAG, lflag)},"
            f"c_cc = \"{chars}\",c_line = '{chr(line_discipline)}'}}")


# ---- per-call argument printers: QEMU's print_<name> functions ----

def _ioctl_args(task: TaskState, a: Raw) -> str:
    request = IOCTLS.get(to_u32(a[1]))
    if request is None:
        return f"{fmt_d(a[0])},{fmt_hex(a[1])},{fmt_hex(a[2])}"
    if request.direction is IoctlDir.IN and request.name.startswith("TCSETS") and a[2]:
        return f"{fmt_d(a[0])},{request.name},{fmt_termios(task, a[2])}"
    if request.direction is IoctlDir.IN and request.size == 4 and a[2]:
        value = read_struct(task, a[2], "<i")     # qemu's thunk_print of TYPE_INT
        if value is not None:
            return f"{fmt_d(a[0])},{request.name},{value[0]}"
    if request.direction is IoctlDir.IN and request.size == 8 and a[2]:
        winsize = read_struct(task, a[2], "<HHHH")
        if winsize is not None:
            return f"{fmt_d(a[0])},{request.name},{{{','.join(map(str, winsize))}}}"
    if request.direction is IoctlDir.VALUE:
        return f"{fmt_d(a[0])},{request.name},{fmt_ld(a[2])}"
    return f"{fmt_d(a[0])},{request.name},{fmt_pointer(a[2])}"


def _fcntl_args(task: TaskState, a: Raw) -> str:
    cmd = to_s32(a[1])
    name = FCNTL_NAMES.get(cmd)
    if name is None:
        return f"{fmt_d(a[0])},{cmd},{fmt_pointer(a[2])}"
    printer = FCNTL_ARG.get(name)
    return f"{fmt_d(a[0])},{name}" + (printer(a[2]) if printer else "")


def _open_tail(flags: int, mode: int) -> str:
    text = fmt_open_flags(flags)
    if to_u32(flags) & O_CREAT:
        text += "," + fmt_mode(mode)
    return text


def _socket_args(task: TaskState, a: Raw) -> str:
    domain, kind, protocol = to_s32(a[0]), to_s32(a[1]), to_s32(a[2])
    type_text = fmt_enum(SOCKET_TYPES, kind & 0xF, fmt_d)
    # qemu names the two flags and drops any other bit of the type
    flags = kind & (SOCK_CLOEXEC | SOCK_NONBLOCK)
    if flags:
        type_text += "|" + fmt_flags(SOCKET_TYPE_FLAGS, flags)
    if domain == 17 or kind & 0xF == 10:  # PF_PACKET, SOCK_PACKET: an Ethernet protocol
        proto_text = str(protocol)
    elif domain == 16:
        proto_text = fmt_enum(NETLINK_PROTOCOLS, protocol, str)
    else:
        proto_text = fmt_enum(IP_PROTOCOLS, protocol, str)
    return f"{fmt_enum(SOCKET_DOMAINS, domain, str)},{type_text},{proto_text}"


def _futex_args(task: TaskState, a: Raw) -> str:
    op = to_s32(a[1])
    flag_bits = op & 0x180
    cmd_text = FUTEX_COMMANDS.get(op & ~0x180)
    if cmd_text is None:
        op_text = f"{to_u32(a[1]):#x}"     # 7.2: an unknown command as the whole op
    else:
        op_text = (fmt_flags(FUTEX_FLAGS, flag_bits) + "|" + cmd_text) if flag_bits else cmd_text
    timeout = fmt_timespec(task, a[3]) if op & ~0x180 in FUTEX_TIMED else fmt_pointer(a[3])
    # sic: 7.2 prints the fifth argument again as the last number, not val3
    return (f"{fmt_pointer(a[0])},{op_text},{fmt_d(a[2])},{timeout},"
            f"{fmt_pointer(a[4])},{fmt_d(a[4])}")


def _xattr_get_args(task: TaskState, a: Raw, target: str) -> str:
    return f"{target},{fmt_string(task, a[1])},{fmt_pointer(a[2])},{fmt_d(a[3])}"


def _clone_args(task: TaskState, a: Raw) -> str:
    return (f"{fmt_flags(CLONE_FLAGS, to_u32(a[0]))},child_stack={fmt_lx016(a[1])},"
            f"parent_tidptr={fmt_lx016(a[2])},tls={fmt_lx016(a[4])},"
            f"child_tidptr={fmt_lx016(a[3])}")


def _clock_nanosleep_args(task: TaskState, a: Raw) -> str:
    # the flags in decimal (qemu 7.2 prints TIMER_ABSTIME as 1); both timespecs as they
    # are before the call, the remainder too
    return (f"{fmt_enum(CLOCK_NAMES, to_s32(a[0]))},{fmt_d(a[1])},{fmt_timespec(task, a[2])},"
            f"{fmt_timespec(task, a[3])}")


ITIMER_NAMES = {0: "ITIMER_REAL", 1: "ITIMER_VIRTUAL", 2: "ITIMER_PROF"}
SYSLOG_ACTIONS = {0: "SYSLOG_ACTION_CLOSE", 1: "SYSLOG_ACTION_OPEN", 2: "SYSLOG_ACTION_READ",
                  3: "SYSLOG_ACTION_READ_ALL", 4: "SYSLOG_ACTION_READ_CLEAR",
                  5: "SYSLOG_ACTION_CLEAR", 6: "SYSLOG_ACTION_CONSOLE_OFF",
                  7: "SYSLOG_ACTION_CONSOLE_ON", 8: "SYSLOG_ACTION_CONSOLE_LEVEL",
                  9: "SYSLOG_ACTION_SIZE_UNREAD", 10: "SYSLOG_ACTION_SIZE_BUFFER"}
MOUNT_FLAGS: FlagTable = (
    ("MS_BIND", 0x1000), ("MS_DIRSYNC", 0x80), ("MS_MANDLOCK", 0x40), ("MS_MOVE", 0x2000),
    ("MS_NOATIME", 0x400), ("MS_NODEV", 0x4), ("MS_NODIRATIME", 0x800), ("MS_NOEXEC", 0x8),
    ("MS_NOSUID", 0x2), ("MS_RDONLY", 0x1), ("MS_RELATIME", 0x200000), ("MS_REMOUNT", 0x20),
    ("MS_SYNCHRONOUS", 0x10))
UMOUNT2_FLAGS: FlagTable = (("MNT_FORCE", 1), ("MNT_DETACH", 2), ("MNT_EXPIRE", 4))
MLOCKALL_FLAGS: FlagTable = (("MCL_CURRENT", 1), ("MCL_FUTURE", 2), ("MCL_ONFAULT", 4))
PACKET_TYPES = {0: "PACKET_HOST", 1: "PACKET_BROADCAST", 2: "PACKET_MULTICAST",
                3: "PACKET_OTHERHOST", 4: "PACKET_OUTGOING"}
AF_UNIX, AF_INET, AF_NETLINK, AF_PACKET = 1, 2, 16, 17


def fmt_itimerval(task: TaskState, addr: int) -> str:
    """QEMU's print_itimerval: both timevals, each one's pointer where unreadable."""
    if not to_u64(addr):
        return "NULL"
    return (f"{{it_interval={fmt_timespec(task, addr, 'tv_usec')},"
            f"it_value={fmt_timespec(task, to_u64(addr) + 16, 'tv_usec')},}}")


def fmt_sockaddr(task: TaskState, addr: int, length: int) -> str:
    """QEMU's print_sockaddr: the address by family (or the pointer), then ``, length``."""
    size = to_s32(length)
    raw = read_struct(task, addr, f"<{max(size, 2)}s")
    if raw is None:
        return f"{fmt_pointer(addr)},, {size}"
    data = raw[0]
    assert isinstance(data, bytes)
    data = data.ljust(110, b"\0")
    family = int.from_bytes(data[:2], "little")
    if family == AF_UNIX:
        path = data[2:max(size, 2)].split(b"\0")[0].decode("latin-1")
        text = f'{{sun_family=AF_UNIX,sun_path="{path}"}}'
    elif family == AF_INET:
        text = (f"{{sin_family=AF_INET,sin_port=htons({int.from_bytes(data[2:4], 'big')}),"
                f'sin_addr=inet_addr("{".".join(str(b) for b in data[4:8])}")}}')
    elif family == AF_PACKET:
        protocol, index, _, kind = struct.unpack_from(">HiHB", data, 2)
        index = int.from_bytes(data[4:8], "little", signed=True)
        text = (f"{{sll_family=AF_PACKET,sll_protocol=htons(0x{protocol:04x}),if{index},"
                f"pkttype={PACKET_TYPES.get(kind, str(kind))},"
                f"sll_addr={':'.join(f'{b:02x}' for b in data[12:20])}}}")
    elif family == AF_NETLINK:
        pid, groups = struct.unpack_from("<II", data, 4)
        text = f"{{nl_family=AF_NETLINK,nl_pid={pid},nl_groups={groups}}}"
    else:
        text = f"{{sa_family={family}, sa_data={{{', '.join(f'{b:02x}' for b in data[2:16])}}}}}"
    return f"{text}, {size}"


def _accept_args(task: TaskState, a: Raw) -> str:
    length = "NULL"
    if to_u64(a[2]):
        value = read_struct(task, a[2], "<i")
        length = f"[{value[0] if value is not None else 0}]"   # qemu: 0 where unreadable
    return f"{fmt_d(a[0])},{fmt_pointer(a[1])},{length}"


def _mknod_tail(mode: int, dev: int) -> str:
    """QEMU's print_mknod from the mode on: the mode, then makedev() for a device."""
    if not to_u32(mode) & (0o20000 | 0o60000):
        return fmt_mode(mode)
    dev = to_u64(dev)
    major = (dev >> 8) & 0xFFF | (dev >> 32) & 0xFFFFF000
    minor = dev & 0xFF | (dev >> 12) & 0xFFFFFF00
    return f"{fmt_mode(mode)},makedev({to_s32(major)},{to_s32(minor)})"


def _mq_open_args(task: TaskState, a: Raw) -> str:
    if not to_u32(a[1]) & O_CREAT:
        return f"{fmt_string(task, a[0])},{fmt_open_flags(a[1])}"
    return (f"{fmt_string(task, a[0])},{fmt_open_flags(a[1])},{fmt_mode(a[2])},"
            f"{fmt_pointer(a[3])}")


SIGINFO_SIZE = 128


def _fmt_guest_siginfo(task: TaskState, addr: int) -> str:
    """A siginfo_t the guest passes (rt_sigqueueinfo), as qemu prints it, or the pointer."""
    fields = read_struct(task, addr, f"<{SIGINFO_SIZE}s")
    if fields is None:
        return fmt_pointer(addr)
    info = fields[0]
    assert isinstance(info, bytes)
    return fmt_siginfo(info)


def _fmt_timeval(task: TaskState, addr: int) -> str:
    """QEMU's print_timeval: NULL, the struct, or the pointer where unreadable."""
    return fmt_timespec(task, addr, "tv_usec") if to_u64(addr) else "NULL"


def _fmt_timezone(task: TaskState, addr: int) -> str:
    """QEMU's print_timezone (settimeofday's; gettimeofday's result prints its own)."""
    fields = read_struct(task, addr, "<ii")
    return fmt_pointer(addr) if fields is None else f"{{{fields[0]},{fields[1]}}}"


ArgPrinter = Callable[["TaskState", Raw], str]

ARG_PRINTERS: dict[str, ArgPrinter] = {
    "open": lambda t, a: f"{fmt_string(t, a[0])},{_open_tail(a[1], a[2])}",
    "openat": lambda t, a: f"{fmt_d(a[0])},{fmt_string(t, a[1])},{_open_tail(a[2], a[3])}",
    "creat": lambda t, a: f"{fmt_string(t, a[0])},{fmt_mode(a[1])}",
    "access": lambda t, a: f"{fmt_string(t, a[0])},{fmt_flags(ACCESS_FLAGS, to_u32(a[1]))}",
    "faccessat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},"
                               f"{fmt_flags(ACCESS_FLAGS, to_u32(a[2]))},"
                               f"{fmt_flags(AT_FILE_FLAGS, to_u32(a[3]))}"),
    "faccessat2": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},"
                                f"{fmt_flags(ACCESS_FLAGS, to_u32(a[2]))},"
                                f"{fmt_flags(AT_FILE_FLAGS, to_u32(a[3]))}"),
    "stat": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])}",
    "lstat": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])}",
    "fstat": lambda t, a: f"{fmt_d(a[0])},{fmt_pointer(a[1])}",
    "statfs": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])}",
    "newfstatat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_pointer(a[2])},"
                                f"{fmt_flags(AT_FILE_FLAGS, to_u32(a[3]))}"),
    "statx": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},"
                           f"{fmt_flags(STATX_FLAGS, to_u32(a[2]))},"
                           f"{fmt_flags(STATX_MASK, to_u32(a[3]))},{fmt_pointer(a[4])}"),
    "chdir": lambda t, a: fmt_string(t, a[0]),
    "mkdir": lambda t, a: f"{fmt_string(t, a[0])},{fmt_mode(a[1])}",
    "mkdirat": lambda t, a: f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_mode(a[2])}",
    "rmdir": lambda t, a: f"{fmt_string(t, a[0])},",  # sic: 7.2 prints a trailing comma
    "unlink": lambda t, a: fmt_string(t, a[0]),
    "unlinkat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},"
                              f"{fmt_flags(UNLINKAT_FLAGS, to_u32(a[2]))}"),
    "rename": lambda t, a: f"{fmt_string(t, a[0])},{fmt_string(t, a[1])}",
    "renameat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_d(a[2])},"
                              f"{fmt_string(t, a[3])}"),
    "link": lambda t, a: f"{fmt_string(t, a[0])},{fmt_string(t, a[1])}",
    "linkat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_d(a[2])},"
                            f"{fmt_string(t, a[3])},{fmt_flags(AT_FILE_FLAGS, to_u32(a[4]))}"),
    "symlink": lambda t, a: f"{fmt_string(t, a[0])},{fmt_string(t, a[1])}",
    "symlinkat": lambda t, a: f"{fmt_string(t, a[0])},{fmt_d(a[1])},{fmt_string(t, a[2])}",
    "readlink": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])},{fmt_d(a[2])}",
    "readlinkat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_pointer(a[2])},"
                                f"{fmt_d(a[3])}"),
    "chmod": lambda t, a: f"{fmt_string(t, a[0])},{fmt_mode(a[1])}",
    "fchmodat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_mode(a[2])},"
                              f"{fmt_flags(AT_FILE_FLAGS, to_u32(a[3]))}"),
    "chown": lambda t, a: f"{fmt_string(t, a[0])},{fmt_d(a[1])},{fmt_d(a[2])}",
    "lchown": lambda t, a: f"{fmt_string(t, a[0])},{fmt_d(a[1])},{fmt_d(a[2])}",
    "fchownat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_d(a[2])},"
                              f"{fmt_d(a[3])},{fmt_flags(AT_FILE_FLAGS, to_u32(a[4]))}"),
    "truncate": lambda t, a: f"{fmt_string(t, a[0])},{fmt_ld(a[1])}",
    "utimensat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{fmt_pointer(a[2])},"
                               f"{fmt_flags(AT_FILE_FLAGS, to_u32(a[3]))}"),
    "getxattr": lambda t, a: _xattr_get_args(t, a, fmt_string(t, a[0])),
    "lgetxattr": lambda t, a: _xattr_get_args(t, a, fmt_string(t, a[0])),
    "fgetxattr": lambda t, a: _xattr_get_args(t, a, fmt_d(a[0])),
    "listxattr": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])},{fmt_d(a[2])}",
    "llistxattr": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])},{fmt_d(a[2])}",
    "flistxattr": lambda t, a: f"{fmt_d(a[0])},{fmt_pointer(a[1])},{fmt_d(a[2])}",
    "removexattr": lambda t, a: f"{fmt_string(t, a[0])},{fmt_string(t, a[1])}",
    "lremovexattr": lambda t, a: f"{fmt_string(t, a[0])},{fmt_string(t, a[1])}",
    "fremovexattr": lambda t, a: f"{fmt_d(a[0])},{fmt_string(t, a[1])}",
    "brk": lambda t, a: fmt_pointer(a[0]),
    "mmap": lambda t, a: (f"{fmt_pointer(a[0])},{fmt_ld(a[1])},"
                          f"{fmt_flags(MMAP_PROT, to_u32(a[2]))},"
                          f"{fmt_flags(MMAP_FLAGS, to_u32(a[3]))},{fmt_d(a[4])},"
                          f"{fmt_hex64(a[5])}"),
    "munmap": lambda t, a: f"{fmt_pointer(a[0])},{fmt_ld(a[1])}",
    "mprotect": lambda t, a: (f"{fmt_pointer(a[0])},{fmt_ld(a[1])},"
                              f"{fmt_flags(MMAP_PROT, to_u32(a[2]))}"),
    "madvise": lambda t, a: (f"{fmt_pointer(a[0])},{fmt_ld(a[1])},"
                             f"{fmt_enum(MADVISE_ADVICE, to_s32(a[2]))}"),
    "lseek": lambda t, a: f"{fmt_d(a[0])},{fmt_ld(a[1])},{fmt_enum(SEEK_WHENCE, to_s32(a[2]))}",
    "fcntl": _fcntl_args,
    "ioctl": _ioctl_args,
    "rt_sigaction": lambda t, a: f"{fmt_signal(a[0])},{fmt_pointer(a[1])},{fmt_pointer(a[2])}",
    "rt_sigprocmask": lambda t, a: (f"{SIGPROCMASK_HOW.get(to_s32(a[0]), 'UNKNOWN')},"
                                    f"{fmt_pointer(a[1])},{fmt_pointer(a[2])}"),
    "kill": lambda t, a: f"{fmt_d(a[0])},{fmt_signal(a[1])}",
    "tkill": lambda t, a: f"{fmt_d(a[0])},{fmt_signal(a[1])}",
    "tgkill": lambda t, a: f"{fmt_d(a[0])},{fmt_d(a[1])},{fmt_signal(a[2])}",
    "clock_gettime": lambda t, a: f"{fmt_enum(CLOCK_NAMES, to_s32(a[0]))},{fmt_pointer(a[1])}",
    "clock_getres": lambda t, a: f"{fmt_enum(CLOCK_NAMES, to_s32(a[0]))},{fmt_pointer(a[1])}",
    "gettimeofday": lambda t, a: f"{fmt_pointer(a[0])},{fmt_pointer(a[1])}",
    "clock_nanosleep": _clock_nanosleep_args,
    "socket": _socket_args,
    "execve": lambda t, a: f"{fmt_string(t, a[0])},{fmt_execve_argv(t, a[1])}",
    "futex": _futex_args,
    "clone": _clone_args,
    "setitimer": lambda t, a: (f"{fmt_enum(ITIMER_NAMES, to_s32(a[0]))},"
                               f"{fmt_itimerval(t, a[1])},{fmt_pointer(a[2])}"),
    "getitimer": lambda t, a: f"{fmt_enum(ITIMER_NAMES, to_s32(a[0]))},{fmt_pointer(a[1])}",
    "bind": lambda t, a: f"{fmt_d(a[0])},{fmt_sockaddr(t, a[1], a[2])}",
    "accept": _accept_args,
    "utime": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])}",
    "utimes": lambda t, a: f"{fmt_string(t, a[0])},{fmt_pointer(a[1])}",
    "chroot": lambda t, a: fmt_string(t, a[0]),
    "acct": lambda t, a: fmt_string(t, a[0]),
    "mknod": lambda t, a: f"{fmt_string(t, a[0])},{_mknod_tail(a[1], a[2])}",
    "mknodat": lambda t, a: f"{fmt_d(a[0])},{fmt_string(t, a[1])},{_mknod_tail(a[2], a[3])}",
    "umount2": lambda t, a: f"{fmt_string(t, a[0])},{fmt_flags(UMOUNT2_FLAGS, to_u32(a[1]))}",
    "mount": lambda t, a: (f"{fmt_string(t, a[0])},{fmt_string(t, a[1])},"
                           f"{fmt_string(t, a[2])},{fmt_flags(MOUNT_FLAGS, to_u32(a[3]))},"
                           f"{fmt_pointer(a[4])}"),
    "mlockall": lambda t, a: fmt_flags(MLOCKALL_FLAGS, to_u32(a[0])),
    "settimeofday": lambda t, a: (f"{_fmt_timeval(t, a[0])},"
                                  f"{_fmt_timezone(t, a[1])}"),
    "clock_settime": lambda t, a: (f"{fmt_enum(CLOCK_NAMES, to_s32(a[0]))},"
                                   f"{fmt_timespec(t, a[1])}"),
    "syslog": lambda t, a: (f"{fmt_enum(SYSLOG_ACTIONS, to_s32(a[0]), fmt_ld)},"
                            f"{fmt_pointer(a[1])},{fmt_d(a[2])}"),
    "mq_open": _mq_open_args,
    "mq_unlink": lambda t, a: fmt_string(t, a[0]),
    "fallocate": lambda t, a: (f"{fmt_d(a[0])},{fmt_flags(FALLOC_FLAGS, to_u32(a[1]))},"
                               f"{fmt_ld(a[2])},{fmt_ld(a[3])}"),
    "unshare": lambda t, a: fmt_flags(CLONE_FLAGS, to_u32(a[0])),
    # sic: qemu prints the second timeval at arg + 16 even when arg is NULL
    "futimesat": lambda t, a: (f"{fmt_d(a[0])},{fmt_string(t, a[1])},{_fmt_timeval(t, a[2])},"
                               f"{_fmt_timeval(t, to_u64(a[2]) + 16)}"),
    "clock_adjtime": lambda t, a: f"{fmt_enum(CLOCK_NAMES, to_s32(a[0]))},{fmt_pointer(a[1])}",
    "pidfd_send_signal": lambda t, a: (f"{fmt_d(a[0])},{fmt_signal(a[1])},{fmt_pointer(a[2])},"
                                       f"{fmt_u(a[3])}"),
    "rt_sigqueueinfo": lambda t, a: (f"{fmt_d(a[0])},{fmt_signal(a[1])},"
                                     f"{_fmt_guest_siginfo(t, a[2])}"),
    "rt_tgsigqueueinfo": lambda t, a: (f"{fmt_d(a[0])},{fmt_d(a[1])},{fmt_signal(a[2])},"
                                       f"{_fmt_guest_siginfo(t, a[3])}"),
}


# ---- results: QEMU's print_syscall_ret and its special forms ----

#: QEMU's own errno values (target_strerror's texts): sigreturn's result, a restart
QEMU_ERRNO_TEXT = {513: "Successful exit from sigreturn", 512: "To be restarted"}


def fmt_error(ret: int) -> str:
    """`` = -1 errno=N (text)``, the host's strerror text as QEMU uses it."""
    return f" = -1 errno={-ret} ({QEMU_ERRNO_TEXT.get(-ret) or os.strerror(-ret)})"


def _ret_clock(task: TaskState, ret: int, a: Raw) -> str:
    return f" = {ret} ({fmt_timespec(task, a[1])})"


def _ret_gettimeofday(task: TaskState, ret: int, a: Raw) -> str:
    tv = fmt_timespec(task, a[0], "tv_usec") if a[0] else "NULL"
    tz_fields = read_struct(task, a[1], "<ii")
    if tz_fields is None:
        tz = fmt_pointer(a[1])
    else:
        tz = f"{{tz_minuteswest = {tz_fields[0]},tz_dsttime = {tz_fields[1]}}}"
    return f" = {ret} ({tv},{tz})"


def _ret_setitimer(task: TaskState, ret: int, a: Raw) -> str:
    return f" = {ret} (old_value = {fmt_itimerval(task, a[2])})"


def _ret_getitimer(task: TaskState, ret: int, a: Raw) -> str:
    return f" = {ret} ({fmt_itimerval(task, a[1])})"


def _ret_ioctl(task: TaskState, ret: int, a: Raw) -> str:
    request = IOCTLS.get(to_u32(a[1]))
    if request is None or request.direction is not IoctlDir.OUT:
        return f" = {ret}"
    if request.name == "TCGETS":
        termios = fmt_termios(task, a[2])
        return f" = {ret} ({termios})" if termios.startswith("{") else f" = {ret}"
    if request.size == 4:
        value = read_struct(task, a[2], "<i")
        if value is not None:
            return f" = {ret} ({value[0]})"
    if request.size == 8:
        winsize = read_struct(task, a[2], "<HHHH")
        if winsize is not None:
            return f" = {ret} ({{{','.join(map(str, winsize))}}})"
    return f" = {ret}"


RetPrinter = Callable[["TaskState", int, Raw], str]

def _ret_listxattr(task: TaskState, ret: int, a: Raw) -> str:
    """listxattr's result and the names it stored, as qemu 7.2 prints them."""
    addr = to_u64(a[1])
    if addr == 0:
        return f" = {ret} (list = NULL)"
    names, left = [], ret
    while left > 0:
        try:
            name = task.mem.read_cstring(addr, left)
        except GuestFault:
            break
        names.append(fmt_string(task, addr))
        left -= len(name) + 1
        addr += len(name) + 1
    return f" = {ret} (list = {','.join(names)})"


RET_PRINTERS: dict[str, RetPrinter] = {
    "brk": lambda t, r, a: f" = 0x{to_u64(r):016x}",
    "mmap": lambda t, r, a: f" = 0x{to_u64(r):016x}",
    "clock_gettime": _ret_clock,
    "clock_getres": _ret_clock,
    "gettimeofday": _ret_gettimeofday,
    "ioctl": _ret_ioctl,
    "setitimer": _ret_setitimer,
    "getitimer": _ret_getitimer,
    "listxattr": _ret_listxattr,
    "llistxattr": _ret_listxattr,
    "flistxattr": _ret_listxattr,
}


def _name(task: TaskState, num: int) -> str | None:
    name = task.target.syscall_nr.SYSCALL_NAMES.get(num)
    return name if name in KNOWN_NAMES else None


def format_syscall(task: TaskState, num: int, args: Raw) -> str:
    """The text QEMU prints before a syscall runs (pid prefix included)."""
    prefix = f"{os.getpid()} "
    name = _name(task, num)
    if name is None:
        return f"{prefix}Unknown syscall {num}\n"
    printer = ARG_PRINTERS.get(name)
    if printer is not None:
        close = "" if name == "execve" else ")"     # fmt_execve_argv's own
        return f"{prefix}{name}({printer(task, args)}{close}"
    codes = FORMATS.get(name)
    if codes is None:
        body = ",".join(fmt_ld(value) for value in args[:6])
    else:
        body = ",".join(FORMAT_CODES[code](value) for code, value in zip(codes, args, strict=False))
    return f"{prefix}{name}({body})" + ("\n" if name in NO_RETURN else "")


def format_syscall_ret(task: TaskState, num: int, ret: int, args: Raw) -> str:
    """The text QEMU prints after a syscall returned ``ret``."""
    name = _name(task, num)
    if name is None or name in NO_RETURN:
        return ""
    if -4096 < ret < 0:
        return fmt_error(ret) + "\n"
    printer = RET_PRINTERS.get(name)
    text = printer(task, ret, args) if printer else f" = {ret}"
    return text + "\n"


def print_syscall(task: TaskState, num: int, args: Raw) -> None:
    """Log a syscall about to run (QEMU: print_syscall)."""
    task.log_write(format_syscall(task, num, args))


def print_syscall_ret(task: TaskState, num: int, ret: int, args: Raw) -> None:
    """Log a syscall's result (QEMU: print_syscall_ret)."""
    text = format_syscall_ret(task, num, ret, args)
    if text:
        task.log_write(text)


# --- a signal taken: QEMU's print_taken_signal ---
SI_CODE_NAMES = {0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER",
                 -3: "SI_MESGQ", -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL"}
#: codes only the kernel or kill/tkill set, which QEMU trusts as "sent by kill"
_KILL_CODES = frozenset({0, 0x80, -6})
_FAULT_SIGNALS = frozenset({4, 5, 7, 8, 11})  # SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
_SIGCHLD, _SIGIO = 17, 29


def fmt_siginfo(info: bytes) -> str:
    """``{si_signo=..., si_code=..., <the union's fields>}`` of a guest siginfo_t, the
    union read as QEMU reads it: a fault's address, the sender of a kill (or of
    anything a kill-only code does not mark: its pid, uid and value)."""
    signo, _, code = struct.unpack_from("<iii", info)
    fields = f"{{si_signo={fmt_signal(signo)}, si_code={SI_CODE_NAMES.get(code, code)}"
    pid, uid = struct.unpack_from("<iI", info, 16)
    if signo in _FAULT_SIGNALS and code > 0 and code not in _KILL_CODES:
        fields += f", si_addr={fmt_pointer(struct.unpack_from('<Q', info, 16)[0])}"
    elif code in _KILL_CODES:
        fields += f", si_pid={pid & 0xFFFFFFFF}, si_uid={uid}"
    elif signo == _SIGCHLD:
        status, utime, stime = struct.unpack_from("<i4xqq", info, 24)
        fields += (f", si_pid={pid & 0xFFFFFFFF}, si_uid={uid}, si_status={status}"
                   f", si_utime={utime}, si_stime={stime}")
    elif signo == _SIGIO:
        band, fd = struct.unpack_from("<qi", info, 16)
        fields += f", si_band={band}, si_fd={fd}"
    else:
        value = struct.unpack_from("<Q", info, 24)[0]
        # qemu's QEMU_SI_RT: sival_ptr as a signed decimal (TARGET_ABI_FMT_ld)
        fields += f", si_pid={pid & 0xFFFFFFFF}, si_uid={uid}, si_sigval={to_s64(value)}"
    return fields + "}"


def print_taken_signal(task: TaskState, sig: int, info: bytes) -> None:
    """Log a signal about to be acted on (QEMU: print_taken_signal)."""
    task.log_write(f"--- {fmt_signal(sig)} {fmt_siginfo(info)} ---\n")
