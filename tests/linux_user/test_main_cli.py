# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-x86_64's command line behaves as qemu-x86_64's (linux-user/main.c).

Messages are compared with real qemu-x86_64 7.2 where it is installed: the
same text after the program-name prefix, the same exit status.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from harness import qemu_path

from pyqemu.linux_user.main import Options, UsageError, parse_args

PYQEMU = [sys.executable, "-m", "pyqemu.linux_user.main"]


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def normalise(text: str) -> str:
    """Drop the program name, which differs by design (pyqemu-x86_64 vs qemu-x86_64)."""
    return re.sub(r"^(py)?qemu(-x86_64)?: ", "PROG: ", text, flags=re.M)


# qemu-x86_64 is the reference for these tests: missing, it is prerequisites.missing()
needs_qemu = pytest.mark.usefixtures("qemu_installed")


@pytest.fixture
def qemu_installed() -> None:
    qemu_path()


def test_version_names_the_program_and_copyright() -> None:
    out = run(PYQEMU + ["-version"])
    assert out.returncode == 0
    first, second = out.stdout.splitlines()[:2]
    assert re.match(r"pyqemu-x86_64 version \d+\.\d+\.\d+ ", first)
    assert second.startswith("Copyright (c)")


def test_help_lists_options_like_qemu() -> None:
    out = run(PYQEMU + ["-h"])
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == "usage: pyqemu-x86_64 [options] program [arguments...]"
    assert "Linux CPU emulator (compiled for x86_64 emulation)" in lines[1]
    for option in ("-L path", "-s size", "-E var=value", "-U var", "-0 argv0", "-strace",
                   "-plugin", "-d item[,...]", "-D logfile", "-version"):
        assert any(line.startswith(option) for line in lines), option


@needs_qemu
@pytest.mark.parametrize("args", [
    ["-bogus", "/bin/true"],
    [],
    ["-s"],
    ["-plugin"],
    ["-D", "/", "/bin/true"],
], ids=["unknown-option", "no-program", "missing-argument", "missing-plugin-argument",
        "log-file-is-a-directory"])
def test_usage_errors_match_qemu(args: list[str]) -> None:
    ours = run(PYQEMU + args)
    theirs = run(["qemu-x86_64", *args])
    assert ours.returncode == theirs.returncode == 1
    assert normalise(ours.stderr).splitlines()[0] == normalise(theirs.stderr).splitlines()[0]
    assert "Traceback" not in ours.stderr


@needs_qemu
def test_bad_stack_size_prints_usage_like_qemu() -> None:
    ours = run(PYQEMU + ["-s", "0", "/bin/true"])
    theirs = run(["qemu-x86_64", "-s", "0", "/bin/true"])
    assert ours.returncode == theirs.returncode == 1
    assert ours.stdout.splitlines()[1] == theirs.stdout.splitlines()[1]
    assert ours.stdout.startswith("usage: pyqemu-x86_64 [options] program")


def test_plugin_option_is_unknown_without_plugin_support() -> None:
    opts = Options()
    with pytest.raises(UsageError, match="unknown option 'plugin'"):
        parse_args(["-plugin", "x.so", "/bin/true"], {}, opts, plugins_enabled=False)
    parse_args(["-plugin", "x.so", "/bin/true"], {}, opts, plugins_enabled=True)
    assert opts.plugin_opts == ["x.so"]


def test_environment_variables_come_before_the_command_line() -> None:
    opts = Options()
    parse_args(["-plugin", "b.so", "/bin/true"], {"QEMU_PLUGIN": "a.so", "QEMU_STRACE": "1"},
               opts, plugins_enabled=True)
    assert opts.plugin_opts == ["a.so", "b.so"]
    assert opts.strace


