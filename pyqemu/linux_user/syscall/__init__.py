# SPDX-License-Identifier: GPL-2.0-or-later
"""The Linux syscall layer: mirrors do_syscall in QEMU's linux-user/syscall.c.

``SYSCALL_TABLE`` maps every served syscall number to its row (argument kinds
plus a special implementation or host pass-through); the rows live with their
kernel area (io, fs, mman, process, signal, time, socket, ipc, misc).  A number
without a row returns -ENOSYS and, with ``-d unimp``, logs QEMU's
``Unsupported syscall: N`` line.  do_syscall never raises, except GuestExit.

The table is keyed by the host's (x86_64) numbers.  Another guest's numbers are
mapped onto it by syscall name (``guest_table``), with the rows whose data
layout differs replaced by the architecture's ``syscall_overrides``.
"""

from __future__ import annotations

import errno
import functools
from typing import TYPE_CHECKING

from pyqemu.errors import GuestFault
from pyqemu.linux_user import arch
from pyqemu.linux_user.syscall import fs, io, ipc, misc, mman, process, signal, socket, time
from pyqemu.linux_user.syscall.args import SyscallError, decode_args, to_s32
from pyqemu.linux_user.syscall.defs import SyscallDef
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

__all__ = ["DIFFERS_FROM_QEMU", "SYSCALL_TABLE", "UNIMPLEMENTED_ON_PURPOSE", "do_syscall"]

#: Left out on purpose, so they answer -ENOSYS and log like any unknown call,
#: exactly as qemu-x86_64 7.2 does: glibc then falls back (rseq: no restartable
#: sequences; clone3: clone).
UNIMPLEMENTED_ON_PURPOSE = frozenset({nr.TARGET_NR_rseq, nr.TARGET_NR_clone3})

#: Rows that answer differently from qemu-x86_64 7.2 on purpose, by function name, with
#: the reason (README's syscall table, scripts/gen_syscall_table.py, shows it).
DIFFERS_FROM_QEMU: dict[str, str] = {}


_U64 = (1 << 64) - 1


def _build_table() -> dict[int, SyscallDef]:
    table: dict[int, SyscallDef] = {}
    for area in (io, fs, mman, process, signal, time, socket, ipc, misc):
        for number, row in area.SYSCALLS.items():
            assert number not in table, f"syscall {number} defined twice"
            table[number] = row
    assert not UNIMPLEMENTED_ON_PURPOSE & table.keys()
    return table


#: Syscall number -> how it is served.
SYSCALL_TABLE: dict[int, SyscallDef] = _build_table()


@functools.cache
def guest_table(target: str) -> dict[int, tuple[int, SyscallDef]]:
    """Guest syscall number -> (host number, row) for a target other than the host's."""
    info = arch.get(target)
    overrides = info.syscall_overrides()
    table: dict[int, tuple[int, SyscallDef]] = {}
    for number, name in info.syscall_nr.SYSCALL_NAMES.items():
        host_number = getattr(nr, f"TARGET_NR_{name}", -1)
        row = overrides.get(name) or SYSCALL_TABLE.get(host_number)
        if row is not None:
            table[number] = (host_number, row)
    return table


def do_syscall(task: TaskState, num: int, arg1: int, arg2: int, arg3: int, arg4: int,
               arg5: int, arg6: int) -> int:
    """Run guest syscall ``num`` with the raw 64-bit register arguments.

    Returns the value for RAX: the result, or -errno.  The caller masks it to
    64 bits.  Raises GuestExit for exit/exit_group, and nothing else.
    """
    num = to_s32(num)  # like the kernel and QEMU, only the low 32 bits of RAX count
    mask = _U64  # to_u64 of each, without six calls
    raw = (arg1 & mask, arg2 & mask, arg3 & mask, arg4 & mask, arg5 & mask, arg6 & mask)
    if task.strace:
        from pyqemu.linux_user import strace  # only -strace needs it (issue 19: start-up)

        strace.print_syscall(task, num, raw)
    target = task.target.name
    if target == "x86_64":
        row = SYSCALL_TABLE.get(num)
        entry = None if row is None else (num, row)
    else:
        entry = guest_table(target).get(num)
    if entry is None:
        if task.unimp_log:
            task.log(f"Unsupported syscall: {num}")
        ret = -errno.ENOSYS
    else:
        try:
            host_num, row = entry
            ret = row.run(task, host_num, decode_args(task, row.args, raw))
        except SyscallError as failure:
            ret = -failure.errno
        except GuestFault:
            ret = -errno.EFAULT
    if task.strace:
        from pyqemu.linux_user import strace

        strace.print_syscall_ret(task, num, ret, raw)
    return ret
