# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for pyqemu-cov's tests: the drcov plugin and guests built with debug info.

Plays the part of a coverage tool's own test rig: guests from tests/cov/guests/ are
compiled through tests/harness.py (flags after the flavor's, so -O0 -g win over -O2), and
the drcov plugin is built from contrib/plugins/drcov.c by the session's PluginBuilder.
pyqemu-cov itself is run by cov_cli_runs.py, next to this file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

COV_TESTS_DIR = Path(__file__).resolve().parent
for _path in (COV_TESTS_DIR.parent, COV_TESTS_DIR):  # harness, and cov_cli_runs
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from cov_cli_runs import GUESTS_DIR  # noqa: E402
from harness import compile_guest  # noqa: E402


@pytest.fixture(scope="session")
def cov_guest(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """cov_guest(name, flavor, flags) -> executable of tests/cov/guests/<name>.c, built once."""
    out_dir = tmp_path_factory.mktemp("cov-guests")
    built: dict[tuple[str, str, tuple[str, ...]], Path] = {}

    def build(name: str, flavor: str, flags: Sequence[str] = ()) -> Path:
        key = (name, flavor, tuple(flags))
        if key not in built:
            out = out_dir / f"{name}-{flavor}-{len(built)}"
            built[key] = compile_guest(GUESTS_DIR / f"{name}.c", out, flavor, flags)
        return built[key]

    return build


@pytest.fixture(scope="session")
def drcov_plugin(plugin_lib: Callable[..., Path]) -> Path:
    """libdrcov.so built from contrib/plugins/drcov.c with -Wall -Werror."""
    return plugin_lib("drcov")
