# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the engine tests: which libunicorn.so.2 is ours, and running scenarios on it.

Our engine is the one scripts/build_engine.py built (issue 7): the file named by
PYQEMU_TEST_ENGINE if set, else the one pyqemu itself loads with PYQEMU_ENGINE=built.
Without it every test here is prerequisites.missing().  The stock engine is the unicorn
wheel's library, the reference for behaviour that must not change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prerequisites import missing

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios.py"
NOT_BUILT = (
    "patched engine not built (python3 scripts/build_engine.py --out-dir DIR, then "
    "PYQEMU_TEST_ENGINE=DIR; or build pyqemu with -Dpatched-engine=true)"
)


def _library_in(path: Path) -> Path:
    return path / "libunicorn.so.2" if path.is_dir() else path


def _query_pyqemu_engine() -> Path | None:
    """The library pyqemu loads with PYQEMU_ENGINE=built, asked of a child interpreter."""
    env = dict(os.environ, PYQEMU_ENGINE="built")
    env.pop("LIBUNICORN_PATH", None)
    # outside the repository: `-c` puts the working directory first on sys.path
    done = subprocess.run(
        [sys.executable, "-c", "import pyqemu.host as h; print(h.engine_library)"],
        env=env, capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )
    if done.returncode != 0:
        return None
    return Path(done.stdout.strip())


@pytest.fixture(scope="session")
def our_engine() -> Path:
    """Our libunicorn.so.2 (prerequisites.missing() when it was not built)."""
    explicit = os.environ.get("PYQEMU_TEST_ENGINE")
    library = _library_in(Path(explicit)) if explicit else _query_pyqemu_engine()
    if library is None or not library.is_file():
        missing(NOT_BUILT)
    return library.resolve()


@pytest.fixture(scope="session")
def stock_engine() -> Path:
    """The unicorn wheel's libunicorn.so.2."""
    import importlib.util

    spec = importlib.util.find_spec("unicorn")
    if spec is None or spec.origin is None:
        missing("the unicorn package (scripts/install-deps.sh)")
    return (Path(spec.origin).parent / "lib" / "libunicorn.so.2").resolve()


@pytest.fixture(scope="session")
def assembler() -> None:
    """x86 scenarios assemble their code with GNU as and objcopy."""
    for tool in ("as", "objcopy"):
        if shutil.which(tool) is None:
            missing(f"{tool} (apt-get install binutils)")


@pytest.fixture(scope="session")
def run_scenario(assembler: None) -> Callable[[str, Path], Any]:
    """run_scenario(name, library[, script]) -> the scenario's result, run in a child on that
    library (script: scenarios.py, or another file of scenarios that imports it).

    Results are cached for the session (the stock runs are shared by many tests).
    """
    cache: dict[tuple[str, Path], Any] = {}

    def run(name: str, library: Path, script: Path = SCENARIOS) -> Any:
        key = (name, library)
        if key not in cache:
            env = dict(os.environ, LIBUNICORN_PATH=str(library.parent))
            done = subprocess.run(
                [sys.executable, str(script), name],
                env=env, capture_output=True, text=True, timeout=120,
            )
            assert done.returncode == 0, f"scenario {name} on {library}:\n{done.stderr[-3000:]}"
            report = json.loads(done.stdout.strip().splitlines()[-1])
            assert Path(report["engine"]).resolve() == library, (
                f"scenario {name} loaded {report['engine']}, not {library}"
            )
            cache[key] = report["result"]
        return cache[key]

    return run
