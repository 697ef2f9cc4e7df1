# SPDX-License-Identifier: GPL-2.0-or-later
"""File-system syscalls (paths, stat, links, modes): mirrors those cases of QEMU's
linux-user/syscall.c, including its /proc/self/exe redirection (do_openat,
readlink), which makes the guest see its own program instead of the emulator.
"""

from __future__ import annotations

import errno
import os
import struct
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    Fd,
    In,
    InBuf,
    Int,
    Off,
    Out,
    OutBounce,
    OutBuf,
    Path,
    Size,
    UInt,
    ULong,
    check_guest_range,
    read_guest,
    write_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.syscall.proc_self import fake_open, is_proc_myself
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

STAT_SIZE = 144  # struct stat on x86_64
STATX_SIZE = 256
STATFS_SIZE = 120
UTIMBUF_SIZE = 16            # struct utimbuf: actime, modtime
UTIMES_TIMES_SIZE = 32       # struct timeval[2]
UTIMENSAT_TIMES_SIZE = 32  # two struct timespec
AT_FDCWD = -100


def is_proc_self_exe(path: bytes) -> bool:
    """True for the names by which a process reaches its own program."""
    return is_proc_myself(path, b"exe")


def guest_path(task: TaskState, path: bytes) -> bytes:
    """The host path to use for a guest path: /proc/self/exe is the guest program."""
    return os.fsencode(task.exe_path) if is_proc_self_exe(path) else path


def do_open(task: TaskState, path: bytes, flags: int, mode: int) -> int:
    """open, with /proc/self/exe opening the guest program and the guest's own
    /proc/self files made up (proc_self.py)."""
    fake = fake_open(task, path)
    if fake is not None:
        return fake
    return host_syscall(nr.TARGET_NR_open, guest_path(task, path), flags, mode)


def do_openat(task: TaskState, dirfd: int, path: bytes, flags: int, mode: int) -> int:
    """openat, as do_open (exe_path is absolute; qemu matches the faked names whatever dirfd)."""
    fake = fake_open(task, path)
    if fake is not None:
        return fake
    return host_syscall(nr.TARGET_NR_openat, dirfd, guest_path(task, path), flags, mode)


def _readlink_exe(task: TaskState, buf: int, bufsiz: int) -> int:
    target = os.fsencode(task.exe_path)[:bufsiz]
    write_guest(task, buf, target)
    return len(target)


def do_readlink(task: TaskState, path: bytes, buf: int, bufsiz: int) -> int:
    """readlink; /proc/self/exe answers the guest program's path."""
    if bufsiz <= 0:
        return -errno.EINVAL
    check_guest_range(task, buf, bufsiz, True)
    if is_proc_self_exe(path):
        return _readlink_exe(task, buf, bufsiz)
    return host_syscall(nr.TARGET_NR_readlink, path, buf, bufsiz)


def do_readlinkat(task: TaskState, dirfd: int, path: bytes, buf: int, bufsiz: int) -> int:
    """readlinkat; /proc/self/exe answers the guest program's path."""
    if bufsiz <= 0:
        return -errno.EINVAL
    check_guest_range(task, buf, bufsiz, True)
    if is_proc_self_exe(path):
        return _readlink_exe(task, buf, bufsiz)
    return host_syscall(nr.TARGET_NR_readlinkat, dirfd, path, buf, bufsiz)


UTIMBUF_SIZE = 16
TIMEVAL_SIZE = 16
#: struct file_handle: handle_bytes, handle_type, then handle_bytes of handle.
FILE_HANDLE_HEADER = 8
MAX_HANDLE_SZ = 128


def _file_handle_size(task: TaskState, handle: int) -> int:
    """The whole size of the guest's struct file_handle (its header read first)."""
    (handle_bytes,) = struct.unpack("<I", read_guest(task, handle, 4))
    return FILE_HANDLE_HEADER + min(handle_bytes, MAX_HANDLE_SZ)


def do_name_to_handle_at(task: TaskState, dirfd: int, path: bytes, handle: int,
                         mount_id: OutBounce, flags: int) -> int:
    """name_to_handle_at: the handle's size is in its own first field."""
    check_guest_range(task, handle, _file_handle_size(task, handle), True)
    return host_syscall(nr.TARGET_NR_name_to_handle_at, dirfd, path, handle, mount_id, flags)


