# SPDX-License-Identifier: GPL-2.0-or-later
"""The atheris (libFuzzer) harnesses of tests/fuzz/atheris_targets.py, run briefly in CI.

Each target gets a fixed number of inputs from a fixed libFuzzer seed, so a CI run is
short and repeatable; longer campaigns use the same script with -max_total_time.  A run
must end cleanly (no input made a parser raise anything but pyqemu's own errors), and the
selfcheck target shows that a raising input is reported, with its file saved.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prerequisites import import_or_missing

import_or_missing("atheris", "pip install atheris")

HARNESS = Path(__file__).resolve().parent / "atheris_targets.py"
CI_RUNS = {"elf": 1500, "options": 3000, "plugin-opts": 3000, "drcov": 3000}
SEED = 1
TIMEOUT = 180.0


def _fuzz(target: str, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HARNESS), target, str(tmp_path / "corpus"), f"-seed={SEED}",
         f"-artifact_prefix={tmp_path}/", "-timeout=20", "-rss_limit_mb=4096", *flags],
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=TIMEOUT, check=False)


@pytest.mark.parametrize("target", list(CI_RUNS))
def test_target_survives_its_ci_runs(target: str, tmp_path: Path) -> None:
    runs = CI_RUNS[target]
    result = _fuzz(target, tmp_path, f"-runs={runs}")
    report = f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-6000:]}"
    assert result.returncode == 0, report
    assert f"Done {runs} runs" in result.stderr, report
    assert not list(tmp_path.glob("crash-*")), report
    # coverage feedback works: libFuzzer kept inputs beyond the seeds
    assert len(list((tmp_path / "corpus").iterdir())) > 4, report


def test_a_raising_input_is_reported(tmp_path: Path) -> None:
    result = _fuzz("selfcheck", tmp_path, "-runs=50")
    assert result.returncode != 0
    # atheris prints the exception on stdout, libFuzzer its summary on stderr
    assert "Uncaught Python exception" in result.stdout, result.stdout[-3000:]
    assert "selfcheck: the harness reports an exception" in result.stdout
    assert "Test unit written to" in result.stderr, result.stderr[-3000:]
    crashes = list(tmp_path.glob("crash-*"))
    assert len(crashes) == 1 and crashes[0].read_bytes().startswith(b"boom")
