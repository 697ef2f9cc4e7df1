# SPDX-License-Identifier: GPL-2.0-or-later
"""Batched events for Python plugins (issue 22): every block and access, in order.

``api.register_vcpu_tb_exec_batch`` and ``api.register_vcpu_mem_batch`` hand a
Python plugin its executed blocks' vaddrs and its memory accesses a buffer at a
time.  The plugin under test is tests/plugin/pybatch.py; it is compared with
the C plugins bb.c and mem.c (in the same run, so that even a guest whose
block count varies from run to run gives one answer), with a Python callback
per block, and with qemu-x86_64 7.2 running bb.c.
"""

from __future__ import annotations

import array
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from harness import plugin_spec, run_pyqemu, run_qemu

import pyqemu
from pyqemu.plugins import api

PYBATCH = Path(__file__).resolve().parent / "pybatch.py"
# small capacities make the buffers fill (and be delivered full) many times a run
CAPACITIES = ["7", "1000", "65536"]


def _log(tmp_path: Path, name: str, program: str, plugins: list[str]) -> str:
    """The plugins' -d plugin output of a run that must succeed."""
    log = tmp_path / f"{name}.log"
    result = run_pyqemu([program], plugins=plugins, extra=["-d", "plugin", "-D", str(log)])
    assert result.returncode == 0, result.stderr
    return log.read_text()


def _bb_counts(log: str) -> list[int]:
    """Every ``bb's: N`` of a log, the C plugin's and the Python plugin's."""
    return [int(n) for n in re.findall(r"^bb's: (\d+)", log, re.M)]


