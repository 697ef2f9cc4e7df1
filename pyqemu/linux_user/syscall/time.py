"""Clock, sleep and timer syscalls: mirrors those cases of QEMU's linux-user/syscall.c.

The guest's struct timespec and timeval are the host's, so every call passes
through once its pointers are checked.  A sleep blocks in the host kernel.

POSIX timers (timer_create...) are host timers, as in QEMU: their signals reach
the host process, whose handler queues them for the guest with the kernel's
siginfo (timer id, overrun, the guest's sigev_value).  The guest is given its
own ids, ``TIMER_MAGIC | slot``, for a table of at most ``GUEST_TIMER_MAX``
host timers, and an id that is not one of them is -EINVAL (QEMU's get_timer_id).
"""

from __future__ import annotations

import ctypes
import errno
import struct
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    In,
    InOut,
    Int,
    Out,
    OutBounce,
    SyscallError,
    check_guest_range,
    read_guest,
    write_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

TIMESPEC_SIZE = 16
TIMEVAL_SIZE = 16
TIMEZONE_SIZE = 8
TIME_T_SIZE = 8
ITIMERVAL_SIZE = 2 * TIMEVAL_SIZE
ITIMERSPEC_SIZE = 2 * TIMESPEC_SIZE
#: struct sigevent: sigev_value, sigev_signo, sigev_notify, then a union padding it to 64.
SIGEVENT_SIZE = 64
TIMER_MAGIC = 0x0CAF0000
TIMER_MAGIC_MASK = 0xFFFF0000
GUEST_TIMER_MAX = 32

#: Guest timer slot -> the host kernel's timer id (one table per process, as QEMU's).
_host_timers: dict[int, int] = {}


def _host_timer(timerid: int) -> int:
    """The host timer behind a guest id; SyscallError(EINVAL) when there is none."""
    if timerid & TIMER_MAGIC_MASK != TIMER_MAGIC or (timerid & 0xFFFF) not in _host_timers:
        raise SyscallError(errno.EINVAL)
    return _host_timers[timerid & 0xFFFF]


def do_timer_create(task: TaskState, clockid: int, sevp: int, timerid: int) -> int:
    """timer_create: a host timer with the guest's sigevent, a guest id written back."""
    free = [slot for slot in range(GUEST_TIMER_MAX) if slot not in _host_timers]
    if not free:
        return -errno.EAGAIN
    sevent = None
    if sevp:
        sevent = ctypes.create_string_buffer(read_guest(task, sevp, SIGEVENT_SIZE),
                                             SIGEVENT_SIZE)
    created = OutBounce(0, 4)
    ret = host_syscall(nr.TARGET_NR_timer_create, clockid,
                       None if sevent is None else ctypes.addressof(sevent), created)
    if ret < 0:
        return ret
    (host_id,) = struct.unpack("<i", created.buffer.raw)
    try:
        check_guest_range(task, timerid, 4, True)
    except SyscallError:
        host_syscall(nr.TARGET_NR_timer_delete, host_id)
        raise
    _host_timers[free[0]] = host_id
    write_guest(task, timerid, struct.pack("<I", TIMER_MAGIC | free[0]))
    return 0


def do_timer_settime(task: TaskState, timerid: int, flags: int, new: int,
                     old: OutBounce | int) -> int:
    """timer_settime on the host timer (a NULL new value is -EINVAL, as in QEMU)."""
    host_id = _host_timer(timerid)
    if not new:
        return -errno.EINVAL
    return host_syscall(nr.TARGET_NR_timer_settime, host_id, flags, new, old or None)


def do_timer_gettime(task: TaskState, timerid: int, cur: OutBounce | int) -> int:
    """timer_gettime of the host timer."""
    host_id = _host_timer(timerid)
    if not cur:
        return -errno.EFAULT
    return host_syscall(nr.TARGET_NR_timer_gettime, host_id, cur)


def do_timer_getoverrun(task: TaskState, timerid: int) -> int:
    """timer_getoverrun of the host timer."""
    return host_syscall(nr.TARGET_NR_timer_getoverrun, _host_timer(timerid))


def do_timer_delete(task: TaskState, timerid: int) -> int:
    """timer_delete: the host timer goes and its slot is free again."""
    host_id = _host_timer(timerid)
    ret = host_syscall(nr.TARGET_NR_timer_delete, host_id)
    del _host_timers[timerid & 0xFFFF]
    return ret

SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_clock_gettime: host(Int(), Out(TIMESPEC_SIZE)),
    nr.TARGET_NR_clock_getres: host(Int(), Out(TIMESPEC_SIZE, nullable=True)),
    nr.TARGET_NR_gettimeofday: host(Out(TIMEVAL_SIZE, nullable=True),
                                    Out(TIMEZONE_SIZE, nullable=True)),
    nr.TARGET_NR_time: host(Out(TIME_T_SIZE, nullable=True)),
    # Interval timers signal the host process, whose handler queues the signal for the guest.
    nr.TARGET_NR_alarm: host(Int()),
    nr.TARGET_NR_getitimer: host(Int(), Out(ITIMERVAL_SIZE)),
    nr.TARGET_NR_setitimer: host(Int(), In(ITIMERVAL_SIZE, nullable=True),
                                 Out(ITIMERVAL_SIZE, nullable=True)),
    nr.TARGET_NR_nanosleep: host(In(TIMESPEC_SIZE), InOut(TIMESPEC_SIZE, nullable=True)),
    # The remaining time is written when interrupted, i.e. on failure: no bounce.
    nr.TARGET_NR_clock_nanosleep: host(Int(), Int(), In(TIMESPEC_SIZE),
                                       InOut(TIMESPEC_SIZE, nullable=True)),
    nr.TARGET_NR_timer_create: special(do_timer_create, Int(), Addr(), Addr()),
    nr.TARGET_NR_timer_settime: special(do_timer_settime, Int(), Int(),
                                        In(ITIMERSPEC_SIZE, nullable=True),
                                        Out(ITIMERSPEC_SIZE, nullable=True)),
    nr.TARGET_NR_timer_gettime: special(do_timer_gettime, Int(),
                                        Out(ITIMERSPEC_SIZE, nullable=True)),
    nr.TARGET_NR_timer_getoverrun: special(do_timer_getoverrun, Int()),
    nr.TARGET_NR_timer_delete: special(do_timer_delete, Int()),
}
