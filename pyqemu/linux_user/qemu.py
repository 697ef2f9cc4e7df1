# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-task state of a Linux guest: mirrors QEMU's TaskState in linux-user/qemu.h.

One TaskState exists per guest thread.  The syscall layer reads and updates it;
the execution loop owns the CPU and catches GuestExit.  Signal delivery and
threads belong to the loop, which plugs into the ``sigreturn`` and
``clone_thread`` hooks.  Everything a task carries is a declared, typed field:
its target, its process (what its threads share) and its queue of pending
signals (QEMU's sigtab) included.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pyqemu.accel.cpu import X86CPU
    from pyqemu.accel.cpus import CpuList
    from pyqemu.linux_user.arch import TargetArch
    from pyqemu.linux_user.elfload import ImageInfo
    from pyqemu.linux_user.mmap import GuestMemory

#: Linux's default alternate signal stack state: no stack, SS_DISABLE.
SS_DISABLE = 2


class GuestExit(Exception):
    """The guest called exit (one thread) or exit_group (the whole process).

    This is control flow, not an error: do_syscall raises it and the execution
    loop catches it.  ``status`` is the int the guest passed; the host exit
    status is ``status & 0xff``.
    """

    def __init__(self, status: int, group: bool) -> None:
        super().__init__(f"guest {'exit_group' if group else 'exit'}({status})")
        self.status = status
        self.group = group


class CpuState(Protocol):
    """What the syscall layer needs from a vCPU (the engine implements it)."""

    def get_fs_base(self) -> int: ...
    def set_fs_base(self, value: int) -> None: ...
    def get_gs_base(self) -> int: ...
    def set_gs_base(self, value: int) -> None: ...
    def read_reg(self, name: str) -> int: ...
    def write_reg(self, name: str, value: int) -> None: ...


@dataclass
class TargetSigaction:
    """One guest ``struct sigaction`` as the x86_64 rt_sigaction ABI lays it out."""

    handler: int = 0  # SIG_DFL
    flags: int = 0
    restorer: int = 0
    mask: int = 0


@dataclass
class TargetSigaltstack:
    """The guest's alternate signal stack (``stack_t``)."""

    sp: int = 0
    flags: int = SS_DISABLE
    size: int = 0


@dataclass
class PendingSignals:
    """Signals queued for the task, each with its siginfo bytes (QEMU's sigtab)."""

    queue: list[tuple[int, bytes]] = field(default_factory=list)


def _new_cpu_list() -> CpuList:
    from pyqemu.accel.cpus import CpuList

    return CpuList()


@dataclass
class GuestProcess:
    """What the threads of one guest process share."""

    cpus: CpuList = field(default_factory=_new_cpu_list)
    live_threads: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: called by a non-main thread that ends the process: (status or -signal)
    end_process: Callable[[int], None] | None = None


def _default_target() -> TargetArch:
    from pyqemu.linux_user import arch

    return arch.get("x86_64")


def _write_stderr(text: str) -> None:
    # qemu's log is unbuffered stderr: write straight to fd 2 so the lines
    # interleave with the guest's own output in the order they happen.
    data = text.encode(errors="replace")
    while data:
        data = data[os.write(2, data):]


def _no_sigreturn() -> int:
    return -errno.ENOSYS


def _no_clone_thread(flags: int, newsp: int, parent_tid: int, child_tid: int, tls: int) -> int:
    return -errno.ENOSYS


@dataclass
class TaskState:
    """State of one guest task (QEMU: ``TaskState``).

    Attributes:
        mem: the guest address space (shared by all threads of a process).
        cpu: the vCPU running this task (the syscall layer uses only CpuState's part).
        exe_path: host path of the guest program, absolute, as readlink of
            /proc/self/exe must answer.
        argv: the guest's argv.
        image: the loader's ImageInfo (start_brk, brk, ...), or None.
        child_tidptr: where CLONE_CHILD_SETTID asked the child's tid be stored.
        clear_child_tid: set_tid_address / CLONE_CHILD_CLEARTID address, 0 if none.
        sigactions: the guest's rt_sigaction table, by signal number.
        sigmask: the guest's blocked-signal mask (bit n-1 for signal n).
        sigaltstack: the guest's alternate signal stack.
        sigsuspend_mask: while rt_sigsuspend's temporary mask is in place, the mask it
            replaced, which the next signal frame saves (QEMU's sigsuspend_mask); else None.
        strace: print each syscall in QEMU's ``-strace`` format.
        unimp_log: log unimplemented syscalls and ioctls (QEMU's ``-d unimp``).
        log_write: writes text verbatim to qemu's log (stderr by default);
            strace uses it because a call and its result are printed apart.
        log (method): writes one line (the newline is added) to qemu's log.
        sigreturn: hook for rt_sigreturn; returns the value for RAX.
        clone_thread: hook for clone with CLONE_VM (threads); returns the new
            tid in the parent or -errno.
        path_prefix: qemu's -L directory, where absolute guest paths are looked up first
            (b"": none; syscall.args.path_prefix makes it from the option).
        target: the guest architecture this task runs (x86_64 unless given).
        process: what this task's threads share (a new process of one thread unless given).
        pending_signals: the signals queued for this task.
        exit_request: the exit or fatal signal a syscall asked for, which the CPU loop
            acts on once the vCPU has stopped (GuestExit or GuestSignal), else None.
    """

    mem: GuestMemory
    cpu: X86CPU
    exe_path: str
    argv: list[str] = field(default_factory=list)
    image: ImageInfo | None = None
    child_tidptr: int = 0
    clear_child_tid: int = 0
    sigactions: dict[int, TargetSigaction] = field(default_factory=dict)
    sigmask: int = 0
    sigaltstack: TargetSigaltstack = field(default_factory=TargetSigaltstack)
    sigsuspend_mask: int | None = None
    strace: bool = False
    unimp_log: bool = False
    log_write: Callable[[str], None] = _write_stderr
    sigreturn: Callable[[], int] = _no_sigreturn
    clone_thread: Callable[[int, int, int, int, int], int] = _no_clone_thread
    path_prefix: bytes = b""
    target: TargetArch = field(default_factory=_default_target)
    process: GuestProcess = field(default_factory=GuestProcess)
    pending_signals: PendingSignals = field(default_factory=PendingSignals)
    exit_request: Exception | None = None

    def log(self, line: str) -> None:
        """Write one line to qemu's log (an instance may replace this callable)."""
        self.log_write(line + "\n")

    def get_sigaction(self, sig: int) -> TargetSigaction:
        """The guest's action for ``sig`` (SIG_DFL when never set)."""
        return self.sigactions.get(sig) or TargetSigaction()
