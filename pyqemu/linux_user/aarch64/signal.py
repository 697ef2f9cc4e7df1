# SPDX-License-Identifier: GPL-2.0-or-later
"""aarch64 signal frames: mirrors QEMU's linux-user/aarch64/signal.c (and the kernel's
arch/arm64/kernel/signal.c layout that it reproduces).

``setup_rt_frame`` pushes a ``struct rt_sigframe`` (siginfo, then a ucontext whose
sigcontext holds x0..x30, sp, pc, pstate and, in its reserved area, an fpsimd record
and the end record), then a frame record {fp, lr}, and enters the handler with
x0 = sig, x1 = &info, x2 = &uc, x29 = the frame record and x30 = the return address;
``restore_rt_frame`` undoes it for rt_sigreturn.
"""

from __future__ import annotations

import struct
from typing import Any

FRAME_INFO = 0              # siginfo (128 bytes)
FRAME_UC = 128              # struct ucontext
UC_STACK = 16               # uc_flags, uc_link, then stack_t
UC_SIGMASK = 40
UC_MCONTEXT = 176           # struct sigcontext, 16-byte aligned after 120 unused bytes
SC_FAULT_ADDRESS = 0
SC_REGS = 8                 # x0..x30
SC_SP = 256
SC_PC = 264
SC_PSTATE = 272
SC_RESERVED = 288           # 4096 bytes of records
RESERVED_SIZE = 4096
FPSIMD_MAGIC = 0x46508001
FPSIMD_SIZE = 16 + 32 * 16  # head, fpsr, fpcr, then v0..v31
UC_SIZE = UC_MCONTEXT + SC_RESERVED + RESERVED_SIZE
FRAME_RECORD = FRAME_UC + UC_SIZE
FRAME_SIZE = FRAME_RECORD + 16
NZCV_MASK = 0xF0000000


def setup_rt_frame(cpu: Any, mem: Any, sig: int, handler: int, restorer: int,
                   siginfo: bytes, old_mask: int, stack_top: int | None,
                   altstack: tuple[int, int, int], trapno: int = 0, cr2: int = 0,
                   err: int = 0) -> None:
    """Build the frame and point the vCPU at the handler (raises GuestFault)."""
    sp = stack_top if stack_top is not None else cpu.read_reg("sp")
    frame = (sp - FRAME_SIZE) & ~15
    regs = [cpu.read_reg(f"x{i}") for i in range(31)]

    sigcontext = bytearray(SC_RESERVED + RESERVED_SIZE)
    struct.pack_into("<Q", sigcontext, SC_FAULT_ADDRESS, cr2)
    struct.pack_into("<31Q", sigcontext, SC_REGS, *regs)
    struct.pack_into("<QQQ", sigcontext, SC_SP, cpu.read_reg("sp"), cpu.read_reg("pc"),
                     cpu.read_reg("nzcv") & NZCV_MASK)
    struct.pack_into("<IIII", sigcontext, SC_RESERVED, FPSIMD_MAGIC, FPSIMD_SIZE,
                     cpu.read_reg("fpsr"), cpu.read_reg("fpcr"))
    for i in range(32):
        offset = SC_RESERVED + 16 + 16 * i
        sigcontext[offset:offset + 16] = cpu.read_reg_bytes(f"q{i}", 16)
    # the end record (magic 0, size 0) follows: already zero

    uc = bytearray(UC_MCONTEXT)
    struct.pack_into("<QQQi4xQ", uc, 0, 0, 0, altstack[0], altstack[1], altstack[2])
    struct.pack_into("<Q", uc, UC_SIGMASK, old_mask)

    mem.write(frame, siginfo.ljust(128, b"\0") + bytes(uc) + bytes(sigcontext)
              + struct.pack("<QQ", regs[29], regs[30]))

    cpu.write_reg("x0", sig)
    cpu.write_reg("x1", frame + FRAME_INFO)
    cpu.write_reg("x2", frame + FRAME_UC)
    cpu.write_reg("x29", frame + FRAME_RECORD)
    cpu.write_reg("x30", restorer)
    cpu.write_reg("sp", frame)
    cpu.write_reg("pc", handler)


def restore_rt_frame(cpu: Any, mem: Any) -> int:
    """rt_sigreturn: restore registers and FP/SIMD state; returns the saved mask."""
    frame = cpu.read_reg("sp")
    uc = mem.read(frame + FRAME_UC, UC_MCONTEXT + SC_RESERVED + FPSIMD_SIZE)
    base = UC_MCONTEXT
    regs = struct.unpack_from("<31Q", uc, base + SC_REGS)
    for i, value in enumerate(regs):
        cpu.write_reg(f"x{i}", value)
    sp, pc, pstate = struct.unpack_from("<QQQ", uc, base + SC_SP)
    cpu.write_reg("sp", sp)
    cpu.write_reg("pc", pc)
    cpu.write_reg("nzcv", pstate & NZCV_MASK)
    magic, _size, fpsr, fpcr = struct.unpack_from("<IIII", uc, base + SC_RESERVED)
    if magic == FPSIMD_MAGIC:
        cpu.write_reg("fpsr", fpsr)
        cpu.write_reg("fpcr", fpcr)
        for i in range(32):
            offset = base + SC_RESERVED + 16 + 16 * i
            cpu.write_reg_bytes(f"q{i}", uc[offset:offset + 16])
    (mask,) = struct.unpack_from("<Q", uc, UC_SIGMASK)
    return mask
