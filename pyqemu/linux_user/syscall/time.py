"""Clock and sleep syscalls: mirrors those cases of QEMU's linux-user/syscall.c.

The guest's struct timespec and timeval are the host's, so every call passes
through once its pointers are checked.  A sleep blocks in the host kernel.
"""

from __future__ import annotations

from pyqemu.linux_user.syscall.args import In, InOut, Int, Out
from pyqemu.linux_user.syscall.defs import SyscallDef, host
from pyqemu.linux_user.x86_64 import syscall_nr as nr

TIMESPEC_SIZE = 16
TIMEVAL_SIZE = 16
TIMEZONE_SIZE = 8
TIME_T_SIZE = 8
ITIMERVAL_SIZE = 2 * TIMEVAL_SIZE

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
}