def _lines(log: str, prefix: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("capacity", CAPACITIES)
@pytest.mark.parametrize("guest", ["hello", "loop", "pthreads"])
def test_batch_counts_every_block_as_bb_c(guest_builder, plugin_lib, tmp_path: Path,
                                          guest: str, capacity: str) -> None:
    """Counter.update(pcs) over the batches gives bb.c's total in the same run (threads
    included: each vCPU's buffer is delivered when it exits), and full buffers are
    delivered at their capacity."""
    program = str(guest_builder.build(guest, "musl-static"))
    log = _log(tmp_path, "both", program, [
        str(plugin_lib("bb")), f"{PYBATCH},arg=blocks,arg=capacity={capacity}"])
    c_total, py_total = _bb_counts(log)
    assert py_total == c_total > 0
    batches, longest = map(int, re.search(r"^batches: (\d+), longest: (\d+)", log, re.M).groups())
    assert longest <= int(capacity) and batches >= py_total // int(capacity)
    if capacity == "7":     # every guest fills a buffer of 7 many times
        assert longest == 7


@pytest.mark.parametrize("tally", ["", ",arg=tally"])
@pytest.mark.parametrize("guest", ["hello", "loop"])
def test_batch_per_block_counts_match_a_python_callback_per_block(
        guest_builder, tmp_path: Path, guest: str, tally: str) -> None:
    """Block by block, the batches count what a per-block exec callback counts (with
    Counter.update(pcs), and with Counter.update(api.tally(pcs)))."""
    program = str(guest_builder.build(guest, "musl-static"))
    batched = _log(tmp_path, "batch", program,
                   [f"{PYBATCH},arg=blocks,arg=capacity=1000{tally}"])
    per_block = _log(tmp_path, "percb", program, [f"{PYBATCH},arg=percb"])
    assert _lines(batched, "block ") == _lines(per_block, "block ") != []
    assert _lines(batched, "bb's: ") == _lines(per_block, "bb's: ")


@pytest.mark.patched_engine("block counts exact against qemu 7.2 on pyqemu's engine only")
def test_batch_total_matches_qemu_bb(guest_builder, plugin_lib, tmp_path: Path) -> None:
    """The batch's total is qemu-x86_64 7.2's own count with bb.c."""
    program = str(guest_builder.build("loop", "musl-static"))
    qemu_log = tmp_path / "qemu.log"
    result = run_qemu([program], plugins=[plugin_spec(plugin_lib("bb"))],
                      extra=["-d", "plugin", "-D", str(qemu_log)])
    assert result.returncode == 0, result.stderr
    batched = _log(tmp_path, "batch", program, [f"{PYBATCH},arg=blocks"])
    assert _bb_counts(batched) == _bb_counts(qemu_log.read_text()) != []


@pytest.mark.parametrize("guest", ["hello", "args_env"])
def test_syscall_callback_sees_every_block_before_it(guest_builder, tmp_path: Path,
                                                     guest: str) -> None:
    """A partly filled buffer is delivered before the plugin's syscall callback: the
    last block it has seen at each syscall is the one a per-block callback saw."""
    program = str(guest_builder.build(guest, "musl-static"))
    batched = _log(tmp_path, "batch", program, [f"{PYBATCH},arg=blocks,arg=syscalls"])
    per_block = _log(tmp_path, "percb", program, [f"{PYBATCH},arg=percb,arg=syscalls"])
    syscalls = _lines(per_block, "syscall ")
    assert len(syscalls) >= 3 and "after 0x0" not in syscalls[0]
    assert _lines(batched, "syscall ") == syscalls


@pytest.mark.parametrize("guest", ["hello", "loop"])
def test_exec_callback_of_the_plugin_sees_its_block_in_the_batch(
        guest_builder, plugin_lib, tmp_path: Path, guest: str) -> None:
    """The plugin's own per-block exec callback comes after the batch was delivered up
    to that block, at every block, and the batch still counts every block."""
    program = str(guest_builder.build(guest, "musl-static"))
    log = _log(tmp_path, "both", program, [
        str(plugin_lib("bb")), f"{PYBATCH},arg=blocks,arg=percb"])
    c_total, py_total = _bb_counts(log)
    assert py_total == c_total > 0
    assert "late: 0\n" in log


@pytest.mark.parametrize("capacity", ["5", "65536"])
@pytest.mark.parametrize("guest", ["hello", "memops"])
def test_mem_batch_counts_every_access_as_mem_c(guest_builder, plugin_lib, tmp_path: Path,
                                                guest: str, capacity: str) -> None:
    """The mem batch's accesses are mem.c's, in the same run; its meminfo says which
    are stores as mem.c filtered to stores counts them."""
    program = str(guest_builder.build(guest, "musl-static"))
    log = _log(tmp_path, "both", program, [
        str(plugin_lib("mem")), f"{PYBATCH},arg=mem,arg=stores,arg=capacity={capacity}"])
    c_count, py_count = (int(n) for n in re.findall(r"^mem accesses: (\d+)", log, re.M))
    assert py_count == c_count > 0
    stores = int(re.search(r"^mem stores: (\d+)", log, re.M).group(1))
    assert 0 < stores < py_count


def test_batches_through_pyqemu_run(guest_builder, plugin_lib) -> None:
    """pyqemu.run() takes the same Python plugin with its batches."""
    program = guest_builder.build("hello", "musl-static")
    result = pyqemu.run([program], plugins=[str(plugin_lib("bb")),
                                            f"{PYBATCH},arg=blocks,arg=mem,arg=capacity=64"])
    assert result.status == 0, result.stderr
    c_total, py_total = _bb_counts(result.plugin_log)
    assert py_total == c_total > 0
    assert re.search(r"^mem accesses: [1-9]", result.plugin_log, re.M)


def test_bad_registrations_raise(tmp_path: Path, guest_builder) -> None:
    """A capacity that is not a positive int, or a callback that is not callable, raises
    at the call, in the plugin's install."""
    plugin = tmp_path / "bad.py"
    plugin.write_text(
        "from pyqemu.plugins import api\n"
        "def qemu_plugin_install(plugin_id, info, args):\n"
        "    for call in (lambda: api.register_vcpu_tb_exec_batch(plugin_id, print, 0),\n"
        "                 lambda: api.register_vcpu_mem_batch(plugin_id, print, api.MEM_RW, -1),\n"
        "                 lambda: api.register_vcpu_tb_exec_batch(plugin_id, 3)):\n"
        "        try:\n"
        "            call()\n"
        "        except (TypeError, ValueError) as exc:\n"
        "            api.outs(f'{type(exc).__name__}\\n')\n"
        "    return 0\n")
    program = str(guest_builder.build("hello", "musl-static"))
    assert _log(tmp_path, "bad", program, [str(plugin)]).split() == [
        "ValueError", "ValueError", "TypeError"]


@pytest.mark.parametrize("capacity", ["", ",capacity=100"])
@pytest.mark.parametrize("guest", ["hello", "loop"])
def test_hotblocks_batch_prints_hotblocks_c(guest_builder, plugin_lib, tmp_path: Path,
                                            guest: str, capacity: str) -> None:
    """pyqemu.contrib.hotblocks_batch: hotblocks.c's table, per-block counts included."""
    program = str(guest_builder.build(guest, "musl-static"))
    c_table = _log(tmp_path, "c", program, [str(plugin_lib("hotblocks"))])
    py_table = _log(tmp_path, "py", program, [f"pyqemu.contrib.hotblocks_batch{capacity}"])
    assert py_table == c_table
    assert len(c_table.splitlines()) == 22


PER_ACCESS = """
from pyqemu.plugins import api

def qemu_plugin_install(plugin_id, info, args):
    out = open(args[0], "w")

    def on_mem(_vcpu, _info, vaddr, _udata):
        out.write(f"{vaddr}\\n")

    def on_trans(_pid, tb):
        for insn in tb.insns:
            api.register_vcpu_mem_cb(insn, on_mem)

    api.register_vcpu_tb_trans_cb(plugin_id, on_trans)
    api.register_atexit_cb(plugin_id, lambda _pid, _u: out.close())
    return 0
"""


def test_memtrace_writes_every_access_in_order(guest_builder, plugin_lib,
                                               tmp_path: Path) -> None:
    """pyqemu.contrib.memtrace: an NPY 1.0 uint64 array of the accesses a Python
    callback per access sees, in the same order; as many as mem.c counts."""
    program = str(guest_builder.build("hello", "musl-static"))
    trace = tmp_path / "trace.npy"
    log = _log(tmp_path, "trace", program, [
        str(plugin_lib("mem")), f"pyqemu.contrib.memtrace,filename={trace}"])
    (plugin := tmp_path / "per_access.py").write_text(PER_ACCESS)
    listed = tmp_path / "per_access.txt"
    _log(tmp_path, "per_access", program, [f"{plugin},arg={listed}"])
    expected = [int(line) for line in listed.read_text().split()]

    data = trace.read_bytes()
    assert data[:8] == b"\x93NUMPY\x01\x00"
    header_len = int.from_bytes(data[8:10], "little")
    header = data[10:10 + header_len].decode("latin1")
    assert (10 + header_len) % 64 == 0 and header.endswith("\n")
    assert "'descr': '<u8'" in header and f"'shape': ({len(expected)},)" in header
    body = memoryview(data[10 + header_len:]).cast("Q")
    assert list(body) == expected != []
    assert f"mem accesses: {len(expected)}\n" in log
    assert f"memtrace: {len(expected)} accesses written to {trace}\n" in log


@pytest.mark.parametrize("distinct", [1, 3, 300, 5000, 100_000])
def test_tally_counts_as_counter(distinct: int) -> None:
    """api.tally(values) is Counter(values), keys in order of first occurrence, through
    its table's growth (100,000 distinct values in 65,536 items: nearly all distinct)."""
    rng = random.Random(distinct)
    values = memoryview(array.array("Q", [rng.randrange(distinct) * 16 + 2**63 * (i % 2)
                                          for i in range(65536)])).toreadonly()
    counted = api.tally(values)
    assert counted == Counter(values)
    assert list(counted) == list(dict.fromkeys(values))
    assert api.tally(values[:0]) == {}


REREGISTER = """
from pyqemu.plugins import api

def qemu_plugin_install(plugin_id, info, args):
    total = [0, 0]

    def second(_vcpu, pcs):
        total[1] += len(pcs)

    def first(_vcpu, pcs):
        total[0] += len(pcs)
        # from its own delivery: the buffer being read stays until it returns
        api.register_vcpu_tb_exec_batch(plugin_id, second, capacity=3)

    api.register_vcpu_tb_exec_batch(plugin_id, first, capacity=50)
    api.register_atexit_cb(plugin_id, lambda _p, _u: api.outs(
        f"bb's: {sum(total)}\\nfirst: {total[0]}\\n"))
    return 0
"""


def test_batch_registered_again_from_its_callback(guest_builder, plugin_lib,
                                                  tmp_path: Path) -> None:
    """A registration replaces callback and capacity, even from the batch's own callback:
    the first callback gets one full buffer, the second every block after it."""
    (plugin := tmp_path / "again.py").write_text(REREGISTER)
    program = str(guest_builder.build("hello", "musl-static"))
    log = _log(tmp_path, "again", program, [str(plugin_lib("bb")), str(plugin)])
    c_total, py_total = _bb_counts(log)
    assert py_total == c_total > 0
    assert "first: 50\n" in log
