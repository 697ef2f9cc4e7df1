# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 23, x86-64-v3 guests on pyqemu's engine (patch 0018): the VEX-encoded SSE, AVX,
AVX2, FMA3 and F16C instructions, compared with the CPU this runs on and with qemu-x86_64 7.2.

guests/avx.c runs each instruction in its register and memory forms, 256 and 128 bits (a
VEX.128 form zeroes bits 255:128), over four data sets, and prints the whole destination,
rax, the flags, MXCSR and the memory cell; pyqemu must print what the CPU prints, line for
line.  qemu-x86_64 7.2 gives the same results but never sets MXCSR's denormal flag (DE),
loads other elements than the CPU in dword-indexed gathers, computes another upper lane for
256-bit vaesenc/vaesdec and blsi's CF the other way round, so it is compared without those;
it has no 256-bit vpclmulqdq.  The guest also runs BMI1, LZCNT and MOVBE (x86-64-v3's
general-purpose part), with the flags the SDM leaves undefined cleared.
guests/avx_rules.c checks the encodings that must raise
#UD (VEX after a 66/F2/F3/REX/LOCK prefix, VEX.L=1 or VEX.W where the instruction does not
allow it, VEX.vvvv other than 1111b where unused, a memory operand where only a register is
allowed, map 4), vzeroupper/vzeroall and bits 255:128 under legacy SSE and VEX.128
instructions (XSAVE's YMM_Hi128 component: tests/engine/test_engine_avx.py).
guests/vec_loops.c is ordinary C that gcc -O3 -march=x86-64-v3 vectorises, and every
guest of tests/guests/ is built that way too.  Without -cpu pyqemu answers CPUID as qemu
7.2's default model (max, with AVX2), so glibc's own routines take their AVX2 variants too;
with -cpu, a model without AVX makes every VEX instruction #UD, as qemu does.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from harness import compile_guest, guest_env, require_pyqemu, run_native, run_pyqemu, run_qemu

NEEDS_0018 = pytest.mark.patched_engine("AVX: patch 0018")

#: what the guests are built with (the SDM's feature flags for the instructions they use)
AVX_FLAGS = ("-mavx2", "-mfma", "-mf16c", "-mbmi", "-mbmi2", "-mlzcnt", "-mmovbe")


def _qemu_7_2_differs(line: str) -> bool:
    """Where qemu-x86_64 7.2 gives other results than the CPU: dword-indexed gathers load
    other elements, 256-bit vaesenc/vaesdec compute another upper lane, and blsi sets CF
    when its source is zero (the SDM and the CPU: when it is not)."""
    return ("gatherd" in line or " blsi " in line
            or (line.startswith(("vaesenc ", "vaesdec ")) and "%%ymm" in line))


def _as_qemu_gives_it(text: str) -> str:
    """The lines qemu-x86_64 7.2 prints as the CPU does, without MXCSR (qemu never sets DE)."""
    return "".join(re.sub(r" mx=[0-9a-f]+", "", line)
                   for line in text.splitlines(keepends=True) if not _qemu_7_2_differs(line))


@NEEDS_0018
def test_avx_instruction_results(semantics_guest) -> None:
    prog = semantics_guest("avx", AVX_FLAGS)
    native = run_native([prog])
    assert native.returncode == 0 and native.stdout.count("\n") > 4000, native.describe()
    qemu = run_qemu([prog], extra=["-cpu", "max"])
    assert qemu.returncode == 0, qemu.describe()
    assert _as_qemu_gives_it(qemu.stdout) == _as_qemu_gives_it(native.stdout)
    pyqemu = run_pyqemu([prog])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert pyqemu.stdout == native.stdout


#: a run of pyqemu-x86_64 whose -cpu may answer VPCLMULQDQ: qemu 7.2's TCG filter (which
#: drops the bit, so no model of qemu's has it) lets it through, for this test only
WITH_VPCLMULQDQ = """
import dataclasses, sys
from pyqemu.linux_user.x86_64 import cpu_models as m
old = m.FEATURES["vpclmulqdq"]
new = dataclasses.replace(old, tcg=old.tcg | {"vpclmulqdq"})
m.WORDS = tuple(new if w is old else w for w in m.WORDS)
m.FEATURES.update(dict.fromkeys(new.bits, new))
sys.argv = ["pyqemu-x86_64", *sys.argv[1:]]
from pyqemu.linux_user.main import main
sys.exit(main())
"""


@NEEDS_0018
def test_vpclmulqdq_256(semantics_guest) -> None:
    """VPCLMULQDQ's VEX.256 form: qemu-x86_64 7.2's TCG neither answers its CPUID bit
    (leaf 7 ECX bit 10) nor executes it, so without -cpu both emulators raise SIGILL.  The
    engine executes it where the CPUID table has the bit: the CPU's results."""
    prog = semantics_guest("avx", AVX_FLAGS)
    native = run_native([prog, "vpclmulqdq"])
    assert native.returncode == 0 and native.stdout.count("vpclmulqdq") == 16, native.describe()
    qemu = run_qemu([prog, "vpclmulqdq"])
    assert qemu.returncode in (-4, 128 + 4), qemu.describe()
    pyqemu = run_pyqemu([prog, "vpclmulqdq"])
    assert (pyqemu.returncode, pyqemu.stdout) == (qemu.returncode, qemu.stdout), (
        pyqemu.describe())
    require_pyqemu()
    with_bit = subprocess.run(
        [sys.executable, "-c", WITH_VPCLMULQDQ, "-cpu", "max,+vpclmulqdq", str(prog),
         "vpclmulqdq"], env=guest_env(), capture_output=True, text=True, timeout=120,
        check=False)
    assert (with_bit.returncode, with_bit.stdout) == (0, native.stdout), with_bit.stderr


def _as_the_sdm_says(text: str) -> str:
    """The encodings' lines, without those an AMD CPU decodes otherwise than the Intel SDM
    (marked [amd-differs]) when this machine's CPU is an AMD one."""
    if "GenuineIntel" in Path("/proc/cpuinfo").read_text():
        return text
    return "".join(line for line in text.splitlines(keepends=True) if "[amd-differs]" not in line)


@NEEDS_0018
def test_avx_encoding_rules_and_state(semantics_guest) -> None:
    prog = semantics_guest("avx_rules", AVX_FLAGS)
    native = run_native([prog])
    assert native.returncode == 0 and native.stdout.count("\n") > 20, native.describe()
    qemu = run_qemu([prog], extra=["-cpu", "max"])
    assert qemu.returncode == 0, qemu.describe()
    pyqemu = run_pyqemu([prog])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert _as_the_sdm_says(pyqemu.stdout) == _as_the_sdm_says(native.stdout)
    # qemu-x86_64 7.2 agrees except where it decodes more loosely (listed in the guest)
    assert [line for line in qemu.stdout.splitlines() if "[qemu-differs]" not in line] == [
        line for line in native.stdout.splitlines() if "[qemu-differs]" not in line]


@NEEDS_0018
@pytest.mark.parametrize("cpu", ["Westmere", "Nehalem"])
def test_vex_follows_the_cpu_model(semantics_guest, cpu: str) -> None:
    """With -cpu, a model without AVX makes every VEX instruction #UD, as under qemu: the
    encodings all print "ud", then vzeroupper ends the program with SIGILL."""
    prog = semantics_guest("avx_rules", AVX_FLAGS)
    qemu = run_qemu([prog], extra=["-cpu", cpu])
    assert qemu.returncode != 0 and " ok" not in qemu.stdout, qemu.describe()
    assert qemu.stdout.count(" ud\n") > 40, qemu.describe()
    pyqemu = run_pyqemu([prog], extra=["-cpu", cpu])
    assert (pyqemu.returncode, pyqemu.stdout) == (qemu.returncode, qemu.stdout), (
        pyqemu.describe())


@NEEDS_0018
@pytest.mark.parametrize("opt", ["-O3", "-O2"])
def test_x86_64_v3_build(semantics_guest, opt: str) -> None:
    prog = semantics_guest("vec_loops", ("-march=x86-64-v3", "-fno-math-errno", opt))
    native = run_native([prog])
    assert native.returncode == 0 and native.stdout.count("\n") > 10, native.describe()
    qemu = run_qemu([prog], extra=["-cpu", "max"])
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    pyqemu = run_pyqemu([prog])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert pyqemu.stdout == native.stdout


GUEST_DIR = Path(__file__).resolve().parent.parent / "guests"


@NEEDS_0018
@pytest.mark.parametrize("name", sorted(p.stem for p in GUEST_DIR.glob("*.c")))
def test_suite_guest_built_for_x86_64_v3(tmp_path: Path, name: str) -> None:
    """Each guest of tests/guests/ built with gcc -O3 -march=x86-64-v3: pyqemu's output and
    exit status are the CPU's."""
    prog = compile_guest(GUEST_DIR / f"{name}.c", tmp_path / name, "gcc-static",
                         ("-O3", "-march=x86-64-v3"))
    native = run_native([prog])
    pyqemu = run_pyqemu([prog])
    assert (pyqemu.returncode, pyqemu.stdout) == (native.returncode, native.stdout), (
        pyqemu.describe())
