# SPDX-License-Identifier: GPL-2.0-or-later
"""The host half of a pass-through syscall: mirrors QEMU's safe_syscall/get_errno pair.

Guest and host are both x86_64 Linux with guest_base 0, so once the arguments
are checked a call goes to the host kernel unchanged, through libc's
``syscall(2)``.  Failures come back as ``-errno``, the guest's convention.
"""

from __future__ import annotations

import ctypes

from pyqemu.linux_user.syscall.args import OutBounce

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long

HostArg = int | bytes | OutBounce | None


def _to_c(value: HostArg) -> ctypes.c_long | ctypes.c_char_p:
    if value is None:
        return ctypes.c_long(0)
    if isinstance(value, OutBounce):
        return ctypes.c_long(value.host_address)
    if isinstance(value, bytes):
        return ctypes.c_char_p(value)
    value &= 0xFFFFFFFFFFFFFFFF
    return ctypes.c_long(value - (1 << 64) if value & (1 << 63) else value)


def host_syscall(nr: int, *args: HostArg) -> int:
    """Run host syscall ``nr``; ints go in registers, bytes as C strings, None as NULL,
    an OutBounce as its host buffer.

    Returns the kernel's result, or ``-errno`` on failure.  ctypes drops the
    GIL, so a call that blocks (read, futex, wait4) blocks only this thread.
    """
    ret = _syscall(ctypes.c_long(nr), *(_to_c(arg) for arg in args))
    if ret == -1:
        return -ctypes.get_errno()
    return int(ret)
