# SPDX-License-Identifier: GPL-2.0-or-later
"""Signal-state syscalls: mirrors do_sigaction, do_sigprocmask and do_sigaltstack of QEMU's
linux-user/signal.c, as far as they keep the guest's tables.

No host handler is installed and the host mask is left alone: delivering
signals to the guest belongs to the execution loop, which reads the tables
kept here in TaskState and serves rt_sigreturn through ``task.sigreturn``.
"""

from __future__ import annotations

import errno
import struct
import time
from typing import TYPE_CHECKING

from pyqemu.linux_user.qemu import SS_DISABLE, TargetSigaction, TargetSigaltstack
from pyqemu.linux_user.syscall.args import (
    Addr,
    In,
    Int,
    Size,
    check_guest_range,
    read_guest,
    write_guest,
)
from pyqemu.linux_user.syscall.defs import SyscallDef, host, special
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

TARGET_NSIG = 64
SIGKILL = 9
SIGSTOP = 19
#: Signals whose action and blocking the kernel never lets a task change.
UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1))
SIGSET_SIZE = 8
#: Guest signals 63 and 64: qemu-x86_64 7.2 maps guest real-time signals two host signals
#: up (it keeps SIGRTMIN and SIGRTMIN+1 for itself), so these two have no host signal and
#: drop out of the blocked mask (tests/linux_user/test_fast_syscalls.py, against qemu).
QEMU_UNMAPPED_SIGNALS = (1 << (63 - 1)) | (1 << (64 - 1))

SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2

# struct sigaction as rt_sigaction takes it on x86_64: handler, flags, restorer, mask;
# without SA_RESTORER (riscv64) there is no restorer field.
SIGACTION_FORMAT = "<QQQQ"
SIGACTION_SIZE = struct.calcsize(SIGACTION_FORMAT)
SIGACTION_NO_RESTORER_SIZE = 24


def _read_sigaction(task: TaskState, addr: int) -> tuple[int, int, int, int]:
    if task.target.sigaction_has_restorer:
        return struct.unpack(SIGACTION_FORMAT, read_guest(task, addr, SIGACTION_SIZE))
    handler, flags, mask = struct.unpack("<QQQ", read_guest(task, addr,
                                                            SIGACTION_NO_RESTORER_SIZE))
    return handler, flags, 0, mask


def _sigaction_bytes(task: TaskState, action: TargetSigaction) -> bytes:
    if task.target.sigaction_has_restorer:
        return struct.pack(SIGACTION_FORMAT, action.handler, action.flags, action.restorer,
                           action.mask)
    return struct.pack("<QQQ", action.handler, action.flags, action.mask)
# stack_t: ss_sp, ss_flags (int, padded), ss_size.
STACK_T_FORMAT = "<Qi4xQ"
STACK_T_SIZE = struct.calcsize(STACK_T_FORMAT)
SS_ONSTACK = 1
SS_AUTODISARM = 1 << 31
MINSIGSTKSZ = 2048


def do_rt_sigaction(task: TaskState, sig: int, act: int, oldact: int, sigsetsize: int) -> int:
    """rt_sigaction: read or replace the guest's action for ``sig``."""
    if sigsetsize != SIGSET_SIZE:
        return -errno.EINVAL
    if sig < 1 or sig > TARGET_NSIG or (act and sig in (SIGKILL, SIGSTOP)):
        return -errno.EINVAL
    new = None
    if act:
        handler, flags, restorer, mask = _read_sigaction(task, act)
        # kept as given, SIGKILL's and SIGSTOP's bits too, as qemu 7.2 keeps it (Linux
        # drops them); delivery leaves them out of the mask (signal.deliver_signal)
        new = TargetSigaction(handler, flags, restorer, mask)
    if oldact:
        check_guest_range(task, oldact, len(_sigaction_bytes(task, TargetSigaction())), True)
    old = task.get_sigaction(sig)
    if new is not None:
        task.sigactions.set(sig, new)
    if oldact:
        write_guest(task, oldact, _sigaction_bytes(task, old))
    return 0


