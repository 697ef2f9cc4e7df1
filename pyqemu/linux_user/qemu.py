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
from typing import TYPE_CHECKING, Any, Protocol

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


class TargetSigaction:
    """One guest ``struct sigaction`` as the x86_64 rt_sigaction ABI lays it out."""

    __slots__ = ("handler", "flags", "restorer", "mask")

    def __init__(self, handler: int = 0, flags: int = 0, restorer: int = 0,
                 mask: int = 0) -> None:
        self.handler = handler  # SIG_DFL
        self.flags = flags
        self.restorer = restorer
        self.mask = mask


class TargetSigaltstack:
    """The guest's alternate signal stack (``stack_t``)."""

    __slots__ = ("sp", "flags", "size")

    def __init__(self, sp: int = 0, flags: int = SS_DISABLE, size: int = 0) -> None:
        self.sp = sp
        self.flags = flags
        self.size = size


#: the guest's signal numbers, 1..TARGET_NSIG
TARGET_NSIG = 64
#: the guest's sa_handler values for the default action and for ignoring
SIG_DFL, SIG_IGN = 0, 1


class SigactTable:
    """A process's signal actions (QEMU's sigact_table), shared by its threads, in C
    memory: 64 host.h ``target_sigaction``s, signal n's at [n - 1], which the C host's
    rt_sigaction (syscall-signal.c) reads and changes too."""

    __slots__ = ("c_table",)

    def __init__(self) -> None:
        from pyqemu.host import ffi, lib

        self.c_table = ffi.new("target_sigaction[]", TARGET_NSIG)
        # the signals the host ignored when the emulator started stay ignored, as
        # qemu's signal_init starts them (nohup, a shell's background job)
        inherited = lib.cpu_signal_inherited_ignored()
        for sig in range(1, TARGET_NSIG + 1):
            if inherited >> (sig - 1) & 1:
                self.c_table[sig - 1].handler = SIG_IGN

    def get(self, sig: int) -> TargetSigaction:
        """The action for ``sig`` (SIG_DFL, all zero, when never set)."""
        entry = self.c_table[sig - 1]
        return TargetSigaction(entry.handler, entry.flags, entry.restorer, entry.mask)

    def set(self, sig: int, action: TargetSigaction) -> None:
        from pyqemu.host import lib

        entry = self.c_table[sig - 1]
        entry.handler, entry.flags = action.handler, action.flags
        entry.restorer, entry.mask = action.restorer, action.mask
        lib.cpu_signal_sync_host(self.c_table, sig)    # the host's disposition follows

    def reset(self, sig: int) -> None:
        """Back to SIG_DFL (SA_RESETHAND)."""
        self.set(sig, TargetSigaction())


def new_task_signals() -> Any:
    """A task's signal state in C memory (host.h's TaskSignals: the mask, the queued
    signals), which syscalls served in C read and change too: one mask for both."""
    from pyqemu.host import ffi

    return ffi.new("TaskSignals *")


class PendingSignals:
    """Signals queued for the task, each with its siginfo bytes (QEMU's sigtab).

    The C host reads which signals are queued (TaskSignals.queued) to leave an
    rt_sigprocmask that unblocks one to Python, which then delivers it: so the
    queue changes only through ``add``, ``take`` and assigning ``queue``.
    """

    __slots__ = ("_queue", "_signals")

    def __init__(self, signals: Any) -> None:
        self._queue: list[tuple[int, bytes]] = []
        self._signals = signals

    @property
    def queue(self) -> list[tuple[int, bytes]]:
        """The queued signals in order (read it; change it through the methods)."""
        return self._queue

    @queue.setter
    def queue(self, entries: list[tuple[int, bytes]]) -> None:
        self._queue = entries
        bits = 0
        for sig, _info in entries:
            bits |= 1 << (sig - 1)
        self._signals.queued = bits

    def holds(self, sig: int) -> bool:
        """Is sig queued?"""
        return bool(self._signals.queued & 1 << (sig - 1))

    def add(self, sig: int, info: bytes) -> None:
        self._queue.append((sig, info))
        self._signals.queued |= 1 << (sig - 1)

    def take(self, index: int) -> tuple[int, bytes]:
        entry = self._queue.pop(index)
        self.queue = self._queue
        return entry


def _new_cpu_list() -> CpuList:
    from pyqemu.accel.cpus import CpuList

    return CpuList()


class GuestProcess:
    """What the threads of one guest process share.

    Attributes:
        end_process: called by a non-main thread that ends the process: (status or
            -signal).
    """

    __slots__ = ("cpus", "live_threads", "lock", "end_process")

    def __init__(self, end_process: Callable[[int], None] | None = None) -> None:
        self.cpus: CpuList = _new_cpu_list()
        self.live_threads = 1
        self.lock = threading.Lock()
        self.end_process = end_process


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
        sigactions: the guest's rt_sigaction table, by signal number (its process's).
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
        start_boottime: clock ticks from boot to the program's start, which the guest's
            /proc/self/stat shows (QEMU's ts->start_boottime: set for the first thread,
            0 in the TaskState of a thread it creates).
    """

    def __init__(self, *, mem: GuestMemory, cpu: X86CPU, exe_path: str,
                 argv: list[str] | None = None, image: ImageInfo | None = None,
                 child_tidptr: int = 0, clear_child_tid: int = 0,
                 sigactions: SigactTable | None = None, sigmask: int = 0,
                 strace: bool = False, unimp_log: bool = False,
                 log_write: Callable[[str], None] = _write_stderr,
                 path_prefix: bytes = b"", target: TargetArch | None = None,
                 process: GuestProcess | None = None) -> None:
        self.mem = mem
        self.cpu = cpu
        self.exe_path = exe_path
        self.argv: list[str] = [] if argv is None else argv
        self.image = image
        self.child_tidptr = child_tidptr
        self.clear_child_tid = clear_child_tid
        self.sigactions = SigactTable() if sigactions is None else sigactions
        #: the signal state C shares (TaskSignals): sigmask reads and writes its mask
        self.signals = new_task_signals()
        self.signals.actions = self.sigactions.c_table
        self.sigmask = sigmask
        self.sigaltstack = TargetSigaltstack()
        self.sigsuspend_mask: int | None = None
        self.strace = strace
        self.unimp_log = unimp_log
        self.log_write = log_write
        self.sigreturn: Callable[[], int] = _no_sigreturn
        self.clone_thread: Callable[[int, int, int, int, int], int] = _no_clone_thread
        self.path_prefix = path_prefix
        self.target: TargetArch = _default_target() if target is None else target
        self.process: GuestProcess = GuestProcess() if process is None else process
        self.pending_signals = PendingSignals(self.signals)
        self.exit_request: Exception | None = None
        self.start_boottime = 0

    @property
    def sigmask(self) -> int:
        """The guest's blocked-signal mask (bit n-1 for signal n), kept in C memory."""
        mask: int = self.signals.mask
        return mask

    @sigmask.setter
    def sigmask(self, mask: int) -> None:
        old = self.signals.mask
        self.signals.mask = mask
        if old != mask:
            from pyqemu.host import lib

            # the host's dispositions of the signals whose default is the kernel's follow
            lib.cpu_signal_mask_changed(self.signals, old)

    def log(self, line: str) -> None:
        """Write one line to qemu's log (an instance may replace this callable)."""
        self.log_write(line + "\n")

    def get_sigaction(self, sig: int) -> TargetSigaction:
        """The guest's action for ``sig`` (SIG_DFL when never set)."""
        return self.sigactions.get(sig)
