# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the contrib plugin tests: plugins built at test time, guests, emulators.

Plays the part of QEMU's contrib/plugins/Makefile (build each plugin as lib<name>.so against
qemu-plugin.h) plus the guest-building rules of tests/tcg: gcc builds the plugins with the
project's flags into a temporary directory, so no prior meson build is needed, and the guests
in tests/contrib/guests/ are compiled per flavor through tests/harness.py.

Every test that runs a guest takes the `emulator` fixture, parametrized over
contrib_runs.EMULATORS, so running the same tests under pyqemu is one entry in that list.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CONTRIB_TESTS_DIR = Path(__file__).resolve().parent
TESTS_DIR = CONTRIB_TESTS_DIR.parent
for _path in (TESTS_DIR, CONTRIB_TESTS_DIR):  # harness, and drcov_format next to this file
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from contrib_runs import EMULATORS, Emulator  # noqa: E402
from harness import compile_guest  # noqa: E402

REPO_ROOT = TESTS_DIR.parent
GUESTS_DIR = CONTRIB_TESTS_DIR / "guests"


@pytest.fixture(params=EMULATORS)
def emulator(request: pytest.FixtureRequest) -> Emulator:
    return Emulator(request.param)


@pytest.fixture(scope="session")
def build_plugin(plugin_builder) -> Callable[..., Path]:
    """Returns build(name, source_dir="contrib/plugins") -> path of lib<name>.so.

    Each plugin is built once per session with -Wall -Werror; a warning fails the test.
    """

    def build(name: str, source_dir: str = "contrib/plugins") -> Path:
        return plugin_builder.build(name, source_dir)

    return build


@pytest.fixture(scope="session")
def build_guest(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """Returns build(name, flavor) -> executable of tests/contrib/guests/<name>.c.

    Flavors are harness.FLAVORS keys ("musl-static", "gcc-static", "gcc-pie", ...); the
    calling test is skipped when that flavor's compiler or static C library is missing.
    The same (name, flavor) gives the same path, so argv[0] is stable within a session.
    """
    out_dir = tmp_path_factory.mktemp("contrib-guests")
    built: dict[tuple[str, str], Path] = {}

    def build(name: str, flavor: str) -> Path:
        if (name, flavor) not in built:
            source = GUESTS_DIR / f"{name}.c"
            built[(name, flavor)] = compile_guest(source, out_dir / f"{name}-{flavor}", flavor)
        return built[(name, flavor)]

    return build
