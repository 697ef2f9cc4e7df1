# SPDX-License-Identifier: GPL-2.0-or-later
"""Cross-thread work on a vCPU (QEMU's async_run_on_cpu and qemu_cpu_kick): work queued on a
vCPU from another thread runs on that vCPU's own thread at its next safe point (out of
the engine), in order, once; the vCPU then leaves cpu_exec with EXCP_KICK.  Work queued
on one vCPU never runs on another.  Safe work (async_safe_run_on_cpu) and exclusive
sections (start_exclusive) find every vCPU out of guest code, with two vCPUs running
guest code at once on their own threads.

The guest is one instruction, ``jmp .`` (EB FE): without the exit request the vCPU
never leaves cpu_exec, so each test fails if the request or the queue does nothing.
"""

from __future__ import annotations

import mmap
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from pyqemu.accel.cpu import X86CPU
from pyqemu.host import ffi, lib
from pyqemu.linux_user import arch

PROT_RX = 1 | 4     # UC_PROT_READ | UC_PROT_EXEC
TIMEOUT = 20.0


@pytest.fixture
def spinning() -> Iterator[tuple[X86CPU, X86CPU, int]]:
    """Two vCPUs whose guest code is ``jmp .`` at the returned address."""
    target = arch.select("x86_64")
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    page.write(b"\xeb\xfe")
    addr = int(ffi.cast("uintptr_t", ffi.from_buffer(page)))
    cpus = [X86CPU(index, target) for index in (0, 1)]
    for cpu in cpus:
        cpu.on_map(addr, mmap.PAGESIZE, PROT_RX)
        cpu.write_reg("rip", addr)
    try:
        yield cpus[0], cpus[1], addr
    finally:
        for cpu in cpus:
            cpu.close()
        page.close()


class Runner(threading.Thread):
    """Runs cpu_exec of a vCPU on a thread of its own, as its cpu_loop would, and keeps the
    reasons it returned with: once, or again while ``more`` says work is still due (work
    queued after the vCPU drained its queue waits for its next safe point, as in QEMU),
    three times at most."""

    def __init__(self, cpu: X86CPU, more: Callable[[], bool] = lambda: False) -> None:
        super().__init__(daemon=True)
        self.cpu = cpu
        self.more = more
        self.reasons: list[int] = []
        self.exec_returned_at: float | None = None

    @property
    def reason(self) -> int | None:
        return self.reasons[-1] if self.reasons else None

    def run(self) -> None:
        while True:
            self.reasons.append(lib.cpu_exec(self.cpu.handle, self.cpu.exit_info))
            self.exec_returned_at = time.monotonic()
            if not self.more() or len(self.reasons) >= 3:
                return

    def start_spinning(self) -> None:
        self.start()
        deadline = time.monotonic() + TIMEOUT
        while not lib.cpu_exec_running():
            assert time.monotonic() < deadline, "the vCPU never entered the engine"
            time.sleep(0.001)
        time.sleep(0.05)    # well inside guest code


