# SPDX-License-Identifier: GPL-2.0-or-later
"""Every row of the README's error-path tables, run under qemu-x86_64 7.2 and pyqemu-x86_64.

For each bad input both emulators must end with the table's status and message (after
the program-name prefix), pyqemu must show no Python traceback, and, when a plugin was
loaded (the bb plugin with -d plugin), pyqemu must still print its atexit line, once.
Rows where pyqemu differs from qemu on purpose carry their reason (ErrorCase.why), and
the README's error-path tables must list every row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from error_cases import ALL_CASES, KNOWN_BUGS, ErrorCase, doc_form, expand
from error_inputs import Workbench
from error_paths import Ending, assert_no_traceback, run_pyqemu, run_qemu_tty

DOC = Path(__file__).resolve().parents[2] / "README.md"


def _bb_lines(ending: Ending) -> list[str]:
    return [line for line in ending.stderr.splitlines() if line.startswith("bb's: ")]


def _check(ending: Ending, status: int, message: str, case: ErrorCase) -> None:
    assert ending.returncode == status, ending.describe()
    got = ending.messages[:1] if case.first_line_only else ending.messages
    assert got == (message.split("\n") if message else []), ending.describe()


def _usage_free(messages: list[str]) -> list[str]:
    return [re.sub(r"^usage: (py)?qemu-x86_64 ", "usage: PROG ", line) for line in messages]


ROWS = [pytest.param(case, id=case.name) for case in ALL_CASES] + [
    pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=bug))
    for case, bug in KNOWN_BUGS]


@pytest.mark.parametrize("case", ROWS)
def test_error_path_matches_qemu(case: ErrorCase, bench: Workbench) -> None:
    reason = case.needs()
    if reason:
        pytest.skip(reason)
    args, names = case.make(bench)
    options = ["-plugin", str(bench.bb_plugin), "-d", "plugin"] if case.with_plugin else []
    qemu = run_qemu_tty([*options, *args])
    ours = run_pyqemu([*options, *args])
    qemu = Ending(qemu.returncode, "\n".join(_usage_free(qemu.stdout.splitlines())),
                  qemu.stderr)
    ours = Ending(ours.returncode, "\n".join(_usage_free(ours.stdout.splitlines())),
                  ours.stderr)
    # the table is right about qemu ...
    _check(qemu, case.status, expand(case.message, names), case)
    # ... and pyqemu does the same, or what the table says instead
    our_status, our_message = case.ours
    _check(ours, our_status, expand(our_message, names), case)
    assert_no_traceback(ours)
    if case.with_plugin:
        assert len(_bb_lines(ours)) == 1, ours.describe()
        assert len(_bb_lines(qemu)) == (1 if case.qemu_atexit else 0), qemu.describe()


def test_table_lists_every_case() -> None:
    table = DOC.read_text(encoding="utf-8")
    missing = []
    for case in ALL_CASES:
        for text in {case.message, case.ours[1]}:
            for line in doc_form(text).replace("PROG: ", "").split("\n"):
                if line not in table:
                    missing.append(f"{case.name}: {line}")
    assert not missing, "the README's error-path tables lack:\n" + "\n".join(missing)
