# SPDX-License-Identifier: GPL-2.0-or-later
"""System V IPC (shared memory, semaphores, message queues) and POSIX message queues:
mirrors do_shmat/do_shmdt, do_semctl, do_msgctl, do_msgsnd/do_msgrcv and the mq_* cases
of QEMU's linux-user/syscall.c, for the x86_64 direct calls (no ipc() multiplexer).

The structs have the host's layout, so calls pass through once the buffers each
command uses are checked.  shmat maps memory into the guest's address space, so
it is placed and recorded by the guest memory map, like mmap.
"""

from __future__ import annotations

import errno
import struct
from typing import TYPE_CHECKING

from pyqemu.linux_user.syscall.args import (
    Addr,
    Fd,
    In,
    InBuf,
    Int,
    Long,
    Out,
    OutBounce,
    OutBuf,
    Path,
    Size,
    SyscallError,
    UInt,
    ULong,
    check_guest_range,
    is_error,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO = 0, 1, 2, 3
SHM_LOCK, SHM_UNLOCK, SHM_STAT, SHM_INFO, SHM_STAT_ANY = 11, 12, 13, 14, 15
MSG_STAT, MSG_INFO, MSG_STAT_ANY = 11, 12, 13
GETPID, GETVAL, GETALL, GETNCNT, GETZCNT, SETVAL, SETALL = 11, 12, 13, 14, 15, 16, 17
SEM_STAT, SEM_INFO, SEM_STAT_ANY = 18, 19, 20
IPC_64 = 0x100

# x86_64 sizes: struct shmid64_ds, shminfo64, shm_info, semid64_ds, seminfo, msqid64_ds,
# msginfo, sembuf, mq_attr, timespec.
SHMID_DS_SIZE, SHMINFO_SIZE, SHM_INFO_SIZE = 112, 72, 48
SEMID_DS_SIZE, SEMINFO_SIZE = 104, 40
MSQID_DS_SIZE, MSGINFO_SIZE = 120, 32
SEMBUF_SIZE = 6
MQ_ATTR_SIZE = 64
TIMESPEC_SIZE = 16
#: Offset of shm_segsz in struct shmid64_ds (after the 48-byte ipc64_perm).
SHM_SEGSZ_OFFSET = 48
#: Offset of sem_nsems in x86_64's struct semid64_ds (perm, then sem_otime and sem_ctime
#: each followed by an unused long).
SEM_NSEMS_OFFSET = 80

# shmat flags
SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC = 0o10000, 0o20000, 0o40000, 0o100000
SHMLBA = 4096


def _ctl_buffer(task: TaskState, buf: int, size: int, write: bool) -> None:
    if buf == 0:
        raise SyscallError(errno.EFAULT)
    check_guest_range(task, buf, size, write)


#: Most operations one semop takes (SEMOPM); QEMU refuses more before reading them.
SEMOPM = 500


def do_semtimedop(task: TaskState, semid: int, sops: int, nsops: int, timeout: int) -> int:
    """semtimedop (and semop): too many operations is -E2BIG before the array is read."""
    if timeout:
        check_guest_range(task, timeout, TIMESPEC_SIZE, False)
    if nsops > SEMOPM:
        return -errno.E2BIG
    check_guest_range(task, sops, nsops * SEMBUF_SIZE, False)
    return host_syscall(nr.TARGET_NR_semtimedop, semid, sops, nsops, timeout)


def do_semop(task: TaskState, semid: int, sops: int, nsops: int) -> int:
    """semop: semtimedop without a timeout."""
    return do_semtimedop(task, semid, sops, nsops, 0)


def do_shmctl(task: TaskState, shmid: int, cmd: int, buf: int) -> int:
    """shmctl: the buffer is a shmid_ds, a shminfo or a shm_info, by command."""
    base = cmd & ~IPC_64
    if base in (IPC_STAT, SHM_STAT, SHM_STAT_ANY):
        _ctl_buffer(task, buf, SHMID_DS_SIZE, True)
    elif base == IPC_SET:
        _ctl_buffer(task, buf, SHMID_DS_SIZE, False)
    elif base == IPC_INFO:
        _ctl_buffer(task, buf, SHMINFO_SIZE, True)
    elif base == SHM_INFO:
        _ctl_buffer(task, buf, SHM_INFO_SIZE, True)
    elif base not in (IPC_RMID, SHM_LOCK, SHM_UNLOCK):
        return -errno.EINVAL
    return host_syscall(nr.TARGET_NR_shmctl, shmid, cmd, buf)


def do_shmat(task: TaskState, shmid: int, shmaddr: int, shmflg: int) -> int:
    """shmat: the segment is attached where the guest memory map places it."""
    stat = OutBounce(0, SHMID_DS_SIZE)
    ret = host_syscall(nr.TARGET_NR_shmctl, shmid, IPC_STAT, stat)
    if is_error(ret):
        return ret
    (size,) = struct.unpack_from("<Q", stat.buffer.raw, SHM_SEGSZ_OFFSET)
    if shmaddr and shmflg & SHM_RND:
        shmaddr &= ~(SHMLBA - 1)
    return task.mem.target_shmat(shmid, shmaddr, shmflg, size)


def do_shmdt(task: TaskState, shmaddr: int) -> int:
    """shmdt: only a segment the guest attached."""
    return task.mem.target_shmdt(shmaddr)


def do_semctl(task: TaskState, semid: int, semnum: int, cmd: int, arg: int) -> int:
    """semctl: the fourth argument is a value or a pointer, by command (union semun)."""
    base = cmd & ~IPC_64
    if base in (IPC_STAT, SEM_STAT, SEM_STAT_ANY):
        _ctl_buffer(task, arg, SEMID_DS_SIZE, True)
    elif base == IPC_SET:
        _ctl_buffer(task, arg, SEMID_DS_SIZE, False)
    elif base in (IPC_INFO, SEM_INFO):
        _ctl_buffer(task, arg, SEMINFO_SIZE, True)
    elif base in (GETALL, SETALL):
        stat = OutBounce(0, SEMID_DS_SIZE)
        ret = host_syscall(nr.TARGET_NR_semctl, semid, 0, IPC_STAT, stat)
        if is_error(ret):
            return ret
        (nsems,) = struct.unpack_from("<Q", stat.buffer.raw, SEM_NSEMS_OFFSET)
        _ctl_buffer(task, arg, 2 * nsems, base == GETALL)
    elif base not in (IPC_RMID, GETPID, GETVAL, GETNCNT, GETZCNT, SETVAL):
        return -errno.EINVAL
    return host_syscall(nr.TARGET_NR_semctl, semid, semnum, cmd, arg)


def do_msgctl(task: TaskState, msqid: int, cmd: int, buf: int) -> int:
    """msgctl: the buffer is a msqid_ds or a msginfo, by command."""
    base = cmd & ~IPC_64
    if base in (IPC_STAT, MSG_STAT, MSG_STAT_ANY):
        _ctl_buffer(task, buf, MSQID_DS_SIZE, True)
    elif base == IPC_SET:
        _ctl_buffer(task, buf, MSQID_DS_SIZE, False)
    elif base in (IPC_INFO, MSG_INFO):
        _ctl_buffer(task, buf, MSGINFO_SIZE, True)
    elif base != IPC_RMID:
        return -errno.EINVAL
    return host_syscall(nr.TARGET_NR_msgctl, msqid, cmd, buf)


def do_msgsnd(task: TaskState, msqid: int, msgp: int, msgsz: int, msgflg: int) -> int:
    """msgsnd: the message is a long type and msgsz bytes of text."""
    if msgsz < 0:
        return -errno.EINVAL
    check_guest_range(task, msgp, 8 + msgsz, False)
    return host_syscall(nr.TARGET_NR_msgsnd, msqid, msgp, msgsz, msgflg)


def do_msgrcv(task: TaskState, msqid: int, msgp: int, msgsz: int, msgtyp: int,
              msgflg: int) -> int:
    """msgrcv: room for a long type and msgsz bytes of text."""
    if msgsz < 0:
        return -errno.EINVAL
    check_guest_range(task, msgp, 8 + msgsz, True)
    return host_syscall(nr.TARGET_NR_msgrcv, msqid, msgp, msgsz, msgtyp, msgflg)


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_shmget: host(Int(), Size(), Int()),
    nr.TARGET_NR_shmat: special(do_shmat, Int(), Addr(), Int()),
    nr.TARGET_NR_shmdt: special(do_shmdt, Addr()),
    nr.TARGET_NR_shmctl: special(do_shmctl, Int(), Int(), Addr()),
    nr.TARGET_NR_semget: host(Int(), Int(), Int()),
    nr.TARGET_NR_semop: special(do_semop, Int(), Addr(), Size()),
    nr.TARGET_NR_semtimedop: special(do_semtimedop, Int(), Addr(), Size(), Addr()),
    nr.TARGET_NR_semctl: special(do_semctl, Int(), Int(), Int(), ULong()),
    nr.TARGET_NR_msgget: host(Int(), Int()),
    nr.TARGET_NR_msgsnd: special(do_msgsnd, Int(), Addr(), Long(), Int()),
    nr.TARGET_NR_msgrcv: special(do_msgrcv, Int(), Addr(), Long(), Long(), Int()),
    nr.TARGET_NR_msgctl: special(do_msgctl, Int(), Int(), Addr()),
    # POSIX message queues: descriptors, with mq_attr and timespec in the host's layout.
    nr.TARGET_NR_mq_open: host(Path(), Int(), UInt(), In(MQ_ATTR_SIZE, nullable=True)),
    nr.TARGET_NR_mq_unlink: host(Path()),
    nr.TARGET_NR_mq_timedsend: host(Fd(), InBuf(2), Size(), UInt(),
                                    In(TIMESPEC_SIZE, nullable=True)),
    nr.TARGET_NR_mq_timedreceive: host(Fd(), OutBuf(2), Size(), Out(4, nullable=True),
                                       In(TIMESPEC_SIZE, nullable=True)),
    nr.TARGET_NR_mq_getsetattr: host(Fd(), In(MQ_ATTR_SIZE, nullable=True),
                                     Out(MQ_ATTR_SIZE, nullable=True)),
}
