# SPDX-License-Identifier: GPL-2.0-or-later
"""The x86_64 CPU exceptions: the part of QEMU's linux-user/x86_64/cpu_loop.c that is
x86's own (the loop every guest shares is pyqemu/linux_user/cpu_loop.py).

``deliver_fault`` turns an exit of cpu_exec (a bad access, an invalid
instruction, an x86 exception vector) into the guest signal the kernel sends.
"""

from __future__ import annotations

import signal
import struct
from typing import TYPE_CHECKING

from pyqemu.errors import GuestFault
from pyqemu.host import lib
from pyqemu.linux_user.cpu_loop import (  # noqa: F401 - the loop, for older importers
    ProcessExit,
    ThreadExit,
    cpu_loop,
    deliver_sync_signal,
    engine_error,
    ffi_error,
    handle_syscall,
    segv_siginfo,
)
from pyqemu.linux_user.signal import SI_KERNEL, make_siginfo
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
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


# SIGFPE's si_code for an exception flag (Linux's fpu__exception_code), in its order:
# invalid, divide-by-zero, overflow, underflow or denormal, precision.
FPE_CODES = ((0x01, 7), (0x04, 3), (0x08, 4), (0x12, 5), (0x20, 6))   # FPE_FLTINV ... FLTRES
XM_VECTOR = 19


def simd_fpe_code(mxcsr: int) -> int:
    """si_code of a SIMD floating-point exception: the first flag set and unmasked."""
    err = ~(mxcsr >> 7) & mxcsr
    return next((code for bits, code in FPE_CODES if err & bits), 0)


#: The legacy vsyscall page (Linux's VSYSCALL_ADDR) and its three entry points.
VSYSCALL_PAGE = 0xFFFFFFFFFF600000
VSYSCALL_ENTRIES = {0x000: nr.TARGET_NR_gettimeofday, 0x400: nr.TARGET_NR_time,
                    0x800: nr.TARGET_NR_getcpu}
EFAULT = 14


def emulate_vsyscall(task: TaskState) -> None:
    """A call into the vsyscall page: run its syscall and return to the caller.

    As qemu-x86_64 7.2 (and the kernel's vsyscall=emulate): an entry other than the three
    is SIGSEGV, so is a return address that cannot be read or a syscall that faults
    (-EFAULT); otherwise rax gets the result and a ``ret`` is emulated.  The page holds no
    guest code: nothing is translated there, so plugins see no instruction of it.
    """
    from pyqemu.linux_user.syscall import do_syscall

    cpu = task.cpu
    syscall = VSYSCALL_ENTRIES.get(cpu.read_reg("rip") - VSYSCALL_PAGE)
    rsp = cpu.read_reg("rsp")
    try:
        (caller,) = struct.unpack("<Q", task.mem.read(rsp, 8))
    except GuestFault:
        syscall = None
    if syscall is not None:
        args = [cpu.read_reg(name) for name in ("rdi", "rsi", "rdx", "r10", "r8", "r9")]
        ret = do_syscall(task, syscall, *args)
        if ret != -EFAULT:
            cpu.write_reg("rax", ret & (2**64 - 1))
            cpu.write_reg("rip", caller)
            cpu.write_reg("rsp", rsp + 8)
            return
    deliver_sync_signal(task, signal.SIGSEGV, make_siginfo(signal.SIGSEGV, SI_KERNEL), 0, 0)


def deliver_fault(task: TaskState, reason: int) -> None:
    """A CPU exception becomes a synchronous guest signal, delivered at once."""
    info = task.cpu.exit_info
    trapno, cr2 = 0, 0
    if (reason == lib.EXCP_SEGV and info.fault_write == 2
            and info.pc & ~0xFFF == VSYSCALL_PAGE):   # fault_addr is cut to 52 bits
        emulate_vsyscall(task)
        return
    if reason == lib.EXCP_SEGV:
        trapno, cr2 = 14, info.fault_addr
        sig, siginfo = segv_siginfo(task, info.fault_addr)
    elif reason == lib.EXCP_ILL:
        sig, trapno = signal.SIGILL, 6
        siginfo = make_siginfo(sig, 2, addr=info.pc)
    elif reason == lib.EXCP_INTR:
        sig, code = X86_EXCEPTION_SIGNALS.get(info.intno, (signal.SIGSEGV, 0x80))
        if info.intno == XM_VECTOR:
            code = simd_fpe_code(task.cpu.read_reg("mxcsr"))
        trapno = info.intno
        siginfo = make_siginfo(sig, code, addr=info.pc if sig != signal.SIGSEGV else 0)
    elif reason == lib.EXCP_ENGINE and info.uc_err == 0:
        # an engine stop with no error is hlt or another privileged instruction
        sig, trapno = signal.SIGSEGV, 13
        siginfo = make_siginfo(sig, 0x80)
    else:
        raise engine_error(info)
    deliver_sync_signal(task, sig, siginfo, trapno, cr2)
