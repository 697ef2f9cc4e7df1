# SPDX-License-Identifier: GPL-2.0-or-later
"""x86_64 signal frames: mirrors QEMU's linux-user/x86_64/signal.c (and the
kernel's arch/x86/kernel/signal.c layout that it reproduces).

``setup_rt_frame`` pushes a ``struct rt_sigframe`` (return address, ucontext,
siginfo) and the FPU state on the guest stack and enters the handler with the
FPU state Linux gives a handler (fpu__clear_user_states: the initial one);
``restore_rt_frame`` undoes it for rt_sigreturn, so a handler's rounding mode,
precision or x87 stack never leaks into the code it interrupted.

The FPU area is laid out as Linux lays out an XSAVE-format signal fpstate: the
512-byte fxsave image (x87 control, status and abridged tag words, MXCSR, the
eight x87 registers in stack order, xmm0-15), its software-reserved bytes
saying an XSAVE header follows (struct _fpx_sw_bytes, FP_XSTATE_MAGIC1), the
64-byte XSAVE header (x87 and SSE state present) and FP_XSTATE_MAGIC2 after
it; the engine has no AVX state, so those are all the components.
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
FX_FCW, FX_FSW, FX_FTW, FX_MXCSR, FX_MXCSR_MASK = 0, 2, 4, 24, 28
FX_ST, FX_XMM, FX_SW_BYTES = 32, 160, 464
XSAVE_HEADER_SIZE = 64
XSTATE_SIZE = FXSAVE_SIZE + XSAVE_HEADER_SIZE     # x87 and SSE: the legacy area and header
FPSTATE_SIZE = XSTATE_SIZE + 4                     # and FP_XSTATE_MAGIC2 after it
FP_XSTATE_MAGIC1 = 0x46505853
FP_XSTATE_MAGIC2 = 0x46505845
XFEATURES_X87_SSE = 0x3
UC_FP_XSTATE = 0x1          # uc_flags: the fpstate has an XSAVE header
#: what the engine's fxsave stores as MXCSR_MASK (every defined MXCSR bit)
MXCSR_MASK = 0x0000FFFF
#: Linux's initial FPU state (and the handler's): fninit's FCW, an empty stack, MXCSR_DEFAULT
FCW_INIT, FTW_ALL_EMPTY, MXCSR_INIT = 0x037F, 0xFFFF, 0x1F80
EFLAGS_CLEAR_ON_ENTRY = (1 << 10) | (1 << 8) | (1 << 16)   # DF, TF, RF


def _save_fpstate(cpu: X86CPU) -> bytes:
    """The interrupted code's FPU state as the kernel's XSAVE-format signal fpstate."""
    area = bytearray(FPSTATE_SIZE)
    tags = cpu.read_reg("fptag")            # two bits per physical register, 3 = empty
    abridged = sum(1 << i for i in range(8) if (tags >> (2 * i)) & 3 != 3)
    struct.pack_into("<HHB", area, FX_FCW, cpu.read_reg("fpcw"), cpu.read_reg("fpsw"),
                     abridged)
    struct.pack_into("<II", area, FX_MXCSR, cpu.read_reg("mxcsr"), MXCSR_MASK)
    for i in range(8):
        area[FX_ST + 16 * i:FX_ST + 16 * i + 10] = cpu.read_reg_bytes(f"st{i}", 10)
    for i in range(16):
        area[FX_XMM + 16 * i:FX_XMM + 16 * (i + 1)] = cpu.read_reg_bytes(f"xmm{i}", 16)
    struct.pack_into("<IIQI", area, FX_SW_BYTES, FP_XSTATE_MAGIC1, FPSTATE_SIZE,
                     XFEATURES_X87_SSE, XSTATE_SIZE)
    struct.pack_into("<Q", area, FXSAVE_SIZE, XFEATURES_X87_SSE)     # xstate_bv
    struct.pack_into("<I", area, XSTATE_SIZE, FP_XSTATE_MAGIC2)
    return bytes(area)


def _restore_fpstate(cpu: X86CPU, area: bytes) -> None:
    """Load the fxsave image (the x87 and SSE state, wherever the XSAVE header says)."""
    fcw, fsw, abridged = struct.unpack_from("<HHB", area, FX_FCW)
    cpu.write_reg("fpcw", fcw)
    cpu.write_reg("fpsw", fsw)              # TOP first: st0-7 are relative to it
    cpu.write_reg("fptag", sum(3 << (2 * i) for i in range(8) if not abridged & (1 << i)))
    for i in range(8):
        cpu.write_reg_bytes(f"st{i}", area[FX_ST + 16 * i:FX_ST + 16 * i + 10])
    cpu.write_reg("mxcsr", struct.unpack_from("<I", area, FX_MXCSR)[0])
    for i in range(16):
        cpu.write_reg_bytes(f"xmm{i}", area[FX_XMM + 16 * i:FX_XMM + 16 * (i + 1)])


def _init_fpstate(cpu: X86CPU) -> None:
    """The state a handler starts with on Linux: the initial one, every register zero."""
    zero = bytes(16)
    cpu.write_reg("fpsw", 0)
    for i in range(8):
        cpu.write_reg_bytes(f"fp{i}", zero[:10])
    cpu.write_reg("fptag", FTW_ALL_EMPTY)
    cpu.write_reg("fpcw", FCW_INIT)
    cpu.write_reg("mxcsr", MXCSR_INIT)
    for i in range(16):
        cpu.write_reg_bytes(f"xmm{i}", zero)


def setup_rt_frame(cpu: X86CPU, mem: GuestMemory, sig: int, handler: int, restorer: int,
                   siginfo: bytes, old_mask: int, stack_top: int | None,
                   altstack: tuple[int, int, int], trapno: int = 0, cr2: int = 0) -> None:
    """Build the frame and point the vCPU at the handler (raises GuestFault)."""
    rsp = cpu.read_reg("rsp")
    sp = stack_top if stack_top is not None else rsp - REDZONE
    fpstate = (sp - FPSTATE_SIZE) & ~63
    frame = ((fpstate - FRAME_SIZE) & ~15) - 8

    regs = [cpu.read_reg(name) for name in SIGCONTEXT_REGS]
    sigcontext = bytearray(256)
    struct.pack_into(f"<{len(regs)}Q", sigcontext, 0, *regs)
    struct.pack_into("<HHHH", sigcontext, len(regs) * 8, 0x33, 0, 0, 0x2b)
    struct.pack_into("<QQQQQ", sigcontext, SC_TRAPNO - 8, 0, trapno, old_mask, cr2, fpstate)

    uc = bytearray(UC_SIGMASK + 8)
    struct.pack_into("<QQQi4xQ", uc, 0, UC_FP_XSTATE, 0, altstack[0], altstack[1], altstack[2])
    uc[UC_MCONTEXT:UC_MCONTEXT + 256] = sigcontext
    struct.pack_into("<Q", uc, UC_SIGMASK, old_mask)

    mem.write(fpstate, _save_fpstate(cpu))
    mem.write(frame, struct.pack("<Q", restorer) + bytes(uc) + siginfo.ljust(128, b"\0"))
    _init_fpstate(cpu)

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
