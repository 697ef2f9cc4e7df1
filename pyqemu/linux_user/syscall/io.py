# SPDX-License-Identifier: GPL-2.0-or-later
"""File-descriptor I/O syscalls: mirrors the read/write/ioctl/fcntl/poll parts of QEMU's
linux-user/syscall.c (and the ioctl table of linux-user/ioctls.h).

Almost everything passes through with checked buffers.  ioctl and fcntl decide
the size of their pointer argument from the request, so they are special.
"""

from __future__ import annotations

import errno
import struct
from enum import Enum
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    Fd,
    FdSet,
    In,
    InBuf,
    InOut,
    Int,
    IoVec,
    Off,
    Out,
    OutBounce,
    OutBuf,
    Size,
    SyscallError,
    UInt,
    ULong,
    check_guest_range,
    is_error,
    read_guest,
    read_guest_path,
    to_s32,
    to_u64,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, SyscallImpl, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

TIMESPEC_SIZE = 16
POLLFD_SIZE = 8
EPOLL_EVENT_SIZE = 12  # packed on x86_64
SIGSET_SIZE = 8
FLOCK_SIZE = 32  # struct flock on x86_64
F_OWNER_EX_SIZE = 8


class IoctlDir(Enum):
    """How an ioctl uses its third argument."""

    VALUE = "value"  # an integer (or nothing): passed as is
    IN = "in"  # a struct the kernel reads
    OUT = "out"  # a struct the kernel writes


class IoctlDef:
    """One supported ioctl request (a row of QEMU's ioctls.h)."""

    __slots__ = ("name", "direction", "size")

    def __init__(self, name: str, direction: IoctlDir, size: int = 0) -> None:
        self.name = name
        self.direction = direction
        self.size = size


#: Terminal and generic-fd ioctls simple tools use.  Sizes are the x86_64
#: kernel's: struct termios (not glibc's) is 36 bytes, struct winsize 8.
IOCTLS: dict[int, IoctlDef] = {
    0x5401: IoctlDef("TCGETS", IoctlDir.OUT, 36),
    0x5402: IoctlDef("TCSETS", IoctlDir.IN, 36),
    0x5403: IoctlDef("TCSETSW", IoctlDir.IN, 36),
    0x5404: IoctlDef("TCSETSF", IoctlDir.IN, 36),
    0x5409: IoctlDef("TCSBRK", IoctlDir.VALUE),
    0x540A: IoctlDef("TCXONC", IoctlDir.VALUE),
    0x540B: IoctlDef("TCFLSH", IoctlDir.VALUE),
    0x540E: IoctlDef("TIOCSCTTY", IoctlDir.VALUE),
    0x540F: IoctlDef("TIOCGPGRP", IoctlDir.OUT, 4),
    0x5410: IoctlDef("TIOCSPGRP", IoctlDir.IN, 4),
    0x5411: IoctlDef("TIOCOUTQ", IoctlDir.OUT, 4),
    0x5413: IoctlDef("TIOCGWINSZ", IoctlDir.OUT, 8),
    0x5414: IoctlDef("TIOCSWINSZ", IoctlDir.IN, 8),
    0x541B: IoctlDef("FIONREAD", IoctlDir.OUT, 4),
    0x5421: IoctlDef("FIONBIO", IoctlDir.IN, 4),
    0x5422: IoctlDef("TIOCNOTTY", IoctlDir.VALUE),
    0x5429: IoctlDef("TIOCGSID", IoctlDir.OUT, 4),
    0x5450: IoctlDef("FIONCLEX", IoctlDir.VALUE),
    0x5451: IoctlDef("FIOCLEX", IoctlDir.VALUE),
    0x5452: IoctlDef("FIOASYNC", IoctlDir.IN, 4),
    0x80045430: IoctlDef("TIOCGPTN", IoctlDir.OUT, 4),
    0x40049409: IoctlDef("FICLONE", IoctlDir.VALUE),   # the source fd (cp --reflink=auto)
    0x40045431: IoctlDef("TIOCSPTLCK", IoctlDir.IN, 4),
}


