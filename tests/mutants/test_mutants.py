# SPDX-License-Identifier: GPL-2.0-or-later
"""The differential and error-path tests must fail against a broken pyqemu.

Each mutant replaces pyqemu-x86_64 (through $PYQEMU, which every x86_64 test's pyqemu side
obeys) with something a user would call broken: an emulator that runs nothing (/bin/false),
one that silently ignores every -plugin option, one that loses the guest's standard output
(tests/mutants/mutant_pyqemu.py). The selection is run in a child pytest against each; it must
fail, and every test in it must fail too, except those listed below with the reason the mutant
cannot touch them. A new test that passes against a mutant, and is not listed, fails here:
it would pass over a broken emulator.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MUTANT = HERE / "mutant_pyqemu.py"
SELECTION = ("tests/plugin/test_differential.py", "tests/errors/test_error_paths.py")

# Tests that need no pyqemu run at all.
NO_PYQEMU = {
    "test_error_paths::test_table_lists_every_case": "checks the case table, runs nothing",
}
# Error paths that end before any plugin is loaded (option parsing, a bad -plugin value that
# is refused whole), so a pyqemu without plugins ends the same way.
BEFORE_PLUGINS = {
    "test_error_paths::test_error_path_matches_qemu[[]stack_*]": "-s parsed before plugins",
    "test_error_paths::test_error_path_matches_qemu[[]unknown_option]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]missing_argument]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]no_program]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]bad_log_item]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]lone_dash]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]unknown_cpu]": "option parsing",
    "test_error_paths::test_error_path_matches_qemu[[]plugin_empty]":
        "an empty -plugin value loads nothing under qemu either",
    "test_error_paths::test_error_path_matches_qemu[[]plugin_path_with_commas]":
        "the guest's status alone is compared; the plugin prints nothing here",
    "test_differential::test_empty_plugin_option_loads_nothing_like_qemu":
        "an empty -plugin value loads nothing under qemu either",
}
# Tests whose guest prints nothing on stdout, or whose run ends before the guest starts:
# what they compare (status, stderr, plugin output) does not go through stdout.
NO_GUEST_STDOUT = {
    "test_error_paths::test_error_path_matches_qemu[[]*]":
        "error paths compare the status and stderr; the guest never runs or prints nothing",
    "test_differential::test_bad_plugin_fails_with_qemus_message_and_status[[]*]":
        "pyqemu refuses the plugin before the guest starts",
    "test_differential::test_plugin_option_without_value_fails_like_qemu":
        "refused before the guest starts",
    "test_differential::test_mem_filters_count_loads_and_stores_as_the_api_says[[]*]":
        "compares the mem plugin's counts, printed on stderr",
    "test_differential::test_page_boundaries_cut_blocks_where_qemu_cuts_them":
        "compares the plugin's block log, not the guest's output",
}

MUTANTS: dict[str, tuple[str, dict[str, str]]] = {
    "false": ("/bin/false", NO_PYQEMU),
    "drop-plugins": (f"{sys.executable} {MUTANT} drop-plugins", {**NO_PYQEMU, **BEFORE_PLUGINS}),
    "drop-stdout": (f"{sys.executable} {MUTANT} drop-stdout", {**NO_PYQEMU, **NO_GUEST_STDOUT}),
}


def outcomes(junit: Path) -> dict[str, str]:
    """'module::test[param]' -> 'passed', 'failed', 'skipped' or 'xfail', from JUnit XML."""
    found: dict[str, str] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        state = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                state = "failed"
            elif child.tag == "skipped":
                # an xfail (a known bug) fails whatever the emulator: it proves nothing here
                state = "xfail" if child.get("type") == "pytest.xfail" else "skipped"
        found[f"{module}::{case.get('name')}"] = state
    return found


def accepted(test: str, allowed: dict[str, str]) -> bool:
    return any(fnmatch.fnmatchcase(test, pattern) for pattern in allowed)


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_selection_fails_against_mutant(mutant: str, tmp_path: Path) -> None:
    command, allowed = MUTANTS[mutant]
    junit = tmp_path / "junit.xml"
    env = dict(os.environ, PYQEMU=command)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
         "--rootdir", str(REPO), *SELECTION],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1200, check=False)
    tail = done.stdout[-3000:] + done.stderr[-2000:]
    assert done.returncode == 1, f"the selection did not fail against {mutant}:\n{tail}"
    results = outcomes(junit)
    assert len(results) > 100, f"only {len(results)} tests ran:\n{tail}"
    skipped = sorted(test for test, state in results.items() if state == "skipped")
    assert not skipped, f"tests skipped against {mutant} instead of failing: {skipped}"
    survivors = sorted(test for test, state in results.items()
                       if state == "passed" and not accepted(test, allowed))
    assert not survivors, (
        f"{len(survivors)} tests pass against the {mutant} mutant (a broken pyqemu); make them "
        f"compare what it breaks, or list them here with the reason:\n" + "\n".join(survivors))
