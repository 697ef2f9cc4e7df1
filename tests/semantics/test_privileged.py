# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest code runs in user mode (CPL 3, IOPL 0), as under qemu-x86_64 7.2 and Linux:
privileged instructions raise #GP and the guest gets SIGSEGV with si_code SI_KERNEL and
si_addr 0, RIP at the instruction; int $n of a vector user mode may not raise is #GP too.

Before engine patch 0027 the engine ran guest code at CPL 0: in, out, cli, sti, rdmsr,
lgdt... ran, hlt stopped the engine, popf and rt_sigreturn set IOPL, and lscpu's VMware
backdoor probe (in eax, dx) succeeded, so lscpu printed "Hypervisor vendor: VMware".

guests/privileged.c prints, per case, the signal, si_code, si_addr, the saved RIP, trapno
and err.  pyqemu must print qemu's lines.  Native lines agree with qemu's except where
QEMU_DIFFERS says; trapno follows the native run (NATIVE_TRAPNO).
"""

from __future__ import annotations

import re
import shutil

import pytest
from harness import run_native, run_pyqemu, run_qemu, strip_qemu_noise
from prerequisites import missing

pytestmark = pytest.mark.patched_engine("user mode (CPL 3): engine patch 0027")

#: cases where qemu-x86_64 7.2 differs from Linux, and how; pyqemu follows qemu
QEMU_DIFFERS = {
    "sysret ": "qemu: #UD (SIGILL), its linux-user leaves EFER.SCE clear; Linux: #GP",
    "icebp ": "qemu: #UD (SIGILL); Linux: #DB, SIGTRAP with TRAP_BRKPT",
    "int_81 ": "err: qemu's #GP error code is (n << 4) + 2, the CPU's (n << 3) + 2",
    "int_0d ": "the same",
    "int_0e ": "the same",
    "int80": "qemu runs int $0x80 as a syscall of the x86_64 table with the i386 argument "
             "registers (39: getpid); Linux runs the i386 syscall (mkdir), or gives SIGSEGV "
             "without IA32 emulation",
    "fsgsbase": "natively the host CPU's CPUID decides; qemu's default model (max) has it",
    "cs=": "qemu loads DS and ES with __USER_DS (0x2b); Linux leaves them 0",
}

#: trapno: qemu 7.2 stores -1 in every frame; pyqemu stores the vector, as Linux does
NATIVE_TRAPNO = re.compile(r" trapno=(-?\d+)")


def _qemu_differs(line: str) -> bool:
    return line.startswith(tuple(QEMU_DIFFERS))


def _without_trapno(text: str) -> list[str]:
    return [NATIVE_TRAPNO.sub("", line) for line in text.splitlines()]


def test_privileged_instructions_fault_as_under_qemu(semantics_guest) -> None:
    prog = semantics_guest("privileged", ("-pthread",))
    native = run_native([prog])
    qemu = run_qemu([prog])
    assert native.returncode == 0, native.describe()
    assert qemu.returncode == 0 and strip_qemu_noise(qemu.stderr) == "", qemu.describe()
    native_lines, qemu_lines = native.stdout.splitlines(), qemu.stdout.splitlines()
    assert len(native_lines) == len(qemu_lines), (native.stdout, qemu.stdout)
    # the premise: each privileged case is SIGSEGV SI_KERNEL at the instruction natively
    assert "vmware_in       SIGSEGV si_code=0x80 si_addr=0 rip=case+15 (end+-1) trapno=13" \
        in native.stdout, native.stdout
    assert native.stdout.count("SIGSEGV si_code=0x80 si_addr=0") >= 25, native.stdout
    for mine, theirs in zip(native_lines, qemu_lines, strict=True):
        if not _qemu_differs(mine):
            assert NATIVE_TRAPNO.sub("", mine) == NATIVE_TRAPNO.sub("", theirs), (mine, theirs)

    pyqemu = run_pyqemu([prog])
    assert pyqemu.returncode == 0, pyqemu.describe()
    assert _without_trapno(pyqemu.stdout) == _without_trapno(qemu.stdout), pyqemu.describe()
    for mine, native_line, qemu_line in zip(pyqemu.stdout.splitlines(), native_lines,
                                            qemu_lines, strict=True):
        if "trapno=" in mine and not _qemu_differs(mine):
            assert NATIVE_TRAPNO.search(mine)[1] == NATIVE_TRAPNO.search(native_line)[1], \
                (mine, native_line, qemu_line)


def test_int80_clone_as_qemu(semantics_guest) -> None:
    """int $0x80 is a syscall of the x86_64 table with the i386 argument registers under
    qemu-x86_64 7.2; a thread cloned that way starts after the int instruction (its pc is
    past it already, where the syscall instruction's is not).  Before, SIGSEGV."""
    prog = semantics_guest("int80_clone")
    qemu = run_qemu([prog])
    expected = "clone by int $0x80: the thread ran\n"
    assert (qemu.returncode, qemu.stdout) == (0, expected), qemu.describe()
    pyqemu = run_pyqemu([prog])
    assert (pyqemu.returncode, pyqemu.stdout) == (0, expected), pyqemu.describe()


def test_lscpu_finds_no_vmware(tmp_path) -> None:
    """lscpu probes VMware's I/O port with in under a SIGSEGV handler: under qemu and
    pyqemu the probe faults, so neither prints a hypervisor vendor (the CPUID leaves
    qemu answers have none); natively lscpu may name the host's real hypervisor."""
    lscpu = shutil.which("lscpu")
    if lscpu is None:
        missing("lscpu (util-linux)")
    qemu = run_qemu([lscpu], cwd=tmp_path)
    assert qemu.returncode == 0 and "Architecture:" in qemu.stdout, qemu.describe()
    assert "Hypervisor vendor" not in qemu.stdout
    pyqemu = run_pyqemu([lscpu], cwd=tmp_path)
    assert (pyqemu.returncode, pyqemu.stdout) == (0, qemu.stdout), pyqemu.describe()
