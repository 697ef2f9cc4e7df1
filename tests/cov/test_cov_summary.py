# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov summary: bytes counted once where blocks overlap, and a reader that goes away.

`pyqemu-cov summary ... | head -1` must end as coreutils' tools end when the pipe closes:
killed by SIGPIPE (status 141 in the shell), with nothing on stderr.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
from pathlib import Path

from cov_cli_runs import run_cov


def drcov_file(modules: list[str], blocks: list[tuple[int, int, int]]) -> bytes:
    """A drcov v2 file: modules at 0x400000 + 0x100000 * id, blocks (module, start, size)."""
    head = [b"DRCOV VERSION: 2", b"DRCOV FLAVOR: drcov-64",
            f"Module Table: version 2, count {len(modules)}".encode(),
            b"Columns: id, base, end, entry, path"]
    for index, path in enumerate(modules):
        base = 0x400000 + 0x100000 * index
        head.append(f"{index}, {base:#x}, {base + 0x100000:#x}, 0x0, {path}".encode())
    head.append(f"BB Table: {len(blocks)} bbs".encode())
    table = b"".join(struct.pack("<IHH", start, size, mod) for mod, start, size in blocks)
    return b"\n".join(head) + b"\n" + table


def module_line(stdout: str, path: str) -> list[str]:
    (line,) = [line for line in stdout.splitlines() if line.endswith(path)]
    return line.split()


def test_overlapping_blocks_count_their_bytes_once(tmp_path: Path) -> None:
    # A block entered in its middle is a block of its own: 0x10..0x20 and 0x18..0x28
    # cover 0x18 bytes; a block inside another adds nothing; a separate one adds its own.
    cov = tmp_path / "overlap.drcov"
    cov.write_bytes(drcov_file(["/bin/prog"], [(0, 0x10, 0x10), (0, 0x18, 0x10),
                                               (0, 0x1A, 2), (0, 0x40, 4)]))
    done = run_cov("summary", cov)
    assert done.returncode == 0, done.stderr
    fields = module_line(done.stdout, "/bin/prog")
    assert fields[:4] == ["4", "blocks", str(0x18 + 4), "bytes"]


def test_bytes_of_merged_runs_are_the_union(tmp_path: Path) -> None:
    one, two = tmp_path / "one.drcov", tmp_path / "two.drcov"
    one.write_bytes(drcov_file(["/bin/prog"], [(0, 0x100, 8)]))
    two.write_bytes(drcov_file(["/bin/prog"], [(0, 0x104, 8)]))
    done = run_cov("summary", one, two)
    assert module_line(done.stdout, "/bin/prog")[:4] == ["2", "blocks", "12", "bytes"]


def _summary_into_pipe(files: list[Path], read_first_line: bool) -> tuple[int, bytes, bytes]:
    """Runs `python -m pyqemu.cov.cli summary FILES` with stdout a pipe whose reader
    leaves early: at once, or after one line (as `| head -1`)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen([sys.executable, "-m", "pyqemu.cov.cli", "summary",
                                *map(str, files)], stdout=write_end, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    os.close(write_end)
    first = b""
    with os.fdopen(read_end, "rb") as reader:
        if read_first_line:
            first = reader.readline()
    _, stderr = process.communicate(timeout=120)
    return process.returncode, first, stderr


def test_closed_pipe_is_sigpipe_without_a_traceback(tmp_path: Path) -> None:
    cov = tmp_path / "small.drcov"
    cov.write_bytes(drcov_file(["/bin/prog"], [(0, 0x10, 4)]))
    status, _, stderr = _summary_into_pipe([cov], read_first_line=False)
    assert stderr == b""
    assert status == -signal.SIGPIPE


def test_head_one_on_a_long_summary(tmp_path: Path) -> None:
    # 3000 module lines, far more than a pipe holds: the writer is still writing
    # when the reader leaves after the first line.
    modules = [f"/lib/module-{index:05d}-{'x' * 60}.so" for index in range(3000)]
    cov = tmp_path / "many.drcov"
    cov.write_bytes(drcov_file(modules, [(index, 0x10, 4) for index in range(len(modules))]))
    status, first, stderr = _summary_into_pipe([cov], read_first_line=True)
    assert first.startswith(b"1 file(s), 3000 module(s), 3000 blocks")
    assert stderr == b""
    assert status == -signal.SIGPIPE


def test_a_directory_or_a_pattern_stands_for_its_files(tmp_path: Path) -> None:
    # drcov's filename=run.%p.drcov leaves one file per process: merge takes the set
    sets = tmp_path / "set"
    sets.mkdir()
    (sets / "run.100.drcov").write_bytes(drcov_file(["/bin/prog"], [(0, 0x100, 8)]))
    (sets / "run.101.drcov").write_bytes(drcov_file(["/bin/prog"], [(0, 0x200, 8)]))
    for given in (sets, sets / "run.*.drcov"):
        done = run_cov("merge", "-o", tmp_path / "all.drcov", given)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("merged 2 file(s): 1 module(s), 2 blocks")
    done = run_cov("summary", sets / "run.*.drcov")
    assert done.stdout.startswith("2 file(s), 1 module(s), 2 blocks")


def test_an_empty_set_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for given, message in ((empty, "no files in this directory"),
                           (tmp_path / "run.*.drcov", "no file matches")):
        done = run_cov("merge", "-o", tmp_path / "out.drcov", given)
        assert (done.returncode, done.stderr) == (1, f"pyqemu-cov: {given}: {message}\n")
