# SPDX-License-Identifier: GPL-2.0-or-later
"""The Qiling column: its own venv, a rootfs per machine, and the command of one Qiling run.

Mirrors no QEMU part. Qiling (PyPI `qiling`, 1.4.x) is installed into benchmarks/.venv-qiling,
never into the main environment: it brings its own Unicorn, Capstone and Keystone and a dozen
other packages, and pyqemu pins unicorn==2.1.4. `python3 benchmarks/run.py --setup-qiling`
creates that venv. Qiling cannot reach the host's file system: the guest sees a rootfs
directory, so the runner mirrors into one (under the cache dir, hard links where possible)
the dynamic loader and libraries of each guest (from ldd), its input files and any support
trees (python3's standard library); a static musl guest needs none of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from suite.workloads import BENCH_DIR, Workload

QILING_REQUIREMENT = "qiling==1.4.6"
DEFAULT_VENV = BENCH_DIR / ".venv-qiling"
GUEST_SCRIPT = Path(__file__).resolve().parent / "qiling_guest.py"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def qiling_version(venv: Path) -> str:
    """Qiling's and its Unicorn's versions in the venv, or "" when it is not usable."""
    python = venv_python(venv)
    if not python.exists():
        return ""
    probe = ("import importlib.metadata as m; "
             "print('qiling', m.version('qiling'), '+ unicorn', m.version('unicorn'))")
    try:
        completed = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                                   check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def setup_venv(venv: Path) -> int:
    """Create the Qiling venv and install Qiling into it; return an exit status."""
    print(f"run.py: creating {venv} with {QILING_REQUIREMENT}", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv_python(venv)), "-m", "pip", "install", "-q", "--upgrade", "pip"],
        [str(venv_python(venv)), "-m", "pip", "install", "-q", QILING_REQUIREMENT],
    ]
    for step in steps:
        if subprocess.run(step, check=False).returncode != 0:
            print(f"run.py: `{' '.join(step)}` failed", file=sys.stderr)
            return 1
    version = qiling_version(venv)
    if not version:
        print(f"run.py: Qiling does not import in {venv}", file=sys.stderr)
        return 1
    print(f"run.py: {version} ready in {venv}", file=sys.stderr)
    return 0


def _shared_libraries(executable: str) -> list[str]:
    """The dynamic loader and libraries ldd names for executable (none for a static one)."""
    try:
        completed = subprocess.run(["ldd", executable], capture_output=True, text=True,
                                   check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if completed.returncode != 0:
        return []  # "not a dynamic executable"
    return [token for line in completed.stdout.splitlines() for token in line.split()
            if token.startswith("/")]


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _mirror(host_path: str, rootfs: Path) -> None:
    """Make rootfs/<host_path> hold what host_path holds (files resolved, trees recursed)."""
    target = rootfs / host_path.lstrip("/")
    if target.exists():
        return
    source = Path(host_path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False, copy_function=_link_or_copy,
                        ignore_dangling_symlinks=True, dirs_exist_ok=True)
    elif source.is_file():
        _link_or_copy(str(source), str(target))


def prepare_rootfs(rootfs: Path, workloads: Iterable[Workload]) -> None:
    """Mirror every workload's loader, libraries, input files and support trees into rootfs."""
    rootfs.mkdir(parents=True, exist_ok=True)
    for workload in workloads:
        paths = _shared_libraries(workload.argv[0])
        paths += [arg for arg in workload.argv[1:] if arg.startswith("/") and Path(arg).exists()]
        paths += list(workload.support_paths)
        for path in paths:
            _mirror(path, rootfs)


def qiling_command(venv: Path, mode: str, rootfs: Path, output_file: Path) -> list[str]:
    """The command prefix of one Qiling run; the guest's argv follows it."""
    # -I: the script's own directory (suite/) must not shadow the qiling package.
    return [str(venv_python(venv)), "-I", str(GUEST_SCRIPT), mode, str(rootfs),
            str(output_file), "--"]
