# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu.run: guests from Python, isolated runs, plugin output returned."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyqemu


def _rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


def test_run_returns_output_and_status(guest_builder) -> None:
    result = pyqemu.run([guest_builder.build("exit_group7", "musl-static")])
    assert result.status == 7 and result.signal is None and result.returncode == 7


def test_run_feeds_stdin_and_captures_stdout() -> None:
    result = pyqemu.run(["/bin/cat"], stdin=b"through the guest\n")
    assert result.status == 0
    assert result.stdout == b"through the guest\n"


def test_run_reports_a_fatal_signal_and_keeps_plugin_output(guest_builder, plugin_lib) -> None:
    result = pyqemu.run([guest_builder.build("segv", "musl-static")],
                        plugins=[str(plugin_lib("bb"))])
    assert result.status is None and result.signal == 11
    assert result.plugin_log.startswith("bb's: ")


def test_plugin_results_come_back(guest_builder, plugin_lib) -> None:
    guest = guest_builder.build("loop", "musl-static")
    inline = pyqemu.run([guest], plugins=[f"{plugin_lib('insn')},arg=inline"])
    callback = pyqemu.run([guest], plugins=[str(plugin_lib("insn"))])
    assert inline.plugin_log == callback.plugin_log
    assert int(inline.plugin_log.split()[-1]) > 7_000_000   # loop.c runs 7e6 in its loops


def test_a_hundred_runs_do_not_grow_the_caller(plugin_lib) -> None:
    plugin = str(plugin_lib("bb"))
    pyqemu.run(["/bin/true"], plugins=[plugin])   # warm up imports
    before = _rss_kib()
    logs = {pyqemu.run(["/bin/true"], plugins=[plugin]).plugin_log for _ in range(100)}
    assert len(logs) == 1   # every run starts from the same state
    assert _rss_kib() - before < 4096


def test_plugin_api_level_per_run(guest_builder, plugin_lib, tmp_path: Path) -> None:
    # A fresh interpreter: this test process may hold a host of its own already.
    guest = guest_builder.build("hello", "musl-static")
    script = (
        "import sys, pyqemu\n"
        "for level in ('5.2', '7.2'):\n"
        f"    r = pyqemu.run([{str(guest)!r}], plugins=[{str(plugin_lib('codeinfo'))!r}],\n"
        "                   plugin_api=level)\n"
        "    print(level, r.status, r.plugin_log.splitlines()[:1], r.stderr.splitlines()[-1:])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300, check=True).stdout.splitlines()
    assert out[0].startswith("5.2 1 [] ") and "undefined symbol: qemu_plugin_bool_parse" in out[0]
    assert out[1] == "7.2 0 ['install: version 1, info 0..1'] []"