def do_ioctl(task: TaskState, fd: int, cmd: int, arg: int) -> int:
    """ioctl: only known requests reach the host; others are -ENOSYS, as in QEMU 7.2.

    The request is a C int, as QEMU's do_ioctl takes it; its log line shows it widened
    to a long (a request with bit 31 set prints as 0xffffffff........).
    """
    cmd &= 0xFFFFFFFF
    request = IOCTLS.get(cmd)
    if request is None:
        if task.unimp_log:
            task.log(f"Unsupported ioctl: cmd=0x{to_u64(to_s32(cmd)):04x}")
        return -errno.ENOSYS
    if request.direction is IoctlDir.OUT:
        # Like QEMU: run on a host struct, copy it out only when the call succeeded.
        result = OutBounce(arg, request.size)
        ret = host_syscall(nr.TARGET_NR_ioctl, fd, cmd, result)
        if not is_error(ret):
            result.copy_out(task)
        return ret
    if request.direction is IoctlDir.IN:
        if arg == 0:
            raise SyscallError(errno.EFAULT)
        check_guest_range(task, arg, request.size, False)
    return host_syscall(nr.TARGET_NR_ioctl, fd, cmd, arg)


F_GETFL = 3
O_LARGEFILE = 0o100000
# fcntl commands, and the struct their third argument points to (size, kernel writes it).
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_SETOWN_EX, F_GETOWN_EX = 15, 16
F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW = 36, 37, 38
FCNTL_POINTER_CMDS: dict[int, tuple[int, bool]] = {
    F_GETLK: (FLOCK_SIZE, True),
    F_SETLK: (FLOCK_SIZE, False),
    F_SETLKW: (FLOCK_SIZE, False),
    F_OFD_GETLK: (FLOCK_SIZE, True),
    F_OFD_SETLK: (FLOCK_SIZE, False),
    F_OFD_SETLKW: (FLOCK_SIZE, False),
    F_GETOWN_EX: (F_OWNER_EX_SIZE, True),
    F_SETOWN_EX: (F_OWNER_EX_SIZE, False),
}
#: F_DUPFD..F_GETSIG, leases/notify, F_DUPFD_CLOEXEC, pipe sizes, seals: integer arguments.
FCNTL_VALUE_CMDS = frozenset({0, 1, 2, 3, 4, 8, 9, 10, 11, 1024, 1025, 1026, 1030, 1031, 1032,
                              1033, 1034})


def do_fcntl(task: TaskState, fd: int, cmd: int, arg: int) -> int:
    """fcntl: the command says whether ``arg`` is a value or a struct pointer."""
    if cmd in FCNTL_POINTER_CMDS:
        size, write = FCNTL_POINTER_CMDS[cmd]
        if arg == 0:
            raise SyscallError(errno.EFAULT)
        check_guest_range(task, arg, size, write)
    elif cmd not in FCNTL_VALUE_CMDS:
        return -errno.EINVAL
    ret = host_syscall(nr.TARGET_NR_fcntl, fd, cmd, arg)
    if cmd == F_GETFL and ret >= 0:
        # QEMU 7.2 has no x86_64 O_LARGEFILE to translate the host's into, so the
        # guest never sees that bit (natively F_GETFL shows 0x8000).
        ret &= ~O_LARGEFILE
    return ret


def do_pselect6(task: TaskState, nfds: int, readfds: int, writefds: int, exceptfds: int,
                timeout: int, sigdata: int) -> int:
    """pselect6: the sixth argument points to {sigset pointer, sigset size}."""
    if sigdata:
        sigset, sigsetsize = struct.unpack("<QQ", read_guest(task, sigdata, 16))
        if sigset:
            if sigsetsize != SIGSET_SIZE:
                return -errno.EINVAL
            check_guest_range(task, sigset, SIGSET_SIZE, False)
    return host_syscall(nr.TARGET_NR_pselect6, nfds, readfds, writefds, exceptfds, timeout,
                        sigdata)


#: QEMU refuses more pollfds than an int's worth of bytes before it looks at the array.
POLL_NFDS_MAX = 0x7FFFFFFF // POLLFD_SIZE


