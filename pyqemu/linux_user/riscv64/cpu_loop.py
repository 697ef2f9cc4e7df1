# SPDX-License-Identifier: GPL-2.0-or-later
"""The riscv64 CPU exceptions: the part of QEMU's linux-user/riscv/cpu_loop.c that is
riscv's own (the loop every guest shares is pyqemu/linux_user/cpu_loop.py).

An illegal instruction is SIGILL (ILL_ILLOPN), ebreak is SIGTRAP (TRAP_BRKPT), a bad
access is SIGSEGV with the fault address.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from pyqemu.host import lib
from pyqemu.linux_user.cpu_loop import deliver_sync_signal, engine_error, segv_siginfo
from pyqemu.linux_user.signal import make_siginfo

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

# RISC-V exception causes the engine reports through its interrupt hook
CAUSE_ILLEGAL_INSN = 2
CAUSE_BREAKPOINT = 3
CAUSE_FAULTS = frozenset({0, 1, 4, 5, 6, 7, 12, 13, 15})  # misaligned, access, page faults
ILL_ILLOPN = 2
TRAP_BRKPT = 1


def deliver_fault(task: TaskState, reason: int) -> None:
    """A CPU exception becomes a synchronous guest signal, delivered at once."""
    info = task.cpu.exit_info
    fault_addr = 0
    if reason == lib.EXCP_SEGV:
        fault_addr = info.fault_addr
        sig, siginfo = segv_siginfo(task, fault_addr)
    elif reason == lib.EXCP_INTR and info.intno == CAUSE_BREAKPOINT:
        sig, siginfo = signal.SIGTRAP, make_siginfo(signal.SIGTRAP, TRAP_BRKPT, addr=info.pc)
    elif reason == lib.EXCP_INTR and info.intno in CAUSE_FAULTS:
        sig, siginfo = segv_siginfo(task, info.pc)
    elif reason in (lib.EXCP_ILL, lib.EXCP_INTR) or (
            reason == lib.EXCP_ENGINE and info.uc_err == 0):
        sig, siginfo = signal.SIGILL, make_siginfo(signal.SIGILL, ILL_ILLOPN, addr=info.pc)
    else:
        raise engine_error(info)
    deliver_sync_signal(task, sig, siginfo, 0, fault_addr)
