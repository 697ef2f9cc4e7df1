# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 23 on the patched engine (patch 0018): XSAVE/XRSTOR carry the AVX state.

The SDM (vol. 1, 13.4 and 13.5.3) puts the YMM_Hi128 component, state component 2, at
offset 576 of the standard-form XSAVE area: bits 255:128 of YMM0-15, 16 bytes per register.
XSAVE with XCR0 and EDX:EAX including bit 2 stores it and sets XSTATE_BV[2]; XRSTOR loads it
back, or clears those bits when XSTATE_BV[2] is 0.  The engine gets XCR0 = x87|SSE|AVX from
a CPUID table with AVX (patch 0010's uc_x86_cpuid_features), as pyqemu gives it for `-cpu`.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.patched_engine("AVX: patch 0018")


def test_xsave_xrstor_ymm_hi128(run_scenario, our_engine) -> None:
    result = run_scenario("xsave_ymm_component", our_engine)
    data = bytes(range(1, 65))
    assert (result["status"], result["run"]) == (0, "ok")
    assert result["xstate_bv"] & 0x7 == 0x7
    assert result["ymm3_hi"] == data[16:32].hex()
    assert result["ymm9_hi"] == data[48:64].hex()
    assert result["ymm3_restored"] == data[0:32].hex()
    assert result["ymm9_restored"] == data[32:64].hex()
    assert result["ymm3_without_bv2"] == data[0:16].hex() + bytes(16).hex()
