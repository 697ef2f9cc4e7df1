# SPDX-License-Identifier: GPL-2.0-or-later
"""Smoke test of benchmarks/run.py: its machinery, on a tiny workload, one repetition.

Mirrors no QEMU test; it checks the runner the benchmark README tells users to run: guests
compiled into its cache, native / qemu-x86_64 / pyqemu (C and Python plugins) / Qiling runs
measured, the scaling runs fitted, a Markdown table and the JSON samples written, and a broken
emulator reported as FAIL rather than timed. The Qiling column is checked when its venv
(benchmarks/.venv-qiling, made by `run.py --setup-qiling`) exists, and must say it is off
otherwise. It asserts nothing about speed. The plugins are compiled here into a directory laid
out like the meson build dir, so no prior build is needed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import pyqemu_command, require_pyqemu
from prerequisites import missing

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = REPO_ROOT / "benchmarks" / "run.py"
QILING_VENV = REPO_ROOT / "benchmarks" / ".venv-qiling"
WORKLOAD = "startup-musl"
CONFIGS = ("none", "insn", "pybb")
RUNNER_TIMEOUT = 240
NUMBER = r"\d+(\.\d+)?"


def qiling_ready() -> bool:
    python = QILING_VENV / "bin" / "python"
    return python.exists() and subprocess.run(
        [str(python), "-c", "import qiling"], capture_output=True, check=False, timeout=120
    ).returncode == 0


@pytest.fixture(scope="module")
def tools() -> None:
    for tool, package in (("gcc", "gcc"), ("musl-gcc", "musl-tools"),
                          ("qemu-x86_64", "qemu-user")):
        if shutil.which(tool) is None:
            missing(f"{tool} (apt-get install {package})")
    require_pyqemu()


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory, tools: None) -> Path:
    """A stand-in build dir holding tests/plugin/lib{insn,bb}.so, compiled as meson would."""
    root = tmp_path_factory.mktemp("build")
    (root / "tests" / "plugin").mkdir(parents=True)
    for name in ("insn", "bb"):
        subprocess.run(
            ["gcc", "-Wall", "-Werror", "-fPIC", "-shared",
             f"-I{REPO_ROOT / 'include' / 'qemu'}", "-o",
             str(root / "tests" / "plugin" / f"lib{name}.so"),
             str(REPO_ROOT / "tests" / "plugin" / f"{name}.c")],
            check=True, capture_output=True, timeout=120,
        )
    return root


def run_runner(tmp: Path, build_dir: Path, pyqemu: str,
               *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), "--quick", "--only", WORKLOAD, "--configs",
         ",".join(CONFIGS), "--out", str(tmp / "out"), "--cache-dir", str(tmp / "cache"),
         "--build-dir", str(build_dir), "--pyqemu", pyqemu, *extra],
        capture_output=True, text=True, timeout=RUNNER_TIMEOUT, check=False,
    )


def table_rows(markdown: str) -> tuple[list[str], list[list[str]]]:
    """Return (header cells, body rows) of the first Markdown table in the text."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break
    assert len(lines) >= 3, f"no table in:\n{markdown}"
    split = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return split[0], split[2:]


