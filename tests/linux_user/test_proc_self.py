# SPDX-License-Identifier: GPL-2.0-or-later
"""The guest's own /proc files (pyqemu/linux_user/syscall/proc_self.py), as qemu-x86_64 7.2
makes them up: /proc/self/cmdline, stat, auxv and maps, and the same files under
/proc/<pid>/, read by real programs (cat, ps, python3) under qemu and under pyqemu.

Before, pyqemu made up only /proc/self/exe: the rest were the emulator's own, so `cat
/proc/self/cmdline` printed pyqemu's Python command line, `ps` named the guest
"pyqemu-x86_64", /proc/self/auxv held the host Python's vector and /proc/self/maps listed
the host Python's libraries with the engine's rights.

qemu 7.2's stat line is its own (pid, name, ppid, start time and stack, every other field
0), so the comparison is with qemu, not with a native run; the pid and start time differ
between any two runs and are compared apart.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from harness import guest_env, require_pyqemu, run_native, run_pyqemu, run_qemu

CAT = "/usr/bin/cat"
PYTHON = "/usr/bin/python3"
#: fields of the stat line that differ between any two runs: pid and start time
STAT_PID, STAT_STARTTIME = 0, 21


def _boot_ticks() -> int:
    ticks = os.sysconf("SC_CLK_TCK")
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME) * ticks // 1_000_000_000


def test_cmdline_and_auxv_are_the_guests(tmp_path: Path) -> None:
    for name in ("cmdline", "auxv"):
        argv = [CAT, f"/proc/self/{name}"]
        native = run_native(argv, cwd=tmp_path)
        assert native.returncode == 0 and native.stdout, native.describe()
        qemu = run_qemu(argv, cwd=tmp_path)
        assert qemu.returncode == 0, qemu.describe()
        ours = run_pyqemu(argv, cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (0, qemu.stdout, ""), \
            ours.describe()
    # cmdline is the guest's argv, as natively
    cmdline = run_pyqemu([CAT, "/proc/self/cmdline"], cwd=tmp_path)
    assert cmdline.stdout == run_native([CAT, "/proc/self/cmdline"]).stdout


def test_stat_is_qemus_line(tmp_path: Path) -> None:
    argv = [CAT, "/proc/self/stat"]
    qemu = run_qemu(argv, cwd=tmp_path)
    assert qemu.returncode == 0, qemu.describe()
    require_pyqemu()
    before = _boot_ticks()
    ours = run_pyqemu(argv, cwd=tmp_path)
    after = _boot_ticks()
    assert ours.returncode == 0, ours.describe()
    theirs, mine = qemu.stdout.split(" "), ours.stdout.split(" ")
    assert len(mine) == len(theirs) and mine[1] == "(cat)", ours.stdout
    for index in (STAT_PID, STAT_STARTTIME):
        theirs[index] = mine[index] = "*"
    assert mine == theirs
    assert before <= int(ours.stdout.split(" ")[STAT_STARTTIME]) <= after


def test_own_pid_names_the_same_files(tmp_path: Path) -> None:
    """/proc/<own pid>/ is /proc/self/; a reader names the guest's program, as ps does."""
    script = ("import os\n"
              "for n in ('cmdline', 'stat'):\n"
              "    d = open(f'/proc/{os.getpid()}/{n}', 'rb').read()\n"
              "    print(n, d.split(b' ')[1] if n == 'stat' else d)\n")
    argv = [PYTHON, "-c", script]
    env = guest_env()
    native = run_native(argv, cwd=tmp_path, env=env)
    assert native.returncode == 0, native.describe()
    qemu = run_qemu(argv, cwd=tmp_path, env=env)
    assert (qemu.returncode, qemu.stdout) == (0, native.stdout), qemu.describe()
    ours = run_pyqemu(argv, cwd=tmp_path, env=env)
    assert (ours.returncode, ours.stdout) == (0, native.stdout), ours.describe()


@pytest.mark.patched_engine("the stock engine's CPUID lacks AVX, so glibc's XSAVE area is "
                             "0x280 bytes instead of qemu's 0xb00 and ld.so maps 3 pages fewer")
def test_maps_lists_the_guests_mappings_with_its_rights(tmp_path: Path) -> None:
    argv = [CAT, "/proc/self/maps"]
    qemu = run_qemu(argv, cwd=tmp_path)
    assert qemu.returncode == 0 and "[stack]" in qemu.stdout, qemu.describe()
    ours = run_pyqemu(argv, cwd=tmp_path)
    assert (ours.returncode, ours.stdout) == (0, qemu.stdout), ours.describe()


def test_maps_read_by_a_thread_of_python(tmp_path: Path) -> None:
    """python3's libraries (RELRO pieces made read-only after relocation), its heap arenas
    and a thread's stack (mapped and protected through the C fast paths) as qemu lists them."""
    script = ("import threading\n"
              "t = threading.Thread(target=lambda: print(open('/proc/self/maps').read()))\n"
              "t.start(); t.join()\n")
    argv = [PYTHON, "-c", script]
    qemu = run_qemu(argv, cwd=tmp_path)
    assert qemu.returncode == 0 and "libc.so.6" in qemu.stdout, qemu.describe()
    ours = run_pyqemu(argv, cwd=tmp_path)
    assert (ours.returncode, ours.stdout) == (0, qemu.stdout), ours.describe()
