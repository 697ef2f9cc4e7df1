# SPDX-License-Identifier: GPL-2.0-or-later
"""System-information, resource and scheduler syscalls: mirrors uname, sysinfo,
getrandom, prctl, the rlimit calls and sched_*affinity in QEMU's linux-user/syscall.c.

Limits that would shrink the emulator itself (address space, data, stack) are
kept from the host, as QEMU does, since guest and emulator share one process.
"""

from __future__ import annotations

import errno
import struct
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    In,
    InBuf,
    Int,
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
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, id_call, special
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
        if task.unimp_log:
            task.log(f"Unsupported prctl: {option}")
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
    """membarrier: passed to the host, as QEMU 7.2 does (guest threads are host threads)."""
    return host_syscall(nr.TARGET_NR_membarrier, cmd, flags, cpu_id)


def _check_sched_mask(task: TaskState, length: int, mask: int, write: bool) -> None:
    if length % 8:
        raise SyscallError(errno.EINVAL)
    check_guest_range(task, mask, length, write)


def do_sched_getaffinity(task: TaskState, pid: int, length: int, mask: int) -> int:
    """sched_getaffinity: the mask length must be a multiple of 8, as in Linux."""
    _check_sched_mask(task, length, mask, True)
    return host_syscall(nr.TARGET_NR_sched_getaffinity, pid, length, mask)


SCHED_PARAM_SIZE = 4
TIMESPEC_SIZE = 16
#: struct sched_attr as first defined (SCHED_ATTR_SIZE_VER0), taken when its size is 0.
SCHED_ATTR_SIZE_VER0 = 48
SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR = 2, 3, 4
# capget/capset header versions and how many 12-byte data structs each takes.
CAP_DATA_SIZE = 12
CAP_VERSIONS = {0x19980330: 1, 0x20071026: 2, 0x20080522: 2}
LINUX_REBOOT_MAGIC1, LINUX_REBOOT_CMD_RESTART2 = 0xFEE1DEAD, 0xA1B2C3D4


def do_syslog(task: TaskState, action: int, buf: int, length: int) -> int:
    """syslog: the read actions fill buf with up to len bytes."""
    if action in (SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR):
        if length < 0:
            return -errno.EINVAL
        check_guest_range(task, buf, length, True)
    return host_syscall(nr.TARGET_NR_syslog, action, buf, length)


def _cap_data_size(task: TaskState, header: int) -> int:
    (version,) = struct.unpack("<I", read_guest(task, header, 4))
    return CAP_DATA_SIZE * CAP_VERSIONS.get(version, 0)


def do_capget(task: TaskState, header: int, data: int) -> int:
    """capget: the header's version says how many data structs follow (1 or 2)."""
    check_guest_range(task, header, 8, True)
    if data:
        check_guest_range(task, data, _cap_data_size(task, header), True)
    return host_syscall(nr.TARGET_NR_capget, header, data)


def do_capset(task: TaskState, header: int, data: int) -> int:
    """capset: the header's version says how many data structs are read."""
    check_guest_range(task, header, 8, True)
    if data:
        check_guest_range(task, data, _cap_data_size(task, header), False)
    return host_syscall(nr.TARGET_NR_capset, header, data)


def do_sched_setattr(task: TaskState, pid: int, attr: int, flags: int) -> int:
    """sched_setattr: struct sched_attr says its own size in its first field."""
    if attr == 0:
        return -errno.EINVAL
    (size,) = struct.unpack("<I", read_guest(task, attr, 4))
    check_guest_range(task, attr, size or SCHED_ATTR_SIZE_VER0, False)
    return host_syscall(nr.TARGET_NR_sched_setattr, pid, attr, flags)


def do_reboot(task: TaskState, magic1: int, magic2: int, cmd: int, arg: int) -> int:
    """reboot: RESTART2 reads a command string; the magic numbers are the kernel's to check."""
    if magic1 & 0xFFFFFFFF == LINUX_REBOOT_MAGIC1 and cmd == LINUX_REBOOT_CMD_RESTART2:
        return host_syscall(nr.TARGET_NR_reboot, magic1, magic2, cmd,
                            task.mem.read_cstring(arg, 256) if arg else None)
    return host_syscall(nr.TARGET_NR_reboot, magic1, magic2, cmd, 0)


NGROUPS_MAX = 65536
MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT = 1, 2, 4
#: struct sched_attr: the size QEMU 7.2 knows, and the least it accepts.
SCHED_ATTR_SIZE, SCHED_ATTR_SIZE_MIN = 56, 48


