# SPDX-License-Identifier: GPL-2.0-or-later
"""Typed syscall arguments: mirrors the lock_user/access_ok checks in QEMU's linux-user/syscall.c.

Each syscall declares its arguments once, by meaning (an fd, a path, a buffer
whose size is another argument, a struct of known size...).  ``decode_args``
turns the six raw register values into Python values and checks every guest
pointer against the guest's own mappings first: guest memory is host memory, so
an unchecked pointer would let the host kernel read or write the emulator.
A failed check raises SyscallError, which do_syscall returns as -errno.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pyqemu.errors import GuestFault

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

#: Linux's PATH_MAX, including the terminating NUL.
PATH_MAX = 4096
#: Linux's UIO_MAXIOV: most iovecs one readv/writev takes.
IOV_MAX = 1024
#: sizeof(struct iovec) on x86_64.
IOVEC_SIZE = 16
#: Highest guest address QEMU accepts (47-bit user space).
GUEST_ADDR_MAX = (1 << 47) - 1


class SyscallError(Exception):
    """A syscall fails with ``errno``; do_syscall returns ``-errno``."""

    def __init__(self, err: int) -> None:
        super().__init__(errno.errorcode.get(err, str(err)))
        self.errno = err


def to_s32(value: int) -> int:
    """A register value as a C ``int``."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def to_u32(value: int) -> int:
    """A register value as a C ``unsigned int``."""
    return value & 0xFFFFFFFF


def to_s64(value: int) -> int:
    """A register value as a C ``long``."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value & (1 << 63) else value


def to_u64(value: int) -> int:
    """A register value as a C ``unsigned long``."""
    return value & 0xFFFFFFFFFFFFFFFF


def check_guest_range(task: TaskState, addr: int, size: int, write: bool) -> None:
    """Raise SyscallError(EFAULT) unless [addr, addr+size) is guest memory with the rights asked.

    An empty range is always fine, as the kernel never touches it.
    """
    if size == 0:
        return
    if size < 0 or addr + size > 1 << 64 or not task.mem.access_ok(addr, size, write):
        raise SyscallError(errno.EFAULT)


def read_guest(task: TaskState, addr: int, size: int) -> bytes:
    """Read guest memory; a fault becomes SyscallError(EFAULT)."""
    check_guest_range(task, addr, size, False)
    try:
        return task.mem.read(addr, size)
    except GuestFault as fault:
        raise SyscallError(errno.EFAULT) from fault


def write_guest(task: TaskState, addr: int, data: bytes) -> None:
    """Write guest memory; a fault becomes SyscallError(EFAULT)."""
    check_guest_range(task, addr, len(data), True)
    try:
        task.mem.write(addr, data)
    except GuestFault as fault:
        raise SyscallError(errno.EFAULT) from fault


def read_guest_path(task: TaskState, addr: int) -> bytes:
    """Read a NUL-terminated guest path, as the kernel's getname does."""
    return read_guest_cstring(task, addr, PATH_MAX, errno.ENAMETOOLONG)


def read_guest_cstring(task: TaskState, addr: int, limit: int, too_long: int) -> bytes:
    """A NUL-terminated guest string of fewer than ``limit`` bytes (the NUL within
    ``limit``): EFAULT for NULL or an unreadable byte before the NUL, ``too_long``
    (an errno) when there is no NUL within ``limit`` bytes."""
    if addr == 0:
        raise SyscallError(errno.EFAULT)
    try:
        text = task.mem.read_cstring(addr, limit)
    except GuestFault as fault:
        raise SyscallError(errno.EFAULT) from fault
    if len(text) >= limit:
        raise SyscallError(too_long)
    return text


def path_prefix(ld_prefix: str) -> bytes:
    """The TaskState.path_prefix for qemu's -L / QEMU_LD_PREFIX (b"": none)."""
    return b"" if ld_prefix in ("", "/") else os.fsencode(ld_prefix.rstrip("/"))


