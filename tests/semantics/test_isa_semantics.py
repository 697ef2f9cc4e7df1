# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 26, instruction results on pyqemu's engine (patch 0011): BMI2, cmpxchg and MMX,
each over operand patterns, compared with the CPU this runs on and with qemu-x86_64 7.2.

Where the CPU and qemu 7.2 agree (every line of these guests on the development machine,
an AMD EPYC with BMI2, ADX and SSSE3), pyqemu must print the same.  Before patch 0011:
bzhi with an index of 32 or more, pdep/pext l with mask bits above 31, cmpxchg l writing
RAX on success and a register destination on failure, and phadd/phsub with one register
as both operands gave other results.
"""

from __future__ import annotations

import pytest
from harness import run_native, run_pyqemu, run_qemu

CASES = {
    "bmi2": ("-mbmi2",),
    "cmpxchg": (),
    "mmx": ("-mssse3",),
    "mmx_alias": ("-mssse3",),
}


#: the cases the stock engine (Unicorn 2.1.4 as released) gets wrong, fixed by patch 0011
NEEDS_0011 = {"bmi2", "cmpxchg", "mmx_alias"}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.patched_engine(
        "the stock engine's results for these differ from the hardware; engine patch 0011"))
    if name in NEEDS_0011 else name
    for name in sorted(CASES)])
def test_instruction_results(semantics_guest, name: str) -> None:
    prog = semantics_guest(name, CASES[name])
    native = run_native([prog])
    qemu = run_qemu([prog])
    assert native.returncode == 0 and native.stdout.count("\n") > 50, native.describe()
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    pyqemu = run_pyqemu([prog])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert pyqemu.stdout == qemu.stdout
