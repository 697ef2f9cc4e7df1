# SPDX-License-Identifier: GPL-2.0-or-later
"""Signal delivery to the guest: mirrors QEMU's linux-user/signal.c.

Host signals meant for the guest are caught in C (cpu_signal_catch), which
stops the vCPU at the next block boundary; CPU faults arrive as exits of
cpu_exec.  Either way ``queue_signal`` records the signal with its siginfo,
and ``process_pending_signals`` delivers the unblocked ones: a guest handler
gets an rt_sigframe (the architecture's ``setup_rt_frame``), SIG_IGN and
ignore-by-default signals are dropped, and the rest end the process the way
qemu-x86_64 ends (``GuestSignal``).
"""

from __future__ import annotations

import os
import signal
import struct
from typing import TYPE_CHECKING

from pyqemu.errors import GuestFault
from pyqemu.linux_user.qemu import SIG_DFL, SIG_IGN

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

SA_SIGINFO = 0x4
SA_ONSTACK = 0x08000000
SA_RESTORER = 0x04000000
SA_NODEFER = 0x40000000
SA_RESETHAND = 0x80000000
SS_DISABLE = 2

SI_USER, SI_KERNEL, SI_TKILL = 0, 0x80, -6
SEGV_MAPERR, SEGV_ACCERR = 1, 2
ILL_ILLOPN = 2
FPE_INTDIV = 1
TRAP_BRKPT = 1

#: rt_sigreturn's return value, telling the loop the registers are restored
#: (QEMU's -QEMU_ESIGRETURN).
QEMU_ESIGRETURN = 513
SIGINFO_SIZE = 128
#: bits a handler's sa_mask never adds to the mask: SIGKILL, SIGSTOP, 63 and 64
NEVER_BLOCKED = ((1 << (signal.SIGKILL - 1)) | (1 << (signal.SIGSTOP - 1)) | (1 << (63 - 1))
                 | (1 << (64 - 1)))
#: the first real-time signal: those below it are queued once (Linux's SIGRTMIN)
TARGET_SIGRTMIN = 32

# Signals whose default action is to do nothing.
DEFAULT_IGNORE = {signal.SIGCHLD, signal.SIGURG, signal.SIGWINCH, signal.SIGCONT}
# Their default action stops the process (job control).
JOB_CONTROL_STOPS = {signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU}
# Signals the emulator itself needs (its own faults) or cannot catch.
NOT_FORWARDED = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGKILL,
                 signal.SIGSTOP, signal.SIGTRAP}


class GuestSignal(Exception):
    """The guest dies of ``sig`` (its action is the default, terminate)."""

    def __init__(self, sig: int) -> None:
        super().__init__(f"guest signal {sig}")
        self.sig = sig


def make_siginfo(sig: int, code: int, addr: int = 0, pid: int = 0, uid: int = 0) -> bytes:
    """A guest siginfo_t: signo, errno, code, then the union (fault address or sender)."""
    head = struct.pack("<iii4x", sig, 0, code)
    if addr:
        return head + struct.pack("<Q", addr)
    return head + struct.pack("<iI", pid, uid)


def host_signal_init() -> None:
    """Give the guest every host signal it may receive (QEMU's signal_init): one the host
    ignored stays ignored, the guest's action starting as SIG_IGN (host/user-signal.c).

    SIGPIPE and SIGXFSZ start at their default: CPython ignores them itself at start-up,
    so whether the emulator's parent did is not known here (qemu, a C program, sees it).
    """
    from pyqemu.host import lib

    for sig in range(1, signal.NSIG):
        if sig in NOT_FORWARDED:
            continue
        lib.cpu_signal_catch(sig)


def queue_signal(task: TaskState, sig: int, info: bytes) -> None:
    """Queue sig for the task; a standard signal (below SIGRTMIN) already queued is not
    queued twice, as Linux keeps one of each pending (and QEMU's sigtab one per signal).

    Without that, a timer faster than the guest's handler grew the queue without end
    (tests/linux_user/test_signals_after_sigreturn.py hung on a loaded machine).
    """
    pending = task.pending_signals
    if sig < TARGET_SIGRTMIN and pending.holds(sig):
        return
    pending.add(sig, info)


def take_host_signals(task: TaskState) -> None:
    """Move the signals C caught into the task's queue, each with the host's siginfo.

    Guest and host share siginfo_t's layout, so the guest sees what the kernel said
    (the sender of a kill, a timer's id and value, sigqueue's value), as QEMU passes it on.
    """
    from pyqemu.host import ffi, lib

    info = ffi.new("uint8_t[]", SIGINFO_SIZE)
    while sig := lib.cpu_signal_take(info):
        queue_signal(task, sig, bytes(ffi.buffer(info)))


