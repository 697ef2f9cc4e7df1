# SPDX-License-Identifier: GPL-2.0-or-later
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

import prerequisites  # noqa: E402  (needs the sys.path entry above)
from harness import GuestBuilder, pyqemu_command  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true",
                     help="also run the slow differential tests (marked full)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "full: a slow differential run, only with --full")
    config.addinivalue_line(
        "markers", "patched_engine(reason): needs pyqemu's patched engine; skipped, with the "
        "reason, when the run asks for the stock one (PYQEMU_ENGINE=stock)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the full-only tests unless --full; skip patched-engine tests on stock."""
    if not config.getoption("--full"):
        kept = [item for item in items if item.get_closest_marker("full") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(
                items=[item for item in items if item.get_closest_marker("full")])
            items[:] = kept
    if prerequisites.expected_engine() != "stock":
        return
    for item in items:
        marker = item.get_closest_marker("patched_engine")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(
                reason=f"needs pyqemu's patched engine (stock engine run): {reason}"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI or --require, end the run at once when a reference or pyqemu is missing.

    One line names everything that is missing, so that a broken machine never passes by
    skipping (see tests/prerequisites.py). A developer's run goes on and skips instead.
    """
    if not prerequisites.required():
        return
    problems = prerequisites.session_problems(pyqemu_command())
    if problems:
        pytest.exit("; ".join(problems), returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_report_header(config: pytest.Config) -> str:
    if prerequisites.required():
        return "references required (CI or --require): a missing one fails the run"
    return ("developer run: a missing reference skips its tests "
            "(CI=true or scripts/run-tests.sh --require makes it a failure)")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Count the skipped tests by reason, so a run that skipped says how many and why."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    if not reasons:
        return
    total = sum(reasons.values())
    terminalreporter.write_sep("-", f"{total} tests skipped")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{count:5d}  {reason}")


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
