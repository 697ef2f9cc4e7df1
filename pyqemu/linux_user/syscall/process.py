# SPDX-License-Identifier: GPL-2.0-or-later
"""Process and thread syscalls: mirrors exit/exit_group, do_fork, execve, set_tid_address
and the x86_64 do_arch_prctl of QEMU's linux-user/syscall.c.

fork, vfork and clone without CLONE_VM fork the whole emulator, as QEMU does:
the child goes on emulating in its copy.  Threads (CLONE_VM) belong to the
execution loop, reached through ``task.clone_thread``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from typing import TYPE_CHECKING

from pyqemu.accel.cpu import X86_MMR
from pyqemu.linux_user.qemu import GuestExit
from pyqemu.linux_user.syscall.args import (
    Addr,
    Fd,
    In,
    Int,
    Out,
    OutBounce,
    Path,
    SyscallError,
    UInt,
    ULong,
    check_guest_range,
    read_guest,
    read_guest_cstring,
    write_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, id_call, special
from pyqemu.linux_user.syscall.fs import guest_path
from pyqemu.linux_user.syscall.host import host_syscall
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

# clone flags (linux/sched.h)
CSIGNAL = 0x000000FF
CLONE_VM = 0x00000100
CLONE_FS = 0x00000200
CLONE_FILES = 0x00000400
CLONE_SIGHAND = 0x00000800
CLONE_VFORK = 0x00004000
CLONE_THREAD = 0x00010000
CLONE_SYSVSEM = 0x00040000
CLONE_SETTLS = 0x00080000
CLONE_PARENT_SETTID = 0x00100000
CLONE_CHILD_CLEARTID = 0x00200000
CLONE_DETACHED = 0x00400000
CLONE_CHILD_SETTID = 0x01000000
CLONE_IO = 0x80000000
SIGCHLD = 17

#: What a thread-creating clone must carry (QEMU's CLONE_THREAD_FLAGS).
CLONE_THREAD_FLAGS = (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
                      | CLONE_SYSVSEM)
#: Flags a fork-like clone may carry; anything else is -EINVAL, as in QEMU.
CLONE_FORK_FLAGS = (CSIGNAL | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
                    | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_IO)

# arch_prctl codes (asm/prctl.h)
ARCH_SET_GS = 0x1001
ARCH_SET_FS = 0x1002
ARCH_GET_FS = 0x1003
ARCH_GET_GS = 0x1004
#: First address past x86_64 user space: segment bases must lie below it.
TASK_SIZE_MAX = 0x7FFFFFFFF000

#: Most argv/envp entries execve reads before giving up (-E2BIG).
EXECVE_MAX_STRINGS = 1 << 20
#: Linux's limit on one argv or envp string, its NUL included (32 pages).
MAX_ARG_STRLEN = 32 * 4096


def do_exit(task: TaskState, status: int) -> int:
    """exit: ends this thread; the loop catches GuestExit."""
    raise GuestExit(status, group=False)


def do_exit_group(task: TaskState, status: int) -> int:
    """exit_group: ends the process; the loop catches GuestExit."""
    raise GuestExit(status, group=True)


def do_set_tid_address(task: TaskState, tidptr: int) -> int:
    """set_tid_address: remember where to clear the tid at thread exit."""
    task.clear_child_tid = tidptr
    return host_syscall(nr.TARGET_NR_gettid)


def _store_tid(task: TaskState, addr: int, tid: int) -> None:
    try:
        write_guest(task, addr, struct.pack("<i", tid))
    except SyscallError:
        pass  # like the kernel's put_user in copy_process: a bad pointer is ignored


def _fork(task: TaskState, flags: int, newsp: int, parent_tidptr: int, child_tidptr: int,
          tls: int) -> int:
    if flags & ~CLONE_FORK_FLAGS:
        return -errno.EINVAL
    if (flags & CSIGNAL) != SIGCHLD:
        return -errno.EINVAL  # the host child would not signal its exit like the guest asked
    try:
        pid = os.fork()
    except OSError as err:
        return -(err.errno or errno.EAGAIN)
    if pid == 0:
        tid = os.getpid()
        if newsp:
            task.cpu.write_reg(task.target.sp_reg, newsp)
        if flags & CLONE_SETTLS:
            task.target.set_tls(task.cpu, tls)
        if flags & CLONE_CHILD_SETTID:
            task.child_tidptr = child_tidptr
            _store_tid(task, child_tidptr, tid)
        if flags & CLONE_PARENT_SETTID:
            _store_tid(task, parent_tidptr, tid)
        if flags & CLONE_CHILD_CLEARTID:
            task.clear_child_tid = child_tidptr
        return 0
    if flags & CLONE_PARENT_SETTID:
        _store_tid(task, parent_tidptr, pid)
    return pid


def do_clone(task: TaskState, flags: int, newsp: int, parent_tidptr: int, child_tidptr: int,
             tls: int) -> int:
    """clone (x86_64 order: flags, newsp, parent_tid, child_tid, tls; the generic
    table's targets swap the last two, see ``do_clone_backwards``).

    vfork-style clones become forks, as in QEMU; thread clones go to the loop.
    """
    flags &= 0xFFFFFFFF  # clone (unlike clone3) takes the flags as a 32-bit value
    if flags & CLONE_VFORK:
        flags &= ~(CLONE_VFORK | CLONE_VM)
    if flags & CLONE_VM:
        if (flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS:
            return -errno.EINVAL
        return task.clone_thread(flags, newsp, parent_tidptr, child_tidptr, tls)
    return _fork(task, flags, newsp, parent_tidptr, child_tidptr, tls)


def do_clone_backwards(task: TaskState, flags: int, newsp: int, parent_tidptr: int, tls: int,
                       child_tidptr: int) -> int:
    """clone on aarch64 and riscv64 (CLONE_BACKWARDS: tls before child_tid)."""
    return do_clone(task, flags, newsp, parent_tidptr, child_tidptr, tls)


def do_fork(task: TaskState) -> int:
    """fork: a clone with SIGCHLD only."""
    return _fork(task, SIGCHLD, 0, 0, 0, 0)


def do_vfork(task: TaskState) -> int:
    """vfork: a fork, since the child has its own copy of guest memory."""
    return _fork(task, SIGCHLD, 0, 0, 0, 0)


def read_string_array(task: TaskState, addr: int) -> list[bytes]:
    """Read a NULL-terminated array of guest string pointers (argv, envp)."""
    strings: list[bytes] = []
    if addr == 0:
        return strings
    while True:
        (pointer,) = struct.unpack("<Q", read_guest(task, addr + 8 * len(strings), 8))
        if pointer == 0:
            return strings
        if len(strings) >= EXECVE_MAX_STRINGS:
            raise SyscallError(errno.E2BIG)
        # copy_strings' limit, not PATH_MAX: a shell's -c script may be longer
        strings.append(read_guest_cstring(task, pointer, MAX_ARG_STRLEN, errno.E2BIG))


def _c_string_array(strings: list[bytes]) -> ctypes.Array[ctypes.c_char_p]:
    array = (ctypes.c_char_p * (len(strings) + 1))()
    array[:-1] = strings
    return array


def do_execve(task: TaskState, path: bytes, argv_addr: int, envp_addr: int) -> int:
    """execve: run the new program on the host, like QEMU without binfmt_misc."""
    from pyqemu.host import lib

    argv = _c_string_array(read_string_array(task, argv_addr))
    envp = _c_string_array(read_string_array(task, envp_addr))
    # the new program inherits the guest's blocked signals, as under Linux and qemu
    return int(lib.cpu_signal_execve(guest_path(task, path), ctypes.addressof(argv),
                                     ctypes.addressof(envp), task.sigmask))


def do_arch_prctl(task: TaskState, code: int, addr: int) -> int:
    """arch_prctl: the FS/GS segment bases live in the vCPU."""
    if code in (ARCH_SET_FS, ARCH_SET_GS):
        if addr >= TASK_SIZE_MAX:
            return -errno.EPERM
        if code == ARCH_SET_FS:
            task.cpu.set_fs_base(addr)
        else:
            task.cpu.set_gs_base(addr)
        return 0
    if code in (ARCH_GET_FS, ARCH_GET_GS):
        base = task.cpu.get_fs_base() if code == ARCH_GET_FS else task.cpu.get_gs_base()
        write_guest(task, addr, struct.pack("<Q", base))
        return 0
    return -errno.EINVAL


# futex commands (linux/futex.h); the private and clock flags sit above them.
FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP = 0, 1, 3, 4, 5
FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI = 6, 7, 8
FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET = 9, 10
FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI, FUTEX_LOCK_PI2 = 11, 12, 13
FUTEX_FLAGS = 0x80 | 0x100  # FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME
TIMESPEC_SIZE = 16
MS_ASYNC = 1


def _check_futex_word(task: TaskState, addr: int, write: bool) -> None:
    if addr % 4:
        raise SyscallError(errno.EINVAL)
    check_guest_range(task, addr, 4, write)


def _check_requeue_word(task: TaskState, addr: int) -> None:
    """The requeue commands' second word: the kernel only keys waiters on it (NULL, or
    any word no one waits on, is accepted, as natively and under qemu), but the
    emulator's own memory is refused: its locks' waiters must stay its own."""
    if addr % 4:
        raise SyscallError(errno.EINVAL)
    if task.mem.access_ok(addr, 4, False):
        return
    if host_syscall(nr.TARGET_NR_msync, addr & ~0xFFF, 0x1000, MS_ASYNC) != -errno.ENOMEM:
        raise SyscallError(errno.EFAULT)    # mapped on the host: the emulator's


def do_futex(task: TaskState, uaddr: int, op: int, val: int, timeout: int, uaddr2: int,
             val3: int) -> int:
    """futex: guest memory is host memory, so the host kernel waits and wakes on it.

    Every futex word must be guest memory: a wake on the emulator's own memory
    could release its internal locks.  The priority-inheritance commands go to the
    host too, as qemu-x86_64 7.2 passes them (a guest thread's tid is its host
    thread's, which the kernel stores in the word); FUTEX_FD and unknown commands
    are -ENOSYS.
    """
    cmd = op & ~FUTEX_FLAGS
    if cmd in (FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET) and val3 == 0:
        return -errno.EINVAL  # an empty bitset, refused before the word is looked at
    if cmd in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
        _check_futex_word(task, uaddr, False)
        if timeout:
            check_guest_range(task, timeout, TIMESPEC_SIZE, False)
    elif cmd in (FUTEX_WAKE, FUTEX_WAKE_BITSET):
        _check_futex_word(task, uaddr, False)
    elif cmd in (FUTEX_REQUEUE, FUTEX_CMP_REQUEUE):
        _check_futex_word(task, uaddr, False)
        _check_requeue_word(task, uaddr2)
    elif cmd == FUTEX_WAKE_OP:
        _check_futex_word(task, uaddr, False)
        _check_futex_word(task, uaddr2, True)
    elif cmd in (FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI):
        _check_futex_word(task, uaddr, True)
        if timeout and cmd != FUTEX_UNLOCK_PI:
            check_guest_range(task, timeout, TIMESPEC_SIZE, False)
    elif cmd in (FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI):
        _check_futex_word(task, uaddr, False)
        _check_requeue_word(task, uaddr2)
        if timeout and cmd == FUTEX_WAIT_REQUEUE_PI:
            check_guest_range(task, timeout, TIMESPEC_SIZE, False)
    else:
        return -errno.ENOSYS
    return host_syscall(nr.TARGET_NR_futex, uaddr, op, val, timeout, uaddr2, val3)


def do_wait4(task: TaskState, pid: int, status: int, options: int,
             rusage: OutBounce | int) -> int:
    """wait4: the status is stored only when a child was reaped, as the kernel does."""
    host_status = OutBounce(status, 4)
    ret = host_syscall(nr.TARGET_NR_wait4, pid, host_status if status else 0, options, rusage)
    if ret > 0 and status:
        host_status.copy_out(task)
    return ret


def do_enosys(task: TaskState, *args: int) -> int:
    """Deliberately unsupported, without a -d unimp line (QEMU 7.2: set_robust_list)."""
    return -errno.ENOSYS


WAIT_RUSAGE_SIZE = 144
SIGINFO_SIZE = 128


KCMP_EPOLL_TFD = 7
KCMP_EPOLL_SLOT_SIZE = 12


def do_kcmp(task: TaskState, pid1: int, pid2: int, kind: int, idx1: int, idx2: int) -> int:
    """kcmp: KCMP_EPOLL_TFD's last argument points to a struct kcmp_epoll_slot."""
    if kind == KCMP_EPOLL_TFD:
        check_guest_range(task, idx2, KCMP_EPOLL_SLOT_SIZE, False)
    return host_syscall(nr.TARGET_NR_kcmp, pid1, pid2, kind, idx1, idx2)


#: the LDT: 8192 descriptors of 8 bytes (asm/ldt.h LDT_ENTRIES, LDT_ENTRY_SIZE)
LDT_ENTRIES = 8192
LDT_ENTRY_SIZE = 8
#: struct user_desc as qemu-x86_64 7.2 reads it: entry_number, base_addr, limit, then the
#: flag bits, with base_addr a target long (8 bytes after 4 of padding), 24 bytes in all.
#: Linux's is 16 bytes (a 32-bit base_addr): qemu answers that size with -EINVAL, and so
#: does pyqemu, so that a guest sees what it sees under qemu.
USER_DESC = struct.Struct("<IxxxxQII")
PROT_READ_WRITE = 3
MAP_PRIVATE_ANONYMOUS = 0x22


def ldt_base(task: TaskState) -> int:
    """Guest address of the process's LDT, 0 before modify_ldt wrote one."""
    _selector, base, limit, _flags = X86_MMR.unpack(task.cpu.read_reg_bytes("ldtr",
                                                                           X86_MMR.size))
    return base if limit else 0


def read_ldt(task: TaskState, ptr: int, bytecount: int) -> int:
    """modify_ldt(0): copies the LDT's first bytecount bytes (all of it at most); 0 bytes
    while there is none, as under Linux and qemu 7.2."""
    base = ldt_base(task)
    if not base:
        return 0
    size = min(bytecount, LDT_ENTRIES * LDT_ENTRY_SIZE)
    write_guest(task, ptr, read_guest(task, base, size))
    return size


def ldt_descriptor(base: int, limit: int, flags: int, oldmode: bool) -> int:
    """The 8-byte descriptor Linux installs for a struct user_desc (its fill_ldt): a
    user (DPL 3) code or data segment; base 0 and limit 0 with the "empty" flags (or
    any flags in the old mode) clear the entry."""
    seg_32bit, contents = flags & 1, (flags >> 1) & 3
    read_exec_only, limit_in_pages = (flags >> 3) & 1, (flags >> 4) & 1
    seg_not_present, useable, lm = (flags >> 5) & 1, (flags >> 6) & 1, (flags >> 7) & 1
    if base == 0 and limit == 0 and (oldmode or (
            contents == 0 and read_exec_only == 1 and seg_32bit == 0
            and limit_in_pages == 0 and seg_not_present == 1 and useable == 0)):
        return 0
    base &= 0xFFFFFFFF
    low = ((base & 0xFFFF) << 16) | (limit & 0xFFFF)
    high = ((base & 0xFF000000) | ((base >> 16) & 0xFF) | (limit & 0xF0000)
            | ((read_exec_only ^ 1) << 9) | (contents << 10) | ((seg_not_present ^ 1) << 15)
            | (seg_32bit << 22) | (limit_in_pages << 23) | (lm << 21) | 0x7000)
    if not oldmode:
        high |= useable << 20
    return low | high << 32


def write_ldt(task: TaskState, ptr: int, bytecount: int, oldmode: bool) -> int:
    """modify_ldt(1) and (0x11): installs one descriptor, making the LDT (64 KiB of guest
    memory, as qemu 7.2 maps it) on first use; selectors with TI set then load it."""
    if bytecount != USER_DESC.size:
        return -errno.EINVAL
    entry, base, limit, flags = USER_DESC.unpack(read_guest(task, ptr, USER_DESC.size))
    if entry >= LDT_ENTRIES:
        return -errno.EINVAL
    contents, seg_not_present = (flags >> 1) & 3, (flags >> 5) & 1
    if contents == 3 and (oldmode or not seg_not_present):
        return -errno.EINVAL
    table = ldt_base(task)
    if not table:
        size = LDT_ENTRIES * LDT_ENTRY_SIZE
        table = task.mem.target_mmap(0, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0)
        if table < 0:
            return table
        task.cpu.write_reg_bytes("ldtr", X86_MMR.pack(0, table, size - 1, 0))
    descriptor = ldt_descriptor(base, limit, flags, oldmode)
    write_guest(task, table + entry * LDT_ENTRY_SIZE, descriptor.to_bytes(8, "little"))
    return 0


def do_modify_ldt(task: TaskState, func: int, ptr: int, bytecount: int) -> int:
    """modify_ldt as qemu-x86_64 7.2 gives it: read (0), write in the old (1) and the
    new (0x11) mode; other functions are -ENOSYS there."""
    if func == 0:
        return read_ldt(task, ptr, bytecount)
    if func in (1, 0x11):
        return write_ldt(task, ptr, bytecount, oldmode=func == 1)
    return -errno.ENOSYS


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_exit: special(do_exit, Int()),
    nr.TARGET_NR_exit_group: special(do_exit_group, Int()),
    nr.TARGET_NR_set_tid_address: special(do_set_tid_address, Addr()),
    nr.TARGET_NR_set_robust_list: special(do_enosys),
    nr.TARGET_NR_clone: special(do_clone, ULong(), Addr(), Addr(), Addr(), Addr()),
    nr.TARGET_NR_fork: special(do_fork),
    nr.TARGET_NR_vfork: special(do_vfork),
    nr.TARGET_NR_execve: special(do_execve, Path(), Addr(), Addr()),
    nr.TARGET_NR_arch_prctl: special(do_arch_prctl, Int(), Addr()),
    nr.TARGET_NR_futex: special(do_futex, Addr(), Int(), UInt(), Addr(), Addr(), UInt()),
    nr.TARGET_NR_wait4: special(do_wait4, Int(), Addr(), Int(), Out(WAIT_RUSAGE_SIZE,
                                                                    nullable=True)),
    nr.TARGET_NR_waitid: host(Int(), Int(), Out(SIGINFO_SIZE, nullable=True), Int(),
                              Out(WAIT_RUSAGE_SIZE, nullable=True)),
    nr.TARGET_NR_getpid: host(),
    nr.TARGET_NR_getppid: host(),
    nr.TARGET_NR_gettid: host(),
    nr.TARGET_NR_getuid: id_call(nr.TARGET_NR_getuid),
    nr.TARGET_NR_geteuid: id_call(nr.TARGET_NR_geteuid),
    nr.TARGET_NR_getgid: id_call(nr.TARGET_NR_getgid),
    nr.TARGET_NR_getegid: id_call(nr.TARGET_NR_getegid),
    nr.TARGET_NR_getresuid: host(Out(4), Out(4), Out(4)),
    nr.TARGET_NR_getresgid: host(Out(4), Out(4), Out(4)),
    nr.TARGET_NR_setpgid: host(Int(), Int()),
    nr.TARGET_NR_getpgid: host(Int()),
    nr.TARGET_NR_getpgrp: host(),
    nr.TARGET_NR_setsid: host(),
    nr.TARGET_NR_getsid: host(Int()),
    nr.TARGET_NR_kill: host(Int(), Int()),
    nr.TARGET_NR_tgkill: host(Int(), Int(), Int()),
    nr.TARGET_NR_tkill: host(Int(), Int()),
    # QEMU 7.2 answers these -ENOSYS without a log line: no robust futex lists (see
    # set_robust_list), and the thread-area calls exist only for 32-bit x86 guests.
    nr.TARGET_NR_get_robust_list: special(do_enosys),
    nr.TARGET_NR_set_thread_area: special(do_enosys),
    nr.TARGET_NR_get_thread_area: special(do_enosys),
    nr.TARGET_NR_modify_ldt: special(do_modify_ldt, Int(), Addr(), ULong()),
    nr.TARGET_NR_unshare: host(Int()),
    nr.TARGET_NR_setns: host(Fd(), Int()),
    nr.TARGET_NR_kcmp: special(do_kcmp, Int(), Int(), Int(), ULong(), ULong()),
    nr.TARGET_NR_pidfd_open: host(Int(), UInt()),
    nr.TARGET_NR_pidfd_getfd: host(Fd(), Int(), UInt()),
    nr.TARGET_NR_pidfd_send_signal: host(Fd(), Int(), In(SIGINFO_SIZE, nullable=True), UInt()),
}
