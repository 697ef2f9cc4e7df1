# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest threads under pyqemu: each on its own vCPU, joined correctly every time.

A thread that exits at once must still find its tid in the CLONE_PARENT_SETTID
word so that CLONE_CHILD_CLEARTID can clear it and wake pthread_join; a
regression once made one run in three hang.  Repeated runs catch such races.
"""

from __future__ import annotations

import pytest
from harness import execlog_lines_between, function_range, run_native, run_pyqemu, run_qemu

RUNS = 8


@pytest.mark.parametrize("flavor", ["gcc-static", "musl-static"])
def test_pthreads_join_every_time(guest_builder, flavor: str) -> None:
    guest = guest_builder.build("pthreads", flavor)
    for _ in range(RUNS):
        result = run_pyqemu([str(guest)], timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "threads=4 total=200020000\n"


@pytest.mark.parametrize("guest,flushes", [("hello", 0), ("pthreads", 1)])
def test_first_thread_flushes_translations_as_qemu(guest_builder, plugin_lib, guest: str,
                                                   flushes: int) -> None:
    """QEMU switches to parallel code (CF_PARALLEL) at the first CLONE_VM and flushes every
    translation: the plugins' flush callback runs once, and never without threads."""
    program = str(guest_builder.build(guest, "musl-static"))
    lines = {}
    for who, runner in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        result = runner([program], plugins=[str(plugin_lib("allapi"))], extra=["-d", "plugin"],
                        timeout=60)
        assert result.returncode == 0, result.describe()
        lines[who] = [line for line in result.stderr.splitlines() if line.startswith("flush:")]
    assert lines["pyqemu"] == lines["qemu"] == [f"flush: {flushes}"]


def test_blocks_are_translated_once_per_process(guest_builder, plugin_lib) -> None:
    """QEMU's translations belong to the process (tb_ctx), not to a vCPU: the four
    threads of the pthreads guest run the same worker code, and its blocks are translated
    once.  Only blocks translated before the first thread are translated again, after
    the flush that switches to parallel code.  (qemu's vCPUs run at once and now and then
    two translate the same block together, so qemu is held to "most blocks once".)"""
    program = str(guest_builder.build("pthreads", "musl-static"))
    for runner in (run_qemu, run_pyqemu):
        result = runner([program], plugins=[str(plugin_lib("tbset"))], extra=["-d", "plugin"],
                        timeout=60)
        assert result.returncode == 0, result.describe()
        log = result.stderr.splitlines()
        translations: dict[str, int] = {}
        for line in log:
            if line.startswith("tb "):
                vaddr = line.split()[1]
                translations[vaddr] = translations.get(vaddr, 0) + 1
        again = sum(translations.values()) - len(translations)
        if runner is run_qemu:
            assert again < len(translations) / 2, (again, len(translations))
            continue
        before_first_thread = int(next(line for line in log
                                       if line.startswith("vcpu_init 1 ")).split()[3])
        assert max(translations.values()) <= 2, translations
        assert again <= before_first_thread, (again, before_first_thread)


@pytest.mark.patched_engine("parallel-mode atomics as one access come from engine patch 0008")
@pytest.mark.parametrize("flavor", ["musl-static", "gcc-static"])
def test_atomics_are_reported_as_qemu_reports_them(guest_builder, plugin_lib,
                                                   flavor: str) -> None:
    """Before the first thread an atomic read-modify-write is a load and a store; from it
    on (QEMU translates for parallel execution) one access, read and written.  execlog's
    lines for atomics.c's work(), which runs before, in and after a second thread, must be
    qemu's, access for access."""
    program = guest_builder.build("atomics", flavor)
    start, end = function_range(program, "work")
    logs = {}
    for who, runner in (("qemu", run_qemu), ("pyqemu", run_pyqemu)):
        result = runner([str(program)], plugins=[str(plugin_lib("execlog"))],
                        extra=["-d", "plugin"], timeout=60)
        assert result.returncode == 0, result.describe()
        logs[who] = execlog_lines_between(result.stderr, start, end)
    one_access = [line for line in logs["qemu"] if "lock" in line and "load" not in line]
    assert one_access, "qemu reported no atomic as one access"
    assert logs["pyqemu"] == logs["qemu"]


@pytest.mark.parametrize("flavor", ["musl-static", "gcc-static"])
def test_atomics_from_threads_as_on_the_cpu(guest_builder, flavor: str) -> None:
    """atomics_mt.c: four threads doing lock add (aligned and straddling two cache lines),
    lock xadd, an xchg spin lock, lock cmpxchg16b and cmpxchg8b lose no update, and lock add
    on a read-only and on an unmapped page raises SIGSEGV at that address while the other
    threads run, as on the CPU.  Under parallel translation (engine patch 0020) the unaligned
    one and the faulting ones cannot be one host atomic: stock Unicorn looped for ever on them;
    they run as one instruction through the ordinary load/store paths."""
    program = str(guest_builder.build("atomics_mt", flavor))
    native = run_native([program], timeout=60)
    assert native.returncode == 0, native.describe()
    assert native.stdout.startswith("add=80000 unaligned=80000 ")
    for _ in range(RUNS):
        result = run_pyqemu([program], timeout=60)
        assert result.returncode == 0, result.describe()
        assert result.stdout == native.stdout


def runs_as_natively_and_under_qemu(guest_builder, name: str, expected: str) -> None:
    """The musl-static guest prints ``expected`` natively and under qemu, and under pyqemu
    every one of RUNS times."""
    program = str(guest_builder.build(name, "musl-static"))
    native = run_native([program], timeout=60)
    assert native.stdout == expected, native.describe()
    qemu = run_qemu([program], timeout=60)
    assert qemu.stdout == native.stdout, qemu.describe()
    for _ in range(RUNS):
        result = run_pyqemu([program], timeout=60)
        assert (result.returncode, result.stdout) == (0, native.stdout), result.describe()


def test_thread_directed_signal_runs_on_its_thread(guest_builder) -> None:
    """thread_kill.c: pthread_kill (the host's tgkill) to a thread spinning in guest code
    while the main thread spins too; the handler must run on the thread named, 20 times of
    20, as natively and under qemu.  Before, the host handler asked whichever vCPU was
    running to take the signal, and the main thread ran it 17-19 times of 20."""
    runs_as_natively_and_under_qemu(guest_builder, "thread_kill", "worker 20 main 0 other 0\n")


@pytest.mark.patched_engine("the stock engine keeps running another thread's stale "
                             "translation: the page watch across engines needs pyqemu's engine")
def test_code_written_by_one_thread_runs_in_another(guest_builder) -> None:
    """thread_jit.c: two threads take turns rewriting a function on a read-write-execute
    page that both have run; each time the other thread must run the new code, as on the
    CPU and under qemu, whose vCPUs share one code cache.  Each of pyqemu's vCPUs has its
    own engine and cache: before pages with code were watched across engines, 199 of 200
    rounds ran the stale code."""
    runs_as_natively_and_under_qemu(guest_builder, "thread_jit", "rounds 200 stale 0\n")


def test_split_lock_add_from_threads_running_at_once(guest_builder) -> None:
    """atomics_split.c: lock add on a word across two cache lines from two threads at once.
    The engine cannot make it one host atomic and runs it as one instruction alone (engine
    patch 0020); with vCPUs running at once that step needs every other vCPU stopped
    (patch 0024, QEMU's cpu_exec_step_atomic).  Without the stop, 1 run in 2 lost adds
    (599392 of 600000)."""
    runs_as_natively_and_under_qemu(guest_builder, "atomics_split", "split 600000\n")
