"""The x86_64 CPU loop: mirrors QEMU's linux-user/x86_64/cpu_loop.c.

One guest thread runs ``cpu_loop``: guest code runs in C until it stops;
syscalls are served from the C hook through ``handle_syscall``; CPU
exceptions become guest signals; pending signals are delivered between
blocks.  The loop ends when the thread exits (``ThreadExit``), the process
exits (``ProcessExit``) or dies of a signal (``GuestSignal``).
"""

from __future__ import annotations

import errno
import signal
from typing import TYPE_CHECKING

from pyqemu.accel.cpu import REGS_SET, SET_RET, STOP, SyscallResult
from pyqemu.errors import PyqemuError
from pyqemu.host import lib
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
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.accel.cpu import X86CPU
    from pyqemu.linux_user.qemu import TaskState

# CPU exceptions (x86 vector numbers): the guest signal and si_code each raises.
X86_EXCEPTION_SIGNALS = {
    0: (signal.SIGFPE, 1),       # divide error: FPE_INTDIV
    1: (signal.SIGTRAP, 1),      # debug
    3: (signal.SIGTRAP, 0x80),   # int3: SI_KERNEL
    4: (signal.SIGSEGV, 0x80),   # into
    5: (signal.SIGSEGV, 0x80),   # bound
    6: (signal.SIGILL, 2),       # invalid opcode: ILL_ILLOPN
    13: (signal.SIGSEGV, 0x80),  # general protection (privileged instructions, hlt)
    16: (signal.SIGFPE, 0),      # x87 error
    17: (signal.SIGBUS, 1),      # alignment check
    19: (signal.SIGFPE, 0),      # SIMD floating point
}

# Syscalls that change the address space: run while no other vCPU runs.
MEMORY_SYSCALLS = frozenset({
    nr.TARGET_NR_mmap, nr.TARGET_NR_munmap, nr.TARGET_NR_mprotect, nr.TARGET_NR_mremap,
    nr.TARGET_NR_brk, nr.TARGET_NR_madvise, nr.TARGET_NR_shmat, nr.TARGET_NR_shmdt,
})


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


def handle_syscall(task: TaskState, num: int, args: tuple[int, ...]) -> SyscallResult:
    """Serve one syscall from the C hook; the vCPU is out of guest code meanwhile."""
    cpu: X86CPU = task.cpu  # type: ignore[assignment]
    cpus = task.process.cpus  # type: ignore[attr-defined]
    cpus.exec_end(cpu)
    try:
        if num in MEMORY_SYSCALLS and len(cpus.cpus) > 1:
            with cpus.exclusive(cpu):
                ret = do_syscall(task, num, *args)
        else:
            ret = do_syscall(task, num, *args)
    except GuestExit as exc:
        task.exit_request = exc  # type: ignore[attr-defined]
        return SyscallResult(STOP)
    except GuestSignal as exc:
        task.exit_request = exc  # type: ignore[attr-defined]
        return SyscallResult(STOP)
    finally:
        cpus.exec_start(cpu)
    if has_deliverable(task):
        lib.cpu_signal_kick()   # deliver before the next block, as cpu_loop does
    if ret == -QEMU_ESIGRETURN:
        return SyscallResult(REGS_SET)
    ret &= 2**64 - 1
    return SyscallResult(SET_RET, ret - 2**64 if ret >= 2**63 else ret)


def deliver_fault(task: TaskState, reason: int) -> None:
    """A CPU exception becomes a synchronous guest signal, delivered at once."""
    info = task.cpu.exit_info  # type: ignore[attr-defined]
    trapno, cr2 = 0, 0
    if reason == lib.EXCP_SEGV:
        sig, trapno, cr2 = signal.SIGSEGV, 14, info.fault_addr
        mapped = task.mem.find_region(info.fault_addr) is not None
        siginfo = make_siginfo(sig, 2 if mapped else 1, addr=info.fault_addr)
    elif reason == lib.EXCP_ILL:
        sig, trapno = signal.SIGILL, 6
        siginfo = make_siginfo(sig, 2, addr=info.pc)
    elif reason == lib.EXCP_INTR:
        sig, code = X86_EXCEPTION_SIGNALS.get(info.intno, (signal.SIGSEGV, 0x80))
        trapno = info.intno
        siginfo = make_siginfo(sig, code, addr=info.pc if sig != signal.SIGSEGV else 0)
    elif reason == lib.EXCP_ENGINE and info.uc_err == 0:
        # an engine stop with no error is hlt or another privileged instruction
        sig, trapno = signal.SIGSEGV, 13
        siginfo = make_siginfo(sig, 0x80)
    else:
        text = ffi_error(info.uc_err) if info.uc_err else errno.errorcode[errno.EFAULT]
        raise PyqemuError(f"engine error at {info.pc:#x}: {text}")
    if task.sigmask & (1 << (sig - 1)):
        raise GuestSignal(sig)   # a blocked synchronous signal kills, as in the kernel
    deliver_signal(task, sig, siginfo, trapno, cr2)


def ffi_error(err: int) -> str:
    from pyqemu.host import ffi

    return ffi.string(lib.cpu_strerror(err)).decode()


def cpu_loop(task: TaskState) -> None:
    """Run one guest thread until it exits; raises ThreadExit or ProcessExit."""
    cpu: X86CPU = task.cpu  # type: ignore[assignment]
    cpus = task.process.cpus  # type: ignore[attr-defined]
    cpu.syscall_handler = lambda num, args: handle_syscall(task, num, args)
    task.exit_request = None  # type: ignore[attr-defined]
    while True:
        cpus.exec_start(cpu)
        try:
            reason = cpu.exec()
        finally:
            cpus.exec_end(cpu)
        if reason == lib.EXCP_SYSCALL_STOP:
            request = task.exit_request  # type: ignore[attr-defined]
            if isinstance(request, GuestExit):
                if request.group:
                    raise ProcessExit(request.status & 0xFF)
                raise ThreadExit(request.status & 0xFF)
            if isinstance(request, GuestSignal):
                raise request
        elif reason == lib.EXCP_SIGNAL:
            take_host_signals(task)
        elif reason == lib.EXCP_KICK:
            continue
        else:
            deliver_fault(task, reason)
        process_pending_signals(task)
