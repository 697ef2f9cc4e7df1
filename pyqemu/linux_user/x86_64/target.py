# SPDX-License-Identifier: GPL-2.0-or-later
"""The x86_64 guest as the generic modules see it (pyqemu.linux_user.arch): what QEMU's
linux-user/x86_64/target_*.h and elfload.c's TARGET_X86_64 section define."""

from __future__ import annotations

from typing import Any

from pyqemu.linux_user.arch import TargetArch
from pyqemu.linux_user.x86_64 import cpu_loop, signal, syscall_nr

EM_X86_64 = 62
#: AT_HWCAP qemu-x86_64 7.2 gives with its default CPU (-cpu max): CPUID.1 EDX
QEMU_MAX_HWCAP = 0x0FCBFBFD

#: x86_64 CPU models qemu-x86_64 knows; the engine runs its own model for all.
CPU_MODELS = (
    "486", "Broadwell", "Cascadelake-Server", "Conroe", "Cooperlake", "Denverton", "Dhyana",
    "EPYC", "EPYC-Milan", "EPYC-Rome", "GraniteRapids", "Haswell", "Icelake-Server",
    "IvyBridge", "KnightsMill", "Nehalem", "Opteron_G1", "Opteron_G2", "Opteron_G3",
    "Opteron_G4", "Opteron_G5", "Penryn", "SandyBridge", "SapphireRapids", "Skylake-Client",
    "Skylake-Server", "Snowridge", "Westmere", "athlon", "base", "core2duo", "coreduo", "kvm32",
    "kvm64", "max", "n270", "pentium", "pentium2", "pentium3", "phenom", "qemu32", "qemu64",
)


#: XCR0 of the engine's own model (no -cpu): its leaf 0xd lists x87, SSE and AVX's YMM state,
#: and it executes AVX
OWN_MODEL_XCR0 = 0x7


def xstate_features() -> int:
    """XCR0 as Linux sets it for the CPU model the vCPUs run: every XSAVE component its
    CPUID leaf 0xd lists (none without XSAVE)."""
    from pyqemu.host import lib

    components = int(lib.cpu_x86_xsave_components())
    return OWN_MODEL_XCR0 if components < 0 else components


def set_tls(cpu: Any, value: int) -> None:
    """CLONE_SETTLS on x86_64: the FS segment base."""
    cpu.set_fs_base(value)


TARGET = TargetArch(
    name="x86_64",
    elf_machine=EM_X86_64,
    hwcap=QEMU_MAX_HWCAP,
    hwcap2=None,
    platform=b"x86_64",
    mmap_base=0x4000000000,
    reg_prefix="UC_X86_REG_",
    pc_reg="rip",
    sp_reg="rsp",
    state_regs=("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
                "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "fs_base", "gs_base",
                "fpcw", "fpsw", "fptag", "mxcsr"),
    # ymm0-15 whole (Linux copies every XSAVE component), and the x87 registers (10 bytes
    # each, physical order)
    wide_regs=tuple(f"ymm{i}" for i in range(16)) + tuple(f"fp{i}" for i in range(8)),
    wide_size=32,
    syscall_nr=syscall_nr,
    ret_reg="rax",
    clone_backwards=False,
    sigaction_has_restorer=True,
    set_tls=set_tls,
    setup_rt_frame=signal.setup_rt_frame,
    restore_rt_frame=signal.restore_rt_frame,
    deliver_fault=cpu_loop.deliver_fault,
    cpu_copy_regs=cpu_loop.target_cpu_copy_regs,
    cpu_models=CPU_MODELS,
    xstate_features=xstate_features,
)
