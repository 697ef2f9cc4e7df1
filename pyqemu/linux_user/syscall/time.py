# SPDX-License-Identifier: GPL-2.0-or-later
"""Clock and sleep syscalls: mirrors those cases of QEMU's linux-user/syscall.c.

The guest's struct timespec and timeval are the host's, so every call passes
through once its pointers are checked.  A sleep blocks in the host kernel.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    In,
    InOut,
    Int,
    Out,
    OutBounce,
    SyscallError,
    ULong,
    check_guest_range,
    is_error,
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
TIMEX_SIZE = 208
SIGEVENT_SIZE = 64

def do_timer_settime(task: TaskState, timerid: int, flags: int, new_value: int,
                     old_value: int) -> int:
    """timer_settime: QEMU looks the timer up before it reads the new value."""
    if timerid < 0 or new_value == 0:
        return -errno.EINVAL
    check_guest_range(task, new_value, ITIMERSPEC_SIZE, False)
    old = OutBounce(old_value, ITIMERSPEC_SIZE) if old_value else None
    ret = host_syscall(nr.TARGET_NR_timer_settime, timerid, flags, new_value,
                       0 if old is None else old)
    if not is_error(ret) and old is not None:
        old.copy_out(task)
    return ret


TIMER_ABSTIME = 1


def do_nanosleep(task: TaskState, req: int, rem: int) -> int:
    """nanosleep on a host remainder, copied to the guest only when the sleep failed (as
    qemu 7.2: a bad remainder pointer is no error for a sleep that ran its course, and is
    ignored for one that did not)."""
    left = OutBounce(rem, TIMESPEC_SIZE)
    ret = host_syscall(nr.TARGET_NR_nanosleep, req, left)
    if is_error(ret) and rem:
        try:
            left.copy_out(task)
        except SyscallError:
            pass
    return ret


def do_clock_nanosleep(task: TaskState, clock: int, flags: int, req: int, rem: int) -> int:
    """clock_nanosleep: the remainder is written only when a relative sleep is interrupted
    (qemu 7.2, as Linux), so a bad pointer fails only then."""
    left = OutBounce(rem, TIMESPEC_SIZE) if rem else None
    ret = host_syscall(nr.TARGET_NR_clock_nanosleep, clock, flags, req,
                       0 if left is None else left)
    if ret == -errno.EINTR and left is not None and flags != TIMER_ABSTIME:
        left.copy_out(task)
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
    nr.TARGET_NR_nanosleep: special(do_nanosleep, In(TIMESPEC_SIZE), ULong()),
    nr.TARGET_NR_clock_nanosleep: special(do_clock_nanosleep, Int(), Int(), In(TIMESPEC_SIZE),
                                          ULong()),
    nr.TARGET_NR_settimeofday: host(In(TIMEVAL_SIZE, nullable=True),
                                    In(TIMEZONE_SIZE, nullable=True)),
    nr.TARGET_NR_clock_settime: host(Int(), In(TIMESPEC_SIZE)),
    nr.TARGET_NR_adjtimex: host(InOut(TIMEX_SIZE)),
    nr.TARGET_NR_clock_adjtime: host(Int(), InOut(TIMEX_SIZE)),
    # POSIX timers signal the host process, as interval timers do.
    nr.TARGET_NR_timer_create: host(Int(), In(SIGEVENT_SIZE, nullable=True), Out(4)),
    nr.TARGET_NR_timer_settime: special(do_timer_settime, Int(), Int(), ULong(), ULong()),
    nr.TARGET_NR_timer_gettime: host(Int(), Out(ITIMERSPEC_SIZE)),
    nr.TARGET_NR_timer_getoverrun: host(Int()),
    nr.TARGET_NR_timer_delete: host(Int()),
}
