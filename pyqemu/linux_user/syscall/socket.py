"""Socket syscalls: mirrors do_socket/do_connect/do_accept4/do_sendrecvmsg of QEMU's
linux-user/syscall.c, for the x86_64 direct calls (no socketcall multiplexer).

Socket addresses and options have the host's layout, so calls pass through with
each buffer checked; sendmsg/recvmsg check the buffers their msghdr points to.
"""

from __future__ import annotations

import errno
import struct
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    IOV_MAX,
    Addr,
    Fd,
    InBuf,
    InOut,
    Int,
    Out,
    OutBuf,
    Size,
    SockAddrOut,
    SyscallError,
    UInt,
    check_guest_range,
    check_iovec,
    read_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

# struct msghdr: name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad).
MSGHDR_FORMAT = "<QI4xQQQQi4x"
MSGHDR_SIZE = struct.calcsize(MSGHDR_FORMAT)


def _check_msghdr(task: TaskState, msg: int, receiving: bool) -> None:
    check_guest_range(task, msg, MSGHDR_SIZE, receiving)
    name, namelen, iov, iovlen, control, controllen, _flags = struct.unpack(
        MSGHDR_FORMAT, read_guest(task, msg, MSGHDR_SIZE))
    if iovlen > IOV_MAX:
        raise SyscallError(errno.EMSGSIZE)
    if name:
        check_guest_range(task, name, namelen, receiving)
    check_iovec(task, iov, iovlen, receiving)
    if control:
        check_guest_range(task, control, controllen, receiving)


def do_sendmsg(task: TaskState, fd: int, msg: int, flags: int) -> int:
    """sendmsg: every buffer the msghdr names must be readable guest memory."""
    _check_msghdr(task, msg, receiving=False)
    return host_syscall(nr.TARGET_NR_sendmsg, fd, msg, flags)


def do_recvmsg(task: TaskState, fd: int, msg: int, flags: int) -> int:
    """recvmsg: every buffer the msghdr names must be writable guest memory."""
    _check_msghdr(task, msg, receiving=True)
    return host_syscall(nr.TARGET_NR_recvmsg, fd, msg, flags)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_socket: host(Int(), Int(), Int()),
    nr.TARGET_NR_socketpair: host(Int(), Int(), Int(), Out(8)),
    nr.TARGET_NR_connect: host(Fd(), InBuf(2), UInt()),
    nr.TARGET_NR_bind: host(Fd(), InBuf(2), UInt()),
    nr.TARGET_NR_listen: host(Fd(), Int()),
    nr.TARGET_NR_accept: host(Fd(), SockAddrOut(2), InOut(4, nullable=True)),
    nr.TARGET_NR_accept4: host(Fd(), SockAddrOut(2), InOut(4, nullable=True), Int()),
    nr.TARGET_NR_getsockname: host(Fd(), SockAddrOut(2, nullable=False), InOut(4)),
    nr.TARGET_NR_getpeername: host(Fd(), SockAddrOut(2, nullable=False), InOut(4)),
    nr.TARGET_NR_sendto: host(Fd(), InBuf(2), Size(), Int(), InBuf(5, nullable=True), UInt()),
    nr.TARGET_NR_recvfrom: host(Fd(), OutBuf(2), Size(), Int(), SockAddrOut(5),
                                InOut(4, nullable=True)),
    nr.TARGET_NR_setsockopt: host(Fd(), Int(), Int(), InBuf(4, nullable=True), UInt()),
    nr.TARGET_NR_getsockopt: host(Fd(), Int(), Int(), SockAddrOut(4, nullable=False),
                                  InOut(4)),
    nr.TARGET_NR_shutdown: host(Fd(), Int()),
    nr.TARGET_NR_sendmsg: special(do_sendmsg, Fd(), Addr(), Int()),
    nr.TARGET_NR_recvmsg: special(do_recvmsg, Fd(), Addr(), Int()),
}