def _check_groups(task: TaskState, size: int, groups: int, write: bool) -> None:
    if size < 0 or size > NGROUPS_MAX:
        raise SyscallError(errno.EINVAL)
    if size:
        check_guest_range(task, groups, 4 * size, write)


def do_getgroups(task: TaskState, size: int, groups: int) -> int:
    """getgroups: the count is checked before the list."""
    _check_groups(task, size, groups, True)
    return host_syscall(nr.TARGET_NR_getgroups, size, groups)


def do_setgroups(task: TaskState, size: int, groups: int) -> int:
    """setgroups: the count is checked before the list."""
    _check_groups(task, size, groups, False)
    return host_syscall(nr.TARGET_NR_setgroups, size, groups)


def do_sched_setaffinity(task: TaskState, pid: int, length: int, mask: int) -> int:
    """sched_setaffinity: as getaffinity, the length must be a multiple of 8."""
    _check_sched_mask(task, length, mask, False)
    return host_syscall(nr.TARGET_NR_sched_setaffinity, pid, length, mask)


def do_sched_getattr(task: TaskState, pid: int, attr: int, size: int, flags: int) -> int:
    """sched_getattr as QEMU 7.2 makes it: a size below the first version is -EINVAL, a
    larger one is cut to the struct QEMU knows; stored only after a success."""
    if size < SCHED_ATTR_SIZE_MIN:
        return -errno.EINVAL
    size = min(size, SCHED_ATTR_SIZE)
    result = OutBounce(attr, size)
    ret = host_syscall(nr.TARGET_NR_sched_getattr, pid, result, size, flags)
    if not is_error(ret):
        result.copy_out(task)
    return ret


def do_mlockall(task: TaskState, flags: int) -> int:
    """mlockall: QEMU keeps only the flags it knows."""
    return host_syscall(nr.TARGET_NR_mlockall, flags & (MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))


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
    nr.TARGET_NR_sched_setaffinity: special(do_sched_setaffinity, Int(), Size(), Addr()),
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
    nr.TARGET_NR_getgroups: special(do_getgroups, Int(), Addr()),
    nr.TARGET_NR_syslog: special(do_syslog, Int(), Addr(), Int()),
    nr.TARGET_NR_personality: host(UInt()),
    nr.TARGET_NR_capget: special(do_capget, Addr(), Addr()),
    nr.TARGET_NR_capset: special(do_capset, Addr(), Addr()),
    # Credentials change for the calling thread only, as the raw syscalls do under QEMU:
    # the guest's C library makes every thread call them.
    nr.TARGET_NR_setuid: host(UInt()),
    nr.TARGET_NR_setgid: host(UInt()),
    nr.TARGET_NR_setreuid: host(UInt(), UInt()),
    nr.TARGET_NR_setregid: host(UInt(), UInt()),
    nr.TARGET_NR_setresuid: host(UInt(), UInt(), UInt()),
    nr.TARGET_NR_setresgid: host(UInt(), UInt(), UInt()),
    nr.TARGET_NR_setfsuid: id_call(nr.TARGET_NR_setfsuid, UInt()),
    nr.TARGET_NR_setfsgid: id_call(nr.TARGET_NR_setfsgid, UInt()),
    nr.TARGET_NR_setgroups: special(do_setgroups, Int(), Addr()),
    nr.TARGET_NR_mlockall: special(do_mlockall, Int()),
    nr.TARGET_NR_getpriority: host(Int(), Int()),
    nr.TARGET_NR_setpriority: host(Int(), Int(), Int()),
    nr.TARGET_NR_ioprio_get: host(Int(), Int()),
    nr.TARGET_NR_ioprio_set: host(Int(), Int(), Int()),
    nr.TARGET_NR_sched_setparam: host(Int(), In(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_getparam: host(Int(), Out(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_setscheduler: host(Int(), Int(), In(SCHED_PARAM_SIZE)),
    nr.TARGET_NR_sched_getscheduler: host(Int()),
    nr.TARGET_NR_sched_get_priority_max: host(Int()),
    nr.TARGET_NR_sched_get_priority_min: host(Int()),
    nr.TARGET_NR_sched_rr_get_interval: host(Int(), Out(TIMESPEC_SIZE)),
    nr.TARGET_NR_sched_setattr: special(do_sched_setattr, Int(), Addr(), UInt()),
    nr.TARGET_NR_sched_getattr: special(do_sched_getattr, Int(), Addr(), UInt(), UInt()),
    nr.TARGET_NR_sethostname: host(InBuf(1), Size()),
    nr.TARGET_NR_setdomainname: host(InBuf(1), Size()),
    nr.TARGET_NR_reboot: special(do_reboot, Int(), Int(), UInt(), Addr()),
    nr.TARGET_NR_vhangup: host(),
}
