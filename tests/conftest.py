"""Session-wide fixtures for pyqemu's tests: compiled guest programs, shared by all tests.

Plays the part of the guest-building rules in QEMU's tests/tcg makefiles; the helpers
themselves live in tests/harness.py, which this file makes importable as `harness` from any
test directory (whatever the working directory or pytest's import mode).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from harness import GuestBuilder  # noqa: E402  (needs the sys.path entry above)


@pytest.fixture(scope="session")
def guest_builder(tmp_path_factory: pytest.TempPathFactory) -> GuestBuilder:
    """Compile guests from tests/guests/ on first use and keep them for the whole session.

    Use as guest_builder.build("hello", "musl-static") -> Path of the executable.
    """
    return GuestBuilder(tmp_path_factory.mktemp("guests"))



@pytest.fixture(scope="session")
def plugin_builder(tmp_path_factory: pytest.TempPathFactory):
    """The session's one PluginBuilder (tests/harness.py), shared by every test folder."""
    from harness import PluginBuilder

    return PluginBuilder(tmp_path_factory.mktemp("plugins"))


@pytest.fixture(scope="session")
def plugin_lib(plugin_builder):
    """plugin_lib("drcov") -> lib<name>.so from tests/plugin or contrib/plugins."""
    return plugin_builder.build