class WorkLog:
    """A work function for async_run_on_cpu that records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int, bool, float]] = []
        self.fn = ffi.callback("void(CPUState *, uintptr_t)", self._run)

    def _run(self, cpu: object, data: int) -> None:
        self.calls.append((int(ffi.cast("uintptr_t", cpu)), data, threading.get_ident(),
                           bool(lib.cpu_exec_running()), time.monotonic()))


def handle_id(cpu: X86CPU) -> int:
    return int(ffi.cast("uintptr_t", cpu.handle))


def test_work_queued_from_another_thread_runs_on_the_vcpu_at_its_safe_point(spinning) -> None:
    cpu, _other, _addr = spinning
    work = WorkLog()
    runner = Runner(cpu, more=lambda: len(work.calls) < 3)
    runner.start_spinning()
    assert runner.is_alive(), "jmp . left cpu_exec by itself"
    for data in (1, 2, 3):
        lib.async_run_on_cpu(cpu.handle, work.fn, data)
    runner.join(TIMEOUT)
    assert not runner.is_alive(), "queued work did not stop the vCPU"
    # the first item stops the vCPU; items queued after it drained its queue stop it again
    # at the top of its next cpu_exec, before any guest code
    assert 1 <= len(runner.reasons) <= 3
    assert set(runner.reasons) == {lib.EXCP_KICK}
    # each item once, in order, on the vCPU's own thread, out of the engine, before
    # cpu_exec returned
    assert [call[:4] for call in work.calls] == [
        (handle_id(cpu), data, runner.ident, False) for data in (1, 2, 3)]
    assert runner.exec_returned_at is not None
    assert all(call[4] <= runner.exec_returned_at for call in work.calls)


def test_work_runs_on_its_own_vcpu_only(spinning) -> None:
    cpu, other, _addr = spinning
    work = WorkLog()
    runner = Runner(cpu)
    runner.start_spinning()
    lib.async_run_on_cpu(other.handle, work.fn, 7)   # queued on the vCPU not running
    time.sleep(0.1)
    assert runner.is_alive(), "work for another vCPU stopped this one"
    lib.qemu_cpu_kick(cpu.handle)                          # a plain exit request: no work
    runner.join(TIMEOUT)
    assert not runner.is_alive(), "qemu_cpu_kick did not stop the vCPU"
    assert runner.reason == lib.EXCP_KICK
    assert work.calls == []
    # the other vCPU runs its work at its first safe point, before any guest code, and
    # leaves: its exit request was set when the work was queued
    other_runner = Runner(other)
    other_runner.start()
    other_runner.join(TIMEOUT)
    assert not other_runner.is_alive()
    assert other_runner.reason == lib.EXCP_KICK
    assert [call[:4] for call in work.calls] == [(handle_id(other), 7, other_runner.ident,
                                                  False)]


def test_safe_work_from_no_vcpu_stops_every_vcpu_and_runs_exclusive(spinning) -> None:
    """async_safe_run_on_cpu(NULL, ...) from a thread that runs no vCPU kicks both running
    vCPUs (before, it set a flag only the block hook read: with no plugin neither stopped),
    and its work runs once, on one of them, while neither is in guest code."""
    cpu, other, _addr = spinning
    seen: list[tuple[int, bool, bool]] = []

    def work(_cpu: object, data: int) -> None:
        seen.append((data, lib.cpu_in_guest(cpu.handle), lib.cpu_in_guest(other.handle)))

    fn = ffi.callback("void(CPUState *, uintptr_t)", work)
    runners = [Runner(cpu), Runner(other)]
    for runner in runners:
        runner.start()
    deadline = time.monotonic() + TIMEOUT
    while not (lib.cpu_in_guest(cpu.handle) and lib.cpu_in_guest(other.handle)):
        assert time.monotonic() < deadline, "the vCPUs never both entered guest code"
        time.sleep(0.001)
    lib.async_safe_run_on_cpu(ffi.NULL, fn, 5)
    for runner in runners:
        runner.join(TIMEOUT)
        assert not runner.is_alive(), "safe work queued with no vCPU did not stop a vCPU"
        assert runner.reason == lib.EXCP_KICK
    assert seen == [(5, False, False)]


def test_exclusive_section_keeps_vcpus_out_of_guest_code(spinning) -> None:
    """start_exclusive returns once the running vCPU has left guest code; until
    end_exclusive the kicked vCPU and a vCPU that wants to run wait outside it (at the top
    of their loops, in cpu_exec_start, as QEMU's vCPU threads), then the kicked one
    returns with the kick and the other runs."""
    cpu, other, _addr = spinning
    first = Runner(cpu)
    first.start_spinning()
    lib.start_exclusive()
    try:
        assert not lib.cpu_in_guest(cpu.handle)
        second = Runner(other)
        second.start()
        time.sleep(0.2)
        assert second.is_alive() and not lib.cpu_in_guest(other.handle), \
            "a vCPU entered guest code during an exclusive section"
        assert not lib.cpu_in_guest(cpu.handle), "the kicked vCPU went back to guest code"
    finally:
        lib.end_exclusive()
    first.join(TIMEOUT)
    assert not first.is_alive() and first.reason == lib.EXCP_KICK
    deadline = time.monotonic() + TIMEOUT
    while not lib.cpu_in_guest(other.handle):
        assert time.monotonic() < deadline, "the vCPU never ran after the section"
        time.sleep(0.001)
    lib.qemu_cpu_kick(other.handle)
    second.join(TIMEOUT)
    assert not second.is_alive()
