# SPDX-License-Identifier: GPL-2.0-or-later
"""Regression tests for what the ELF fuzzer found, one per symptom, each a hand-made
mutant of a seed program run under pyqemu (and under qemu-x86_64 7.2 where qemu
finishes).  The names say what went wrong before the fix.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import harness
import pytest
from elf_differential import (
    Outcome,
    classify_pyqemu,
    no_core_dumps,
    run_qemu,
    shell_status,
)
from fuzz_seeds import SEED_STATUS, SeedToolMissing, build_seed
from prerequisites import missing
from pyqemu_driver import PyqemuDriver

TIMEOUT = 5.0
PHDR_FIELDS = {"p_type": (0, "<I"), "p_flags": (4, "<I"), "p_offset": (8, "<Q"),
               "p_vaddr": (16, "<Q"), "p_filesz": (32, "<Q"), "p_memsz": (40, "<Q")}


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("regression-seeds")
    try:
        return {name: build_seed(name, out) for name in ("asm-nostdlib", "musl-static")}
    except SeedToolMissing as exc:
        missing(str(exc))


@pytest.fixture(scope="module")
def driver() -> Iterator[PyqemuDriver]:
    with PyqemuDriver(harness.guest_env()) as running:
        yield running


def mutant(seed: Path, out: Path, phdrs: dict[tuple[int, str], int] | None = None,
           length: int | None = None) -> str:
    data = bytearray(seed.read_bytes())
    phoff, = struct.unpack_from("<Q", data, 32)
    for (index, name), value in (phdrs or {}).items():
        at, fmt = PHDR_FIELDS[name]
        struct.pack_into(fmt, data, phoff + 56 * index + at, value)
    out.write_bytes(bytes(data[:length] if length is not None else data))
    out.chmod(0o755)
    return str(out)


def both(path: str, driver: PyqemuDriver) -> tuple[Outcome, Outcome]:
    if shutil.which("qemu-x86_64") is None:
        missing(harness.QEMU_MISSING_REASON)
    with no_core_dumps():
        qemu = run_qemu([path], TIMEOUT, harness.guest_env())
    return qemu, classify_pyqemu(driver.run([path], TIMEOUT))


def test_terabyte_segment_loads_without_a_hang(seeds, driver, tmp_path) -> None:
    # the engine was told of the reservation and of every segment mapped over it, and
    # its unmap goes page by page: a 64 TiB p_memsz took hours; qemu itself needs minutes.
    # The segment is the read-only text: clearing its bss tail, qemu faults in its own
    # zero_bss (tests/errors, huge_readonly_bss), and pyqemu ends with the same SIGSEGV
    path = mutant(seeds["asm-nostdlib"], tmp_path / "huge", {(1, "p_memsz"): 1 << 46})
    result = driver.run([path], TIMEOUT)
    assert (result.returncode, result.timed_out, result.stderr) == (-11, False, "")


def test_segment_at_page_zero_is_refused_cleanly(seeds, driver, tmp_path) -> None:
    # the host could map page 0 (as root), the engine could not: an internal error
    path = mutant(seeds["asm-nostdlib"], tmp_path / "page0", {(0, "p_vaddr"): 0})
    ours = classify_pyqemu(driver.run([path], TIMEOUT))
    assert ours == Outcome("load-error", 255,
                           f"{path}: Error mapping file: Operation not permitted")


def test_huge_interpreter_name_is_not_read_into_memory(driver, tmp_path) -> None:
    # PT_INTERP's p_filesz of 1 TiB became a 1 TiB read buffer (qemu: g_malloc aborts)
    data = bytearray(Path("/bin/true").read_bytes())
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    interp = next(i for i in range(phnum)
                  if struct.unpack_from("<I", data, phoff + 56 * i)[0] == 3)
    struct.pack_into("<Q", data, phoff + 56 * interp + 32, 1 << 40)
    path = tmp_path / "interp_huge"
    path.write_bytes(bytes(data))
    path.chmod(0o755)
    ours = classify_pyqemu(driver.run([str(path)], TIMEOUT))
    assert ours == Outcome("load-error", 255, f"{path}: Incomplete read of file header")


@pytest.mark.parametrize("seed,phdrs,length,expected", [
    # exec-only first segment: the guest reads its program headers there (x86 pages that
    # may be executed may be read); the engine faulted
    ("musl-static", {(0, "p_flags"): 1}, None, Outcome("exit", SEED_STATUS)),
    # the span starts at the lowest p_vaddr, not p_vaddr - p_offset: that decides
    # AT_PHDR when the first PT_LOAD is gone
    ("musl-static", {(0, "p_type"): 7}, None, Outcome("exit", SEED_STATUS)),
    # qemu's error for a later segment comes before pyqemu's refusal of missing file bytes
    ("asm-nostdlib", {(1, "p_filesz"): 0x400000000000000D}, 176, None),
    # the last PT_GNU_STACK decides whether the stack is executable
    ("musl-static", {(5, "p_type"): 0x6474E551, (5, "p_flags"): 7}, None,
     Outcome("exit", SEED_STATUS)),
], ids=["exec_only_headers", "lowest_vaddr_decides_phdr", "qemu_error_before_our_refusal",
        "last_gnu_stack_wins"])
def test_fuzzer_finding_now_agrees_with_qemu(seeds, driver, tmp_path, seed: str,
                                             phdrs: dict[tuple[int, str], int],
                                             length: int | None,
                                             expected: Outcome | None) -> None:
    path = mutant(seeds[seed], tmp_path / "m", phdrs, length)
    qemu, ours = both(path, driver)
    if expected is None:
        expected = Outcome("load-error", 255,
                           f"{path}: Error mapping file: Cannot allocate memory")
    assert (qemu, ours) == (expected, expected)


def test_huge_offset_maps_as_qemu_maps_it(seeds, driver, tmp_path) -> None:
    # a huge p_offset on the first PT_LOAD made the span start below 0 ("Invalid
    # argument"); then pyqemu refused the file's missing bytes ("Input/output error");
    # now they are mapped as qemu maps them and the guest dies as under qemu
    path = mutant(seeds["asm-nostdlib"], tmp_path / "m",
                  {(0, "p_offset"): 0xED000000000000, (1, "p_type"): 6})
    qemu, ours = both(path, driver)
    assert qemu == ours == Outcome("signal", 11)


# issue 25: segments with mmap semantics.  The musl seed's PT_LOADs: 0 R headers, 1 R+X
# text at 0x401000 (file 0x1000), 2 R rodata, 3 RW data at 0x403fd0 (file 0x2fd0, 0x40
# file bytes, 0x2a8 in memory).  qemu's own faults (in zero_bss) are "qemu-crash"; the
# shell sees the same status either way
@pytest.mark.parametrize("phdrs,qemu_expected,status", [
    # the text's file bytes lie past the end: the guest's first fetch gets SIGBUS
    ({(1, "p_offset"): 0x5000}, Outcome("signal", 7), 128 + 7),
    # rodata past the end, never touched: the guest runs (pyqemu refused it before)
    ({(2, "p_offset"): 0x5000}, Outcome("exit", SEED_STATUS), SEED_STATUS),
    # data past the end with a bss: qemu clearing the bss tail dies of SIGBUS itself
    ({(3, "p_offset"): 0x4FD0}, Outcome("qemu-crash", 7, ""), 128 + 7),
    # read-only data with a bss: qemu clearing the tail dies of SIGSEGV itself (pyqemu
    # cleared it and ran the guest before)
    ({(3, "p_flags"): 4}, Outcome("qemu-crash", 11, ""), 128 + 11),
    # data without file bytes at an unaligned address: its first page is not mapped but
    # cleared, on the reservation: SIGSEGV (pyqemu mapped it and ran the guest before)
    ({(3, "p_filesz"): 0}, Outcome("signal", 11), 128 + 11),
], ids=["text_past_eof", "rodata_past_eof_untouched", "data_past_eof_with_bss",
        "readonly_data_with_bss", "data_without_file_bytes"])
def test_segments_load_with_mmap_semantics(seeds, driver, tmp_path,
                                           phdrs: dict[tuple[int, str], int],
                                           qemu_expected: Outcome, status: int) -> None:
    path = mutant(seeds["musl-static"], tmp_path / "m", phdrs)
    qemu, ours = both(path, driver)
    assert qemu == qemu_expected
    assert shell_status(ours) == shell_status(qemu) == status, ours
    assert ours.kind in ("exit", "signal"), ours
