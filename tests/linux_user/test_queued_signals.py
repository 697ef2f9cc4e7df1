# SPDX-License-Identifier: GPL-2.0-or-later
"""A burst of process-directed signals while the guest blocks them: one of a standard
signal stays pending, with the first one's siginfo, and every real-time one is queued, in
the order sent (Linux's rules; pyqemu/host/user-signal.c's SignalQueue keeps them between
the host handler and Python).  Compared with a native run and qemu-x86_64.

Accepted difference: Linux delivers the lowest-numbered pending signal first (SIGUSR1
before the real-time ones); pyqemu delivers in the order it queued them.  So each kind
of signal is compared in its own order, not the two kinds' interleaving.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu, run_qemu

GUEST = Path(__file__).parent / "guests" / "queued_signals.c"


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("queued-signals") / "queued_signals"
    return compile_guest(GUEST, out, "gcc-pie")


def _by_kind(stdout: str) -> dict[str, list[str]]:
    lines = stdout.splitlines()
    return {kind: [line for line in lines if line.split()[0] == kind]
            for kind in ("pending", "usr1", "rt")}


def test_standard_signal_pends_once_and_realtime_ones_queue(guest: Path) -> None:
    native = run_native([guest])
    assert native.returncode == 0 and native.stdout.startswith("pending usr1 1 rt 1\n")
    assert native.stdout.count("\nrt ") > 1, native.stdout     # the guest proves queueing
    qemu = run_qemu([guest])
    assert qemu.stdout == native.stdout
    for _ in range(3):   # the burst lands at other points of the parent's run each time
        ours = run_pyqemu([guest])
        assert ours.returncode == 0, ours.stderr[-2000:]
        assert _by_kind(ours.stdout) == _by_kind(native.stdout), ours.stdout