def prefixed_path(task: TaskState, path: bytes) -> bytes:
    """QEMU's path() (util/path.c): an absolute guest path that exists under the -L
    prefix (``task.path_prefix``) is that file, so a foreign guest's ld.so finds its
    libraries there."""
    if task.path_prefix and path.startswith(b"/") and path != b"/":
        candidate = task.path_prefix + path
        if os.path.lexists(candidate):
            return candidate
    return path


class Arg:
    """One syscall argument kind; subclasses decode and check a raw register value.

    Plain classes with __slots__, not dataclasses: the syscall tables build hundreds of
    them at start-up, and dataclasses cost an import and a class build each (issue 19).
    """

    __slots__ = ()

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> object:
        raise NotImplementedError


class Int(Arg):
    """A C ``int`` (fds, flags, modes, signal numbers...)."""

    __slots__ = ()

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        return to_s32(raw[index])


class UInt(Arg):
    """A C ``unsigned int``."""

    __slots__ = ()

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        return to_u32(raw[index])


class Long(Arg):
    """A C ``long`` (offsets, pids in wide registers...)."""

    __slots__ = ()

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        return to_s64(raw[index])


class ULong(Arg):
    """A C ``unsigned long`` / ``size_t``, or a guest address the callee checks itself."""

    __slots__ = ()

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        return to_u64(raw[index])


Fd = Int
Size = ULong
Off = Long
Addr = ULong


class Path(Arg):
    """A NUL-terminated guest string, decoded to bytes (None for an allowed NULL)."""

    __slots__ = ("nullable",)

    def __init__(self, nullable: bool = False) -> None:
        self.nullable = nullable

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> bytes | None:
        addr = to_u64(raw[index])
        if addr == 0 and self.nullable:
            return None
        return prefixed_path(task, read_guest_path(task, addr))


class Buf(Arg):
    """A guest buffer whose byte size is argument ``size_arg`` times ``scale``.

    ``write`` says the kernel stores into it.  Decodes to the checked address.
    """

    __slots__ = ("size_arg", "write", "nullable", "scale")

    def __init__(self, size_arg: int, write: bool, nullable: bool = False,
                 scale: int = 1) -> None:
        self.size_arg = size_arg
        self.write = write
        self.nullable = nullable
        self.scale = scale

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        addr = to_u64(raw[index])
        if addr == 0 and self.nullable:
            return 0
        check_guest_range(task, addr, to_u64(raw[self.size_arg]) * self.scale, self.write)
        return addr


def InBuf(size_arg: int, nullable: bool = False) -> Buf:  # noqa: N802 (reads like a type)
    """A buffer the kernel reads, sized by another argument."""
    return Buf(size_arg, write=False, nullable=nullable)


def OutBuf(size_arg: int, nullable: bool = False) -> Buf:  # noqa: N802
    """A buffer the kernel writes, sized by another argument."""
    return Buf(size_arg, write=True, nullable=nullable)


class Struct(Arg):
    """A pointer to a guest struct of fixed ``size`` bytes; decodes to the checked address."""

    __slots__ = ("size", "write", "nullable")

    def __init__(self, size: int, write: bool, nullable: bool = False) -> None:
        self.size = size
        self.write = write
        self.nullable = nullable

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        addr = to_u64(raw[index])
        if addr == 0 and self.nullable:
            return 0
        if addr == 0:
            raise SyscallError(errno.EFAULT)
        check_guest_range(task, addr, self.size, self.write)
        return addr


def In(size: int, nullable: bool = False) -> Struct:  # noqa: N802 (reads like a type)
    """A struct the kernel reads (checked before the call)."""
    return Struct(size, write=False, nullable=nullable)


def InOut(size: int, nullable: bool = False) -> Struct:  # noqa: N802
    """A struct the kernel reads and updates, or writes even when failing (checked first)."""
    return Struct(size, write=True, nullable=nullable)


