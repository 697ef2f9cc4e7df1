# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the error-path tests: the workbench (tests/errors/error_inputs.py) that
builds bad inputs on demand, one per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from error_inputs import Workbench


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory, plugin_lib) -> Iterator[Workbench]:
    """The session's workbench (its files live in one temporary directory)."""
    workbench = Workbench(tmp_path_factory.mktemp("error-inputs"), plugin_lib("bb"))
    try:
        yield workbench
    finally:
        workbench.close()
