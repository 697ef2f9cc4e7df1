# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a guest with plugins under qemu-x86_64 and pyqemu-x86_64, and read the reports.

Plays the part of QEMU's tests/tcg plugin rules (run each guest with each plugin and keep
the plugin's output), twice: once under the installed qemu-x86_64 7.2, once under pyqemu.
Both runs of a pair start together (the machine has two cores and qemu is fast), and a pair
is run once per session however many tests look at it.

Plugin output goes to a `-d plugin -D <file>` log, so it never mixes with the guest's own.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from harness import RunResult, run_pyqemu, run_qemu, strip_qemu_noise


@dataclass(frozen=True)
class PluginRun:
    """One emulator's run: how the guest ended, and what the plugins logged."""

    result: RunResult
    log: str

    def describe(self) -> str:
        return f"{self.result.describe()}\nplugin log:\n{self.log[:4000]}"


@dataclass(frozen=True)
class RunPair:
    """The same command under both emulators."""

    qemu: PluginRun
    pyqemu: PluginRun

    def describe(self) -> str:
        return f"--- qemu ---\n{self.qemu.describe()}\n--- pyqemu ---\n{self.pyqemu.describe()}"


PluginKey = tuple[tuple[str, ...], tuple[str, ...]]


class PairRunner:
    """Runs (guest argv, plugin specs) pairs, each once per session, two runs at a time.

    submit() starts a pair and returns at once, so a test can start all the runs it needs
    before it waits for the first; run() waits for one pair.
    """

    def __init__(self, log_dir: Path, workers: int = 2) -> None:
        self.log_dir = log_dir
        self._pool = ThreadPoolExecutor(max_workers=workers)
        self._pending: dict[PluginKey, tuple[Future[PluginRun], Future[PluginRun]]] = {}
        self._lock = threading.Lock()
        self._serial = itertools.count()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def submit(self, argv: Sequence[str | Path], plugins: Sequence[str]) -> PluginKey:
        """Start argv under both emulators, with one `-plugin` option per entry of plugins."""
        key = (tuple(map(str, argv)), tuple(plugins))
        with self._lock:
            if key not in self._pending:
                self._pending[key] = (
                    self._pool.submit(self._run_one, run_qemu, key),
                    self._pool.submit(self._run_one, run_pyqemu, key),
                )
        return key

    def run(self, argv: Sequence[str | Path], plugins: Sequence[str]) -> RunPair:
        """Both runs of argv (started now unless submitted before)."""
        qemu, pyqemu = self._pending[self.submit(argv, plugins)]
        return RunPair(qemu.result(), pyqemu.result())

    def _run_one(self, runner: Callable[..., RunResult], key: PluginKey) -> PluginRun:
        argv, plugins = key
        log_path = self.log_dir / f"plugin-{next(self._serial)}.log"
        extra = ["-d", "plugin", "-D", str(log_path)]
        result = runner(list(argv), plugins=list(plugins), extra=extra)
        log = log_path.read_text(errors="surrogateescape") if log_path.exists() else ""
        return PluginRun(result, log)


# ---------------------------------------------------------------------------------------------
# Reading the reports of tests/plugin's plugins
# ---------------------------------------------------------------------------------------------


def parse_report(log: str) -> dict[str, str]:
    """Map each `name: value` line of a plugin log to its value (the last one wins)."""
    return dict(line.split(": ", 1) for line in log.splitlines() if ": " in line)


def bb_report(run: PluginRun) -> tuple[int, int]:
    """bb's "bb's: N, insns: M" as (N, M)."""
    match = re.fullmatch(r"bb's: (\d+), insns: (\d+)\n", run.log)
    assert match, run.describe()
    return int(match[1]), int(match[2])


def insn_report(run: PluginRun) -> int:
    match = re.fullmatch(r"insns: (\d+)\n", run.log)
    assert match, run.describe()
    return int(match[1])


def mem_report(run: PluginRun) -> int:
    match = re.fullmatch(r"mem accesses: (\d+)\n", run.log)
    assert match, run.describe()
    return int(match[1])


@dataclass(frozen=True)
class BlockCounts:
    """tbset's line for one translation of a block."""

    n_insns: int
    execs: int
    insn_execs: int
    last_insn_execs: int


# A translation: the block's start address, and how many translations of it came before.
BlockKey = tuple[int, int]