def do_open_by_handle_at(task: TaskState, mount_fd: int, handle: int, flags: int) -> int:
    """open_by_handle_at: the handle is read whole, its size from its first field."""
    check_guest_range(task, handle, _file_handle_size(task, handle), False)
    return host_syscall(nr.TARGET_NR_open_by_handle_at, mount_fd, handle, flags)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_open: special(do_open, Path(), Int(), UInt()),
    nr.TARGET_NR_openat: special(do_openat, Fd(), Path(), Int(), UInt()),
    nr.TARGET_NR_creat: host(Path(), UInt()),
    nr.TARGET_NR_access: host(Path(), Int()),
    nr.TARGET_NR_faccessat: host(Fd(), Path(), Int()),
    nr.TARGET_NR_faccessat2: host(Fd(), Path(), Int(), Int()),
    nr.TARGET_NR_stat: host(Path(), Out(STAT_SIZE)),
    nr.TARGET_NR_lstat: host(Path(), Out(STAT_SIZE)),
    nr.TARGET_NR_fstat: host(Fd(), Out(STAT_SIZE)),
    nr.TARGET_NR_newfstatat: host(Fd(), Path(), Out(STAT_SIZE), Int()),
    nr.TARGET_NR_statx: host(Fd(), Path(), Int(), UInt(), Out(STATX_SIZE)),
    nr.TARGET_NR_statfs: host(Path(), Out(STATFS_SIZE)),
    nr.TARGET_NR_fstatfs: host(Fd(), Out(STATFS_SIZE)),
    nr.TARGET_NR_getcwd: host(OutBuf(1), Size()),
    nr.TARGET_NR_chdir: host(Path()),
    nr.TARGET_NR_fchdir: host(Fd()),
    nr.TARGET_NR_mkdir: host(Path(), UInt()),
    nr.TARGET_NR_mkdirat: host(Fd(), Path(), UInt()),
    nr.TARGET_NR_rmdir: host(Path()),
    nr.TARGET_NR_unlink: host(Path()),
    nr.TARGET_NR_unlinkat: host(Fd(), Path(), Int()),
    nr.TARGET_NR_rename: host(Path(), Path()),
    nr.TARGET_NR_renameat: host(Fd(), Path(), Fd(), Path()),
    nr.TARGET_NR_renameat2: host(Fd(), Path(), Fd(), Path(), UInt()),
    nr.TARGET_NR_link: host(Path(), Path()),
    nr.TARGET_NR_linkat: host(Fd(), Path(), Fd(), Path(), Int()),
    nr.TARGET_NR_symlink: host(Path(), Path()),
    nr.TARGET_NR_symlinkat: host(Path(), Fd(), Path()),
    nr.TARGET_NR_readlink: special(do_readlink, Path(), Addr(), Int()),
    nr.TARGET_NR_readlinkat: special(do_readlinkat, Fd(), Path(), Addr(), Int()),
    nr.TARGET_NR_chmod: host(Path(), UInt()),
    nr.TARGET_NR_fchmod: host(Fd(), UInt()),
    nr.TARGET_NR_fchmodat: host(Fd(), Path(), UInt()),
    nr.TARGET_NR_chown: host(Path(), UInt(), UInt()),
    nr.TARGET_NR_fchown: host(Fd(), UInt(), UInt()),
    nr.TARGET_NR_lchown: host(Path(), UInt(), UInt()),
    nr.TARGET_NR_fchownat: host(Fd(), Path(), UInt(), UInt(), Int()),
    nr.TARGET_NR_truncate: host(Path(), Off()),
    nr.TARGET_NR_utimensat: host(Fd(), Path(nullable=True), In(UTIMENSAT_TIMES_SIZE, nullable=True),
                                 Int()),
    nr.TARGET_NR_utime: host(Path(), In(UTIMBUF_SIZE, nullable=True)),
    nr.TARGET_NR_utimes: host(Path(), In(UTIMES_TIMES_SIZE, nullable=True)),
    nr.TARGET_NR_futimesat: host(Fd(), Path(nullable=True), In(UTIMES_TIMES_SIZE, nullable=True)),
    nr.TARGET_NR_umask: host(UInt()),
    # Extended attributes: names are C strings; a NULL value buffer asks for the size.
    nr.TARGET_NR_getxattr: host(Path(), Path(), OutBuf(3, nullable=True), Size()),
    nr.TARGET_NR_lgetxattr: host(Path(), Path(), OutBuf(3, nullable=True), Size()),
    nr.TARGET_NR_fgetxattr: host(Fd(), Path(), OutBuf(3, nullable=True), Size()),
    nr.TARGET_NR_listxattr: host(Path(), OutBuf(2, nullable=True), Size()),
    nr.TARGET_NR_llistxattr: host(Path(), OutBuf(2, nullable=True), Size()),
    nr.TARGET_NR_flistxattr: host(Fd(), OutBuf(2, nullable=True), Size()),
    nr.TARGET_NR_setxattr: host(Path(), Path(), InBuf(3, nullable=True), Size(), Int()),
    nr.TARGET_NR_lsetxattr: host(Path(), Path(), InBuf(3, nullable=True), Size(), Int()),
    nr.TARGET_NR_fsetxattr: host(Fd(), Path(), InBuf(3, nullable=True), Size(), Int()),
    nr.TARGET_NR_removexattr: host(Path(), Path()),
    nr.TARGET_NR_lremovexattr: host(Path(), Path()),
    nr.TARGET_NR_fremovexattr: host(Fd(), Path()),
    nr.TARGET_NR_memfd_create: host(Path(), UInt()),
    nr.TARGET_NR_mknod: host(Path(), UInt(), UInt()),
    nr.TARGET_NR_mknodat: host(Fd(), Path(), UInt(), UInt()),
    nr.TARGET_NR_utime: host(Path(), In(UTIMBUF_SIZE, nullable=True)),
    nr.TARGET_NR_utimes: host(Path(), In(2 * TIMEVAL_SIZE, nullable=True)),
    nr.TARGET_NR_futimesat: host(Fd(), Path(nullable=True), In(2 * TIMEVAL_SIZE, nullable=True)),
    nr.TARGET_NR_name_to_handle_at: special(do_name_to_handle_at, Fd(), Path(), Addr(),
                                            Out(4), Int()),
    nr.TARGET_NR_open_by_handle_at: special(do_open_by_handle_at, Fd(), Addr(), Int()),
    nr.TARGET_NR_chroot: host(Path()),
    nr.TARGET_NR_pivot_root: host(Path(), Path()),
    nr.TARGET_NR_acct: host(Path(nullable=True)),
    nr.TARGET_NR_mount: host(Path(nullable=True), Path(), Path(nullable=True), ULong(),
                             Path(nullable=True)),
    nr.TARGET_NR_umount2: host(Path(), Int()),
    nr.TARGET_NR_swapon: host(Path(), Int()),
    nr.TARGET_NR_swapoff: host(Path()),
    nr.TARGET_NR_sync: host(),
}
