# SPDX-License-Identifier: GPL-2.0-or-later
"""The host half of a pass-through syscall: mirrors QEMU's safe_syscall/get_errno pair.

Guest and host are both x86_64 Linux with guest_base 0, so once the arguments
are checked a call goes to the host kernel unchanged, through libc's
``syscall(2)``.  Failures come back as ``-errno``, the guest's convention.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

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


_U64 = (1 << 64) - 1
_host_call: Callable[..., int] | None = None
_string_address: Callable[[bytes], tuple[object, int]] | None = None


def _c_call() -> Callable[..., int]:
    """The C host's syscall_host (one cffi call), or libc's syscall through ctypes where
    the host is not built (ctypes' conversions cost a few microseconds a call)."""
    global _host_call, _string_address
    try:
        from pyqemu.host import ffi, lib
    except ImportError:
        def _host_call(nr: int, *values: int) -> int:
            ret = _syscall(ctypes.c_long(nr), *(_to_c(value) for value in values))
            return -ctypes.get_errno() if ret == -1 else int(ret)

        def _string_address(value: bytes) -> tuple[object, int]:
            string = ctypes.c_char_p(value)
            return string, ctypes.cast(string, ctypes.c_void_p).value or 0
    else:
        _host_call = lib.syscall_host

        def _string_address(value: bytes) -> tuple[object, int]:
            # a bytes object's own buffer, which CPython ends with a NUL
            buffer = ffi.from_buffer(value)
            return buffer, int(ffi.cast("uintptr_t", buffer))
    return _host_call


def host_syscall(nr: int, *args: HostArg) -> int:
    """Run host syscall ``nr``; ints go in registers, bytes as C strings, None as NULL,
    an OutBounce as its host buffer.

    Returns the kernel's result, or ``-errno`` on failure.  The call drops the
    GIL, so a call that blocks (read, futex, wait4) blocks only this thread.
    """
    call = _host_call or _c_call()
    values = [0, 0, 0, 0, 0, 0]
    strings = []    # the C strings, alive until the call returns
    for index, arg in enumerate(args):
        if isinstance(arg, int):
            values[index] = arg & _U64
        elif isinstance(arg, OutBounce):
            values[index] = arg.host_address
        elif arg is not None:
            assert _string_address is not None
            holder, values[index] = _string_address(arg)
            strings.append(holder)
    return call(nr, *values)