def test_runner_writes_table_with_positive_ratios(tmp_path: Path, build_dir: Path) -> None:
    with_qiling = qiling_ready()
    completed = run_runner(tmp_path, build_dir, shlex.join(pyqemu_command()))
    assert completed.returncode == 0, completed.stderr

    markdown = (tmp_path / "out" / "latest.md").read_text()
    assert completed.stdout.strip() == markdown.strip()
    for fact in ("- date:", "- machine:", "- qemu: qemu-x86_64 version", "- pyqemu: commit",
                 "- pyqemu engine:", "- qiling:"):
        assert fact in markdown
    header, rows = table_rows(markdown)
    assert header[:6] == ["workload", "config", "native s", "qemu s", "pyqemu s", "qiling s"]
    for column in ("pyqemu/qemu", "qiling/pyqemu", "qemu MiB", "pyqemu MiB", "qiling MiB"):
        assert column in header
    assert [row[:2] for row in rows] == [[WORKLOAD, config] for config in CONFIGS]
    for row in rows:
        assert len(row) == len(header)
        for column in ("qemu s", "pyqemu s", "pyqemu/qemu", "pyqemu/qemu CPU", "qemu MiB",
                       "pyqemu MiB"):
            assert re.fullmatch(NUMBER, row[header.index(column)]), (column, row)
            assert float(row[header.index(column)]) > 0, (column, row)
    assert re.fullmatch(r"\d+\.\d+", rows[0][header.index("native s")])

    report = json.loads((tmp_path / "out" / "latest.json").read_text())
    cells = {(c["config"], c["runner"]): c for c in report["cells"]}
    expected = {("none", "native"), ("none", "qemu"), ("none", "pyqemu"), ("insn", "qemu"),
                ("insn", "pyqemu"), ("pybb", "qemu"), ("pybb", "pyqemu")}
    if with_qiling:
        expected |= {("none", "qiling"), ("pybb", "qiling")}
    assert set(cells) == expected
    for cell in cells.values():
        assert cell["failure"] == ""
        assert len(cell["samples"]) == 1
        assert cell["samples"][0]["seconds"] > 0
    for (config, runner), cell in cells.items():
        if runner != "native":  # a tiny native guest's RSS can round down to 0 KiB
            assert cell["samples"][0]["max_rss_kib"] > 1024, (config, runner)
    # The plugins really ran in both emulators: their counts reached the -D log, and the
    # Python plugin counted what its C twin counted under qemu.
    for runner in ("qemu", "pyqemu"):
        assert re.fullmatch(r"insns: [1-9]\d*", cells[("insn", runner)]["plugin_output"])
    assert re.fullmatch(r"bb's: [1-9]\d*, insns: [1-9]\d*", cells[("pybb", "pyqemu")]
                        ["plugin_output"])
    assert cells[("pybb", "pyqemu")]["plugin_output"] == cells[("pybb", "qemu")]["plugin_output"]

    for config in ("none", "pybb"):
        qiling_cell = rows[CONFIGS.index(config)][header.index("qiling s")]
        if with_qiling:
            assert re.fullmatch(NUMBER, qiling_cell), qiling_cell
            assert float(rows[CONFIGS.index(config)][header.index("qiling/pyqemu")]) > 0
        else:
            assert qiling_cell == "—"
    assert rows[CONFIGS.index("insn")][header.index("qiling s")] == "—"  # no Qiling twin
    if with_qiling:
        assert re.fullmatch(r"blocks: [1-9]\d*, bytes: [1-9]\d*",
                            cells[("pybb", "qiling")]["plugin_output"])
    else:
        assert "column off" in markdown

    # Scaling: the instruction counts grow with the rounds and every runner got a fit.
    scaling = report["scaling"]
    assert scaling["failure"] == ""
    counts = [point["instructions"] for point in scaling["points"]]
    assert len(counts) >= 2 and counts == sorted(counts) and counts[0] > 0
    assert set(scaling["fits"]) == {"native", "qemu", "pyqemu"}
    # (two tiny points on a busy machine: the slope may come out negative)
    assert re.search(r"- pyqemu: -?\d+\.\d+ ns per guest instruction", markdown)

    if importlib.util.find_spec("matplotlib") is not None:
        plots = ["ratios.png", "times.png", "scaling.png"]
        plots += ["qiling.png"] if with_qiling else []
        for plot in plots:
            assert (tmp_path / "out" / plot).read_bytes().startswith(b"\x89PNG")
            assert f"]({plot})" in markdown
    else:
        assert "matplotlib is not installed" in markdown


def test_runner_reports_broken_emulator_as_fail(tmp_path: Path, build_dir: Path) -> None:
    # /bin/false stands in for pyqemu: every run exits 1 and must never become a time.
    completed = run_runner(tmp_path, build_dir, shutil.which("false") or "/bin/false",
                           "--no-qiling", "--no-scaling")
    assert completed.returncode == 1, completed.stderr

    markdown = (tmp_path / "out" / "latest.md").read_text()
    header, rows = table_rows(markdown)
    for row in rows:
        assert row[header.index("pyqemu s")] == "FAIL"
        assert row[header.index("pyqemu/qemu")] == "—"
        assert float(row[header.index("qemu s")]) > 0
    assert f"- {WORKLOAD}/none/pyqemu: exit status 1" in markdown
    assert "column off (--no-qiling)" in markdown
