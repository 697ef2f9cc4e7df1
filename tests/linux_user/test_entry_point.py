# SPDX-License-Identifier: GPL-2.0-or-later
"""One way in (issue 21): the pyqemu-<target> command, pyqemu.run() and pyqemu-cov's corpus
runs all hand an Options to ``pyqemu.linux_user.run`` and return its exit status.

Each front end runs here with ``runner.run`` replaced by a recorder, so the test sees
the Options it is given and that the status comes back unchanged; the real runs of
each front end are tested in test_main_cli.py, tests/test_embed.py and tests/cov/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyqemu import embed
from pyqemu.cov import corpus
from pyqemu.linux_user import main, runner
from pyqemu.linux_user.options import Options

STATUS = 42


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Options]:
    seen: list[Options] = []

    def record(options: Options) -> int:
        seen.append(options)
        return STATUS

    monkeypatch.setattr(runner, "run", record)
    return seen


def test_the_command_line_calls_run(calls: list[Options]) -> None:
    assert main.main(["/usr/bin/pyqemu-x86_64", "-L", "/sysroot", "/bin/true", "x"]) == STATUS
    (options,) = calls
    assert (options.prog, options.target, options.ld_prefix) == ("pyqemu-x86_64", "x86_64",
                                                                 "/sysroot")
    assert options.program == ["/bin/true", "x"] and options.environ is None


def test_the_command_line_answers_help_without_a_run(calls: list[Options],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["pyqemu-x86_64", "-version"]) == 0
    assert calls == [] and "version" in capsys.readouterr().out


def test_pyqemu_run_calls_run(calls: list[Options]) -> None:
    status = embed._child(["/bin/true"], ["libbb.so"], {"A": "1"}, None, "/tmp/plugin.log",
                          ["-strace"], None)
    assert status == STATUS
    (options,) = calls
    assert (options.prog, options.program, options.plugin_opts) == (
        "pyqemu-x86_64", ["/bin/true"], ["libbb.so"])
    assert options.environ == {"A": "1"} and options.strace
    assert (options.log_items, options.log_file) == ({"plugin"}, "/tmp/plugin.log")


def test_a_corpus_run_calls_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """_run_child ends its process with the status: run it in a fork of this one, whose
    run() writes down the Options it gets."""
    def record(options: Options) -> int:
        (tmp_path / "options").write_text(repr((options.prog, options.program,
                                                options.plugin_opts)))
        return STATUS

    monkeypatch.setattr(runner, "run", record)
    job = corpus.CorpusJob(("/bin/cat", "@@"), "/plugins/libdrcov.so")
    pid = os.fork()
    if pid == 0:
        try:
            corpus._run_child(job, b"input", tmp_path, 3)
        finally:
            os._exit(99)   # _run_child never returns
    _pid, wait_status = os.waitpid(pid, 0)
    assert os.WIFEXITED(wait_status) and os.WEXITSTATUS(wait_status) == STATUS
    spec = f"/plugins/libdrcov.so,arg=filename={tmp_path}/3.%p.drcov"
    assert (tmp_path / "options").read_text() == repr(
        ("pyqemu-x86_64", ["/bin/cat", str(tmp_path / "3.input")], [spec]))
    # the child made its input file and its stderr file where the run expects them
    assert (tmp_path / "3.input").read_bytes() == b"input"
    assert (tmp_path / "3.stderr").exists()
