# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``pyqemu-<target>`` command: mirrors QEMU's linux-user/main.c.

The order of start-up is QEMU's: the argument table (environment variables
first, then the command line), logging, loading the plugins, creating the
vCPU (whose creation fires vcpu_init), loading the program, then the CPU
loop.  Errors print one ``<prog>: <message>`` line and exit with QEMU's
status; every exit path runs the plugins' atexit callbacks.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable

from pyqemu.errors import PyqemuError
from pyqemu.linux_user.options import DEFAULT_STACK_SIZE, Options, target_environ
from pyqemu.version import __version__

__all__ = ["ARG_TABLE", "DEFAULT_STACK_SIZE", "Options", "ShowUsage", "UsageError", "main",
           "parse_args", "parse_command_line", "target_environ", "usage_text"]

class UsageError(PyqemuError):
    """A command-line mistake; QEMU prints these with a bare ``qemu:`` prefix."""


class BareUsageError(UsageError):
    """A command-line mistake QEMU reports with its message alone, no prefix."""


class ShowUsage(UsageError):
    """A mistake QEMU answers with its usage text on stdout (and status 1)."""


LOG_ITEMS = {
    "plugin": "output from TCG plugins",
    "unimp": "log unimplemented functionality",
    "strace": "log every user-mode syscall, its input, and its result",
}


def strtoul(text: str) -> tuple[int, str]:
    """C's strtoul(text, &end, 0): the value of the leading number, and the rest."""
    s = text.lstrip(" \t\n\v\f\r")
    negative = s[:1] == "-"
    if s[:1] in "+-" and s:
        s = s[1:]
    if s[:2].lower() == "0x" and s[2:3] and s[2:3] in "0123456789abcdefABCDEF":
        base, s = 16, s[2:]
    elif s[:1] == "0":
        base = 8
    else:
        base = 10
    digits = "0123456789abcdef"[:base]
    end = 0
    while end < len(s) and s[end].lower() in digits:
        end += 1
    if end == 0:
        return 0, text
    value = int(s[:end], base)
    return (-value % 2**64 if negative else value), s[end:]


def _parse_size(text: str) -> int:
    """-s as QEMU reads it: strtoul, then an optional M, k or K suffix."""
    size, rest = strtoul(text)
    if size == 0:
        raise ShowUsage(f"Invalid stack size: {text}")
    if rest[:1] == "M":
        size *= 1 << 20
    elif rest[:1] in ("k", "K"):
        size *= 1 << 10
    return size


def _handle_log(opts: Options, value: str) -> None:
    for item in value.split(","):
        if item not in LOG_ITEMS:
            raise UsageError(f"Log items (comma separated):\n{_log_help()}")
        opts.log_items.add(item)


def _handle_cpu(opts: Options, value: str) -> None:
    """-cpu: "help" lists the models and exits with status 1 at once (as QEMU's parse_args
    does); otherwise the last -cpu or QEMU_CPU wins and main() reads it once the options
    are parsed.  On x86_64 the model is emulated (x86_64/cpu_models.py); the other
    targets accept the models qemu-<target> knows (linux_user/<arch>/target.py) and run
    the engine's own."""
    from pyqemu.linux_user import arch

    if opts.target == "x86_64":
        if value == "help":
            from pyqemu.linux_user.x86_64.cpu_models import help_text

            sys.stdout.write(help_text())
            raise SystemExit(1)   # as qemu-<target> 7.2: the listing ends with exit(1)
        opts.cpu_model = value
        return
    models = arch.get(opts.target).cpu_models
    if value == "help":
        sys.stdout.write("Available CPUs:\n" + "".join(f"  {m}\n" for m in models))
        raise SystemExit(1)   # as qemu-<target> 7.2: the listing ends with exit(1)
    if value.split(",", 1)[0] not in models:
        raise UsageError(f"unable to find CPU model '{value}'")
    opts.cpu_model = value


