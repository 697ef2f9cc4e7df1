# SPDX-License-Identifier: GPL-2.0-or-later
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
    InOut,
    Int,
    Out,
    OutBounce,
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


#: struct mmsghdr: a msghdr, then the unsigned msg_len the kernel stores (and padding).
MMSGHDR_SIZE = MSGHDR_SIZE + 8
TIMESPEC_SIZE = 16


def _check_mmsghdrs(task: TaskState, msgvec: int, vlen: int, receiving: bool) -> int:
    """Checks the vector (at most UIO_MAXIOV entries, as the kernel takes); its length."""
    vlen = min(vlen, IOV_MAX)
    check_guest_range(task, msgvec, vlen * MMSGHDR_SIZE, True)
    for index in range(vlen):
        _check_msghdr(task, msgvec + index * MMSGHDR_SIZE, receiving)
    return vlen


def do_sendmmsg(task: TaskState, fd: int, msgvec: int, vlen: int, flags: int) -> int:
    """sendmmsg: every message of the vector is checked like sendmsg's."""
    vlen = _check_mmsghdrs(task, msgvec, vlen, receiving=False)
    return host_syscall(nr.TARGET_NR_sendmmsg, fd, msgvec, vlen, flags)


def do_recvmmsg(task: TaskState, fd: int, msgvec: int, vlen: int, flags: int,
                timeout: int) -> int:
    """recvmmsg: every message of the vector is checked like recvmsg's."""
    vlen = _check_mmsghdrs(task, msgvec, vlen, receiving=True)
    return host_syscall(nr.TARGET_NR_recvmmsg, fd, msgvec, vlen, flags, timeout)


SOCK_TYPE_MASK = 0xF
SOCK_NONBLOCK, SOCK_CLOEXEC = 0o4000, 0o2000000
#: Option levels QEMU 7.2's setsockopt/getsockopt know (SOL_IP, SOL_SOCKET, SOL_TCP,
#: SOL_UDP, SOL_IPV6, SOL_ICMPV6, SOL_RAW, SOL_NETLINK, SOL_ALG); others it refuses.
SOCKOPT_LEVELS = frozenset({0, 1, 6, 17, 41, 58, 255, 270, 279})


def host_sock_type(sock_type: int) -> int:
    """QEMU's target_to_host_sock_type: the type and its two flags, other bits dropped."""
    return sock_type & (SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)


def do_socket(task: TaskState, domain: int, sock_type: int, protocol: int) -> int:
    """socket, with the type's unknown bits dropped as QEMU does."""
    return host_syscall(nr.TARGET_NR_socket, domain, host_sock_type(sock_type), protocol)


def do_socketpair(task: TaskState, domain: int, sock_type: int, protocol: int,
                  sv: OutBounce) -> int:
    """socketpair, with the type's unknown bits dropped as QEMU does."""
    return host_syscall(nr.TARGET_NR_socketpair, domain, host_sock_type(sock_type), protocol,
                        sv)


def _check_sockaddr(task: TaskState, addr: int, addrlen: int) -> None:
    """A socket address the kernel reads: a negative length is -EINVAL before the buffer."""
    if addrlen & 0x80000000:
        raise SyscallError(errno.EINVAL)
    check_guest_range(task, addr, addrlen, False)


def do_connect(task: TaskState, fd: int, addr: int, addrlen: int) -> int:
    """connect: the address length is checked before the address."""
    _check_sockaddr(task, addr, addrlen)
    return host_syscall(nr.TARGET_NR_connect, fd, addr, addrlen)


def do_bind(task: TaskState, fd: int, addr: int, addrlen: int) -> int:
    """bind: the address length is checked before the address."""
    _check_sockaddr(task, addr, addrlen)
    return host_syscall(nr.TARGET_NR_bind, fd, addr, addrlen)


def do_sendto(task: TaskState, fd: int, buf: int, length: int, flags: int, addr: int,
              addrlen: int) -> int:
    """sendto: the address length first, then the message, then the address."""
    if addrlen & 0x80000000:
        return -errno.EINVAL
    check_guest_range(task, buf, length, False)
    if addr:
        check_guest_range(task, addr, addrlen, False)
    return host_syscall(nr.TARGET_NR_sendto, fd, buf, length, flags, addr, addrlen)


def do_setsockopt(task: TaskState, fd: int, level: int, optname: int, optval: int,
                  optlen: int) -> int:
    """setsockopt: a level QEMU 7.2 does not know is -ENOPROTOOPT."""
    if level not in SOCKOPT_LEVELS:
        if task.unimp_log:
            task.log(f"Unsupported setsockopt level={level} optname={optname}")
        return -errno.ENOPROTOOPT
    if optval:
        check_guest_range(task, optval, optlen, False)
    return host_syscall(nr.TARGET_NR_setsockopt, fd, level, optname, optval, optlen)


def do_getsockopt(task: TaskState, fd: int, level: int, optname: int, optval: int,
                  optlen: int) -> int:
    """getsockopt: a level QEMU 7.2 does not know is -EOPNOTSUPP."""
    if level not in SOCKOPT_LEVELS:
        if task.unimp_log:
            task.log(f"getsockopt level={level} optname={optname} not yet supported")
        return -errno.EOPNOTSUPP
    check_guest_range(task, optlen, 4, True)
    SockAddrOut(4, nullable=False).decode(task, (fd, level, optname, optval, optlen), 3)
    return host_syscall(nr.TARGET_NR_getsockopt, fd, level, optname, optval, optlen)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_socket: special(do_socket, Int(), Int(), Int()),
    nr.TARGET_NR_socketpair: special(do_socketpair, Int(), Int(), Int(), Out(8)),
    nr.TARGET_NR_connect: special(do_connect, Fd(), Addr(), UInt()),
    nr.TARGET_NR_bind: special(do_bind, Fd(), Addr(), UInt()),
    nr.TARGET_NR_listen: host(Fd(), Int()),
    nr.TARGET_NR_accept: host(Fd(), SockAddrOut(2), InOut(4, nullable=True)),
    nr.TARGET_NR_accept4: host(Fd(), SockAddrOut(2), InOut(4, nullable=True), Int()),
    nr.TARGET_NR_getsockname: host(Fd(), SockAddrOut(2, nullable=False), InOut(4)),
    nr.TARGET_NR_getpeername: host(Fd(), SockAddrOut(2, nullable=False), InOut(4)),
    nr.TARGET_NR_sendto: special(do_sendto, Fd(), Addr(), Size(), Int(), Addr(), UInt()),
    nr.TARGET_NR_recvfrom: host(Fd(), OutBuf(2), Size(), Int(), SockAddrOut(5),
                                InOut(4, nullable=True)),
    nr.TARGET_NR_setsockopt: special(do_setsockopt, Fd(), Int(), Int(), Addr(), UInt()),
    nr.TARGET_NR_getsockopt: special(do_getsockopt, Fd(), Int(), Int(), Addr(), Addr()),
    nr.TARGET_NR_shutdown: host(Fd(), Int()),
    nr.TARGET_NR_sendmsg: special(do_sendmsg, Fd(), Addr(), Int()),
    nr.TARGET_NR_recvmsg: special(do_recvmsg, Fd(), Addr(), Int()),
    nr.TARGET_NR_sendmmsg: special(do_sendmmsg, Fd(), Addr(), UInt(), Int()),
    nr.TARGET_NR_recvmmsg: special(do_recvmmsg, Fd(), Addr(), UInt(), Int(),
                                   InOut(TIMESPEC_SIZE, nullable=True)),
}
