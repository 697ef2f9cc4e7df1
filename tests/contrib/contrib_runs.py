# SPDX-License-Identifier: GPL-2.0-or-later
"""The emulators the contrib plugin tests run guests under, and what one run leaves behind.

Plays the part of the emulator choice in QEMU's tests/tcg rules (which binary runs each
guest): one name per emulator, each mapped to its tests/harness.py runner, so the same tests
run under qemu-x86_64 7.2 and, by adding "pyqemu" to EMULATORS, under pyqemu-x86_64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import RunResult, run_pyqemu, run_qemu

# The emulators every guest-running test runs under.
# TODO: add "pyqemu" once pyqemu-x86_64 loads plugins.
EMULATORS = ["qemu", "pyqemu"]
RUNNERS: dict[str, Callable[..., RunResult]] = {"qemu": run_qemu, "pyqemu": run_pyqemu}


@dataclass(frozen=True)
class PluginRun:
    """One finished guest run and what its plugins printed to the -D log."""

    result: RunResult
    log: str


@dataclass(frozen=True)
class Emulator:
    """An emulator by name: "qemu" (qemu-x86_64) or "pyqemu" (pyqemu-x86_64)."""

    name: str

    def run(
        self,
        argv: Sequence[str | Path],
        *,
        plugins: Sequence[str],
        log_path: Path,
        cwd: Path | None = None,
    ) -> PluginRun:
        """Run argv with one -plugin option per spec, plugin output going to log_path.

        The run gets `-d plugin -D log_path`, so qemu_plugin_outs text lands in the log and
        not in the guest's stderr. Skips the calling test when the emulator is missing.
        """
        result = RUNNERS[self.name](
            list(argv), plugins=plugins, extra=["-d", "plugin", "-D", str(log_path)], cwd=cwd
        )
        log = log_path.read_text() if log_path.exists() else ""
        return PluginRun(result, log)
