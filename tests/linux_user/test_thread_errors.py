# SPDX-License-Identifier: GPL-2.0-or-later
"""A guest thread's failures are reported and end the process with a status, never
swallowed (issue 21): linux_user/thread.py ignores only what the kernel ignores (a bad
guest address for the tid words) and hands anything else to the process's end.
"""

from __future__ import annotations

import pytest

from pyqemu.errors import GuestFault
from pyqemu.linux_user import cpu_loop, thread
from pyqemu.linux_user.mmap import GuestMemory
from pyqemu.linux_user.qemu import GuestProcess, TaskState


class _Memory(GuestMemory):
    """Guest memory whose writes fail with ``error``."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def write(self, addr: int, data: bytes) -> None:
        raise self.error


def _task(mem: GuestMemory, ends: list[int]) -> TaskState:
    process = GuestProcess(end_process=ends.append)
    return TaskState(mem=mem, cpu=_IdleCpu(), exe_path="/bin/true", process=process,
                     clear_child_tid=0x1000)


def test_a_bad_clear_child_tid_address_is_ignored_as_the_kernel_does() -> None:
    thread.clear_child_tid(_task(_Memory(GuestFault(0x1000, 4)), []))


def test_a_failure_other_than_a_bad_address_is_not_swallowed() -> None:
    with pytest.raises(RuntimeError, match="not a guest fault"):
        thread.clear_child_tid(_task(_Memory(RuntimeError("not a guest fault")), []))


def test_a_failing_thread_exit_ends_the_process_with_status_1(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """The exit path itself fails (here: clear_child_tid meets a pyqemu bug): the thread
    reports it and ends the process with status 1 instead of dying silently."""
    ends: list[int] = []
    task = _task(_Memory(RuntimeError("broken store")), ends)
    task.process.live_threads = 2

    def loop(_task: TaskState) -> None:
        raise cpu_loop.ThreadExit(0)

    monkeypatch.setattr(cpu_loop, "cpu_loop", loop)
    thread.run_thread(task)
    assert ends == [1]
    assert "internal error in guest thread: RuntimeError('broken store')" in capfd.readouterr().err


class _IdleCpu:
    """A vCPU that leaves without running: what thread_exit does to one."""

    def vcpu_exit(self) -> None:
        pass

    def close(self) -> None:
        pass
