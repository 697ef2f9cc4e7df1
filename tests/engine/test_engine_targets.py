# SPDX-License-Identifier: GPL-2.0-or-later
"""The other targets pyqemu builds the engine for: aarch64 and riscv64.

A store, a load of it, an add and a store back, compared with the stock engine;
on aarch64 also a store over a later instruction of the running block, whose
result (the block finishes with the old instruction, as stock Unicorn does:
there is no precise SMC on Arm) must not change either.
"""

from __future__ import annotations

import pytest
import scenarios
from prerequisites import import_or_missing


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("arm64_store_load_and_smc", {"status": "ok", "stored": 2, "w0": 1}),
        ("riscv64_store_load", {"status": "ok", "stored": 2}),
    ],
)
def test_store_load_on_target(name, expected, run_scenario, our_engine, stock_engine):
    assert run_scenario(name, our_engine) == expected
    assert run_scenario(name, stock_engine) == expected


def test_hand_encoded_instructions_are_what_the_comments_say():
    capstone = import_or_missing("capstone")
    arm = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    code = b"".join(w.to_bytes(4, "little") for w in scenarios.ARM64_CODE)
    text = [f"{i.mnemonic} {i.op_str}" for i in arm.disasm(code, 0)]
    assert text == ["mov x1, #1", "str w1, [x0]", "ldr w2, [x0]", "add w2, w2, #1",
                    "str w2, [x0]", "str w3, [x4]", "mov w0, #1"]
    new = next(arm.disasm(scenarios.ARM64_MOV_W0_42.to_bytes(4, "little"), 0))
    assert f"{new.mnemonic} {new.op_str}" == "mov w0, #0x2a"
    riscv = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV64)
    code = b"".join(w.to_bytes(4, "little") for w in scenarios.RISCV64_CODE)
    text = [f"{i.mnemonic} {i.op_str}" for i in riscv.disasm(code, 0)]
    assert text == ["addi a1, zero, 1", "sw a1, 0(a0)", "lw a2, 0(a0)", "addi a2, a2, 1",
                    "sw a2, 0(a0)"]
