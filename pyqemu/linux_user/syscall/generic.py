# SPDX-License-Identifier: GPL-2.0-or-later
"""Syscall rows of the kernel's generic ABI (asm-generic), which aarch64 and riscv64
share: mirrors the target-dependent conversions of QEMU's linux-user/syscall.c
(host_to_target_stat64, fcntl_flags_tbl, the uname machine, CLONE_BACKWARDS).

The host is x86_64, so a generic-ABI guest's rows are the host's rows, found by
syscall name, except where the two ABIs lay data out differently: these.
"""

from __future__ import annotations

import ctypes
import errno
import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall import ipc, process
from pyqemu.linux_user.syscall.args import (
    Addr,
    Fd,
    Int,
    OutBounce,
    Path,
    Size,
    UInt,
    ULong,
    read_guest,
    write_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, special
from pyqemu.linux_user.syscall.fs import guest_path
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.syscall.io import check_epoll_wait, do_fcntl
from pyqemu.linux_user.x86_64 import syscall_nr as host_nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

HOST_STAT_SIZE = 144
# struct stat of asm-generic/stat.h (64-bit): dev, ino, mode, nlink, uid, gid, rdev, pad,
# size, blksize, pad, blocks, then atime/mtime/ctime with their nanoseconds, two unused
GENERIC_STAT = struct.Struct("<QQIIIIQQqi4xqqQqQqQII")
AT_FDCWD = -100
F_GETFL, F_SETFL = 3, 4
UTSNAME_FIELD = 65
UTSNAME_MACHINE = 4 * UTSNAME_FIELD
# struct epoll_event: {u32 events; u64 data}, packed (12 bytes) on x86_64 only
HOST_EPOLL_EVENT = struct.Struct("<IQ")
GENERIC_EPOLL_EVENT = struct.Struct("<I4xQ")

# open flags whose bits differ between the host (x86_64) and a target, by name:
# (host bit, generic bit, aarch64 bit)
_OPEN_FLAGS = {
    "O_DIRECT": (0o40000, 0o40000, 0o200000),
    "O_LARGEFILE": (0o100000, 0o100000, 0o400000),
    "O_DIRECTORY": (0o200000, 0o200000, 0o40000),
    "O_NOFOLLOW": (0o400000, 0o400000, 0o100000),
}


def _flag_pairs(target: str) -> list[tuple[int, int]]:
    """(host bit, target bit) of each open flag for ``target``."""
    column = 2 if target == "aarch64" else 1
    return [(bits[0], bits[column]) for bits in _OPEN_FLAGS.values()]


def target_to_host_open_flags(flags: int, target: str) -> int:
    pairs = _flag_pairs(target)
    out = flags & ~sum(target for _, target in pairs)
    for host, target in pairs:
        if flags & target:
            out |= host
    return out


def host_to_target_open_flags(flags: int, target: str) -> int:
    pairs = _flag_pairs(target)
    out = flags & ~sum(host for host, _ in pairs)
    for host, target in pairs:
        if flags & host:
            out |= target
    return out


def host_to_target_stat(host: bytes) -> bytes:
    """x86_64's struct stat as the generic ABI lays it out."""
    (dev, ino, nlink, mode, uid, gid, rdev, size, blksize, blocks,
     atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns) = struct.unpack_from(
        "<QQQIII4xQqqqqQqQqQ", host)
    return GENERIC_STAT.pack(dev, ino, mode, nlink, uid, gid, rdev, 0, size, blksize,
                             blocks, atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns, 0, 0)


def _stat_out(task: TaskState, ret: int, bounce: OutBounce, statbuf: int) -> int:
    if ret >= 0:
        write_guest(task, statbuf, host_to_target_stat(bounce.buffer.raw))
    return ret


def do_fstat(task: TaskState, fd: int, statbuf: int) -> int:
    bounce = OutBounce(statbuf, HOST_STAT_SIZE)
    return _stat_out(task, host_syscall(host_nr.TARGET_NR_fstat, fd, bounce), bounce, statbuf)


def do_newfstatat(task: TaskState, dirfd: int, path: bytes, statbuf: int, flags: int) -> int:
    bounce = OutBounce(statbuf, HOST_STAT_SIZE)
    ret = host_syscall(host_nr.TARGET_NR_newfstatat, dirfd, guest_path(task, path), bounce,
                       flags)
    return _stat_out(task, ret, bounce, statbuf)


def do_openat(task: TaskState, dirfd: int, path: bytes, flags: int, mode: int) -> int:
    return host_syscall(host_nr.TARGET_NR_openat, dirfd, guest_path(task, path),
                        target_to_host_open_flags(flags, task.target.name), mode)


def do_fcntl_generic(task: TaskState, fd: int, cmd: int, arg: int) -> int:
    """fcntl with the file status flags translated (QEMU's fcntl_flags_tbl)."""
    if cmd == F_GETFL:
        ret = host_syscall(host_nr.TARGET_NR_fcntl, fd, cmd, 0)
        return host_to_target_open_flags(ret, task.target.name) if ret >= 0 else ret
    if cmd == F_SETFL:
        arg = target_to_host_open_flags(arg, task.target.name)
    return do_fcntl(task, fd, cmd, arg)


def do_uname(task: TaskState, buf: int) -> int:
    """uname: the host's answer with the guest's machine, as QEMU gives it."""
    bounce = OutBounce(buf, 6 * UTSNAME_FIELD)
    ret = host_syscall(host_nr.TARGET_NR_uname, bounce)
    if ret < 0:
        return ret
    data = bytearray(bounce.buffer.raw)
    machine = task.target.name.encode()
    data[UTSNAME_MACHINE:UTSNAME_MACHINE + UTSNAME_FIELD] = machine.ljust(UTSNAME_FIELD, b"\0")
    write_guest(task, buf, bytes(data))
    return ret


def do_epoll_ctl(task: TaskState, epfd: int, op: int, fd: int, event: int) -> int:
    """epoll_ctl: the guest's 16-byte event read into the host's 12-byte one."""
    host_event = None
    if event:
        events, data = GENERIC_EPOLL_EVENT.unpack(read_guest(task, event,
                                                             GENERIC_EPOLL_EVENT.size))
        host_event = ctypes.create_string_buffer(HOST_EPOLL_EVENT.pack(events, data),
                                                 HOST_EPOLL_EVENT.size)
    return host_syscall(host_nr.TARGET_NR_epoll_ctl, epfd, op, fd,
                        ctypes.addressof(host_event) if host_event else 0)


def do_epoll_pwait(task: TaskState, epfd: int, events: int, maxevents: int, timeout: int,
                   sigmask: int, sigsetsize: int) -> int:
    """epoll_pwait: the host's packed events written out in the guest's layout."""
    if err := check_epoll_wait(task, events, maxevents, GENERIC_EPOLL_EVENT.size, sigmask,
                               sigsetsize):
        return err
    host_events = OutBounce(events, maxevents * HOST_EPOLL_EVENT.size)
    ret = host_syscall(host_nr.TARGET_NR_epoll_pwait, epfd, host_events, maxevents, timeout,
                       sigmask, sigsetsize)
    if ret > 0:
        raw = host_events.buffer.raw
        write_guest(task, events, b"".join(
            GENERIC_EPOLL_EVENT.pack(*HOST_EPOLL_EVENT.unpack_from(raw, i * HOST_EPOLL_EVENT.size))
            for i in range(ret)))
    return ret


# struct semid64_ds: x86_64 puts an unused long after each time (104 bytes); the
# generic 64-bit ABI has perm, sem_otime, sem_ctime, sem_nsems and two unused longs (88).
IPC64_PERM_SIZE = 48
HOST_SEMID_FORMAT = "<48sq8xq8xQ16x"
GENERIC_SEMID_FORMAT = "<48sqqQ16x"
GENERIC_SEMID_SIZE = struct.calcsize(GENERIC_SEMID_FORMAT)


def do_semctl_generic(task: TaskState, semid: int, semnum: int, cmd: int, arg: int) -> int:
    """semctl: the semid_ds of IPC_STAT, SEM_STAT(_ANY) and IPC_SET converted."""
    base = cmd & ~ipc.IPC_64
    if base in (ipc.IPC_STAT, ipc.SEM_STAT, ipc.SEM_STAT_ANY):
        if arg == 0:
            return -errno.EFAULT
        host = OutBounce(arg, struct.calcsize(HOST_SEMID_FORMAT))
        ret = host_syscall(host_nr.TARGET_NR_semctl, semid, semnum, cmd, host)
        if ret >= 0:
            write_guest(task, arg, struct.pack(GENERIC_SEMID_FORMAT,
                                               *struct.unpack(HOST_SEMID_FORMAT,
                                                              host.buffer.raw)))
        return ret
    if base == ipc.IPC_SET:
        perm, otime, ctime, nsems = struct.unpack(GENERIC_SEMID_FORMAT,
                                                  read_guest(task, arg, GENERIC_SEMID_SIZE))
        host_ds = ctypes.create_string_buffer(struct.pack(HOST_SEMID_FORMAT, perm, otime,
                                                          ctime, nsems))
        return host_syscall(host_nr.TARGET_NR_semctl, semid, semnum, cmd,
                            ctypes.addressof(host_ds))
    return ipc.do_semctl(task, semid, semnum, cmd, arg)


def generic_overrides() -> Mapping[str, SyscallDef]:
    """The rows a generic-ABI target serves differently from the host, by name."""
    return {
        "fstat": special(do_fstat, Fd(), Addr()),
        "newfstatat": special(do_newfstatat, Fd(), Path(), Addr(), Int()),
        "openat": special(do_openat, Fd(), Path(), Int(), UInt()),
        "fcntl": special(do_fcntl_generic, Fd(), UInt(), ULong()),
        "uname": special(do_uname, Addr()),
        "epoll_ctl": special(do_epoll_ctl, Fd(), Int(), Fd(), Addr()),
        "epoll_pwait": special(do_epoll_pwait, Fd(), Addr(), Int(), Int(), Addr(), Size()),
        "clone": special(process.do_clone_backwards, ULong(), Addr(), Addr(), Addr(), Addr()),
        "semctl": special(do_semctl_generic, Int(), Int(), Int(), ULong()),
    }
