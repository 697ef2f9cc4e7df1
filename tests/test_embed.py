"""pyqemu.run: guests from Python, isolated runs, plugin output returned."""

from __future__ import annotations

import re
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