def _handle_plugin_api(opts: Options, value: str) -> None:
    """-plugin-api 5.2|7.2: which host (plugin API level) the run loads."""
    from pyqemu.plugins.loader import check_plugin_api

    try:
        opts.plugin_api = check_plugin_api(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _atoi(text: str) -> int:
    """C's atoi: blanks, a sign, then the longest run of digits (none: 0)."""
    match = re.match(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", text)
    return int(match.group(1)) if match else 0


def _handle_pagesize(opts: Options, value: str) -> None:
    """-p: QEMU's host page size, read with atoi; it must be a power of two.

    Accepted as qemu-x86_64 7.2 accepts it; guest mappings keep the host's 4 KiB pages.
    """
    size = _atoi(value) % (1 << 64)      # qemu keeps it in a uintptr_t
    if size == 0 or size & (size - 1):
        raise BareUsageError("page size must be a power of two")
    opts.page_size = size


def _log_help() -> str:
    return "".join(f"{name:<10} {text}\n" for name, text in LOG_ITEMS.items()).rstrip("\n")


# QEMU's arg_table: option, environment variable, takes an argument, handler,
# example, help.  Only rows whose feature works are listed.
ArgHandler = Callable[[Options, str], None]
ARG_TABLE: list[tuple[str, str, bool, ArgHandler, str, str]] = [
    ("h", "", False, lambda o, v: setattr(o, "show_help", True), "", "print this help"),
    ("help", "", False, lambda o, v: setattr(o, "show_help", True), "", ""),
    ("L", "QEMU_LD_PREFIX", True, lambda o, v: setattr(o, "ld_prefix", v), "path",
     "set the elf interpreter prefix to 'path'"),
    ("s", "QEMU_STACK_SIZE", True, lambda o, v: setattr(o, "stack_size", _parse_size(v)),
     "size", "set the stack size to 'size' bytes"),
    ("cpu", "QEMU_CPU", True, _handle_cpu, "model",
     "select CPU (-cpu help for list)"),
    ("E", "QEMU_SET_ENV", True, lambda o, v: o.set_env.extend(v.split(",")), "var=value",
     "sets targets environment variable (see below)"),
    ("U", "QEMU_UNSET_ENV", True, lambda o, v: o.unset_env.extend(v.split(",")), "var",
     "unsets targets environment variable (see below)"),
    ("0", "QEMU_ARGV0", True, lambda o, v: setattr(o, "argv0", v), "argv0",
     "forces target process argv[0] to be 'argv0'"),
    ("d", "QEMU_LOG", True, _handle_log, "item[,...]",
     "enable logging of specified items (plugin, unimp, strace)"),
    ("D", "QEMU_LOG_FILENAME", True, lambda o, v: setattr(o, "log_file", v), "logfile",
     "write logs to 'logfile' (default stderr)"),
    ("p", "QEMU_PAGESIZE", True, _handle_pagesize, "pagesize",
     "set the host page size to 'pagesize'"),
    ("strace", "QEMU_STRACE", False, lambda o, v: setattr(o, "strace", True), "",
     "log system calls"),
    ("plugin", "QEMU_PLUGIN", True, lambda o, v: o.plugin_opts.append(v), "",
     "[file=]<file>[,<argname>=<argvalue>]"),
    ("plugin-api", "QEMU_PLUGIN_API", True, _handle_plugin_api, "level",
     "plugin API level: 7.2 (QEMU_PLUGIN_VERSION 1, default) or 5.2 (0)"),
    ("version", "QEMU_VERSION", False, lambda o, v: setattr(o, "show_version", True), "",
     "display version information and exit"),
]


def usage_text(prog: str, target: str) -> str:
    lines = [
        f"usage: {prog} [options] program [arguments...]",
        f"Linux CPU emulator (compiled for {target} emulation)",
        "",
        "Options and associated environment variables:",
        "",
        f"{'Argument':<20} {'Env-variable':<17} Description",
    ]
    for opt, env, has_arg, _handler, example, text in ARG_TABLE:
        arg = f"-{opt} {example}" if has_arg and example else f"-{opt}"
        lines.append(f"{arg:<20} {env:<17} {text}".rstrip() if text else f"{arg:<20} {env}")
    lines += [
        "",
        "Defaults:",
        f"QEMU_LD_PREFIX  = {'/'}",
        f"QEMU_STACK_SIZE = {DEFAULT_STACK_SIZE} byte",
    ]
    return "\n".join(lines) + "\n"


def version_text(prog: str) -> str:
    return (
        f"{prog} version {__version__} (pyqemu, QEMU 5.2 plugin API)\n"
        "Copyright (c) 2026 the pyqemu developers; "
        "QEMU is Copyright (c) 2003-2020 Fabrice Bellard and the QEMU Project developers\n"
    )


def parse_args(argv: list[str], environ: dict[str, str], opts: Options,
               plugins_enabled: bool) -> None:
    """QEMU's parse_args: environment variables in table order, then argv."""
    table = [row for row in ARG_TABLE if not row[0].startswith("plugin") or plugins_enabled]
    for _opt, env, _has_arg, handler, _example, _text in table:
        if env and env in environ and env != "QEMU_VERSION":
            handler(opts, environ[env])
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-"):
            break
        i += 1
        if word == "--":
            break
        name = word[2:] if word.startswith("--") else word[1:]
        for opt, _env, has_arg, handler, _example, _text in table:
            if opt == name:
                if has_arg:
                    if i >= len(argv):
                        raise UsageError(f"missing argument for option '{name}'")
                    handler(opts, argv[i])
                    i += 1
                else:
                    handler(opts, "")
                break
        else:
            raise UsageError(f"unknown option '{name}'")
        if opts.show_help or opts.show_version:
            return
    opts.program = argv[i:]
    if not opts.program:
        raise UsageError("no user program specified")


def parse_command_line(args: list[str], target: str = "x86_64") -> Options | int:
    """QEMU's main() up to the run: ``args`` (argv[0] first) and the QEMU_* variables
    read into Options, or the exit status when the command line is answered without a
    run (-help, -version, a usage error)."""
    from pyqemu import _config

    prog = os.path.basename(args[0]) if args else ""
    if not prog or prog.endswith(".py"):
        prog = f"pyqemu-{target}"  # run as python -m pyqemu.linux_user.main
    opts = Options(target=target, prog=prog)
    try:
        parse_args(args[1:], dict(os.environ), opts, _config.CONFIG_PLUGIN)
    except ShowUsage:
        sys.stdout.write(usage_text(prog, target))
        return 1
    except BareUsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    except UsageError as exc:
        sys.stderr.write(f"pyqemu: {exc}\n")
        return 1
    if opts.show_help:
        sys.stdout.write(usage_text(prog, target))
        return 0
    if opts.show_version:
        sys.stdout.write(version_text(prog))
        return 0
    return opts


def main(argv: list[str] | None = None, target: str = "x86_64") -> int:
    """Entry point; returns the exit status (or dies of the guest's signal)."""
    from pyqemu.linux_user import run
    from pyqemu.linux_user.runner import pause_gc_at_start, resume_gc

    pause_gc_at_start()
    try:
        opts = parse_command_line(sys.argv if argv is None else argv, target)
        if isinstance(opts, int):
            return opts
        return run(opts)
    finally:
        resume_gc(freeze=False)   # a run that ended before the guest started


def main_x86_64() -> None:
    sys.exit(main(target="x86_64"))


def main_aarch64() -> None:
    sys.exit(main(target="aarch64"))


def main_riscv64() -> None:
    sys.exit(main(target="riscv64"))


if __name__ == "__main__":
    sys.exit(main())
