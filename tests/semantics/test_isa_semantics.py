# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 26, instruction results on pyqemu's engine (patches 0011, 0016): BMI2, cmpxchg,
MMX and the SSE4.2 string compares, each over operand patterns, compared with the CPU this
runs on and with qemu-x86_64 7.2.

Where the CPU and qemu 7.2 agree (every line of these guests on the development machine,
an AMD EPYC with BMI2, ADX and SSSE3), pyqemu must print the same.  Before patch 0011:
bzhi with an index of 32 or more, pdep/pext l with mask bits above 31, cmpxchg l writing
RAX on success and a register destination on failure, and phadd/phsub with one register
as both operands gave other results; before patch 0016, pcmpistri/pcmpestri (and the
mask forms) in the equal-ordered mode missed a needle running past the haystack's end.
"""

from __future__ import annotations

import pytest
from harness import run_native, run_pyqemu, run_qemu

CASES = {
    "bmi2": ("-mbmi2",),
    "cmpxchg": (),
    "mmx": ("-mssse3",),
    "mmx_alias": ("-mssse3",),
    "pcmpstr": ("-msse4.2",),
}


#: the cases the stock engine (Unicorn 2.1.4 as released) gets wrong, and the patch fixing them
NEEDS_PATCH = {"bmi2": "0011", "cmpxchg": "0011", "mmx_alias": "0011", "pcmpstr": "0016"}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.patched_engine(
        "the stock engine's results for these differ from the hardware; engine patch "
        + NEEDS_PATCH[name]))
    if name in NEEDS_PATCH else name
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


@pytest.mark.patched_engine("-cpu models and their features come from engine patch 0010")
def test_adx_and_3dnow_under_a_model_with_them(semantics_guest) -> None:
    """ADX and 3DNow! run when the -cpu model has their bits, as under qemu-x86_64 7.2,
    without -cpu (the default model, max, has both) included, and raise SIGILL under one
    without them (qemu64), as there."""
    prog = semantics_guest("adx_3dnow", ("-madx",))
    for with_both in (("-cpu", "qemu64,+adx,+3dnow"), ()):
        qemu = run_qemu([prog], extra=with_both)
        assert qemu.returncode == 0 and "3dnow pfadd 1.75 5\n" in qemu.stdout, qemu.describe()
        adx_lines = [line for line in qemu.stdout.splitlines() if line.startswith("adx ")]
        assert len(adx_lines) == 32
        # the host CPU has ADX (not necessarily 3DNow!): its adx lines are the reference
        native = run_native([prog])
        assert native.stdout.splitlines()[:32] == adx_lines, native.describe()
        pyqemu = run_pyqemu([prog], extra=with_both)
        assert (pyqemu.returncode, pyqemu.stdout) == (0, qemu.stdout), pyqemu.describe()
    for model in ("qemu64", "qemu64,+adx"):
        qemu = run_qemu([prog], extra=("-cpu", model))
        pyqemu = run_pyqemu([prog], extra=("-cpu", model))
        assert qemu.returncode in (-4, 128 + 4), qemu.describe()
        assert (pyqemu.returncode, pyqemu.stdout) == (qemu.returncode, qemu.stdout), \
            pyqemu.describe()
