# SPDX-License-Identifier: GPL-2.0-or-later
"""The differential kit on threaded guests (issue 24): with the vCPUs running at once,
what plugins count in the threads' own code is qemu-x86_64 7.2's.

tests/guests/pthreads.c runs four threads through add_range (a lock-prefixed add per
step) while main waits in pthread_join.  The instructions and blocks of add_range run a
fixed number of times whatever the threads' timing; the waiting around them (futex
calls, the join) does not, so the comparison is of add_range's range: hotblocks.c's
block counts, and execlog.c's line for each instruction executed there, counted.  On the
stock engine (threads take turns) the memory part of execlog's lines is left out: the lock
add is one access, read and written, only under qemu's parallel mode (engine patch 0020),
and the stock engine reports its load and its store.
"""

from __future__ import annotations

from pathlib import Path

from harness import execlog_lines_between, function_range, run_pyqemu, run_qemu
from prerequisites import expected_engine

WORKER = "add_range"


def _plugin_log(run, tmp_path: Path, name: str, program: Path, plugin: str) -> str:
    log = tmp_path / f"{name}.log"
    result = run([program], plugins=[plugin], extra=["-d", "plugin", "-D", str(log)])
    assert result.returncode == 0 and result.stdout.startswith("threads=4 "), result.describe()
    return log.read_text()


def _hotblocks_rows(log: str, start: int, end: int) -> dict[int, tuple[int, int]]:
    """hotblocks.c's rows for blocks in [start, end): pc -> (instructions, executions);
    the translation count is left out (each engine translates for itself)."""
    rows = {}
    for line in log.splitlines():
        fields = [field.strip() for field in line.split(",")]
        if len(fields) == 4 and fields[0].startswith("0x"):
            pc = int(fields[0], 16)
            if start <= pc < end:
                rows[pc] = (int(fields[2]), int(fields[3]))
    return rows


def test_hotblocks_of_threads_as_qemu(guest_builder, plugin_lib, tmp_path: Path) -> None:
    program = guest_builder.build("pthreads", "musl-static")
    start, end = function_range(program, WORKER)
    plugin = str(plugin_lib("hotblocks"))
    qemu = _hotblocks_rows(_plugin_log(run_qemu, tmp_path, "qemu", program, plugin), start, end)
    pyqemu = _hotblocks_rows(_plugin_log(run_pyqemu, tmp_path, "pyqemu", program, plugin),
                             start, end)
    assert qemu, "qemu's hotblocks listed no block of the worker"
    assert pyqemu == qemu


def test_execlog_of_threads_as_qemu(guest_builder, plugin_lib, tmp_path: Path) -> None:
    program = guest_builder.build("pthreads", "musl-static")
    start, end = function_range(program, WORKER)
    plugin = str(plugin_lib("execlog"))
    qemu = execlog_lines_between(_plugin_log(run_qemu, tmp_path, "qemu", program, plugin),
                                 start, end)
    pyqemu = execlog_lines_between(
        _plugin_log(run_pyqemu, tmp_path, "pyqemu", program, plugin), start, end)
    assert qemu, "qemu's execlog has no instruction of the worker"
    if expected_engine() == "stock":
        qemu, pyqemu = _without_accesses(qemu), _without_accesses(pyqemu)
    assert pyqemu == qemu


def _without_accesses(lines: dict[str, int]) -> dict[str, int]:
    """execlog's counted lines with their memory accesses cut off (pc, opcode, text)."""
    counts: dict[str, int] = {}
    for line, count in lines.items():
        key = line.split('", ', 1)[0]
        counts[key] = counts.get(key, 0) + count
    return counts
