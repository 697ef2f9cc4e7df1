# SPDX-License-Identifier: GPL-2.0-or-later
"""riscv64 signal frames: mirrors QEMU's linux-user/riscv/signal.c.

``setup_rt_frame`` pushes a ``struct rt_sigframe`` (siginfo, then a ucontext whose
sigcontext holds pc, x1..x31, f0..f31 and fcsr) and enters the handler with
a0 = sig, a1 = &info, a2 = &uc and ra = the return address (QEMU's sigtramp page);
``restore_rt_frame`` undoes it for rt_sigreturn.
"""

from __future__ import annotations

import struct
from typing import Any

FRAME_INFO = 0              # siginfo (128 bytes)
FRAME_UC = 128              # struct ucontext
UC_SIGMASK = 40
UC_MCONTEXT = 176           # struct sigcontext, 16-byte aligned after 120 unused bytes
SC_PC = 0
SC_GPR = 8                  # x1..x31
SC_FPR = 256                # f0..f31, 8 bytes each
SC_FCSR = 512
SC_SIZE = 520
UC_SIZE = (UC_MCONTEXT + SC_SIZE + 15) & ~15
FRAME_SIZE = FRAME_UC + UC_SIZE


def setup_rt_frame(cpu: Any, mem: Any, sig: int, handler: int, restorer: int,
                   siginfo: bytes, old_mask: int, stack_top: int | None,
                   altstack: tuple[int, int, int], trapno: int = 0, cr2: int = 0,
                   err: int = 0) -> None:
    """Build the frame and point the vCPU at the handler (raises GuestFault)."""
    sp = stack_top if stack_top is not None else cpu.read_reg("x2")
    frame = (sp - FRAME_SIZE) & ~15

    sigcontext = bytearray(SC_SIZE)
    struct.pack_into("<Q", sigcontext, SC_PC, cpu.read_reg("pc"))
    struct.pack_into("<31Q", sigcontext, SC_GPR, *(cpu.read_reg(f"x{i}") for i in range(1, 32)))
    struct.pack_into("<32Q", sigcontext, SC_FPR, *(cpu.read_reg(f"f{i}") for i in range(32)))
    struct.pack_into("<I", sigcontext, SC_FCSR, cpu.read_reg("fcsr"))

    uc = bytearray(UC_SIZE)
    struct.pack_into("<QQQi4xQ", uc, 0, 0, 0, altstack[0], altstack[1], altstack[2])
    struct.pack_into("<Q", uc, UC_SIGMASK, old_mask)
    uc[UC_MCONTEXT:UC_MCONTEXT + SC_SIZE] = sigcontext

    mem.write(frame, siginfo.ljust(128, b"\0") + bytes(uc))

    cpu.write_reg("pc", handler)
    cpu.write_reg("x2", frame)                   # sp
    cpu.write_reg("x10", sig)                    # a0
    cpu.write_reg("x11", frame + FRAME_INFO)     # a1
    cpu.write_reg("x12", frame + FRAME_UC)       # a2
    cpu.write_reg("x1", restorer)                # ra


def restore_rt_frame(cpu: Any, mem: Any) -> int:
    """rt_sigreturn: restore the registers; returns the saved mask."""
    frame = cpu.read_reg("x2")
    uc = mem.read(frame + FRAME_UC, UC_MCONTEXT + SC_SIZE)
    base = UC_MCONTEXT
    cpu.write_reg("pc", struct.unpack_from("<Q", uc, base + SC_PC)[0])
    for i, value in enumerate(struct.unpack_from("<31Q", uc, base + SC_GPR), start=1):
        cpu.write_reg(f"x{i}", value)
    for i, value in enumerate(struct.unpack_from("<32Q", uc, base + SC_FPR)):
        cpu.write_reg(f"f{i}", value)
    cpu.write_reg("fcsr", struct.unpack_from("<I", uc, base + SC_FCSR)[0])
    (mask,) = struct.unpack_from("<Q", uc, UC_SIGMASK)
    return mask
