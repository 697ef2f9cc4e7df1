# SPDX-License-Identifier: GPL-2.0-or-later
"""Facts for the report's header: date, machine, load, versions, commit, engine.

Mirrors no QEMU part; it is what a benchmark table needs to be read later: when and where it
was measured, how busy the machine was, and exactly which emulators ran.
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from suite.cells import REPO_ROOT, Emulators
from suite.measure import ENGINE_VARIABLE, guest_env
from suite.qiling_column import qiling_version


def command_output(command: Sequence[str]) -> str:
    """stdout of command, stripped, or "" when it fails."""
    try:
        completed = subprocess.run(list(command), capture_output=True, text=True, check=False,
                                   timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def loaded_engine(pyqemu: Sequence[str]) -> str:
    """The libunicorn file pyqemu's host loads and its patches, asked of pyqemu's interpreter.

    Answerable when pyqemu is started as `<python> [options] -m pyqemu...` (the default).
    """
    if "-m" not in pyqemu[1:4]:
        return "unknown (custom --pyqemu command)"
    probe = (
        f"import sys; sys.path.append({str(REPO_ROOT)!r}); import pyqemu.host as h; "
        "print(h.engine_library, 'patches:', ', '.join(getattr(h, 'engine_patches', ())) "
        "or 'none (stock)')"
    )
    try:
        options = list(pyqemu[1:pyqemu.index("-m")])  # e.g. -P
        completed = subprocess.run([pyqemu[0], *options, "-c", probe], capture_output=True,
                                   text=True, env=guest_env(), cwd=tempfile.gettempdir(),
                                   check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (pyqemu.host did not load)"
    return completed.stdout.strip() or "unknown (pyqemu.host did not load)"


def _cpu_and_memory() -> str:
    cpu_model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError, ValueError):
        pass
    return f"{cpu_model}, {os.cpu_count()} cores{memory}, Linux {platform.release()}"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine_facts(emulators: Emulators, repeat: int, quick: bool, qiling_note: str,
                  note: str) -> dict[str, str]:
    """Date, machine, versions and commit, for the report's header; note (--note) last."""
    commit = command_output(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    if commit and command_output(["git", "-C", str(REPO_ROOT), "status", "--porcelain",
                                  "--untracked-files=no"]):
        commit += " + uncommitted changes"
    qemu_version = command_output([*emulators.qemu, "--version"]).splitlines()
    if emulators.qiling_venv is not None:
        qiling = f"{qiling_version(emulators.qiling_venv)} ({emulators.qiling_venv})"
    else:
        qiling = qiling_note
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": _cpu_and_memory(),
        "load average at start": load_average(),
        "qemu": qemu_version[0] if qemu_version else "unknown",
        "pyqemu": f"commit {commit or 'unknown'}; command: {shlex.join(emulators.pyqemu[:4])}",
        "pyqemu engine": f"{ENGINE_VARIABLE}={os.environ.get(ENGINE_VARIABLE, '(unset)')}, "
                         f"loads {loaded_engine(emulators.pyqemu)}",
        "qiling": qiling,
        "python": f"{platform.python_version()} ({sys.executable})",
        "repetitions": f"{repeat}, interleaved{' (--quick)' if quick else ''}",
        **({"note": note} if note else {}),
    }