@dataclass(frozen=True)
class TbsetReport:
    """What tbset prints (see tests/plugin/tbset.c)."""

    vcpu_inits: tuple[str, ...]
    tb_trans: int
    blocks: dict[BlockKey, BlockCounts]
    atexit_lines: tuple[str, ...]

    def vaddrs(self) -> set[int]:
        return {vaddr for vaddr, _ in self.blocks}

    def block_total(self) -> tuple[int, int]:
        """(block executions, their n_insns added up), as the bb plugin counts them."""
        return (
            sum(block.execs for block in self.blocks.values()),
            sum(block.execs * block.n_insns for block in self.blocks.values()),
        )

    def insn_total(self) -> int:
        """Instruction executions, as the insn plugin counts them."""
        return sum(block.insn_execs for block in self.blocks.values())


def tbset_report(run: PluginRun) -> TbsetReport:
    lines = run.log.splitlines()
    report = parse_report(run.log)
    blocks: dict[BlockKey, BlockCounts] = {}
    translations: Counter[int] = Counter()
    for line in lines:
        if line.startswith("tb "):
            text, *numbers = line[3:].split()
            vaddr = int(text, 16)
            blocks[vaddr, translations[vaddr]] = BlockCounts(*map(int, numbers))
            translations[vaddr] += 1
    assert int(report["tb_distinct"]) == len(translations), run.describe()
    assert int(report["tb_trans"]) == len(blocks), run.describe()
    return TbsetReport(
        vcpu_inits=tuple(line for line in lines if line.startswith("vcpu_init ")),
        tb_trans=int(report["tb_trans"]),
        blocks=blocks,
        atexit_lines=tuple(line for line in lines if line.startswith("atexit: ")),
    )


def dropping_block_execs(report: TbsetReport) -> int:
    """Executions of blocks whose last instruction never runs: the page-crossing
    instruction QEMU 7.2 began to decode and dropped (see test_differential.py)."""
    return sum(block.execs for block in report.blocks.values()
               if block.n_insns > 0 and block.last_insn_execs == 0)


# Syscalls whose return value is a thread or process id, which differs run to run:
# clone fork vfork wait4 getpid getppid gettid set_tid_address.
_ID_RETURNING_SYSCALLS = frozenset({56, 57, 58, 61, 39, 110, 186, 218})
_SYSCALL_RET = re.compile(r"syscall (-?\d+) ret (-?\d+)")


def syscall_log(run: PluginRun, *, drop: frozenset[int] = frozenset()) -> list[str]:
    """The syscall plugin's log, with id-valued returns masked and the calls in drop left out."""
    lines = []
    for line in run.log.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "syscall" and int(words[1]) in drop:
            continue
        match = _SYSCALL_RET.fullmatch(line)
        if match and int(match[1]) in _ID_RETURNING_SYSCALLS:
            line = f"syscall {match[1]} ret <id>"
        if line.startswith("syscalls: ") and drop:
            continue  # the total counts the dropped calls too
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# Comparing error messages
# ---------------------------------------------------------------------------------------------

_OWN_PREFIX = re.compile(r"^pyqemu(-x86_64)?:", re.MULTILINE)
_SUPPORTED_VERSION = re.compile(r"(supports only up to version) \d+")
# Warnings 7.2 prints about option spellings 5.2 accepted silently (pyqemu keeps 5.2's
# behaviour): the harness's noise list, plus short-form booleans ("bogus" for "bogus=on").
_QEMU_7_2_WARNINGS = (
    re.compile(r"qemu-x86_64: warning: short-form boolean option '.*' deprecated"),
    re.compile(r"Please use .*=on instead"),
)


def comparable_stderr(result: RunResult) -> str:
    """stderr with the program name, the supported API version and 7.2's warnings made even.

    pyqemu names itself pyqemu-x86_64 (QEMU's messages start with qemu-x86_64, or with a
    bare `qemu:` for command-line mistakes), and supports API version 0 where 7.2 has 1.
    """
    text = strip_qemu_noise(result.stderr)
    text = "".join(
        line
        for line in text.splitlines(keepends=True)
        if not any(pattern.fullmatch(line.rstrip("\n")) for pattern in _QEMU_7_2_WARNINGS)
    )
    text = _OWN_PREFIX.sub(lambda m: "qemu" + (m[1] or "") + ":", text)
    return _SUPPORTED_VERSION.sub(r"\1 <cur>", text)
