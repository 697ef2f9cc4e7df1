# SPDX-License-Identifier: GPL-2.0-or-later
"""x86_64 signal frames: mirrors QEMU's linux-user/x86_64/signal.c (and the
kernel's arch/x86/kernel/signal.c layout that it reproduces).

``setup_rt_frame`` pushes a ``struct rt_sigframe`` (return address, ucontext,
siginfo) and the FPU state on the guest stack and enters the handler with the
FPU state Linux gives a handler (fpu__clear_user_states: the initial one);
``restore_rt_frame`` undoes it for rt_sigreturn, so a handler's rounding mode,
precision or x87 stack never leaks into the code it interrupted.

The FPU area is laid out as Linux lays out the XSAVE standard form of a signal
fpstate (arch/x86/kernel/fpu/signal.c): the 512-byte fxsave image (x87 control,
status and abridged tag words, MXCSR, the eight x87 registers in stack order,
xmm0-15), its software-reserved bytes (struct _fpx_sw_bytes: FP_XSTATE_MAGIC1,
extended_size, xfeatures, xstate_size), the 64-byte XSAVE header (xstate_bv),
the YMM_Hi128 component at offset 576 when the CPU has AVX (bits 255:128 of
ymm0-15, 16 bytes each), and FP_XSTATE_MAGIC2 after xstate_size bytes; the
area is 64-byte aligned.  Which components: the vCPU's ``xstate_features`` (the
XCR0 Linux sets for the model, x86_64/target.py), of which pyqemu lays out x87,
SSE and YMM.  rt_sigreturn loads the area back as the kernel's XRSTOR does: a
component that xstate_bv or sw_reserved's xfeatures leaves out comes back in
its initial state, and without the magic words only the fxsave image is loaded
(the YMM upper halves are then zeroed).
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
YMM_REGS = tuple(f"ymm{i}" for i in range(16))
ST_REGS = tuple(f"st{i}" for i in range(8))     # the x87 stack, from TOP
FP_REGS = tuple(f"fp{i}" for i in range(8))     # the same, by physical number
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
XSTATE_BV = FXSAVE_SIZE                         # the header's first field
XSTATE_YMM_HI128 = FXSAVE_SIZE + XSAVE_HEADER_SIZE   # state component 2, standard form
YMM_HI128_SIZE = 16 * 16
FP_XSTATE_MAGIC1 = 0x46505853
FP_XSTATE_MAGIC2 = 0x46505845
MAGIC2_SIZE = 4
XFEATURE_X87, XFEATURE_SSE, XFEATURE_YMM = 0x1, 0x2, 0x4
#: the state components pyqemu's frames lay out; x87 and SSE are always there, as the
#: kernel always sets them in xstate_bv
FRAME_XFEATURES = XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM
XFEATURES_X87_SSE = XFEATURE_X87 | XFEATURE_SSE
UC_FP_XSTATE = 0x1          # uc_flags: the fpstate has an XSAVE header
#: what the engine's fxsave stores as MXCSR_MASK (every defined MXCSR bit)
MXCSR_MASK = 0x0000FFFF
#: Linux's initial FPU state (and the handler's): fninit's FCW, an empty stack, MXCSR_DEFAULT
FCW_INIT, FTW_ALL_EMPTY, MXCSR_INIT = 0x037F, 0xFFFF, 0x1F80
EFLAGS_CLEAR_ON_ENTRY = (1 << 10) | (1 << 8) | (1 << 16)   # DF, TF, RF
#: the flags rt_sigreturn takes from the frame (qemu 7.2's mask: AC, OF, DF, TF and the
#: arithmetic flags; Linux's FIX_EFLAGS adds RF); IOPL and IF stay the CPU's
EFLAGS_FROM_FRAME = 0x40DD5


def frame_xfeatures(cpu: X86CPU) -> int:
    """The components the vCPU's signal frames hold: its XCR0's that pyqemu lays out."""
    return (cpu.xstate_features & FRAME_XFEATURES) | XFEATURES_X87_SSE


def xstate_size(xfeatures: int) -> int:
    """The XSAVE standard form's size for ``xfeatures`` (sw_reserved's xstate_size)."""
    if xfeatures & XFEATURE_YMM:
        return XSTATE_YMM_HI128 + YMM_HI128_SIZE
    return FXSAVE_SIZE + XSAVE_HEADER_SIZE


def _save_fpstate(cpu: X86CPU, xfeatures: int) -> bytes:
    """The interrupted code's FPU state as the kernel's XSAVE-format signal fpstate."""
    size = xstate_size(xfeatures)
    area = bytearray(size + MAGIC2_SIZE)
    tags, fcw, fsw, mxcsr = cpu.read_regs(("fptag", "fpcw", "fpsw", "mxcsr"))
    abridged = sum(1 << i for i in range(8) if (tags >> (2 * i)) & 3 != 3)  # 3 = empty
    struct.pack_into("<HHB", area, FX_FCW, fcw, fsw, abridged)
    struct.pack_into("<II", area, FX_MXCSR, mxcsr, MXCSR_MASK)
    # st0-7, 10 bytes in each 16-byte slot, as fxsave stores them
    area[FX_ST:FX_ST + 8 * 16] = cpu.read_regs_bytes(ST_REGS, 16)
    ymm = cpu.read_regs_bytes(YMM_REGS, 32)
    for i in range(16):
        area[FX_XMM + 16 * i:FX_XMM + 16 * (i + 1)] = ymm[32 * i:32 * i + 16]
        if xfeatures & XFEATURE_YMM:
            area[XSTATE_YMM_HI128 + 16 * i:XSTATE_YMM_HI128 + 16 * (i + 1)] = (
                ymm[32 * i + 16:32 * (i + 1)])
    struct.pack_into("<IIQI", area, FX_SW_BYTES, FP_XSTATE_MAGIC1, size + MAGIC2_SIZE,
                     xfeatures, size)
    # every component in use, as the engine's XSAVE reports them (it tracks no XINUSE)
    struct.pack_into("<Q", area, XSTATE_BV, xfeatures)
    struct.pack_into("<I", area, size, FP_XSTATE_MAGIC2)
    return bytes(area)


def _xrstor_request(mem: GuestMemory, fpstate: int, image: bytes,
                    xfeatures: int) -> tuple[int, int]:
    """What rt_sigreturn restores from the area (the kernel's check_xstate_in_sigframe):
    (the components it loads, xstate_bv).  Without both magic words and a size the
    frame can hold, the area is an fxsave image only: x87 and SSE, both present."""
    magic1, extended_size, sw_xfeatures, size = struct.unpack_from("<IIQI", image,
                                                                   FX_SW_BYTES)
    if (magic1 != FP_XSTATE_MAGIC1 or not FXSAVE_SIZE + XSAVE_HEADER_SIZE <= size
            <= xstate_size(xfeatures) or size > extended_size
            or struct.unpack("<I", mem.read(fpstate + size, MAGIC2_SIZE))[0]
            != FP_XSTATE_MAGIC2):
        return XFEATURES_X87_SSE, XFEATURES_X87_SSE
    (xstate_bv,) = struct.unpack("<Q", mem.read(fpstate + XSTATE_BV, 8))
    return sw_xfeatures & xfeatures, xstate_bv


def _restore_fpstate(cpu: X86CPU, mem: GuestMemory, fpstate: int) -> None:
    """Load the area back as the kernel does: XRSTOR of the components sw_reserved asks
    for (each in its initial state where xstate_bv lacks it), then the initial state of
    the vCPU's other components."""
    xfeatures = frame_xfeatures(cpu)
    image = mem.read(fpstate, FXSAVE_SIZE)
    requested, xstate_bv = _xrstor_request(mem, fpstate, image, xfeatures)
    loaded = requested & xstate_bv
    if loaded & XFEATURE_X87:
        fcw, fsw, abridged = struct.unpack_from("<HHB", image, FX_FCW)
        tags = sum(3 << (2 * i) for i in range(8) if not abridged & (1 << i))
        # TOP (in fsw) first: st0-7 are relative to it
        cpu.write_regs(("fpcw", "fpsw", "fptag"), (fcw, fsw, tags))
        cpu.write_regs_bytes(ST_REGS, 16, image[FX_ST:FX_ST + 8 * 16])
    else:
        _init_x87(cpu)
    # MXCSR comes with the SSE component (the kernel then initialises the SSE component
    # the frame did not ask for)
    mxcsr = struct.unpack_from("<I", image, FX_MXCSR)[0]
    cpu.write_reg("mxcsr", mxcsr if requested & XFEATURE_SSE else MXCSR_INIT)
    lower = image[FX_XMM:FX_XMM + 16 * 16] if loaded & XFEATURE_SSE else bytes(16 * 16)
    upper = bytes(YMM_HI128_SIZE)
    if loaded & XFEATURE_YMM:
        upper = mem.read(fpstate + XSTATE_YMM_HI128, YMM_HI128_SIZE)
    cpu.write_regs_bytes(YMM_REGS, 32, b"".join(
        lower[16 * i:16 * (i + 1)] + upper[16 * i:16 * (i + 1)] for i in range(16)))


def _init_x87(cpu: X86CPU) -> None:
    """The x87 component's initial state: fninit's control word, an empty zeroed stack."""
    cpu.write_reg("fpsw", 0)
    cpu.write_regs_bytes(FP_REGS, 16, bytes(8 * 16))
    cpu.write_regs(("fptag", "fpcw"), (FTW_ALL_EMPTY, FCW_INIT))


def _init_fpstate(cpu: X86CPU) -> None:
    """The state a handler starts with on Linux: the initial one, every register zero
    (ymm0-15 whole)."""
    _init_x87(cpu)
    cpu.write_reg("mxcsr", MXCSR_INIT)
    cpu.write_regs_bytes(YMM_REGS, 32, bytes(16 * 32))


def setup_rt_frame(cpu: X86CPU, mem: GuestMemory, sig: int, handler: int, restorer: int,
                   siginfo: bytes, old_mask: int, stack_top: int | None,
                   altstack: tuple[int, int, int], trapno: int = 0, cr2: int = 0,
                   err: int = 0) -> None:
    """Build the frame and point the vCPU at the handler (raises GuestFault)."""
    rsp = cpu.read_reg("rsp")
    sp = stack_top if stack_top is not None else rsp - REDZONE
    xfeatures = frame_xfeatures(cpu)
    fpstate = (sp - xstate_size(xfeatures) - MAGIC2_SIZE) & ~63
    frame = ((fpstate - FRAME_SIZE) & ~15) - 8

    regs = cpu.read_regs(SIGCONTEXT_REGS)
    sigcontext = bytearray(256)
    struct.pack_into(f"<{len(regs)}Q", sigcontext, 0, *regs)
    struct.pack_into("<HHHH", sigcontext, len(regs) * 8, 0x33, 0, 0, 0x2b)
    struct.pack_into("<QQQQQ", sigcontext, SC_TRAPNO - 8, err, trapno, old_mask, cr2, fpstate)

    uc = bytearray(UC_SIGMASK + 8)
    struct.pack_into("<QQQi4xQ", uc, 0, UC_FP_XSTATE, 0, altstack[0], altstack[1], altstack[2])
    uc[UC_MCONTEXT:UC_MCONTEXT + 256] = sigcontext
    struct.pack_into("<Q", uc, UC_SIGMASK, old_mask)

    mem.write(fpstate, _save_fpstate(cpu, xfeatures))
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
    regs = list(struct.unpack_from(f"<{len(SIGCONTEXT_REGS)}Q", sigcontext, 0))
    regs[-1] = cpu.read_reg("eflags") & ~EFLAGS_FROM_FRAME | regs[-1] & EFLAGS_FROM_FRAME
    cpu.write_regs(SIGCONTEXT_REGS, regs)
    (fpstate,) = struct.unpack_from("<Q", sigcontext, SC_FPSTATE)
    if fpstate:
        _restore_fpstate(cpu, mem, fpstate)
    (mask,) = struct.unpack_from("<Q", uc, UC_SIGMASK)
    return mask