def do_rt_sigprocmask(task: TaskState, how: int, newset: int, oldset: int,
                      sigsetsize: int) -> int:
    """rt_sigprocmask: change the guest's blocked mask (SIGKILL/SIGSTOP stay unblocked).

    In qemu 7.2's order: the how, then the new set is read, the mask changed, and only
    then the old mask stored (an unwritable old set is EFAULT with the mask changed).
    Signals 63 and 64 never stay blocked: qemu keeps the mask as a host sigset, where
    they have no host signal (QEMU_UNMAPPED_SIGNALS).  syscall-signal.c serves the same
    call in C on the task's shared mask.
    """
    if sigsetsize != SIGSET_SIZE:
        return -errno.EINVAL
    old = task.sigmask
    if newset:
        if how not in (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK):
            return -errno.EINVAL
        (bits,) = struct.unpack("<Q", read_guest(task, newset, SIGSET_SIZE))
        if how == SIG_BLOCK:
            mask = old | bits
        elif how == SIG_UNBLOCK:
            mask = old & ~bits
        else:
            mask = bits
        task.sigmask = mask & ~(UNBLOCKABLE | QEMU_UNMAPPED_SIGNALS)
    if oldset:
        write_guest(task, oldset, struct.pack("<Q", old))
    return 0


def _on_altstack(task: TaskState, stack: TargetSigaltstack) -> bool:
    if stack.size == 0:
        return False
    return 0 <= task.cpu.read_reg(task.target.sp_reg) - stack.sp < stack.size


def do_sigaltstack(task: TaskState, new_ss: int, old_ss: int) -> int:
    """sigaltstack: set or read the guest's alternate signal stack."""
    current = task.sigaltstack
    on_stack = _on_altstack(task, current)
    if on_stack:
        old_flags = SS_ONSTACK
    else:
        old_flags = SS_DISABLE if current.size == 0 else 0
    old_flags |= current.flags & SS_AUTODISARM
    if old_ss:
        check_guest_range(task, old_ss, STACK_T_SIZE, True)
    if new_ss:
        sp, flags, size = struct.unpack(STACK_T_FORMAT, read_guest(task, new_ss, STACK_T_SIZE))
        if on_stack:
            return -errno.EPERM
        mode = flags & ~SS_AUTODISARM
        if mode not in (0, SS_ONSTACK, SS_DISABLE):
            return -errno.EINVAL
        if mode == SS_DISABLE:
            task.sigaltstack = TargetSigaltstack(0, SS_DISABLE, 0)
        else:
            if size < MINSIGSTKSZ:
                return -errno.ENOMEM
            task.sigaltstack = TargetSigaltstack(sp, flags & SS_AUTODISARM, size)
    if old_ss:
        write_guest(task, old_ss, struct.pack(STACK_T_FORMAT, current.sp, old_flags,
                                              current.size))
    return 0


def do_rt_sigreturn(task: TaskState) -> int:
    """rt_sigreturn: the execution loop restores the frame it built."""
    return task.sigreturn()


def do_pause(task: TaskState) -> int:
    """pause(): wait for a signal the guest catches; the handler runs, then -EINTR."""
    from pyqemu.host import lib

    lib.cpu_signal_wait()
    return -errno.EINTR


def do_rt_sigsuspend(task: TaskState, mask: int, sigsetsize: int) -> int:
    """rt_sigsuspend: wait, under a temporary mask, for a signal the guest handles.

    The temporary mask stays in place while the signal is delivered after the syscall
    returns -EINTR, and the handler's frame saves the caller's mask (task.sigsuspend_mask),
    as the kernel's set_restore_sigmask does.  Signals that would be ignored are dropped
    without ending the wait.
    """
    from pyqemu.host import lib
    from pyqemu.linux_user.signal import has_deliverable, signal_ignored, take_host_signals

    if sigsetsize != SIGSET_SIZE:
        return -errno.EINVAL
    (bits,) = struct.unpack("<Q", read_guest(task, mask, SIGSET_SIZE))
    task.sigsuspend_mask = task.sigmask
    task.sigmask = bits & ~UNBLOCKABLE
    pending = task.pending_signals
    while True:
        take_host_signals(task)
        pending.queue = [(sig, info) for sig, info in pending.queue
                         if task.sigmask & (1 << (sig - 1)) or not signal_ignored(task, sig)]
        if has_deliverable(task):
            return -errno.EINTR
        lib.cpu_signal_wait()


