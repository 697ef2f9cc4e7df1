# SPDX-License-Identifier: GPL-2.0-or-later
"""Guests of the issue-26 semantics tests (tests/semantics/guests/), compiled once per session.

They are kept out of tests/guests/ because the differential corpus runs every guest there in
every flavor; these need one static glibc build each, and some need extra flags (-mbmi2...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from harness import compile_guest

GUESTS = Path(__file__).resolve().parent / "guests"


@pytest.fixture(scope="session")
def semantics_guest(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """build(name, extra_flags=()) -> a gcc -static executable of guests/<name>.c."""
    out = tmp_path_factory.mktemp("semantics")
    built: dict[tuple[str, tuple[str, ...]], Path] = {}

    def build(name: str, extra_flags: Sequence[str] = ()) -> Path:
        key = (name, tuple(extra_flags))
        if key not in built:
            built[key] = compile_guest(GUESTS / f"{name}.c", out / f"{name}-{len(built)}",
                                       "gcc-static", extra_flags)
        return built[key]

    return build