def _check_pollfds(task: TaskState, fds: int, nfds: int) -> None:
    if nfds > POLL_NFDS_MAX:
        raise SyscallError(errno.EINVAL)
    check_guest_range(task, fds, nfds * POLLFD_SIZE, True)


def do_poll(task: TaskState, fds: int, nfds: int, timeout: int) -> int:
    """poll: the count is checked before the array, as QEMU does."""
    _check_pollfds(task, fds, nfds)
    return host_syscall(nr.TARGET_NR_poll, fds, nfds, timeout)


def do_ppoll(task: TaskState, fds: int, nfds: int, timeout: int, sigmask: int,
             sigsetsize: int) -> int:
    """ppoll: the signal mask must have the kernel's size."""
    _check_pollfds(task, fds, nfds)
    if timeout:
        check_guest_range(task, timeout, TIMESPEC_SIZE, True)
    if sigmask:
        if sigsetsize != SIGSET_SIZE:
            return -errno.EINVAL
        check_guest_range(task, sigmask, SIGSET_SIZE, False)
    return host_syscall(nr.TARGET_NR_ppoll, fds, nfds, timeout, sigmask, sigsetsize)


def check_epoll_wait(task: TaskState, events: int, maxevents: int, event_size: int,
                     sigmask: int = 0, sigsetsize: int = SIGSET_SIZE) -> int:
    """epoll_wait's and epoll_pwait's argument checks: 0, or -EINVAL (SyscallError for EFAULT).

    ``events`` must hold ``maxevents`` entries of the guest's ``event_size``.
    """
    if maxevents <= 0 or maxevents > 0x7FFFFFFF // event_size:   # the kernel's EP_MAX_EVENTS
        return -errno.EINVAL
    check_guest_range(task, events, maxevents * event_size, True)
    if sigmask:
        if sigsetsize != SIGSET_SIZE:
            return -errno.EINVAL
        check_guest_range(task, sigmask, SIGSET_SIZE, False)
    return 0


def do_epoll_wait(task: TaskState, epfd: int, events: int, maxevents: int, timeout: int) -> int:
    """epoll_wait: ``events`` holds ``maxevents`` packed 12-byte entries."""
    if err := check_epoll_wait(task, events, maxevents, EPOLL_EVENT_SIZE):
        return err
    return host_syscall(nr.TARGET_NR_epoll_wait, epfd, events, maxevents, timeout)


def do_epoll_pwait(task: TaskState, epfd: int, events: int, maxevents: int, timeout: int,
                   sigmask: int, sigsetsize: int) -> int:
    """epoll_pwait: epoll_wait with a temporary signal mask."""
    if err := check_epoll_wait(task, events, maxevents, EPOLL_EVENT_SIZE, sigmask, sigsetsize):
        return err
    return host_syscall(nr.TARGET_NR_epoll_pwait, epfd, events, maxevents, timeout, sigmask,
                        sigsetsize)


ITIMERSPEC_SIZE = 32


O_NONBLOCK, O_CLOEXEC = 0o4000, 0o2000000
IN_ALL_EVENTS_AND_FLAGS = 0x00000FFF | 0x2000 | 0x4000 | 0x8000 | 0xF7000000  # ALL_INOTIFY_BITS
IN_MASK_CREATE, IN_MASK_ADD = 0x10000000, 0x20000000


def do_inotify_add_watch(task: TaskState, fd: int, path: int, mask: int) -> int:
    """inotify_add_watch: the mask is checked before the path, as the kernel does.  A path
    that cannot be read reaches the host as NULL, as under qemu 7.2, so a bad fd is
    still EBADF (the kernel looks at the fd first)."""
    if not mask & IN_ALL_EVENTS_AND_FLAGS or (mask & IN_MASK_CREATE and mask & IN_MASK_ADD):
        return -errno.EINVAL
    try:
        host_path: bytes | int = read_guest_path(task, path)
    except SyscallError:
        host_path = 0
    return host_syscall(nr.TARGET_NR_inotify_add_watch, fd, host_path, mask)


F_GETFD = 1


