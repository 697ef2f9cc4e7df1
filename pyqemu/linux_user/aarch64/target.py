# SPDX-License-Identifier: GPL-2.0-or-later
"""The aarch64 guest as the generic modules see it (pyqemu.linux_user.arch): what QEMU's
linux-user/aarch64/target_*.h and elfload.c's TARGET_AARCH64 section define."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from pyqemu.linux_user.aarch64 import cpu_loop, signal, syscall_nr
from pyqemu.linux_user.arch import TargetArch

EM_AARCH64 = 183
#: AT_HWCAP and AT_HWCAP2 of qemu-aarch64 7.2 with -cpu cortex-a72, the engine's CPU:
#: fp, asimd, evtstrm, aes, pmull, sha1, sha2, crc32, cpuid
CORTEX_A72_HWCAP = 0x8FB
CORTEX_A72_HWCAP2 = 0
#: QEMU 7.2's sigtramp page: mov x8, #139 (rt_sigreturn); svc #0
SIGTRAMP_CODE = struct.pack("<II", 0xD2801168, 0xD4000001)

#: CPU models qemu-aarch64 7.2 knows
CPU_MODELS = ("a64fx", "cortex-a35", "cortex-a53", "cortex-a57", "cortex-a72", "cortex-a76",
              "max", "neoverse-n1")


def set_tls(cpu: Any, value: int) -> None:
    """CLONE_SETTLS on aarch64: TPIDR_EL0."""
    cpu.write_reg("tpidr_el0", value)


def syscall_overrides() -> Mapping[str, Any]:
    from pyqemu.linux_user.syscall.generic import generic_overrides

    return generic_overrides()


TARGET = TargetArch(
    name="aarch64",
    elf_machine=EM_AARCH64,
    hwcap=CORTEX_A72_HWCAP,
    hwcap2=CORTEX_A72_HWCAP2,
    platform=b"aarch64",
    mmap_base=0x5500000000,      # QEMU 7.2's TASK_UNMAPPED_BASE for aarch64 guests
    reg_prefix="UC_ARM64_REG_",
    pc_reg="pc",
    sp_reg="sp",
    state_regs=(*(f"x{i}" for i in range(31)), "sp", "pc", "nzcv", "tpidr_el0", "fpcr",
                "fpsr"),
    wide_regs=tuple(f"q{i}" for i in range(32)),
    wide_size=16,
    syscall_nr=syscall_nr,
    ret_reg="x0",
    clone_backwards=True,
    sigaction_has_restorer=True,
    set_tls=set_tls,
    setup_rt_frame=signal.setup_rt_frame,
    restore_rt_frame=signal.restore_rt_frame,
    deliver_fault=cpu_loop.deliver_fault,
    sigtramp_code=SIGTRAMP_CODE,
    cpu_models=CPU_MODELS,
    syscall_overrides=syscall_overrides,
)
