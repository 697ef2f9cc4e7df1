# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov merge: runs of one guest merged into one drcov file.

Two pyqemu runs of guests/branchy.c with different inputs cover different blocks; the
merged file must hold exactly their union, under the guest's one module, and merging a
file with itself must change nothing.  A dynamic PIE guest, loaded at a different base in
two runs (a file rewritten with another base stands for ASLR), merges by path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cov_cli_runs import run_cov
from harness import plugin_spec, run_pyqemu

from pyqemu.cov.drcov import read


def drcov_run(guest: Path, plugin: Path, out: Path, stdin: bytes) -> Path:
    result = run_pyqemu([guest], plugins=[plugin_spec(plugin, f"filename={out}")], stdin=stdin)
    assert out.exists(), result.describe()
    return out


def test_merge_is_the_union_of_the_runs(cov_guest: Callable[..., Path], drcov_plugin: Path,
                                        tmp_path: Path) -> None:
    guest = cov_guest("branchy", "musl-static")
    first = drcov_run(guest, drcov_plugin, tmp_path / "a.drcov", b"FUZ")
    second = drcov_run(guest, drcov_plugin, tmp_path / "b.drcov", b"\x01\x02\x03\x04")
    a, b = read(first).blocks[str(guest)], read(second).blocks[str(guest)]
    assert a - b and b - a   # each run covers something the other does not
    merged_path = tmp_path / "merged.drcov"
    done = run_cov("merge", "-o", merged_path, first, second)
    assert done.returncode == 0, done.stderr
    merged = read(merged_path)
    assert list(merged.modules) == [str(guest)]
    assert merged.blocks[str(guest)] == a | b
    assert done.stdout == f"merged 2 file(s): 1 module(s), {len(a | b)} blocks -> {merged_path}\n"


def test_merging_a_file_with_itself_changes_nothing(cov_guest: Callable[..., Path],
                                                    drcov_plugin: Path, tmp_path: Path) -> None:
    guest = cov_guest("branchy", "musl-static")
    first = drcov_run(guest, drcov_plugin, tmp_path / "a.drcov", b"FU")
    out = tmp_path / "same.drcov"
    assert run_cov("merge", "-o", out, first, first).returncode == 0
    assert read(out).blocks == read(first).blocks
    assert read(out).modules == read(first).modules


def test_modules_match_by_path_whatever_their_base(cov_guest: Callable[..., Path],
                                                   drcov_plugin: Path, tmp_path: Path) -> None:
    guest = cov_guest("lines", "gcc-pie", ("-O0", "-g"))
    run = drcov_run(guest, drcov_plugin, tmp_path / "a.drcov", b"")
    data = run.read_bytes()
    base = f"{read(run).modules[str(guest)].base:#x}".encode()
    moved = tmp_path / "moved.drcov"
    moved.write_bytes(data.replace(base + b",", b"0x7ff000000000,", 1))
    assert read(moved).modules[str(guest)].base == 0x7FF000000000
    out = tmp_path / "merged.drcov"
    assert run_cov("merge", "-o", out, run, moved).returncode == 0
    merged = read(out)
    assert set(merged.modules) == set(read(run).modules)
    assert merged.blocks == read(run).blocks