def deliver_signal(task: TaskState, sig: int, info: bytes, trapno: int = 0,
                   cr2: int = 0, err: int = 0) -> None:
    """Run the guest's action for sig now; raises GuestSignal when it is fatal."""
    if task.strace:
        from pyqemu.linux_user.strace import print_taken_signal

        print_taken_signal(task, sig, info)
    action = task.get_sigaction(sig)
    if signal_ignored(task, sig):
        return
    if action.handler == SIG_DFL and sig in JOB_CONTROL_STOPS:
        os.kill(os.getpid(), signal.SIGSTOP)    # as qemu does: the process stops, then goes on
        return
    if action.handler == SIG_DFL or action.handler == SIG_IGN:
        raise GuestSignal(sig)
    target = task.target
    restorer = action.restorer
    if not action.flags & SA_RESTORER or not target.sigaction_has_restorer:
        # QEMU's sigtramp page where the target has one; x86_64 needs sa_restorer
        restorer = task.mem.sigtramp
        if not restorer:
            raise GuestSignal(signal.SIGSEGV)   # the kernel's force_sigsegv
    stack_top = None
    alt = task.sigaltstack
    rsp = task.cpu.read_reg(target.sp_reg)
    on_alt = alt.size and 0 <= rsp - alt.sp < alt.size
    if action.flags & SA_ONSTACK and alt.size and not on_alt and not alt.flags & SS_DISABLE:
        stack_top = alt.sp + alt.size
    # the frame keeps the mask to return to: rt_sigsuspend's caller's, not its temporary one
    old_mask = task.sigmask if task.sigsuspend_mask is None else task.sigsuspend_mask
    task.sigsuspend_mask = None
    try:
        target.setup_rt_frame(task.cpu, task.mem, sig, action.handler, restorer, info,
                              old_mask, stack_top,
                              (alt.sp, alt.flags if alt.size else SS_DISABLE, alt.size),
                              trapno, cr2, err)
    except GuestFault:
        raise GuestSignal(signal.SIGSEGV) from None
    # sa_mask as qemu applies it, through a host sigset: never SIGKILL, SIGSTOP or the
    # signals without a host signal (syscall/signal.py's QEMU_UNMAPPED_SIGNALS)
    task.sigmask |= action.mask & ~NEVER_BLOCKED
    if not action.flags & SA_NODEFER:
        task.sigmask |= 1 << (sig - 1)
    if action.flags & SA_RESETHAND:
        task.sigactions.reset(sig)


def signal_ignored(task: TaskState, sig: int) -> bool:
    """Does delivering sig do nothing (SIG_IGN, or SIG_DFL of an ignore-by-default signal)?

    SIG_IGN does not ignore a synchronous fault: the kernel forces its default action.
    """
    action = task.get_sigaction(sig)
    if action.handler == SIG_IGN:
        return sig not in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE)
    return action.handler == SIG_DFL and sig in DEFAULT_IGNORE


def has_deliverable(task: TaskState) -> bool:
    """Is a queued signal no longer blocked (after a syscall changed the mask)?"""
    pending = task.pending_signals
    return any(not task.sigmask & (1 << (sig - 1)) for sig, _info in pending.queue)


def process_pending_signals(task: TaskState) -> None:
    """Deliver every queued signal that the guest does not block, the lowest number
    first, as Linux and qemu take them (each taken signal's frame goes on top of the
    last, so unblocked handlers run from the highest number down); the queued ones of
    one real-time signal keep their order."""
    pending = task.pending_signals
    queue = sorted(pending.queue, key=lambda entry: entry[0])
    pending.queue = []
    for sig, info in queue:
        if task.sigmask & (1 << (sig - 1)):
            pending.add(sig, info)
        else:
            deliver_signal(task, sig, info)
    if task.sigsuspend_mask is not None:     # no handler ran: the caller's mask comes back
        task.sigmask, task.sigsuspend_mask = task.sigsuspend_mask, None


def do_rt_sigreturn(task: TaskState) -> int:
    """rt_sigreturn: restore the interrupted context saved by setup_rt_frame."""
    try:
        mask = task.target.restore_rt_frame(task.cpu, task.mem)
    except GuestFault:
        raise GuestSignal(signal.SIGSEGV) from None
    task.sigmask = mask & ~((1 << (signal.SIGKILL - 1)) | (1 << (signal.SIGSTOP - 1)))
    return -QEMU_ESIGRETURN