def getdents_call(number: int) -> SyscallImpl:
    """getdents and getdents64 as qemu 7.2 orders their checks: it makes the host call
    into a buffer of its own first, so a bad fd is EBADF whatever the guest buffer is;
    then the guest buffer must be writable (EFAULT)."""
    def do_getdents(task: TaskState, fd: int, dirp: int, count: int) -> int:
        ret = host_syscall(nr.TARGET_NR_fcntl, fd, F_GETFD, 0)
        if is_error(ret):
            return ret
        check_guest_range(task, dirp, count, True)
        return host_syscall(number, fd, dirp, count)
    return do_getdents


#: The file status flags qemu-x86_64 7.2's flags table knows (observed bit by bit with
#: epoll_create1, inotify_init1 and pipe2): O_ACCMODE, O_CREAT .. O_DIRECT, O_DIRECTORY,
#: O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_PATH.  It drops the others (O_LARGEFILE, __O_SYNC,
#: __O_TMPFILE, unknown bits) before the host sees the flags.
QEMU_KNOWN_FILE_FLAGS = 0x2F7FC3


def do_epoll_create1(task: TaskState, flags: int) -> int:
    """epoll_create1 with the flags through qemu 7.2's table (unknown bits dropped)."""
    return host_syscall(nr.TARGET_NR_epoll_create1, flags & QEMU_KNOWN_FILE_FLAGS)


def do_inotify_init1(task: TaskState, flags: int) -> int:
    """inotify_init1 with the flags through qemu 7.2's table (unknown bits dropped)."""
    return host_syscall(nr.TARGET_NR_inotify_init1, flags & QEMU_KNOWN_FILE_FLAGS)


def do_pipe2(task: TaskState, fds: OutBounce, flags: int) -> int:
    """pipe2 with the flags through qemu 7.2's table (unknown bits dropped)."""
    return host_syscall(nr.TARGET_NR_pipe2, fds, flags & QEMU_KNOWN_FILE_FLAGS)


def do_signalfd4(task: TaskState, fd: int, mask: int, sizemask: int, flags: int) -> int:
    """signalfd4 as QEMU 7.2 makes it: flags checked, then the mask read whole; the
    guest's sizemask is not looked at (the host gets its own sigset size)."""
    if flags & ~(O_NONBLOCK | O_CLOEXEC):
        return -errno.EINVAL
    if mask == 0:
        return -errno.EFAULT
    check_guest_range(task, mask, SIGSET_SIZE, False)
    return host_syscall(nr.TARGET_NR_signalfd4, fd, mask, SIGSET_SIZE, flags)


