# SPDX-License-Identifier: GPL-2.0-or-later
"""aarch64 CPU models: ``-cpu NAME`` as qemu-aarch64 7.2 presents it to user code.

What a program learns about its CPU on aarch64 Linux is AT_HWCAP/AT_HWCAP2 and the ID
registers the kernel lets EL0 read (MIDR_EL1, MPIDR_EL1, REVIDR_EL1, the ID_AA64*
space; CTR_EL0 and DCZID_EL0).  For the models whose instructions the engine executes
(ARMv8.0 with the crypto and CRC extensions: cortex-a35, -a53, -a57, -a72), pyqemu
runs the engine's model of that core (Cortex-A53 for the A35, which has the same
features), puts qemu-aarch64 7.2's HWCAPs in the aux vector and answers MRS of those
registers with qemu's values (cpu_model_data.py, observed; the C host's MRS hook).
The others need instructions the engine's cores do not have and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyqemu.errors import CpuModelError

#: AT_HWCAP bits (Linux's arch/arm64/include/uapi/asm/hwcap.h)
HWCAP_NAMES = (
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb",
    "paca", "pacg",
)

#: the engine's cores, by Unicorn's UC_CPU_ARM64_* name
ENGINE_MODELS = {"A57": 0, "A53": 1, "A72": 2}

#: models qemu-aarch64 7.2 knows that the engine cannot run -> their AT_HWCAP (observed)
REFUSED_HWCAP = {"a64fx": 0x415FFB, "cortex-a76": 0x119FFB, "neoverse-n1": 0x119FFB,
                 "max": 0xECFFFFFB}
#: what the engine's cores execute (cortex-a72's AT_HWCAP)
ENGINE_HWCAP = 0x8FB


@dataclass(frozen=True)
class CpuConfig:
    name: str
    engine_model: int
    hwcap: int
    hwcap2: int
    sysregs: tuple[tuple[int, int, int, int, int, int], ...]

    def flat(self) -> list[int]:
        """The rows for the C host: op0, op1, crn, crm, op2, value."""
        return [word for row in self.sysregs for word in row]


def parse_cpu(text: str) -> CpuConfig:
    from pyqemu.linux_user.aarch64 import cpu_model_data as data

    name, _, props = text.partition(",")
    if name in REFUSED_HWCAP:
        lacking = REFUSED_HWCAP[name] & ~ENGINE_HWCAP
        names = " ".join(n for bit, n in enumerate(HWCAP_NAMES) if lacking >> bit & 1)
        raise CpuModelError(
            f"CPU model '{name}' needs features the engine does not execute: {names}")
    if name not in data.MODELS:
        raise CpuModelError(f"unable to find CPU model '{name}'")
    if props:
        raise CpuModelError(f"CPU properties are not modelled by pyqemu on aarch64: '{props}'")
    engine, hwcap, hwcap2, sysregs = data.MODELS[name]
    return CpuConfig(name, ENGINE_MODELS[engine], hwcap, hwcap2, sysregs)
