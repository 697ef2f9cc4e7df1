# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the build-system tests: run meson the way a user does."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from prerequisites import missing, tool

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def meson_setup(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """meson_setup(*options) configures a fresh build dir and returns it."""
    meson = tool("meson")
    if meson is None:
        missing("meson (pip install meson ninja)")

    def setup(*options: str) -> Path:
        build = tmp_path_factory.mktemp("build")
        subprocess.run([meson, "setup", str(build), *options], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
        return build

    return setup
