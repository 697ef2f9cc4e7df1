# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures that build the example plugins and small static guests at test time.

Mirrors QEMU's tests/plugin/meson.build, which builds each example plugin as a
shared module: here gcc builds them into a temporary directory, so tests need
no prior build. Guests are static musl programs (built by tests/harness.py),
whose instruction counts do not depend on the emulated CPU model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import compile_guest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Added after the harness's own guest flags; the last -O wins.
GUEST_EXTRA_CFLAGS = ("-O1",)


@pytest.fixture(scope="session")
def plugin_so(plugin_builder) -> Callable[..., Path]:
    """Returns build(name, source_dir="tests/plugin") -> path of lib<name>.so.

    Each plugin is built once per session with the project's flags; the
    output keeps meson's name, lib<name>.so, in a directory per source_dir.
    """

    def build(name: str, source_dir: str = "tests/plugin") -> Path:
        return plugin_builder.build(name, source_dir)

    return build


@pytest.fixture(scope="session")
def musl_guest(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Returns build(src_text) -> path of a static musl executable.

    The same source text gives the same path within a session, which matters:
    the guest's argv[0] shifts its stack and so its instruction counts. The
    calling test is skipped when musl-gcc is missing.
    """
    out_dir = tmp_path_factory.mktemp("plugin-guests")
    built: dict[str, Path] = {}

    def build(src_text: str) -> Path:
        digest = hashlib.sha256(src_text.encode()).hexdigest()[:12]
        if digest not in built:
            source = out_dir / f"guest-{digest}.c"
            source.write_text(src_text)
            built[digest] = compile_guest(
                source, out_dir / f"guest-{digest}", "musl-static", GUEST_EXTRA_CFLAGS
            )
        return built[digest]

    return build
