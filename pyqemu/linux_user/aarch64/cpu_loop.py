# SPDX-License-Identifier: GPL-2.0-or-later
"""The aarch64 CPU exceptions: the part of QEMU's linux-user/aarch64/cpu_loop.c that is
aarch64's own (the loop every guest shares is pyqemu/linux_user/cpu_loop.py).

An undefined instruction is SIGILL (ILL_ILLOPN), brk is SIGTRAP (TRAP_BRKPT), a bad
data or instruction access is SIGSEGV with the fault address.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from pyqemu.host import lib
from pyqemu.linux_user.cpu_loop import deliver_sync_signal, engine_error, segv_siginfo
from pyqemu.linux_user.signal import make_siginfo

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

# target/arm's exception numbers the engine reports through its interrupt hook
EXCP_UDEF = 1
EXCP_PREFETCH_ABORT = 3
EXCP_DATA_ABORT = 4
EXCP_BKPT = 7
ILL_ILLOPN = 2
TRAP_BRKPT = 1


def deliver_fault(task: TaskState, reason: int) -> None:
    """A CPU exception becomes a synchronous guest signal, delivered at once."""
    info = task.cpu.exit_info
    fault_addr = 0
    if reason == lib.EXCP_SEGV:
        fault_addr = info.fault_addr
        sig, siginfo = segv_siginfo(task, fault_addr)
    elif reason == lib.EXCP_ILL or (reason == lib.EXCP_INTR and info.intno == EXCP_UDEF):
        sig, siginfo = signal.SIGILL, make_siginfo(signal.SIGILL, ILL_ILLOPN, addr=info.pc)
    elif reason == lib.EXCP_INTR and info.intno == EXCP_BKPT:
        sig, siginfo = signal.SIGTRAP, make_siginfo(signal.SIGTRAP, TRAP_BRKPT, addr=info.pc)
    elif reason == lib.EXCP_INTR and info.intno in (EXCP_PREFETCH_ABORT, EXCP_DATA_ABORT):
        sig, siginfo = segv_siginfo(task, info.pc)
    elif reason == lib.EXCP_INTR:
        sig, siginfo = signal.SIGILL, make_siginfo(signal.SIGILL, ILL_ILLOPN, addr=info.pc)
    elif reason == lib.EXCP_ENGINE and info.uc_err == 0:
        sig, siginfo = signal.SIGILL, make_siginfo(signal.SIGILL, ILL_ILLOPN, addr=info.pc)
    else:
        raise engine_error(info)
    deliver_sync_signal(task, sig, siginfo, 0, fault_addr)
