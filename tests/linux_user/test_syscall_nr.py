# SPDX-License-Identifier: GPL-2.0-or-later
"""The generated x86_64 syscall-number table: regenerating it from the kernel header gives
the committed file, and its numbers are the host's (guest and host are both x86_64)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

from prerequisites import missing

from pyqemu.linux_user.x86_64 import syscall_nr as nr

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "scripts" / "gen_syscall_nr.py"
COMMITTED = REPO_ROOT / "pyqemu" / "linux_user" / "x86_64" / "syscall_nr.py"
HEADER = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")


def test_regenerating_gives_the_committed_table(tmp_path: Path) -> None:
    if not HEADER.is_file():
        missing(f"{HEADER} (apt-get install linux-libc-dev)")
    output = tmp_path / "syscall_nr.py"
    subprocess.run([sys.executable, str(GENERATOR), str(HEADER), "-o", str(output)],
                   check=True, timeout=60)
    assert output.read_text() == COMMITTED.read_text()


def test_generator_reads_only_nr_defines(tmp_path: Path) -> None:
    header = tmp_path / "unistd.h"
    header.write_text("#ifndef X\n#define __NR_read 0\n#define __NR_exit_group 231\n"
                      "#define __NR_syscalls 451\n#define OTHER 5\n#endif\n")
    output = tmp_path / "out.py"
    subprocess.run([sys.executable, str(GENERATOR), str(header), "-o", str(output)],
                   check=True, timeout=60)
    text = output.read_text()
    assert "do not edit" in text
    assert "TARGET_NR_read = 0\n" in text and "TARGET_NR_exit_group = 231\n" in text
    assert "OTHER" not in text


def test_numbers_match_the_hosts() -> None:
    assert nr.TARGET_NR_read == 0 and nr.TARGET_NR_write == 1
    assert nr.TARGET_NR_exit_group == 231 and nr.TARGET_NR_rseq == 334
    assert nr.TARGET_NR_clone3 == 435
    assert nr.SYSCALL_NAMES[nr.TARGET_NR_getpid] == "getpid"
    assert os.getpid() == _host_syscall(nr.TARGET_NR_getpid)


def _host_syscall(number: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return int(libc.syscall(ctypes.c_long(number)))
