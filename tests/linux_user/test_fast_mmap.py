# SPDX-License-Identifier: GPL-2.0-or-later
"""mmap, munmap, mprotect and brk served in C (issue 19; pyqemu/host/syscall-mmap.c) on
the one region list C and Python share (pyqemu/host/mmap.c): what the guest, -strace and
a plugin's syscall callbacks see stays qemu-x86_64 7.2's, and the C path is really taken.

tests/linux_user/guests/fast_mmap.c places anonymous mappings (their addresses relative to
the first), protects, unmaps and faults on them, rewrites code between mprotects and
after an munmap (stale translations would run the old code), moves brk, and makes the
calls the C host leaves to Python (a hint, MAP_FIXED, shared memory, bad arguments).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_pyqemu, run_qemu
from test_fast_syscalls import plugin_log, python_calls, strace_lines

from pyqemu.linux_user.x86_64 import syscall_nr as nr

GUEST = Path(__file__).resolve().parent / "guests" / "fast_mmap.c"
ROUNDS = 20  # the guest's ROUNDS
#: calls whose results are addresses: made relative to the first such result (qemu 7.2
#: places the guest's memory where its host allows, as the guest's output shows)
ADDRESS_RESULTS = (nr.TARGET_NR_mmap, nr.TARGET_NR_brk)


def relative_log(stderr: str) -> list[str]:
    """plugin_log with mmap's and brk's addresses relative to the first of each."""
    firsts: dict[int, int] = {}
    lines = []
    for line in plugin_log(stderr):
        words = line.split()
        if len(words) == 4 and words[2] == "ret" and int(words[1]) in ADDRESS_RESULTS:
            value = int(words[3])
            if value > 0:
                first = firsts.setdefault(int(words[1]), value)
                line = f"syscall {words[1]} ret ADDR{value - first:+d}"
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fast_mmap") / "fast_mmap"
    return compile_guest(GUEST, out, "musl-static")


def both(guest: Path, **options: object) -> tuple[str, str, str, str]:
    """(qemu's stdout, its stderr, pyqemu's stdout, its stderr) of the guest, each run
    having succeeded."""
    runs = (run_qemu([guest], **options), run_pyqemu([guest], **options))
    for run in runs:
        assert run.returncode == 0, run.describe()
    return runs[0].stdout, runs[0].stderr, runs[1].stdout, runs[1].stderr


def test_results_and_plugin_syscall_sequence_are_qemus(guest: Path, plugin_lib) -> None:
    q_out, q_err, p_out, p_err = both(guest, plugins=[str(plugin_lib("syscall"))],
                                      extra=["-d", "plugin"])
    # the guest saw what it checks: faults where the rights say so, new code after each
    # change, brk's pages given back
    assert "write faults 1\n" in q_out and "read faults 1\n" in q_out
    assert "write from none -14\n" in q_out and "file reads back 1 x\n" in q_out
    assert "file write faults 1 0\n" in q_out
    assert "code says 11\n" in q_out and "code says 22\n" in q_out
    assert "code says 33\n" in q_out and "brk reads 0\n" in q_out
    assert "brk reads again 0\n" in q_out and q_out.endswith("done\n")
    assert p_out == q_out
    q_log = relative_log(q_err)
    assert q_log.count(f"syscall {nr.TARGET_NR_mprotect}") >= ROUNDS
    assert relative_log(p_err) == q_log


def test_strace_lines_are_qemus(guest: Path) -> None:
    q_out, q_err, p_out, p_err = both(guest, extra=["-strace"])
    q_lines = strace_lines(q_err)
    assert sum(line.startswith("munmap(") for line in q_lines) >= ROUNDS
    assert strace_lines(p_err) == q_lines and p_out == q_out


def test_the_plain_cases_are_served_in_c(guest: Path, tmp_path: Path, plugin_lib) -> None:
    calls, fast, stdout = python_calls(
        tmp_path, ["-plugin", str(plugin_lib("syscall")), str(guest)])
    assert stdout.endswith("done\n")
    # Python serves mmap's hint, MAP_FIXED (twice), shared memory, a file, bad offset
    # and length (and musl's start-up, which maps nothing here)
    assert calls[nr.TARGET_NR_mmap] == 7
    # mprotect's misaligned address, bad bits and unmapped range
    assert calls[nr.TARGET_NR_mprotect] == 3
    # munmap's misaligned address and empty length
    assert calls[nr.TARGET_NR_munmap] == 2
    # brk never reaches Python; every other call of the three, the rounds' included,
    # was C's
    assert calls[nr.TARGET_NR_brk] == 0
    assert fast >= 3 * ROUNDS + 2 * ROUNDS


def test_strace_sends_the_mmap_family_to_python(guest: Path, tmp_path: Path) -> None:
    calls, fast, _ = python_calls(tmp_path, ["-strace", str(guest)])
    assert fast == 0
    assert calls[nr.TARGET_NR_munmap] >= ROUNDS + 5
