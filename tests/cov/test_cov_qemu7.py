# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov on drcov files in QEMU 7.0's layout (contrib drcov.c's format=qemu7).

That layout has one module (the program, base and end its code's bounds) and every block
with its absolute address cut to 32 bits. The same run written both ways, under pyqemu
and under qemu-x86_64, must give the same blocks of the program once pyqemu-cov has placed
the qemu7 file back into it; blocks outside the program (a dynamic guest's libraries and
loader) are counted as left out.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from cov_cli_runs import run_cov
from harness import plugin_spec, run_pyqemu, run_qemu

from pyqemu.cov import drcov, qemu7

EMULATORS = {"pyqemu": run_pyqemu, "qemu": run_qemu}


def record(emulator: str, guest: Path, drcov_plugin: Path, out: Path, fmt: str) -> Path:
    result = EMULATORS[emulator]([guest], plugins=[plugin_spec(drcov_plugin, f"filename={out}",
                                                               f"format={fmt}")])
    assert result.returncode == 0, result.describe()
    return out


@pytest.mark.parametrize("flavor", ["musl-static", "gcc-pie"])
@pytest.mark.parametrize("emulator", list(EMULATORS))
def test_qemu7_file_gives_the_program_blocks_of_drcov2(emulator: str, flavor: str,
                                                       cov_guest: Callable[..., Path],
                                                       drcov_plugin: Path,
                                                       tmp_path: Path) -> None:
    guest = cov_guest("lines", flavor, ("-O0", "-g"))
    per_module = drcov.read(record(emulator, guest, drcov_plugin, tmp_path / "a.drcov", "drcov2"))
    raw = drcov.read(record(emulator, guest, drcov_plugin, tmp_path / "b.drcov", "qemu7"))
    assert qemu7.looks_like_qemu7(raw)
    assert not qemu7.looks_like_qemu7(per_module)
    rebased = qemu7.rebase(raw)
    (program,) = rebased.coverage.modules
    assert Path(program).samefile(guest)
    expected = per_module.blocks[program]
    assert len(expected) > 10
    assert rebased.coverage.blocks[program] == expected
    assert rebased.kept >= len(expected)
    others = sum(len(b) for path, b in per_module.blocks.items() if path != program)
    # a dynamic guest's libc and loader blocks have no module in the qemu7 file
    assert (rebased.left_out > 0) == (others > 0)
    assert rebased.left_out >= others


def test_layout_option(cov_guest: Callable[..., Path], drcov_plugin: Path,
                       tmp_path: Path) -> None:
    guest = cov_guest("lines", "gcc-pie", ("-O0", "-g"))
    per_module = record("pyqemu", guest, drcov_plugin, tmp_path / "a.drcov", "drcov2")
    absolute = record("pyqemu", guest, drcov_plugin, tmp_path / "b.drcov", "qemu7")
    auto = run_cov("summary", absolute)
    assert auto.returncode == 0 and "QEMU 7.0's layout" in auto.stderr, auto.stderr
    assert "1 module(s)" in auto.stdout
    forced = run_cov("summary", "--layout", "qemu7", absolute)
    assert forced.stdout == auto.stdout
    as_is = run_cov("summary", "--layout", "drcov", absolute)
    assert as_is.returncode == 0 and as_is.stderr == ""
    wrong = run_cov("summary", "--layout", "qemu7", per_module)
    assert wrong.returncode == 1
    assert wrong.stderr.strip().endswith("not QEMU 7.0's layout: "
                                         f"{len(drcov.read(per_module).modules)} modules, not one")


def test_missing_program_is_one_line(tmp_path: Path) -> None:
    data = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 1\n"
            b"Columns: id, base, end, entry, path\n"
            b"0, 0x401000, 0x402000, 0x401000, /nonexistent/prog\n"
            b"BB Table: 1 bbs\n" + struct.pack("<IHH", 0x401010, 4, 0))
    path = tmp_path / "t.drcov"
    path.write_bytes(data)
    done = run_cov("summary", path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot read the program /nonexistent/prog" in lines[0], lines
