# SPDX-License-Identifier: GPL-2.0-or-later
"""The riscv64 guest as the generic modules see it (pyqemu.linux_user.arch): what QEMU's
linux-user/riscv/target_*.h and elfload.c's TARGET_RISCV section define."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

from pyqemu.linux_user.arch import TargetArch
from pyqemu.linux_user.riscv64 import cpu_loop, signal, syscall_nr

EM_RISCV = 243
#: AT_HWCAP of qemu-riscv64 7.2: the single-letter extensions I, M, A, F, D, C
RV64_HWCAP = 0x112D
#: QEMU 7.2's sigtramp page: li a7, 139 (rt_sigreturn); ecall
SIGTRAMP_CODE = struct.pack("<II", 0x08B00893, 0x00000073)

#: CPU models qemu-riscv64 7.2 knows
CPU_MODELS = ("any", "rv64", "shakti-c", "sifive-e51", "sifive-u54", "x-rv128")


def set_tls(cpu: Any, value: int) -> None:
    """CLONE_SETTLS on riscv64: the tp register (x4)."""
    cpu.write_reg("x4", value)


def do_riscv_flush_icache(task: Any, start: int, end: int, flags: int) -> int:
    """riscv_flush_icache: nothing to do, as in QEMU 7.2 (code written by the guest is
    seen by the translator without it)."""
    return 0


def syscall_overrides() -> Mapping[str, Any]:
    from pyqemu.linux_user.syscall.args import Addr, ULong
    from pyqemu.linux_user.syscall.defs import special
    from pyqemu.linux_user.syscall.generic import generic_overrides

    return {**generic_overrides(),
            "riscv_flush_icache": special(do_riscv_flush_icache, Addr(), Addr(), ULong())}


TARGET = TargetArch(
    name="riscv64",
    elf_machine=EM_RISCV,
    hwcap=RV64_HWCAP,
    hwcap2=None,
    platform=None,
    mmap_base=0x4000000000,
    reg_prefix="UC_RISCV_REG_",
    pc_reg="pc",
    sp_reg="x2",
    state_regs=(*(f"x{i}" for i in range(1, 32)), *(f"f{i}" for i in range(32)), "pc",
                "fcsr"),
    wide_regs=(),
    wide_size=8,
    syscall_nr=syscall_nr,
    ret_reg="x10",
    clone_backwards=True,
    sigaction_has_restorer=False,
    set_tls=set_tls,
    setup_rt_frame=signal.setup_rt_frame,
    restore_rt_frame=signal.restore_rt_frame,
    deliver_fault=cpu_loop.deliver_fault,
    sigtramp_code=SIGTRAMP_CODE,
    cpu_models=CPU_MODELS,
    syscall_overrides=syscall_overrides,
)
