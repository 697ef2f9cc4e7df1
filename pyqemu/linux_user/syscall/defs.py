# SPDX-License-Identifier: GPL-2.0-or-later
"""One row of the syscall table: mirrors a ``case TARGET_NR_x:`` of QEMU's do_syscall1.

A row lists the argument kinds (decoded and checked by args.py) and either a
special implementation or nothing, meaning "pass the decoded arguments to the
host kernel under the same number".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyqemu.linux_user.syscall.args import Arg, OutBounce, is_error
from pyqemu.linux_user.syscall.host import host_syscall

if TYPE_CHECKING:
    from pyqemu.linux_user.qemu import TaskState

#: A special implementation: (task, *decoded args) -> result or -errno.
SyscallImpl = Callable[..., int]


class SyscallDef:
    """How one guest syscall is served (a plain class: hundreds are made at start-up)."""

    __slots__ = ("args", "impl")

    def __init__(self, args: tuple[Arg, ...], impl: SyscallImpl | None = None) -> None:
        self.args = args
        self.impl = impl

    def run(self, task: TaskState, nr: int, values: list[Any]) -> int:
        """Call the special implementation, or the host syscall ``nr``.

        Output structs (OutBounce) reach guest memory only after a success.
        """
        if self.impl is not None:
            ret = self.impl(task, *values)
        else:
            ret = host_syscall(nr, *values)
        if not is_error(ret):
            for value in values:
                if isinstance(value, OutBounce):
                    value.copy_out(task)
        return ret


def host(*args: Arg) -> SyscallDef:
    """A pass-through syscall with these checked arguments."""
    return SyscallDef(tuple(args))


def special(impl: SyscallImpl, *args: Arg) -> SyscallDef:
    """A syscall served by ``impl(task, *decoded args)``."""
    return SyscallDef(tuple(args), impl)


def id_call(number: int, *args: Arg) -> SyscallDef:
    """getuid and the like (the ids a syscall returns): qemu-x86_64 7.2 returns the 32-bit
    id sign-extended, so an id of 2^31 or more reaches the guest as a negative value
    (observed with tests/semantics/guests/errno_probe.c after setuid(0x80000000))."""
    def do_id_call(task: TaskState, *values: int) -> int:
        ret = host_syscall(number, *values)
        return ret - (1 << 32) if ret >= 1 << 31 else ret
    return SyscallDef(tuple(args), do_id_call)
