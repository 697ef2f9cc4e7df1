# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest threads: mirrors the CLONE_VM half of do_fork in QEMU's
linux-user/syscall.c and the thread side of its exit handling.

Like QEMU, each guest thread gets its own vCPU (here: its own engine over
the same host memory) and runs on its own host thread.  The new vCPU is
created, and the plugins' vcpu_init callbacks run, on the parent thread
before the child starts.  The first thread switches the process to code
translated for parallel execution, as QEMU's CF_PARALLEL does: every
translation is flushed (plugins see their flush callback, then translate
the blocks again), and atomic instructions are reported to plugins as one
access, read and written (engine patch 0008).  A thread that exits (not
the last) fires vcpu_exit; the last thread to exit ends the process like
exit_group.
"""

from __future__ import annotations

import ctypes
import os
import signal
import struct
import threading

from pyqemu.accel.cpu import X86CPU
from pyqemu.errors import GuestFault
from pyqemu.linux_user.qemu import GuestProcess, TaskState
from pyqemu.linux_user.signal import do_rt_sigreturn

CLONE_VM = 0x100
CLONE_SETTLS = 0x80000
CLONE_PARENT_SETTID = 0x100000
CLONE_CHILD_CLEARTID = 0x200000
CLONE_CHILD_SETTID = 0x1000000
FUTEX_WAKE = 1
SYS_futex = 202
SYS_gettid = 186

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def gettid() -> int:
    return _libc.syscall(SYS_gettid)


def clear_child_tid(task: TaskState) -> None:
    """CLONE_CHILD_CLEARTID / set_tid_address: zero the word and wake a joiner."""
    addr = task.clear_child_tid
    if not addr:
        return
    try:
        task.mem.write(addr, struct.pack("<I", 0))
    except GuestFault:   # the kernel ignores a bad address here too; anything else is ours
        return
    _libc.syscall(SYS_futex, ctypes.c_void_p(addr), FUTEX_WAKE, 1, None, None, 0)


def do_clone_thread(task: TaskState, flags: int, newsp: int, parent_tid: int,
                    child_tid: int, tls: int) -> int:
    """clone with CLONE_VM: a new vCPU on a new host thread; returns its tid."""
    from pyqemu.linux_user.cpu_loop import cpu_loop  # noqa: F401 - fail early

    process = task.process
    parent_cpu = task.cpu
    target = task.target
    with process.cpus.exclusive(parent_cpu):
        # QEMU's do_fork sets CF_PARALLEL at the first thread and flushes the
        # translations; the flush (and the plugins' flush callbacks) runs before the
        # next block.  Later threads find the process parallel already.
        from pyqemu.host import lib

        lib.cpu_enable_parallel()
        child_cpu = X86CPU(process.cpus.free_index(), target)
        task.mem.add_listener(child_cpu)
        child_cpu.copy_state_from(parent_cpu)
        # x86_64's syscall hook sees rip at the syscall instruction (2 bytes); int $0x80
        # and the other targets' syscalls come as interrupts, their pc past it already
        child_cpu.write_reg(target.pc_reg, parent_cpu.read_reg(target.pc_reg)
                            + lib.cpu_syscall_pc_advance(parent_cpu.handle))
        child_cpu.write_reg(target.ret_reg, 0)
        if newsp:
            child_cpu.write_reg(target.sp_reg, newsp)
        if flags & CLONE_SETTLS:
            target.set_tls(child_cpu, tls)
        process.cpus.add(child_cpu)
    with process.lock:
        process.live_threads += 1
    child_cpu.vcpu_init()

    child = TaskState(mem=task.mem, cpu=child_cpu, exe_path=task.exe_path, argv=task.argv,
                      image=task.image, sigactions=task.sigactions, sigmask=task.sigmask,
                      strace=task.strace, unimp_log=task.unimp_log, log_write=task.log_write,
                      path_prefix=task.path_prefix, target=target, process=process)
    child.sigreturn = lambda: do_rt_sigreturn(child)
    child.clone_thread = lambda *a: do_clone_thread(child, *a)
    if flags & CLONE_CHILD_CLEARTID:
        child.clear_child_tid = child_tid
    started = threading.Event()
    tid_box: list[int] = []

    def thread_main() -> None:
        try:
            # the engine's thread-local state is made before host signals may come
            # here (a handler must not be the first to use it: it would call malloc)
            lib.cpu_thread_init()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            # both tid words are stored before the child runs, as the kernel does:
            # a child that exits at once must find its tid there to clear it
            tid = gettid()
            tid_box.append(tid)
            for wanted, addr in ((CLONE_PARENT_SETTID, parent_tid),
                                 (CLONE_CHILD_SETTID, child_tid)):
                if flags & wanted:
                    try:
                        task.mem.write(addr, struct.pack("<I", tid))
                    except GuestFault:   # the kernel ignores a bad address too
                        pass
        except BaseException as exc:  # noqa: BLE001 - a pyqemu bug: reported, ends the process
            _internal_error(process, exc)
        finally:
            started.set()   # the parent waits for this, whatever happened
        run_thread(child)

    # the new host thread starts with every signal blocked; it restores this mask
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        threading.Thread(target=thread_main, name=f"vcpu{child_cpu.cpu_index}",
                         daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    started.wait()
    return tid_box[0]


def thread_exit(task: TaskState) -> bool:
    """A thread leaves; returns True when it was the last one (the process ends)."""
    process = task.process
    with process.lock:
        process.live_threads -= 1
        last = process.live_threads == 0
    if last:
        return True
    cpu = task.cpu
    cpu.vcpu_exit()
    clear_child_tid(task)
    task.sigmask = 0    # it blocks nothing any more (the host's dispositions count blockers)
    with process.cpus.exclusive(cpu):
        process.cpus.remove(cpu)
        task.mem.remove_listener(cpu)
        cpu.close()
    return False


def run_thread(task: TaskState) -> None:
    """Body of a non-main guest thread."""
    from pyqemu.linux_user.cpu_loop import ProcessExit, ThreadExit, cpu_loop
    from pyqemu.linux_user.signal import GuestSignal

    process = task.process
    try:
        try:
            cpu_loop(task)
        except ThreadExit as exc:
            if thread_exit(task):   # inside the outer try: a failure here is reported too
                _end_process(process, exc.status)
        except ProcessExit as exc:
            _end_process(process, exc.status)
        except GuestSignal as exc:
            _end_process(process, -exc.sig)
    except BaseException as exc:  # noqa: BLE001 - a pyqemu bug: reported, ends the process
        _internal_error(process, exc)


def _end_process(process: GuestProcess, code: int) -> None:
    """End the whole process from a guest thread: exit status, or -signal."""
    if process.end_process is None:
        raise RuntimeError("a guest thread ended with no way to end its process")
    process.end_process(code)


def _internal_error(process: GuestProcess, exc: BaseException) -> None:
    """A pyqemu bug in a guest thread: one line on stderr, then the process ends with
    status 1 (as the first thread's internal errors do), never a silent thread death."""
    os.write(2, f"pyqemu: internal error in guest thread: {exc!r}\n".encode(errors="replace"))
    _end_process(process, 1)
