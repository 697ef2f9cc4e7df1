# SPDX-License-Identifier: GPL-2.0-or-later
"""The x86_64 CPU exceptions: the part of QEMU's linux-user/x86_64/cpu_loop.c that is
x86's own (the loop every guest shares is pyqemu/linux_user/cpu_loop.py).

``target_cpu_copy_regs`` puts the first vCPU in user mode as QEMU's does: its IDT and
GDT, CPL 3 (engine patch 0027).  ``deliver_fault`` turns an exit of cpu_exec (a bad
access, an invalid instruction, an x86 exception vector) into the guest signal the
kernel sends.
"""

from __future__ import annotations

import signal
import struct
from typing import TYPE_CHECKING

from pyqemu.accel.cpu import X86_MMR, EngineError
from pyqemu.errors import GuestFault
from pyqemu.host import lib
from pyqemu.linux_user.cpu_loop import (  # noqa: F401 - the loop, for older importers
    ProcessExit,
    ThreadExit,
    cpu_loop,
    deliver_sync_signal,
    engine_error,
    ffi_error,
    handle_syscall,
    segv_siginfo,
)
from pyqemu.linux_user.mmap import MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE
from pyqemu.linux_user.signal import SI_KERNEL, make_siginfo
from pyqemu.linux_user.x86_64 import syscall_nr as nr

if TYPE_CHECKING:
    from pyqemu.accel.cpu import X86CPU
    from pyqemu.linux_user.mmap import GuestMemory
    from pyqemu.linux_user.qemu import TaskState

# User mode as qemu-x86_64 7.2 sets it up (its target_cpu_copy_regs): an IDT of 32 16-byte
# gates (limit 511) and a GDT of 16 descriptors, one page each, mapped in that order after
# the program is loaded; CS and SS are the user selectors (Linux's __USER_CS, __USER_DS),
# at CPL 3, and so are DS and ES (Linux leaves them 0); IF is set.
USER_CS, USER_DS = 0x33, 0x2B
IDT_LIMIT = 511
GDT_ENTRIES = 16
TABLE_PAGE = 4096
DESC_G, DESC_B, DESC_L, DESC_P, DESC_S = 1 << 23, 1 << 22, 1 << 21, 1 << 15, 1 << 12
DESC_DPL_SHIFT, DESC_TYPE_SHIFT = 13, 8
DESC_CODE_READ, DESC_DATA_WRITE = 0xA, 0x2
#: the gates qemu writes (its set_idt), each with its DPL: int3, into and int $0x80 may be
#: raised from user mode, any other int n is #GP (an absent gate has DPL 0 too).  0x80's
#: gate lies past the limit, where qemu's CPU reads it all the same.
IDT_GATES = {**dict.fromkeys(range(20), 0), 3: 3, 4: 3, 0x80: 3}
EFLAGS_IF = 0x200


def _descriptor(flags: int) -> bytes:
    """A flat segment descriptor (base 0, limit 0xfffff pages) with ``flags``."""
    limit = 0xFFFFF
    return struct.pack("<II", limit & 0xFFFF, (limit & 0xF0000) | flags)


def target_cpu_copy_regs(cpu: X86CPU, mem: GuestMemory) -> None:
    """Map and fill the IDT and the GDT, load IDTR and GDTR, and run the vCPU in user
    mode with qemu's selectors.  The stock engine has no user mode (patch 0027): there
    the tables are made alike and the vCPU stays at CPL 0 with its selectors 0."""
    prot, flags = PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS
    idt = mem.target_mmap(0, TABLE_PAGE, prot, flags, -1, 0)
    gdt = mem.target_mmap(0, TABLE_PAGE, prot, flags, -1, 0)
    gates = bytearray(TABLE_PAGE)
    for vector, dpl in IDT_GATES.items():
        struct.pack_into("<I", gates, vector * 16 + 4, DESC_P | dpl << DESC_DPL_SHIFT)
    mem.write(idt, bytes(gates))
    user = DESC_G | DESC_B | DESC_P | DESC_S | 3 << DESC_DPL_SHIFT
    mem.write(gdt + (USER_DS & ~7), _descriptor(user | DESC_DATA_WRITE << DESC_TYPE_SHIFT))
    mem.write(gdt + (USER_CS & ~7),
              _descriptor(user | DESC_L | DESC_CODE_READ << DESC_TYPE_SHIFT))
    cpu.write_reg_bytes("idtr", X86_MMR.pack(0, idt, IDT_LIMIT, 0))
    cpu.write_reg_bytes("gdtr", X86_MMR.pack(0, gdt, GDT_ENTRIES * 8 - 1, 0))
    entered = lib.cpu_x86_user_mode(cpu.handle, USER_CS, USER_DS)
    if entered < 0:
        raise EngineError(f"the engine cannot enter user mode with CS {USER_CS:#x}")
    if entered == 0:
        cpu.write_regs(("ds", "es"), (USER_DS, USER_DS))
    cpu.write_reg("eflags", cpu.read_reg("eflags") | EFLAGS_IF)

