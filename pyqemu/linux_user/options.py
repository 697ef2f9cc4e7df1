# SPDX-License-Identifier: GPL-2.0-or-later
"""What a run of a guest is told: QEMU's linux-user/main.c keeps these in globals that
parse_args fills; pyqemu keeps them in one Options object that the command line
(main.py) and the embedding API (pyqemu.embed) fill and hand down to the run.

This module sits below both: it imports nothing of pyqemu.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_STACK_SIZE = 8 * 1024 * 1024


class Options:
    """What the argument table collects (QEMU keeps these in globals), and what a caller
    that has no command line gives ``pyqemu.linux_user.run`` instead.

    A plain class, not a dataclass: the start path imports no ``dataclasses`` (issue 19).
    Every field may be given by keyword.

    Attributes:
        prog: the name messages start with (qemu's argv[0]); "" is pyqemu-<target>.
        environ: the environment the guest's starts from (before -E/-U); None: this
            process's, as it was started (guest_base_environ).
        cpu_config: x86_64: the parsed -cpu (cpu_models.CpuConfig), made by main() after
            the options.
        plugin_api: -plugin-api (QEMU_PLUGIN_API): the plugin API level of the host the
            run loads (pyqemu.host.load), QEMU 7.2's or 5.2's.
    """

    def __init__(self, *, target: str = "x86_64", prog: str = "",
                 environ: dict[str, str] | None = None, ld_prefix: str = "/",
                 stack_size: int = DEFAULT_STACK_SIZE, page_size: int = 4096,
                 set_env: list[str] | None = None, unset_env: list[str] | None = None,
                 argv0: str | None = None, log_items: set[str] | None = None,
                 log_file: str | None = None, strace: bool = False,
                 cpu_model: str | None = None, cpu_config: Any = None,
                 plugin_opts: list[str] | None = None, plugin_api: str = "7.2",
                 program: list[str] | None = None, show_help: bool = False,
                 show_version: bool = False) -> None:
        self.target = target
        self.prog = prog
        self.environ = environ
        self.ld_prefix = ld_prefix
        self.stack_size = stack_size
        self.page_size = page_size
        self.set_env: list[str] = [] if set_env is None else set_env
        self.unset_env: list[str] = [] if unset_env is None else unset_env
        self.argv0 = argv0
        self.log_items: set[str] = set() if log_items is None else log_items
        self.log_file = log_file
        self.strace = strace
        self.cpu_model = cpu_model
        self.cpu_config = cpu_config
        self.plugin_opts: list[str] = [] if plugin_opts is None else plugin_opts
        self.plugin_api = plugin_api
        self.program: list[str] = [] if program is None else program
        self.show_help = show_help
        self.show_version = show_version


def target_environ(opts: Options, environ: dict[str, str]) -> list[str]:
    """The guest's environment: the host's, edited by -E and -U.

    QEMU keeps it in an envlist whose entries are pushed at the head, so the
    guest sees the variables in reverse order, a -E variable first; copy that.
    """
    envlist = [f"{k}={v}" for k, v in environ.items()]
    envlist.reverse()
    for item in opts.set_env:
        if "=" not in item:
            continue
        key = item.split("=", 1)[0]
        envlist = [e for e in envlist if e.split("=", 1)[0] != key]
        envlist.insert(0, item)
    for key in opts.unset_env:
        envlist = [e for e in envlist if e.split("=", 1)[0] != key]
    return envlist


def guest_base_environ() -> dict[str, str]:
    """The environment pyqemu was started with, before Python edited it.

    Python's start-up may add LC_CTYPE (PEP 538 locale coercion); the guest
    must see what the user gave, so read the process's original block.
    """
    try:
        with open("/proc/self/environ", "rb") as f:
            block = f.read()
    except OSError:
        return dict(os.environ)
    env: dict[str, str] = {}
    for item in block.split(b"\0"):
        if b"=" in item:
            key, value = item.split(b"=", 1)
            env[os.fsdecode(key)] = os.fsdecode(value)
    return env
