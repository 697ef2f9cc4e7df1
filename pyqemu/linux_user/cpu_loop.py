# SPDX-License-Identifier: GPL-2.0-or-later
"""The CPU loop every guest shares: mirrors the common shape of QEMU's
linux-user/<arch>/cpu_loop.c.

One guest thread runs ``cpu_loop``: guest code runs in C until it stops;
syscalls are served from the C hook, by the C host's pass-through table
(host/syscall.c, ``start_fast_syscalls``) or through ``handle_syscall``; CPU
exceptions become guest signals through the architecture's ``deliver_fault``
(linux-user/<arch>/cpu_loop.py); pending signals are delivered between
blocks.  The loop ends when the thread exits (``ThreadExit``), the process
exits (``ProcessExit``) or dies of a signal (``GuestSignal``).
"""

from __future__ import annotations

import errno
import functools
import os
import signal
from typing import TYPE_CHECKING, Any

from pyqemu.accel.cpu import REGS_SET, SET_RET, STOP, SyscallResult
from pyqemu.errors import PyqemuError
from pyqemu.host import lib
from pyqemu.linux_user import arch
from pyqemu.linux_user.qemu import GuestExit
from pyqemu.linux_user.signal import (
    QEMU_ESIGRETURN,
    GuestSignal,
    deliver_signal,
    has_deliverable,
    make_siginfo,
    process_pending_signals,
    take_host_signals,
)
from pyqemu.linux_user.syscall import do_syscall

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

# Syscalls that change the address space: run while no other vCPU runs.
MEMORY_SYSCALL_NAMES = ("mmap", "munmap", "mprotect", "mremap", "brk", "madvise", "shmat",
                        "shmdt")


class ThreadExit(Exception):
    """This guest thread called exit with ``status`` (other threads go on)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"thread exit status {status}")
        self.status = status


class ProcessExit(Exception):
    """The guest process ends with ``status`` (exit_group, or the last exit)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"exit status {status}")
        self.status = status


@functools.cache
def memory_syscalls(target: str) -> frozenset[int]:
    """The guest numbers of MEMORY_SYSCALL_NAMES for ``target``."""
    nr = arch.get(target).syscall_nr
    return frozenset(getattr(nr, f"TARGET_NR_{name}") for name in MEMORY_SYSCALL_NAMES
                     if hasattr(nr, f"TARGET_NR_{name}"))


def handle_syscall(task: TaskState, num: int, args: tuple[int, ...]) -> SyscallResult:
    """Serve one syscall from the C hook; the vCPU is out of guest code meanwhile."""
    cpu = task.cpu
    cpus = task.process.cpus
    cpus.exec_end(cpu)
    try:
        if num in memory_syscalls(task.target.name) and len(cpus.cpus) > 1:
            with cpus.exclusive(cpu):
                ret = do_syscall(task, num, *args)
        else:
            ret = do_syscall(task, num, *args)
    except GuestExit as exc:
        task.exit_request = exc
        return SyscallResult(STOP)
    except GuestSignal as exc:
        task.exit_request = exc
        return SyscallResult(STOP)
    finally:
        cpus.exec_start(cpu)
    if has_deliverable(task):
        lib.qemu_cpu_kick(cpu.handle)   # deliver before the next block, as cpu_loop does
    if ret == -QEMU_ESIGRETURN:
        return SyscallResult(REGS_SET)
    ret &= 2**64 - 1
    return SyscallResult(SET_RET, ret - 2**64 if ret >= 2**63 else ret)


def ffi_error(err: int) -> str:
    from pyqemu.host import ffi

    return ffi.string(lib.cpu_strerror(err)).decode()


# --- what every architecture's deliver_fault shares ---
SEGV_MAPERR, SEGV_ACCERR = 1, 2


def segv_siginfo(task: TaskState, addr: int) -> tuple[int, bytes]:
    """SIGSEGV at ``addr``: SEGV_ACCERR where something is mapped, else SEGV_MAPERR."""
    mapped = task.mem.find_region(addr) is not None
    return signal.SIGSEGV, make_siginfo(signal.SIGSEGV, SEGV_ACCERR if mapped else SEGV_MAPERR,
                                        addr=addr)


def engine_error(info: Any) -> PyqemuError:
    """The error for an engine stop that no guest signal explains (info: the vCPU's
    cffi ``cpu_exit_info``)."""
    err = info.uc_err
    text = ffi_error(err) if err else errno.errorcode[errno.EFAULT]
    return PyqemuError(f"engine error at {info.pc:#x}: {text}")


def deliver_sync_signal(task: TaskState, sig: int, siginfo: bytes, trapno: int,
                        fault_addr: int, err: int = 0) -> None:
    """Deliver a CPU exception's signal at once; blocked, it kills, as in the kernel.
    ``err`` is the exception's error code, which an x86 frame keeps."""
    if task.sigmask & (1 << (sig - 1)):
        raise GuestSignal(sig)
    deliver_signal(task, sig, siginfo, trapno, fault_addr, err)


def fast_syscalls_allowed(task: TaskState) -> bool:
    """May the C host serve pass-through syscalls itself (host/syscall.c)?

    Only where its table holds (an x86_64 guest on an x86_64 host: numbers and
    structs are the host's) and nothing must see each syscall in Python (-strace).
    Plugins' syscall callbacks are called from C on both paths, pending signals and
    every other special case send single calls to Python from the C side.
    """
    return (task.target.name == "x86_64" and os.uname().machine == "x86_64"
            and not task.strace)


def start_fast_syscalls(task: TaskState) -> None:
    """Make the guest's address space the C host's (once per address space) and switch its
    pass-through table on or off for this process."""
    if not task.mem.is_current:
        task.mem.make_current()
    lib.syscall_fast_paths(not task.path_prefix,
                           os.fsencode(task.exe_path) if task.exe_path else None)
    lib.syscall_fast_enable(fast_syscalls_allowed(task))
    lib.cpu_set_task_signals(task.cpu.handle, task.signals)


def cpu_loop(task: TaskState) -> None:
    """Run one guest thread until it exits; raises ThreadExit or ProcessExit."""
    cpu = task.cpu
    start_fast_syscalls(task)
    cpus = task.process.cpus
    deliver_fault = task.target.deliver_fault
    cpu.syscall_handler = lambda num, args: handle_syscall(task, num, args)
    task.exit_request = None
    while True:
        cpus.exec_start(cpu)
        try:
            reason = cpu.exec()
        finally:
            cpus.exec_end(cpu)
        if reason == lib.EXCP_SYSCALL_STOP:
            request = task.exit_request
            if isinstance(request, GuestExit):
                if request.group:
                    raise ProcessExit(request.status & 0xFF)
                raise ThreadExit(request.status & 0xFF)
            if isinstance(request, GuestSignal):
                raise request
        elif reason == lib.EXCP_SIGNAL:
            take_host_signals(task)
        elif reason == lib.EXCP_KICK:
            pass    # its exit request: queued work ran; signals queued meanwhile go below
        else:
            deliver_fault(task, reason)
        process_pending_signals(task)