# CPU exceptions (x86 vector numbers): the guest signal and si_code each raises.
X86_EXCEPTION_SIGNALS = {
    0: (signal.SIGFPE, 1),       # divide error: FPE_INTDIV
    1: (signal.SIGTRAP, 1),      # debug
    3: (signal.SIGTRAP, 0x80),   # int3: SI_KERNEL
    4: (signal.SIGSEGV, 0x80),   # into
    5: (signal.SIGSEGV, 0x80),   # bound
    6: (signal.SIGILL, 2),       # invalid opcode: ILL_ILLOPN
    13: (signal.SIGSEGV, 0x80),  # general protection (privileged instructions, hlt)
    16: (signal.SIGFPE, 0),      # x87 error
    17: (signal.SIGBUS, 1),      # alignment check
    19: (signal.SIGFPE, 0),      # SIMD floating point
}


# SIGFPE's si_code for an exception flag (Linux's fpu__exception_code), in its order:
# invalid, divide-by-zero, overflow, underflow or denormal, precision.
FPE_CODES = ((0x01, 7), (0x04, 3), (0x08, 4), (0x12, 5), (0x20, 6))   # FPE_FLTINV ... FLTRES
XM_VECTOR = 19


def simd_fpe_code(mxcsr: int) -> int:
    """si_code of a SIMD floating-point exception: the first flag set and unmasked."""
    err = ~(mxcsr >> 7) & mxcsr
    return next((code for bits, code in FPE_CODES if err & bits), 0)


#: The legacy vsyscall page (Linux's VSYSCALL_ADDR) and its three entry points.
VSYSCALL_PAGE = 0xFFFFFFFFFF600000
VSYSCALL_ENTRIES = {0x000: nr.TARGET_NR_gettimeofday, 0x400: nr.TARGET_NR_time,
                    0x800: nr.TARGET_NR_getcpu}
EFAULT = 14


def emulate_vsyscall(task: TaskState) -> None:
    """A call into the vsyscall page: run its syscall and return to the caller.

    As qemu-x86_64 7.2 (and the kernel's vsyscall=emulate): an entry other than the three
    is SIGSEGV, so is a return address that cannot be read or a syscall that faults
    (-EFAULT); otherwise rax gets the result and a ``ret`` is emulated.  The page holds no
    guest code: nothing is translated there, so plugins see no instruction of it.
    """
    from pyqemu.linux_user.syscall import do_syscall

    cpu = task.cpu
    syscall = VSYSCALL_ENTRIES.get(cpu.read_reg("rip") - VSYSCALL_PAGE)
    rsp = cpu.read_reg("rsp")
    try:
        (caller,) = struct.unpack("<Q", task.mem.read(rsp, 8))
    except GuestFault:
        syscall = None
    if syscall is not None:
        args = [cpu.read_reg(name) for name in ("rdi", "rsi", "rdx", "r10", "r8", "r9")]
        ret = do_syscall(task, syscall, *args)
        if ret != -EFAULT:
            cpu.write_reg("rax", ret & (2**64 - 1))
            cpu.write_reg("rip", caller)
            cpu.write_reg("rsp", rsp + 8)
            return
    deliver_sync_signal(task, signal.SIGSEGV, make_siginfo(signal.SIGSEGV, SI_KERNEL), 0, 0)


def deliver_fault(task: TaskState, reason: int) -> None:
    """A CPU exception becomes a synchronous guest signal, delivered at once."""
    info = task.cpu.exit_info
    trapno, cr2, err = 0, 0, 0
    if (reason == lib.EXCP_SEGV and info.fault_write == 2
            and info.pc & ~0xFFF == VSYSCALL_PAGE):   # fault_addr is cut to 52 bits
        emulate_vsyscall(task)
        return
    if reason == lib.EXCP_SEGV:
        trapno, cr2 = 14, info.fault_addr
        sig, siginfo = segv_siginfo(task, info.fault_addr)
    elif reason == lib.EXCP_ILL:
        sig, trapno = signal.SIGILL, 6
        siginfo = make_siginfo(sig, 2, addr=info.pc)
    elif reason == lib.EXCP_INTR:
        sig, code = X86_EXCEPTION_SIGNALS.get(info.intno, (signal.SIGSEGV, 0x80))
        if info.intno == XM_VECTOR:
            code = simd_fpe_code(task.cpu.read_reg("mxcsr"))
        trapno = info.intno
        err = max(0, int(lib.cpu_x86_error_code(task.cpu.handle)))
        # the kernel's SI_KERNEL signals (int3, #GP) carry no address
        siginfo = make_siginfo(sig, code, addr=0 if code == SI_KERNEL or sig == signal.SIGSEGV
                               else info.pc)
    elif reason == lib.EXCP_ENGINE and info.uc_err == 0:
        # an engine stop with no error is hlt at CPL 0 (the stock engine; patch 0027 runs
        # guest code at CPL 3, where hlt is #GP)
        sig, trapno = signal.SIGSEGV, 13
        siginfo = make_siginfo(sig, 0x80)
    else:
        raise engine_error(info)
    deliver_sync_signal(task, sig, siginfo, trapno, cr2, err)
