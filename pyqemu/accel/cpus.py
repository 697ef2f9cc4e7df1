# SPDX-License-Identifier: GPL-2.0-or-later
"""The list of vCPUs and exclusive sections: mirrors QEMU's cpus-common.c.

Each guest thread runs its own engine on its own host thread.  Changing the
address space (mmap, munmap, mprotect, ...) or the list of vCPUs while other
engines execute guest code would race with them, so such work runs in an
exclusive section, as QEMU's start_exclusive/end_exclusive: every other vCPU
is kicked out of guest code and waits until the section ends.  A vCPU that
is in a syscall (or otherwise in Python) counts as out of guest code.

As QEMU did before MTTCG, one vCPU at a time runs guest code, in turns: a
vCPU that waits kicks the running one, which yields at its next block
boundary.  Threads blocked in syscalls do not hold the turn.  Our engine
translates atomics as host atomics from the first thread on (patch 0020), but
stock Unicorn generates them as plain load/op/store, and the C host's
callback registry and block records are shared by every vCPU without locks:
both still need the turns (issue 24).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pyqemu.host import lib

if TYPE_CHECKING:
    from pyqemu.accel.cpu import X86CPU

_KICK_INTERVAL = 0.002   # seconds between kicks while waiting (a kick can race emu_start)


class CpuList:
    """The vCPUs of one guest process and who may run guest code now."""

    def __init__(self) -> None:
        self.cpus: list[X86CPU] = []
        self._cond = threading.Condition()
        self._exclusive_owner: X86CPU | None = None
        self._in_guest: set[int] = set()
        self._running: X86CPU | None = None
        self._waiting: list[X86CPU] = []

    def add(self, cpu: X86CPU) -> None:
        with self._cond:
            self.cpus.append(cpu)

    def remove(self, cpu: X86CPU) -> None:
        with self._cond:
            self.cpus.remove(cpu)
            self._in_guest.discard(id(cpu))
            if self._running is cpu:
                self._running = None
            self._cond.notify_all()

    def free_index(self) -> int:
        """QEMU's cpu_get_free_index: one more than the highest index in use."""
        with self._cond:
            return max((cpu.cpu_index for cpu in self.cpus), default=-1) + 1

    def exec_start(self, cpu: X86CPU) -> None:
        """About to run guest code: wait for an exclusive section and for the turn."""
        with self._cond:
            self._waiting.append(cpu)
            while ((self._exclusive_owner is not None and self._exclusive_owner is not cpu)
                   or self._running is not None or self._waiting[0] is not cpu):
                if self._running is not None and self._exclusive_owner is None:
                    self._cond.wait(_KICK_INTERVAL)
                    if self._running is not None and self._waiting[0] is cpu:
                        lib.qemu_cpu_kick(self._running.handle)   # take the turn
                else:
                    self._cond.wait()
            self._waiting.pop(0)
            self._running = cpu
            self._in_guest.add(id(cpu))
            # the next in line may be asleep in the untimed wait above (it saw no vCPU
            # running): wake it, so that it starts kicking this one for the turn;
            # otherwise a vCPU that spins in guest code keeps the turn for ever
            self._cond.notify_all()

    def exec_end(self, cpu: X86CPU) -> None:
        with self._cond:
            self._in_guest.discard(id(cpu))
            if self._running is cpu:
                self._running = None
            self._cond.notify_all()

    @contextmanager
    def exclusive(self, me: X86CPU) -> Iterator[None]:
        """Run the body while no other vCPU executes guest code."""
        with self._cond:
            while self._exclusive_owner is not None and self._exclusive_owner is not me:
                self._cond.wait()
            nested = self._exclusive_owner is me
            self._exclusive_owner = me
            others = [c for c in self.cpus if c is not me]
            while any(id(c) in self._in_guest for c in others):
                for c in others:
                    if id(c) in self._in_guest:
                        lib.qemu_cpu_kick(c.handle)
                self._cond.wait(_KICK_INTERVAL)
        try:
            yield
        finally:
            if not nested:
                with self._cond:
                    self._exclusive_owner = None
                    self._cond.notify_all()
