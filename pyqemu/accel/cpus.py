# SPDX-License-Identifier: GPL-2.0-or-later
"""The list of vCPUs and exclusive sections: mirrors QEMU's cpus-common.c.

Each guest thread runs its own engine on its own host thread, and the
vCPUs run guest code at the same time, as under QEMU's multi-threaded TCG
(cffi lets go of the GIL while C runs).  Changing the address space (mmap,
munmap, mprotect, ...) or the list of vCPUs while other engines execute
guest code would race with them, so such work runs in an exclusive section,
as QEMU's start_exclusive/end_exclusive: every other vCPU is kicked out of
guest code and waits until the section ends.  A vCPU in a syscall counts
as out of guest code, whether Python serves it or the C host
(host/syscall.c, which may block there: a futex wait, a read): when the
vCPUs run at once, a section here is also the C host's (start_exclusive),
which waits only for vCPUs in guest code and keeps the others out of it
until the section ends, as QEMU's cpu_exec_start/cpu_exec_end around
guest code do.

What the C host shares between vCPUs is kept safe for them (issue 24): the
plugins' callback lists are read without a lock and freed by safe work
(host/core.c), the block records are searched and changed under tb_lock
(host/tb-maint.c), code one vCPU writes is dropped from the others' engines
(host/user-exec.c), and an atomic the engine cannot make one host atomic
runs in an exclusive section of the C host (engine patch 0024).

An engine without pyqemu's patches (the stock wheel) lacks the parallel
atomics and the stops this needs: there the vCPUs take turns, as QEMU did
before MTTCG; a vCPU that waits kicks the running one, which yields at its
next block boundary.
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
        #: the vCPUs run at once (the engine has the patches it takes), else in turns
        self.parallel = bool(lib.cpu_runs_parallel())
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
        """About to run guest code: wait while another vCPU's exclusive section runs
        (and, on the stock engine, for the turn)."""
        with self._cond:
            if self.parallel:
                while self._exclusive_owner is not None and self._exclusive_owner is not cpu:
                    self._cond.wait()
                self._in_guest.add(id(cpu))
                return
            self._take_turn(cpu)

    def _take_turn(self, cpu: X86CPU) -> None:
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
            while not self.parallel and any(id(c) in self._in_guest for c in others):
                for c in others:
                    if id(c) in self._in_guest:
                        lib.qemu_cpu_kick(c.handle)
                self._cond.wait(_KICK_INTERVAL)
        if self.parallel and not nested:
            # the C host's section: it kicks and waits for the vCPUs in guest code
            # (cpu_exec_start..cpu_exec_end), not for one blocked in a syscall C serves
            lib.start_exclusive()
        try:
            yield
        finally:
            if not nested:
                if self.parallel:
                    lib.end_exclusive()
                with self._cond:
                    self._exclusive_owner = None
                    self._cond.notify_all()
