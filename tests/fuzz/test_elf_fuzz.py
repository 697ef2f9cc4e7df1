# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential ELF fuzzing in CI: 500 mutants of two small programs, each run under
qemu-x86_64 7.2 and pyqemu, must give 0 tracebacks, 0 hangs, and the same outcome
(started or refused, and the exit status or signal), apart from the accepted
differences listed, with their reasons, in elf_differential.ACCEPTED.

Issue 25's harsher set (elf_mutants.HeaderByteMutator: 1-4 random bytes of the ELF and
program headers of the static musl program): 300 seeded mutants in CI, the 10,000 of the
issue with --full; pyqemu's exit status must equal qemu's in at least 97% of the runs
qemu finishes, with no traceback and no hang.

benchmarks/fuzz_elf.py runs the long campaigns (10,000 mutants) with the same code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest
from elf_differential import Outcome, classify_qemu, compare, run_campaign
from elf_mutants import ElfMutator, HeaderByteMutator
from fuzz_seeds import SEED_STATUS, SEEDS, SeedToolMissing, build_seed
from prerequisites import missing
from pyqemu_driver import PyqemuDriver

CI_MUTANTS = 500
CI_SALT = 0
TIMEOUT = 5.0
HEADER_BYTES_CI = 300
HEADER_BYTES_FULL = 10_000
HEADER_BYTES_SALT = 0
#: issue 25: share of the runs qemu finishes where pyqemu's exit status equals qemu's
STATUS_AGREEMENT = 0.97


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("qemu-x86_64") is None:
        missing(harness.QEMU_MISSING_REASON)
    out = tmp_path_factory.mktemp("fuzz-seeds")
    try:
        return {name: build_seed(name, out) for name in SEEDS}
    except SeedToolMissing as exc:
        missing(str(exc))


def test_mutants_are_reproducible_and_varied(seeds: dict[str, Path]) -> None:
    data = seeds["musl-static"].read_bytes()
    first, again = ElfMutator(data, salt=1), ElfMutator(data, salt=1)
    assert [first.mutant(i) for i in range(50)] == [again.mutant(i) for i in range(50)]
    assert ElfMutator(data, salt=2).mutant(7) != first.mutant(7)
    mutants = [first.mutant(i).data for i in range(3000)]  # no strategy may raise
    assert sum(m != data for m in mutants) > 2900
    assert {len(m) for m in mutants} != {len(data)}  # some are truncated


def test_seeds_run_under_both_emulators(seeds: dict[str, Path]) -> None:
    env = harness.guest_env()
    with PyqemuDriver(env) as driver:
        for path in seeds.values():
            assert harness.run_qemu([path]).returncode == SEED_STATUS
            result = driver.run([str(path)], TIMEOUT)
            assert (result.returncode, result.stderr) == (SEED_STATUS, ""), result


def test_qemu_outcomes_are_classified() -> None:
    assert classify_qemu(1, "Error while loading /x: Exec format error\r\n", "", False) == (
        Outcome("exec-error", 1, "Error while loading /x: Exec format error"))
    assert classify_qemu(-11, "", "qemu: uncaught target signal 11 (Segmentation fault) - "
                         "core dumped\n", False) == Outcome("signal", 11)
    assert classify_qemu(-11, "", "", False).kind == "qemu-crash"
    assert classify_qemu(-6, "", "qemu-x86_64: x.c:1: f: Assertion `a' failed.\n",
                         False).kind == "qemu-crash"
    assert classify_qemu(3, "", "", True).kind == "hang"
    assert compare(Outcome("exit", 3), Outcome("exit", 3)) == "agree"
    assert compare(Outcome("exit", 3), Outcome("signal", 11)) == "disagree"


def test_500_mutants_agree_with_qemu(seeds: dict[str, Path], tmp_path: Path) -> None:
    summary = run_campaign(seeds, CI_MUTANTS, salt=CI_SALT, timeout=TIMEOUT,
                           keep_dir=tmp_path / "kept",
                           env=harness.guest_env(PYQEMU_DEBUG="1"))
    report = summary.report()
    print(report)
    assert summary.total == CI_MUTANTS, report
    assert not summary.tracebacks, report
    assert not summary.hangs, report
    assert not summary.disagreements, report
    # the mutants reach every kind of ending, so the agreement means something
    assert {"exit", "signal", "exec-error", "load-error"} <= set(summary.qemu_kinds), report


def test_header_byte_mutants_are_reproducible(seeds: dict[str, Path]) -> None:
    data = seeds["musl-static"].read_bytes()
    first, again = HeaderByteMutator(data, salt=1), HeaderByteMutator(data, salt=1)
    assert [first.mutant(i) for i in range(50)] == [again.mutant(i) for i in range(50)]
    phoff = int.from_bytes(data[32:40], "little")
    table_end = phoff + 56 * int.from_bytes(data[56:58], "little")
    for index in range(500):
        changed = [at for at, (a, b) in enumerate(zip(data, first.mutant(index).data,
                                                      strict=True)) if a != b]
        assert 1 <= len(changed) <= 4
        assert all(at < 64 or phoff <= at < table_end for at in changed)


def _header_bytes_campaign(seeds: dict[str, Path], count: int, tmp_path: Path,
                           workers: int = 2) -> None:
    summary = run_campaign({"musl-static": seeds["musl-static"]}, count,
                           salt=HEADER_BYTES_SALT, timeout=TIMEOUT, workers=workers,
                           keep_dir=tmp_path / "kept", mutation="header-bytes",
                           env=harness.guest_env(PYQEMU_DEBUG="1"))
    report = summary.report(limit=50)
    print(report)
    assert summary.total == count, report
    assert not summary.tracebacks, report
    assert not summary.hangs, report
    assert summary.status_agreement >= STATUS_AGREEMENT, report
    # the set reaches loads that fail, guests that run and guests that fault
    assert {"exit", "signal", "load-error"} <= set(summary.qemu_kinds), report


def test_header_byte_mutants_end_as_under_qemu(seeds: dict[str, Path], tmp_path: Path) -> None:
    _header_bytes_campaign(seeds, HEADER_BYTES_CI, tmp_path)


@pytest.mark.full
def test_10000_header_byte_mutants_end_as_under_qemu(seeds: dict[str, Path],
                                                      tmp_path: Path) -> None:
    _header_bytes_campaign(seeds, HEADER_BYTES_FULL, tmp_path)