class OutBounce:
    """A host buffer standing in for a guest output struct during one call.

    QEMU runs such calls on a host struct and copies it to the guest only when
    the call succeeded, so the host's own error wins over -EFAULT and a failed
    call leaves guest memory alone.
    """

    def __init__(self, addr: int, size: int) -> None:
        self.addr = addr
        self.buffer = ctypes.create_string_buffer(size)

    @property
    def host_address(self) -> int:
        return ctypes.addressof(self.buffer)

    def copy_out(self, task: TaskState) -> None:
        """Store the result in guest memory (SyscallError(EFAULT) if it cannot be)."""
        if self.addr == 0:
            raise SyscallError(errno.EFAULT)
        write_guest(task, self.addr, self.buffer.raw)


class Out(Arg):
    """A struct the kernel only writes: filled in a host buffer, copied out on success."""

    __slots__ = ("size", "nullable")

    def __init__(self, size: int, nullable: bool = False) -> None:
        self.size = size
        self.nullable = nullable

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> OutBounce | int:
        addr = to_u64(raw[index])
        if addr == 0 and self.nullable:
            return 0
        return OutBounce(addr, self.size)


class IoVec(Arg):
    """An array of ``struct iovec`` of argument ``count_arg`` entries.

    Checks the array and every buffer in it (``write``: readv-like calls).
    """

    __slots__ = ("count_arg", "write")

    def __init__(self, count_arg: int, write: bool) -> None:
        self.count_arg = count_arg
        self.write = write

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        addr = to_u64(raw[index])
        count = to_s32(raw[self.count_arg])
        if count < 0 or count > IOV_MAX:
            raise SyscallError(errno.EINVAL)
        check_iovec(task, addr, count, self.write)
        return addr


def check_iovec(task: TaskState, addr: int, count: int, write: bool) -> None:
    """Check an iovec array and the buffers it points to."""
    table = read_guest(task, addr, count * IOVEC_SIZE)
    for base, length in struct.iter_unpack("<QQ", table):
        if length > 0x7FFFFFFFFFFFFFFF:
            raise SyscallError(errno.EINVAL)
        check_guest_range(task, base, length, write)


class FdSet(Arg):
    """An optional ``fd_set`` for select, as long as argument ``nfds_arg`` needs."""

    __slots__ = ("nfds_arg",)

    def __init__(self, nfds_arg: int) -> None:
        self.nfds_arg = nfds_arg

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        addr = to_u64(raw[index])
        nfds = to_s32(raw[self.nfds_arg])
        if addr:
            # QEMU copies the sets in before the host looks at nfds (-EINVAL when
            # negative): a set outside the address space is -EFAULT first
            if nfds <= 0 and addr > GUEST_ADDR_MAX:
                raise SyscallError(errno.EFAULT)
            check_guest_range(task, addr, max(nfds + 63, 0) // 64 * 8, True)
        return addr


class SockAddrOut(Arg):
    """An optional buffer the kernel fills, sized by ``*argument len_ptr_arg``.

    The length pointer itself must be readable and writable (accept, recvfrom,
    getsockname, getsockopt's value...).
    """

    __slots__ = ("len_ptr_arg", "nullable")

    def __init__(self, len_ptr_arg: int, nullable: bool = True) -> None:
        self.len_ptr_arg = len_ptr_arg
        self.nullable = nullable

    def decode(self, task: TaskState, raw: Sequence[int], index: int) -> int:
        addr = to_u64(raw[index])
        if addr == 0 and self.nullable:
            return 0
        len_ptr = to_u64(raw[self.len_ptr_arg])
        check_guest_range(task, len_ptr, 4, True)
        (length,) = struct.unpack("<i", read_guest(task, len_ptr, 4))
        if length < 0:
            raise SyscallError(errno.EINVAL)
        check_guest_range(task, addr, length, True)
        return addr


def decode_args(task: TaskState, kinds: Sequence[Arg], raw: Sequence[int]) -> list[object]:
    """Decode and check the declared arguments of one call, in order."""
    return [kind.decode(task, raw, index) for index, kind in enumerate(kinds)]


def is_error(ret: int) -> bool:
    """True for a -errno result (the kernel's -4095..-1 range)."""
    return -4096 < ret < 0
