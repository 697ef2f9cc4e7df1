# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu.host.load(level): the plugin API level is an argument, and one process holds one
host (issue 21).

Each check runs in a fresh interpreter: the test process may hold a host already.
"""

from __future__ import annotations

import subprocess
import sys

import harness

TIMEOUT = 120.0


def _python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=TIMEOUT, env=harness.guest_env(), check=False)


def test_load_gives_the_host_of_the_level() -> None:
    shown = _python(
        "import pyqemu.host as h\n"
        "assert h.loaded() is None\n"
        "host = h.load('5.2')\n"
        "print(host.level, host.module.__name__, host.lib.plugin_version_cur(),\n"
        "      h.lib is host.lib, h.plugin_api_level, h.load('5.2') is host)\n")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "5.2 pyqemu.host._host52 0 True 5.2 True\n"


def test_the_default_level_is_72() -> None:
    shown = _python("from pyqemu.host import lib\nimport pyqemu.host as h\n"
                    "print(h.loaded().level, lib.plugin_version_cur())\n")
    assert (shown.returncode, shown.stdout) == (0, "7.2 1\n"), shown.stderr


def test_a_second_level_in_one_process_is_a_clear_error() -> None:
    shown = _python(
        "import pyqemu.host as h\n"
        "h.load('7.2')\n"
        "try:\n"
        "    h.load('5.2')\n"
        "except h.HostLevelError as exc:\n"
        "    print(exc)\n"
        "try:\n"
        "    h.load('6.0')\n"
        "except h.HostLevelError as exc:\n"
        "    print(exc)\n")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == ("plugin API level 7.2 is already loaded in this process; "
                            "level 5.2 needs a new process\n"
                            "plugin API level '6.0' is not supported (5.2, 7.2)\n")


def test_a_run_at_another_level_than_the_loaded_one_fails_in_one_line(guest_builder) -> None:
    """pyqemu.run() in a process that loaded 7.2: a 5.2 run ends with status 1 and the line;
    a 7.2 run works."""
    guest = guest_builder.build("hello", "musl-static")
    shown = _python(
        "import pyqemu, pyqemu.host as h\n"
        "h.load('7.2')\n"
        "for level in ('5.2', '7.2'):\n"
        f"    r = pyqemu.run([{str(guest)!r}], plugin_api=level)\n"
        "    print(level, r.status, r.stdout, r.stderr)\n")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "5.2 1 b'' b'pyqemu: plugin API level 7.2 is already loaded in this process; "
        "level 5.2 needs a new process\\n'",
        "7.2 0 b'hello, world\\n' b''",
    ]