def do_signalfd(task: TaskState, fd: int, mask: int, sizemask: int) -> int:
    """signalfd: signalfd4 without flags."""
    return do_signalfd4(task, fd, mask, sizemask, 0)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_read: host(Fd(), OutBuf(2), Size()),
    nr.TARGET_NR_write: host(Fd(), InBuf(2), Size()),
    nr.TARGET_NR_pread64: host(Fd(), OutBuf(2), Size(), Off()),
    nr.TARGET_NR_pwrite64: host(Fd(), InBuf(2), Size(), Off()),
    nr.TARGET_NR_readv: host(Fd(), IoVec(2, write=True), Int()),
    nr.TARGET_NR_writev: host(Fd(), IoVec(2, write=False), Int()),
    nr.TARGET_NR_preadv: host(Fd(), IoVec(2, write=True), Int(), ULong(), ULong()),
    nr.TARGET_NR_pwritev: host(Fd(), IoVec(2, write=False), Int(), ULong(), ULong()),
    nr.TARGET_NR_lseek: host(Fd(), Off(), UInt()),
    nr.TARGET_NR_close: host(Fd()),
    nr.TARGET_NR_dup: host(Fd()),
    nr.TARGET_NR_dup2: host(Fd(), Fd()),
    nr.TARGET_NR_dup3: host(Fd(), Fd(), Int()),
    nr.TARGET_NR_pipe: host(Out(8)),
    nr.TARGET_NR_pipe2: special(do_pipe2, Out(8), Int()),
    nr.TARGET_NR_fcntl: special(do_fcntl, Fd(), UInt(), ULong()),
    nr.TARGET_NR_ioctl: special(do_ioctl, Fd(), UInt(), ULong()),
    nr.TARGET_NR_flock: host(Fd(), Int()),
    nr.TARGET_NR_fsync: host(Fd()),
    nr.TARGET_NR_fdatasync: host(Fd()),
    nr.TARGET_NR_ftruncate: host(Fd(), Off()),
    nr.TARGET_NR_fadvise64: host(Fd(), Off(), Off(), Int()),
    nr.TARGET_NR_getdents64: special(getdents_call(nr.TARGET_NR_getdents64), Fd(), Addr(), UInt()),
    nr.TARGET_NR_getdents: special(getdents_call(nr.TARGET_NR_getdents), Fd(), Addr(), UInt()),
    nr.TARGET_NR_sendfile: host(Fd(), Fd(), InOut(8, nullable=True), Size()),
    nr.TARGET_NR_copy_file_range: host(Fd(), InOut(8, nullable=True), Fd(),
                                       InOut(8, nullable=True),
                                       Size(), UInt()),
    nr.TARGET_NR_poll: special(do_poll, ULong(), UInt(), Int()),
    nr.TARGET_NR_ppoll: special(do_ppoll, ULong(), UInt(), ULong(), ULong(), Size()),
    nr.TARGET_NR_select: host(Int(), FdSet(0), FdSet(0), FdSet(0), InOut(16, nullable=True)),
    nr.TARGET_NR_pselect6: special(do_pselect6, Int(), FdSet(0), FdSet(0), FdSet(0),
                                   InOut(TIMESPEC_SIZE, nullable=True), ULong()),
    nr.TARGET_NR_epoll_create: host(Int()),
    nr.TARGET_NR_epoll_create1: special(do_epoll_create1, Int()),
    nr.TARGET_NR_epoll_ctl: host(Fd(), Int(), Fd(), In(EPOLL_EVENT_SIZE, nullable=True)),
    nr.TARGET_NR_epoll_wait: special(do_epoll_wait, Fd(), ULong(), Int(), Int()),
    nr.TARGET_NR_epoll_pwait: special(do_epoll_pwait, Fd(), ULong(), Int(), Int(), ULong(),
                                      Size()),
    nr.TARGET_NR_eventfd2: host(UInt(), Int()),
    nr.TARGET_NR_eventfd: host(UInt()),
    nr.TARGET_NR_close_range: host(UInt(), UInt(), UInt()),
    nr.TARGET_NR_readahead: host(Fd(), Off(), Size()),
    nr.TARGET_NR_fallocate: host(Fd(), Int(), Off(), Off()),
    nr.TARGET_NR_sync_file_range: host(Fd(), Off(), Off(), UInt()),
    nr.TARGET_NR_syncfs: host(Fd()),
    nr.TARGET_NR_splice: host(Fd(), InOut(8, nullable=True), Fd(), InOut(8, nullable=True),
                              Size(), UInt()),
    nr.TARGET_NR_tee: host(Fd(), Fd(), Size(), UInt()),
    nr.TARGET_NR_vmsplice: host(Fd(), IoVec(2, write=False), ULong(), UInt()),
    nr.TARGET_NR_inotify_init: host(),
    nr.TARGET_NR_inotify_init1: special(do_inotify_init1, Int()),
    nr.TARGET_NR_inotify_add_watch: special(do_inotify_add_watch, Fd(), ULong(), UInt()),
    nr.TARGET_NR_inotify_rm_watch: host(Fd(), Int()),
    nr.TARGET_NR_signalfd: special(do_signalfd, Fd(), ULong(), Size()),
    nr.TARGET_NR_signalfd4: special(do_signalfd4, Fd(), ULong(), Size(), Int()),
    nr.TARGET_NR_timerfd_create: host(Int(), Int()),
    nr.TARGET_NR_timerfd_settime: host(Fd(), Int(), In(ITIMERSPEC_SIZE),
                                       Out(ITIMERSPEC_SIZE, nullable=True)),
    # QEMU stores the (unset) value even when the host call failed: EFAULT wins.
    nr.TARGET_NR_timerfd_gettime: host(Fd(), InOut(ITIMERSPEC_SIZE, nullable=True)),
}
