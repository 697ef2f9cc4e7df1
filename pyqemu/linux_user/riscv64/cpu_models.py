# SPDX-License-Identifier: GPL-2.0-or-later
"""riscv64 CPU models: ``-cpu NAME`` as qemu-riscv64 7.2 runs them.

User code learns nothing of a RISC-V CPU but AT_HWCAP (misa is a machine-mode CSR); the
model decides which instructions run.  pyqemu runs the engine's model of the same core
(Unicorn's UC_CPU_RISCV64_*), so an instruction the core lacks raises SIGILL as under
qemu (sifive-e51 has no F or D, so glibc's start-up already dies there); AT_HWCAP is
qemu-riscv64 7.2's for each runnable model (IMAFDC, observed).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyqemu.errors import CpuModelError

#: model -> Unicorn's UC_CPU_RISCV64_* (ANY 0, BASE64 1, SIFIVE_E51 2, SIFIVE_U54 3);
#: shakti-c is an RV64GC core like the base model
ENGINE_MODELS = {"any": 0, "rv64": 1, "shakti-c": 1, "sifive-e51": 2, "sifive-u54": 3}
#: AT_HWCAP qemu-riscv64 7.2 gives them (I, M, A, F, D, C)
HWCAP_IMAFDC = 0x112D


@dataclass(frozen=True)
class CpuConfig:
    name: str
    engine_model: int
    hwcap: int


def parse_cpu(text: str) -> CpuConfig:
    name, _, props = text.partition(",")
    if name == "x-rv128":
        raise CpuModelError("CPU model 'x-rv128' needs features the engine does not "
                            "execute: rv128")
    if name not in ENGINE_MODELS:
        raise CpuModelError(f"unable to find CPU model '{name}'")
    if props:
        raise CpuModelError(f"CPU properties are not modelled by pyqemu on riscv64: '{props}'")
    return CpuConfig(name, ENGINE_MODELS[name], HWCAP_IMAFDC)
