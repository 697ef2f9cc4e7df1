"""x86_64 signal frames: mirrors QEMU's linux-user/x86_64/signal.c (and the
kernel's arch/x86/kernel/signal.c layout that it reproduces).

``setup_rt_frame`` pushes a ``struct rt_sigframe`` (return address, ucontext,
siginfo) and an fxsave-format FP area on the guest stack and enters the
handler; ``restore_rt_frame`` undoes it for rt_sigreturn.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyqemu.accel.cpu import X86CPU
    from pyqemu.linux_user.mmap import GuestMemory

# struct sigcontext's general registers, in the kernel's order.
SIGCONTEXT_REGS = ("r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp",
                   "rbx", "rdx", "rax", "rcx", "rsp", "rip", "eflags")
REDZONE = 128
FRAME_PRETCODE = 0          # return address: the action's sa_restorer
FRAME_UC = 8                # struct ucontext
UC_STACK = 16               # uc_flags, uc_link, then stack_t
UC_MCONTEXT = 40            # struct sigcontext (256 bytes)
UC_SIGMASK = 296
FRAME_INFO = 312            # siginfo (128 bytes)
FRAME_SIZE = 440
SC_FPSTATE = len(SIGCONTEXT_REGS) * 8 + 8 + 4 * 8   # after regs, cs/gs/fs/ss, err..cr2
SC_TRAPNO = len(SIGCONTEXT_REGS) * 8 + 8 + 8
SC_CR2 = SC_TRAPNO + 16
FXSAVE_SIZE = 512
FX_FCW, FX_MXCSR, FX_XMM = 0, 24, 160
EFLAGS_CLEAR_ON_ENTRY = (1 << 10) | (1 << 8) | (1 << 16)   # DF, TF, RF


def _save_fpstate(cpu: X86CPU) -> bytes:
    area = bytearray(FXSAVE_SIZE)
    struct.pack_into("<H", area, FX_FCW, cpu.read_reg("fpcw"))
    struct.pack_into("<I", area, FX_MXCSR, cpu.read_reg("mxcsr"))
    for i in range(16):
        area[FX_XMM + 16 * i:FX_XMM + 16 * (i + 1)] = cpu.read_reg_bytes(f"xmm{i}", 16)
    return bytes(area)


def _restore_fpstate(cpu: X86CPU, area: bytes) -> None:
    cpu.write_reg("fpcw", struct.unpack_from("<H", area, FX_FCW)[0])
    cpu.write_reg("mxcsr", struct.unpack_from("<I", area, FX_MXCSR)[0])
    for i in range(16):
        cpu.write_reg_bytes(f"xmm{i}", area[FX_XMM + 16 * i:FX_XMM + 16 * (i + 1)])


def setup_rt_frame(cpu: X86CPU, mem: GuestMemory, sig: int, handler: int, restorer: int,
                   siginfo: bytes, old_mask: int, stack_top: int | None,
                   altstack: tuple[int, int, int], trapno: int = 0, cr2: int = 0) -> None:
    """Build the frame and point the vCPU at the handler (raises GuestFault)."""
    rsp = cpu.read_reg("rsp")
    sp = stack_top if stack_top is not None else rsp - REDZONE
    fpstate = (sp - FXSAVE_SIZE) & ~63
    frame = ((fpstate - FRAME_SIZE) & ~15) - 8

    regs = [cpu.read_reg(name) for name in SIGCONTEXT_REGS]
    sigcontext = bytearray(256)
    struct.pack_into(f"<{len(regs)}Q", sigcontext, 0, *regs)
    struct.pack_into("<HHHH", sigcontext, len(regs) * 8, 0x33, 0, 0, 0x2b)
    struct.pack_into("<QQQQQ", sigcontext, SC_TRAPNO - 8, 0, trapno, old_mask, cr2, fpstate)

    uc = bytearray(UC_SIGMASK + 8)
    struct.pack_into("<QQQi4xQ", uc, 0, 0, 0, altstack[0], altstack[1], altstack[2])
    uc[UC_MCONTEXT:UC_MCONTEXT + 256] = sigcontext
    struct.pack_into("<Q", uc, UC_SIGMASK, old_mask)

    mem.write(fpstate, _save_fpstate(cpu))
    mem.write(frame, struct.pack("<Q", restorer) + bytes(uc) + siginfo.ljust(128, b"\0"))

    cpu.write_reg("rsp", frame)
    cpu.write_reg("rip", handler)
    cpu.write_reg("rdi", sig)
    cpu.write_reg("rsi", frame + FRAME_INFO)
    cpu.write_reg("rdx", frame + FRAME_UC)
    cpu.write_reg("rax", 0)
    cpu.write_reg("eflags", regs[-1] & ~EFLAGS_CLEAR_ON_ENTRY)


def restore_rt_frame(cpu: X86CPU, mem: GuestMemory) -> int:
    """rt_sigreturn: restore registers and FP state; returns the saved mask."""
    frame = cpu.read_reg("rsp") - 8
    uc = mem.read(frame + FRAME_UC, UC_SIGMASK + 8)
    sigcontext = uc[UC_MCONTEXT:UC_MCONTEXT + 256]
    regs = struct.unpack_from(f"<{len(SIGCONTEXT_REGS)}Q", sigcontext, 0)
    for name, value in zip(SIGCONTEXT_REGS, regs, strict=True):
        cpu.write_reg(name, value)
    (fpstate,) = struct.unpack_from("<Q", sigcontext, SC_FPSTATE)
    if fpstate:
        _restore_fpstate(cpu, mem.read(fpstate, FXSAVE_SIZE))
    (mask,) = struct.unpack_from("<Q", uc, UC_SIGMASK)
    return mask
