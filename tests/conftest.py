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


REPO = TESTS_DIR.parent
PLUGIN_SOURCE_DIRS = (REPO / "tests" / "plugin", REPO / "contrib" / "plugins")


@pytest.fixture(scope="session")
def plugin_lib(tmp_path_factory: pytest.TempPathFactory):
    """plugin_lib("drcov") -> a lib<name>.so built from tests/plugin or contrib/plugins.

    Built with gcc -Wall -Werror against include/qemu, once per session, the
    way meson builds them (tests must not depend on a configured build dir).
    """
    import shutil
    import subprocess

    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build plugins")
    out_dir = tmp_path_factory.mktemp("plugins")
    built: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name not in built:
            source = next(d / f"{name}.c" for d in PLUGIN_SOURCE_DIRS if (d / f"{name}.c").exists())
            target = out_dir / f"lib{name}.so"
            subprocess.run(["gcc", "-Wall", "-Werror", "-O2", "-fPIC", "-shared",
                            f"-I{REPO / 'include' / 'qemu'}", "-o", str(target), str(source),
                            "-lpthread"], check=True)
            built[name] = target
        return built[name]

    return build
