# SPDX-License-Identifier: GPL-2.0-or-later
"""A burst of process-directed signals while the guest blocks them: one of a standard
signal stays pending, with the first one's siginfo, and every real-time one is queued, in
the order sent (Linux's rules; pyqemu/host/user-signal.c's SignalQueue keeps them between
the host handler and Python).  Pending signals the mask lets go at once are taken
lowest number first (guests/signal_order.c), as by Linux and qemu.  Compared with a
native run and qemu-x86_64.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import compile_guest, run_native, run_pyqemu, run_qemu

GUEST = Path(__file__).parent / "guests" / "queued_signals.c"
ORDER_GUEST = Path(__file__).parent / "guests" / "signal_order.c"


@pytest.fixture(scope="module")
def guest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("queued-signals") / "queued_signals"
    return compile_guest(GUEST, out, "gcc-pie")


def test_standard_signal_pends_once_and_realtime_ones_queue(guest: Path) -> None:
    native = run_native([guest])
    assert native.returncode == 0 and native.stdout.startswith("pending usr1 1 rt 1\n")
    assert native.stdout.count("\nrt ") > 1, native.stdout     # the guest proves queueing
    qemu = run_qemu([guest])
    assert qemu.stdout == native.stdout
    for _ in range(3):   # the burst lands at other points of the parent's run each time
        ours = run_pyqemu([guest])
        assert ours.returncode == 0, ours.stderr[-2000:]
        assert ours.stdout == native.stdout


def test_pending_signals_are_taken_lowest_number_first(tmp_path: Path) -> None:
    """Five signals sent in an order unlike their numbers, unblocked at once: nested
    handlers run from the highest number down, handlers that block the others from the
    lowest up (pyqemu took them in the order they came)."""
    guest = compile_guest(ORDER_GUEST, tmp_path / "signal_order", "gcc-pie")
    native = run_native([guest])
    assert native.returncode == 0, native.stderr
    nested, one_at_a_time = ([int(sig) for sig in line.split(":")[1].split()]
                             for line in native.stdout.splitlines())
    # the guest's premise: all five taken, lowest number first
    assert one_at_a_time == sorted(one_at_a_time) and len(set(one_at_a_time)) == 5
    assert nested == one_at_a_time[::-1]
    qemu = run_qemu([guest])
    assert qemu.stdout == native.stdout, qemu.describe()
    ours = run_pyqemu([guest])
    assert (ours.returncode, ours.stdout) == (0, native.stdout), ours.describe()
