# SPDX-License-Identifier: GPL-2.0-or-later
"""Random strings through the command-line parsers: linux_user/main.py's parse_args (the
argument table, environment variables first) and plugins/loader.py's
qemu_plugin_opt_parse (the -plugin QemuOpts syntax).

Whatever the input, only a PyqemuError may come out: the front end prints those as one
line; anything else would reach the user as a traceback.  Seeded, so a failure is
reproduced by its number.
"""

from __future__ import annotations

import random

import pytest

from pyqemu.errors import PyqemuError
from pyqemu.linux_user.main import ARG_TABLE, Options, parse_args
from pyqemu.plugins.loader import QemuPluginList, qemu_plugin_opt_parse

RUNS = 20_000
# pieces the parsers give meaning to, mixed with arbitrary characters
PIECES = (",", ",,", "=", "file", "file=", "arg=", "a", "/x.so", " ", "\0", "é", "-", "--",
          "0", "on", "off", "\\", "k", "M", "G", "0x", "-1", "9" * 30)
VALUES = ("0", "1", "-1", "077", "0x10", "1k", "1M", "1G", "16E", "abc", "", "k", "9" * 40,
          "plugin", "unimp,strace", "plugin,,", "a=b", "x.so", "/", "=", ",")
OPTIONS = tuple(f"-{row[0]}" for row in ARG_TABLE) + ("--", "-", "-bogus", "--s", "--plugin")
ENVIRONMENT = tuple(row[1] for row in ARG_TABLE if row[1])


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randrange(0, 12)):
        if rng.random() < 0.7:
            parts.append(rng.choice(PIECES))
        else:
            parts.append(chr(rng.randrange(1, 0x3000)))
    return "".join(parts)


def test_plugin_option_strings_raise_only_pyqemu_errors() -> None:
    rng = random.Random("plugin-opts")
    for number in range(RUNS):
        text = random_text(rng)
        try:
            qemu_plugin_opt_parse(text, QemuPluginList())
        except PyqemuError:
            pass
        except Exception as exc:  # noqa: BLE001 - the failure under test
            pytest.fail(f"run {number}: -plugin {text!r} raised {type(exc).__name__}: {exc}")


def test_command_lines_raise_only_pyqemu_errors() -> None:
    rng = random.Random("command-lines")
    for number in range(RUNS):
        words = [rng.choice((*OPTIONS, *VALUES, random_text(rng)))
                 for _ in range(rng.randrange(0, 7))]
        names = rng.sample(ENVIRONMENT, rng.randrange(0, 3))
        environ = {name: rng.choice((*VALUES, random_text(rng))) for name in names}
        try:
            parse_args(words, environ, Options(), plugins_enabled=rng.random() < 0.8)
        except PyqemuError:
            pass
        except Exception as exc:  # noqa: BLE001 - the failure under test
            pytest.fail(f"run {number}: argv {words!r}, environment {environ!r} raised "
                        f"{type(exc).__name__}: {exc}")


def test_the_fuzzer_reaches_both_outcomes() -> None:
    """The inputs are not all rejected (nor all accepted): the fuzz tests test something."""
    rng = random.Random("command-lines")
    outcomes = set()
    for _ in range(2000):
        words = [rng.choice((*OPTIONS, *VALUES, random_text(rng)))
                 for _ in range(rng.randrange(0, 7))]
        try:
            parse_args(words, {}, Options(), plugins_enabled=True)
            outcomes.add("accepted")
        except PyqemuError:
            outcomes.add("refused")
    assert outcomes == {"accepted", "refused"}
