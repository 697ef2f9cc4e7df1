"""pyqemu-cov reads drcov files (ours and DynamoRIO's layouts) and summarises them."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from pyqemu.cov.drcov import DrcovError, parse

OURS = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 2\n"
        b"Columns: id, base, end, entry, path\n"
        b"0, 0x400000, 0x401000, 0x400100, /bin/prog\n"
        b"1, 0x7f0000000000, 0x7f0000100000, 0x0, /lib/libc.so.6\n"
        b"BB Table: 3 bbs\n" + struct.pack("<IHHIHHIHH", 0x100, 5, 0, 0x140, 7, 0, 0x2000, 9, 1))
# DynamoRIO's module table version 4 columns (drcov -dump_binary on Linux)
DYNAMORIO_V4 = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov\nModule Table: version 4, count 1\n"
                b"Columns: id, containing_id, start, end, entry, offset, path\n"
                b" 0,  0, 0x0000000000400000, 0x0000000000401000, 0x0000000000400100, "
                b"0x0000000000000000, /bin/prog\n"
                b"BB Table: 1 bbs\n" + struct.pack("<IHH", 0x100, 5, 0))


def test_reads_our_layout() -> None:
    cov = parse(OURS)
    assert set(cov.modules) == {"/bin/prog", "/lib/libc.so.6"}
    assert cov.blocks["/bin/prog"] == {(0x100, 5), (0x140, 7)}
    assert cov.blocks["/lib/libc.so.6"] == {(0x2000, 9)}


def test_reads_dynamorio_v4_columns() -> None:
    cov = parse(DYNAMORIO_V4)
    assert cov.modules["/bin/prog"].base == 0x400000
    assert cov.blocks["/bin/prog"] == {(0x100, 5)}


@pytest.mark.parametrize("damaged", [OURS[:-4], b"hello\n", OURS.replace(b"count 2", b"count 3")])
def test_damaged_files_are_errors(damaged: bytes) -> None:
    with pytest.raises(DrcovError):
        parse(damaged)


def test_merge_and_summary_cli(tmp_path: Path) -> None:
    first, second = tmp_path / "a.drcov", tmp_path / "b.drcov"
    first.write_bytes(OURS)
    second.write_bytes(DYNAMORIO_V4)
    out = subprocess.run([sys.executable, "-m", "pyqemu.cov.cli", "summary", str(first),
                          str(second)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == "2 file(s), 2 module(s), 3 blocks"


def test_cli_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.drcov"
    bad.write_bytes(b"nope")
    out = subprocess.run([sys.executable, "-m", "pyqemu.cov.cli", "summary", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
