# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov's failures: one line, `pyqemu-cov: <file>: <what is wrong>`, exit status 1.

Every damaged file goes through each command that reads drcov files; the console run
(a subprocess) must show no Python traceback.  Corpus runs refuse missing plugins,
inputs and targets the same way, and --cluster without Dask says what to install.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from cov_cli_runs import run_cov, run_cov_process

GOOD = (b"DRCOV VERSION: 2\nDRCOV FLAVOR: drcov-64\nModule Table: version 2, count 1\n"
        b"Columns: id, base, end, entry, path\n0, 0x400000, 0x401000, 0x0, /bin/prog\n"
        b"BB Table: 2 bbs\n" + struct.pack("<IHHIHH", 0x10, 4, 0, 0x20, 4, 0))
DAMAGED = {
    "not-drcov": (b"MZ\x90\x00", "not a drcov file (it does not start with 'DRCOV VERSION:')"),
    "cut-table": (GOOD[:-3], "BB table is cut short: 1 of 2 blocks"),
    "bad-module": (GOOD.replace(b"0x401000", b"0x40100g"), "line 5: bad module line"),
    "unknown-module": (GOOD[:-2] + b"\x05\x00", "block 2 names module 5, which the table lacks"),
    "version": (GOOD.replace(b"VERSION: 2", b"VERSION: 7"),
                "line 1: unsupported drcov version '7'"),
}


def one_error_line(stderr: str, prefix: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(prefix), stderr
    return lines[0]


@pytest.mark.parametrize("command", [["summary"], ["merge", "-o", "{out}"],
                                     ["lcov", "-o", "{out}"]], ids=["summary", "merge", "lcov"])
@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_is_one_line(case: str, command: list[str], tmp_path: Path) -> None:
    data, message = DAMAGED[case]
    bad, good = tmp_path / "bad.drcov", tmp_path / "good.drcov"
    bad.write_bytes(data)
    good.write_bytes(GOOD)
    args = [a.format(out=tmp_path / "out") for a in command]
    done = run_cov(*args, good, bad)
    assert done.returncode == 1
    line = one_error_line(done.stderr, f"pyqemu-cov: {bad}: ")
    assert message in line
    assert not (tmp_path / "out").exists()


def test_missing_file_from_the_console(tmp_path: Path) -> None:
    missing = tmp_path / "none.drcov"
    done = run_cov_process("summary", missing)
    assert done.returncode == 1
    assert done.stderr == f"pyqemu-cov: {missing}: No such file or directory\n"


def test_damaged_file_from_the_console_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.drcov"
    bad.write_bytes(DAMAGED["cut-table"][0])
    done = run_cov_process("merge", "-o", tmp_path / "out.drcov", bad)
    assert done.returncode == 1
    assert done.stderr == f"pyqemu-cov: {bad}: BB table is cut short: 1 of 2 blocks\n"


def test_lcov_without_debug_info_says_so(tmp_path: Path) -> None:
    cov = tmp_path / "a.drcov"
    cov.write_bytes(GOOD.replace(b"/bin/prog", str(tmp_path / "missing-binary").encode()))
    done = run_cov("lcov", "-o", tmp_path / "out.info", cov)
    assert done.returncode == 1
    assert done.stderr == ("pyqemu-cov: no module of the coverage has DWARF line tables "
                           "(build with -g)\n")


@pytest.mark.parametrize("problem, expected", [
    ("no-inputs", "pyqemu-cov: no inputs (give them after '--')\n"),
    ("missing-input", "pyqemu-cov: {tmp}/absent: no such input file\n"),
    ("missing-plugin", "pyqemu-cov: {tmp}/libnone.so: no such plugin file\n"),
    ("missing-target", "pyqemu-cov: no run wrote coverage; first: {tmp}/in: no coverage "
                       "written (pyqemu-x86_64: Error while loading {tmp}/nope: "
                       "No such file or directory)\n"),
])
def test_run_refuses_in_one_line(problem: str, expected: str, drcov_plugin: Path,
                                 tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(b"x")
    plugin = tmp_path / "libnone.so" if problem == "missing-plugin" else drcov_plugin
    target = tmp_path / "nope" if problem == "missing-target" else "/bin/true"
    inputs = {"no-inputs": [], "missing-input": [tmp_path / "absent"]}.get(problem,
                                                                          [tmp_path / "in"])
    done = run_cov("run", "--plugin", plugin, target, "--", *inputs)
    assert done.returncode == 1
    assert done.stderr == expected.format(tmp=tmp_path)


def test_cluster_without_dask_names_what_to_install(drcov_plugin: Path, tmp_path: Path) -> None:
    (tmp_path / "in").write_bytes(b"x")
    # A Python where importing dask fails, as on a machine without the optional extra.
    script = ("import sys; sys.modules['dask'] = None; sys.modules['dask.distributed'] = None; "
              "from pyqemu.cov.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", script, "run", "--cluster", "tcp://127.0.0.1:1",
                           "--plugin", str(drcov_plugin), "/bin/true", "--", str(tmp_path / "in")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr == ("pyqemu-cov: --cluster needs dask.distributed "
                           "(pip install 'pyqemu[cov]' or 'dask[distributed]')\n")
