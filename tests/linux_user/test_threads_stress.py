# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 24's stress test: eight guest threads mapping, unmapping and protecting memory,
writing code and running it, taking thread- and process-directed signals, while a plugin
(tests/plugin/resetter.c) resets itself from whichever vCPU reaches its count.  Every run
must end, with the native run's output and, with the plugin, all its resets done.

With ``--full``: 100 runs, issue 24's bar of 0 failures or hangs; the quick suite runs 10.
Two bugs made about 1 run in 20 without the plugin and 1 in 4 with its resets end in a guest
SIGSEGV (a jump to address 0), or a host crash in tb_reclaim: a signal taken after another
handler's rt_sigreturn kept a stale PC (engine patch 0019), and a flush freed the records
another vCPU's last translation still pointed at (``site_head``, now released with the
rest).  Since then: 200 of 200 runs (2026-12-06).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu

EXPECTED = "threads 8 rounds 50 total 400 errors 0\n"


GUEST = Path(__file__).resolve().parent / "guests" / "thread_stress.c"


def stress_runs(tmp_path: Path, plugin_lib, runs: int) -> None:
    program = str(compile_guest(GUEST, tmp_path / "thread_stress", "musl-static"))
    native = run_native([program], timeout=60)
    assert (native.returncode, native.stdout) == (0, EXPECTED), native.describe()
    resetter = str(plugin_lib("resetter"))
    failures = []
    for run in range(runs):
        with_plugin = run % 2 == 1
        result = run_pyqemu([program], plugins=[f"{resetter},at=5000"] if with_plugin else [],
                            extra=["-d", "plugin"] if with_plugin else [], timeout=120)
        if (result.returncode, result.stdout) != (0, EXPECTED) or (
                with_plugin and "resets: 3\n" not in result.stderr):
            failures.append(f"run {run}: {result.describe()}")
    assert not failures, f"{len(failures)} of {runs} runs failed:\n" + "\n".join(failures[:3])


@pytest.mark.full
def test_threads_stress_100_runs(tmp_path: Path, plugin_lib) -> None:
    stress_runs(tmp_path, plugin_lib, 100)


def test_threads_stress_10_runs(tmp_path: Path, plugin_lib) -> None:
    stress_runs(tmp_path, plugin_lib, 10)
