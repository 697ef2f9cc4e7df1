"""System-information, resource and scheduler syscalls: mirrors uname, sysinfo,
getrandom, prctl, the rlimit calls and sched_*affinity in QEMU's linux-user/syscall.c.

Limits that would shrink the emulator itself (address space, data, stack) are
kept from the host, as QEMU does, since guest and emulator share one process.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    Buf,
    In,
    InBuf,
    Int,
    Out,
    OutBuf,
    Size,
    SyscallError,
    UInt,
    ULong,
    check_guest_range,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

UTSNAME_SIZE = 6 * 65
SYSINFO_SIZE = 112
TMS_SIZE = 32
RUSAGE_SIZE = 144
RLIMIT_SIZE = 16
SCHED_PARAM_SIZE = 4
TIMESPEC_SIZE = 16

RLIMIT_DATA, RLIMIT_STACK, RLIMIT_AS = 2, 3, 9
#: Resources whose new limit would apply to the emulator as well: not forwarded.
EMULATOR_RLIMITS = frozenset({RLIMIT_DATA, RLIMIT_STACK, RLIMIT_AS})

# prctl options passed through; everything else is -EINVAL.
PR_SET_PDEATHSIG, PR_GET_PDEATHSIG = 1, 2
PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4
PR_SET_NAME, PR_GET_NAME = 15, 16
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
TASK_COMM_LEN = 16


def do_prctl(task: TaskState, option: int, arg2: int, arg3: int, arg4: int, arg5: int) -> int:
    """prctl: the thread name and a few flags; other options are -EINVAL."""
    if option == PR_SET_NAME:
        if arg2 == 0:
            return -errno.EFAULT
        name = task.mem.read_cstring(arg2, TASK_COMM_LEN)
        return host_syscall(nr.TARGET_NR_prctl, option, name[:TASK_COMM_LEN - 1], 0, 0, 0)
    if option == PR_GET_NAME:
        check_guest_range(task, arg2, TASK_COMM_LEN, True)
    elif option == PR_GET_PDEATHSIG:
        check_guest_range(task, arg2, 4, True)
    elif option not in (PR_SET_PDEATHSIG, PR_GET_DUMPABLE, PR_SET_DUMPABLE,
                        PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS):
        return -errno.EINVAL
    return host_syscall(nr.TARGET_NR_prctl, option, arg2, arg3, arg4, arg5)


def do_prlimit64(task: TaskState, pid: int, resource: int, new_limit: int,
                 old_limit: int) -> int:
    """prlimit64, keeping the emulator's own memory limits."""
    if new_limit and resource in EMULATOR_RLIMITS:
        new_limit = 0
    return host_syscall(nr.TARGET_NR_prlimit64, pid, resource, new_limit, old_limit)


def do_setrlimit(task: TaskState, resource: int, new_limit: int) -> int:
    """setrlimit, keeping the emulator's own memory limits (accepted, not applied)."""
    if resource in EMULATOR_RLIMITS:
        return 0
    return host_syscall(nr.TARGET_NR_setrlimit, resource, new_limit)


def do_membarrier(task: TaskState, cmd: int, flags: int, cpu_id: int) -> int:
    """membarrier: not offered (the lead's choice; QEMU 7.2 passes it through)."""
    return -errno.ENOSYS


def _check_sched_mask(task: TaskState, length: int, mask: int, write: bool) -> None:
    if length % 8:
        raise SyscallError(errno.EINVAL)
    check_guest_range(task, mask, length, write)


def do_sched_getaffinity(task: TaskState, pid: int, length: int, mask: int) -> int:
    """sched_getaffinity: the mask length must be a multiple of 8, as in Linux."""
    _check_sched_mask(task, length, mask, True)
    return host_syscall(nr.TARGET_NR_sched_getaffinity, pid, length, mask)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_uname: host(Out(UTSNAME_SIZE)),
    nr.TARGET_NR_sysinfo: host(Out(SYSINFO_SIZE)),
    nr.TARGET_NR_times: host(Out(TMS_SIZE, nullable=True)),
    nr.TARGET_NR_getrusage: host(Int(), Out(RUSAGE_SIZE)),
    nr.TARGET_NR_getrandom: host(OutBuf(1), Size(), UInt()),
    nr.TARGET_NR_prctl: special(do_prctl, Int(), ULong(), ULong(), ULong(), ULong()),
    nr.TARGET_NR_prlimit64: special(do_prlimit64, Int(), UInt(), In(RLIMIT_SIZE, nullable=True),
                                    Out(RLIMIT_SIZE, nullable=True)),
    nr.TARGET_NR_getrlimit: host(UInt(), Out(RLIMIT_SIZE)),
    nr.TARGET_NR_setrlimit: special(do_setrlimit, UInt(), In(RLIMIT_SIZE)),
    nr.TARGET_NR_membarrier: special(do_membarrier, Int(), UInt(), Int()),
    nr.TARGET_NR_sched_getaffinity: special(do_sched_getaffinity, Int(), Size(), Addr()),
    nr.TARGET_NR_sched_setaffinity: host(Int(), Size(), InBuf(1)),
    nr.TARGET_NR_sched_yield: host(),
    # struct sched_param is one int; the raw getpriority returns 20 - nice, as QEMU's does
    nr.TARGET_NR_sched_getscheduler: host(Int()),
    nr.TARGET_NR_sched_setscheduler: host(Int(), Int(), In(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_getparam: host(Int(), Out(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_setparam: host(Int(), In(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_get_priority_max: host(Int()),
    nr.TARGET_NR_sched_get_priority_min: host(Int()),
    nr.TARGET_NR_sched_rr_get_interval: host(Int(), Out(TIMESPEC_SIZE)),
    nr.TARGET_NR_getpriority: host(Int(), Int()),
    nr.TARGET_NR_setpriority: host(Int(), Int(), Int()),
    nr.TARGET_NR_getcpu: host(Out(4, nullable=True), Out(4, nullable=True), ULong()),
    nr.TARGET_NR_getgroups: host(Int(), Buf(0, write=True, nullable=True, scale=4)),
}