SIGINFO_SIZE = 128
TIMESPEC_SIZE = 16
#: How often a timed rt_sigtimedwait looks for a signal while it waits.
SIGTIMEDWAIT_POLL = 0.005


def _pending_set(task: TaskState) -> int:
    from pyqemu.linux_user.signal import take_host_signals

    take_host_signals(task)
    bits = 0
    for sig, _info in task.pending_signals.queue:
        bits |= 1 << (sig - 1)
    return bits


def do_rt_sigpending(task: TaskState, setp: int, sigsetsize: int) -> int:
    """rt_sigpending: the guest's queued signals that it blocks."""
    if sigsetsize > SIGSET_SIZE:
        return -errno.EINVAL
    check_guest_range(task, setp, SIGSET_SIZE, True)
    write_guest(task, setp, struct.pack("<Q", _pending_set(task) & task.sigmask))
    return 0


def do_rt_sigtimedwait(task: TaskState, setp: int, info: int, timeout: int,
                       sigsetsize: int) -> int:
    """rt_sigtimedwait: take a queued signal of the set, waiting until the timeout.

    A signal outside the set that the guest handles ends the wait with -EINTR (its
    handler runs as the syscall returns); the timeout ends it with -EAGAIN.
    """
    from pyqemu.host import lib
    from pyqemu.linux_user.signal import has_deliverable

    if sigsetsize != SIGSET_SIZE:
        return -errno.EINVAL
    (wanted,) = struct.unpack("<Q", read_guest(task, setp, SIGSET_SIZE))
    wanted &= ~UNBLOCKABLE
    deadline = None
    if timeout:
        seconds, nanoseconds = struct.unpack("<qq", read_guest(task, timeout, TIMESPEC_SIZE))
        if seconds < 0 or not 0 <= nanoseconds < 1_000_000_000:
            return -errno.EINVAL
        deadline = time.monotonic() + seconds + nanoseconds / 1e9
    if info:
        check_guest_range(task, info, SIGINFO_SIZE, True)
    pending = task.pending_signals
    while True:
        if _pending_set(task) & wanted:
            index = next(i for i, (sig, _) in enumerate(pending.queue)
                         if wanted & (1 << (sig - 1)))
            sig, siginfo = pending.take(index)
            if info:
                write_guest(task, info, siginfo.ljust(SIGINFO_SIZE, b"\0"))
            return sig
        if has_deliverable(task):
            return -errno.EINTR
        if deadline is None:
            lib.cpu_signal_wait()
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                return -errno.EAGAIN
            time.sleep(min(left, SIGTIMEDWAIT_POLL))


SYSCALLS: dict[int, SyscallDef] = {
    nr.TARGET_NR_pause: special(do_pause),
    nr.TARGET_NR_rt_sigsuspend: special(do_rt_sigsuspend, Addr(), Size()),
    nr.TARGET_NR_rt_sigaction: special(do_rt_sigaction, Int(), Addr(), Addr(), Size()),
    nr.TARGET_NR_rt_sigprocmask: special(do_rt_sigprocmask, Int(), Addr(), Addr(), Size()),
    nr.TARGET_NR_sigaltstack: special(do_sigaltstack, Addr(), Addr()),
    nr.TARGET_NR_rt_sigreturn: special(do_rt_sigreturn),
    nr.TARGET_NR_rt_sigpending: special(do_rt_sigpending, Addr(), Size()),
    nr.TARGET_NR_rt_sigtimedwait: special(do_rt_sigtimedwait, Addr(), Addr(), Addr(), Size()),
    # Signals sent to other processes (or threads) go through the host kernel.
    nr.TARGET_NR_rt_sigqueueinfo: host(Int(), Int(), In(SIGINFO_SIZE)),
    nr.TARGET_NR_rt_tgsigqueueinfo: host(Int(), Int(), Int(), In(SIGINFO_SIZE)),
}
