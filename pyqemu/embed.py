# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a guest from Python: ``pyqemu.run(argv, plugins=[...])``.

Each run happens in a forked child of the calling process, so every run
gets a fresh engine, fresh plugin state and fresh guest memory, and nothing
leaks from one run into the next (the same isolation as starting
``pyqemu-x86_64`` anew, without paying Python's start-up).  The child's
standard streams go to temporary files, and the plugins' ``-d plugin``
output to a log file, which ``run`` returns.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """What one guest run left behind.

    Attributes:
        status: the exit status (0-255), or None when the guest died of a signal.
        signal: the signal that ended the guest, or None.
        stdout: the guest's standard output (bytes), when captured.
        stderr: what the guest and the emulator wrote to standard error, when captured.
        plugin_log: text the plugins printed with qemu_plugin_outs.
    """

    status: int | None
    signal: int | None
    stdout: bytes | None
    stderr: bytes | None
    plugin_log: str

    @property
    def returncode(self) -> int:
        """subprocess-style: the status, or -signal."""
        return self.status if self.status is not None else -(self.signal or 0)


def _child(argv: Sequence[str], plugins: Sequence[str], env: Mapping[str, str],
           ld_prefix: str | None, log_path: str, extra: Sequence[str],
           plugin_api: str | None) -> int:
    from pyqemu.linux_user import run as run_guest
    from pyqemu.linux_user.options import Options
    from pyqemu.plugins.loader import check_plugin_api

    opts = Options(target="x86_64", prog="pyqemu-x86_64", environ=dict(env))
    if plugin_api is not None:
        opts.plugin_api = check_plugin_api(plugin_api)
    opts.program = [os.fspath(a) for a in argv]
    opts.plugin_opts = list(plugins)
    opts.log_items = {"plugin"}
    opts.log_file = log_path
    if ld_prefix is not None:
        opts.ld_prefix = ld_prefix
    for item in extra:
        if item == "-strace":
            opts.strace = True
    return run_guest(opts)


def run(argv: Sequence[str | os.PathLike[str]], *, plugins: Sequence[str] = (),
        env: Mapping[str, str] | None = None, stdin: bytes | None = None,
        ld_prefix: str | None = None, capture_output: bool = True,
        strace: bool = False, plugin_api: str | None = None) -> RunResult:
    """Run one guest program under pyqemu and return its RunResult.

    Args:
        argv: the guest program and its arguments.
        plugins: ``-plugin`` strings, e.g. ``"build/tests/plugin/libbb.so,arg=inline"``.
        env: the guest's environment (default: this process's).
        stdin: bytes fed to the guest's standard input (default: empty).
        ld_prefix: the ``-L`` sysroot for the ELF interpreter.
        capture_output: collect stdout and stderr (else they are inherited).
        strace: log the guest's syscalls (to stderr) as ``-strace`` does.
        plugin_api: ``"5.2"`` or ``"7.2"`` as ``-plugin-api`` (default: the
            QEMU_PLUGIN_API variable, as the command line reads it, else 7.2).
            A process holds one host, so this works only while the calling
            process has not loaded another level (``pyqemu.host.load``, or a
            use of ``pyqemu.host.lib``); the run then fails with status 1.

    Note:
        The run happens in a forked child; call it from the main thread.
    """
    environment = dict(os.environ if env is None else env)
    if plugin_api is None:   # read as the command line's option table reads it
        plugin_api = os.environ.get("QEMU_PLUGIN_API") or None
    with tempfile.TemporaryDirectory(prefix="pyqemu-run-") as tmp:
        work = Path(tmp)
        log_path = work / "plugin.log"
        stdin_path = work / "stdin"
        stdin_path.write_bytes(stdin or b"")
        out_path, err_path = work / "stdout", work / "stderr"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:   # the child: never returns
            code = 1
            try:
                fd = os.open(stdin_path, os.O_RDONLY)
                os.dup2(fd, 0)
                if capture_output:
                    os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT, 0o600), 1)
                    os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT, 0o600), 2)
                code = _child([os.fspath(a) for a in argv], plugins, environment, ld_prefix,
                              str(log_path), ["-strace"] if strace else [], plugin_api)
            except BaseException as exc:  # noqa: BLE001 - report, never return into the caller
                os.write(2, f"pyqemu.run: {type(exc).__name__}: {exc}\n".encode())
            finally:
                os._exit(code)
        _pid, wait_status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(wait_status):
            status, sig = None, os.WTERMSIG(wait_status)
        else:
            status, sig = os.WEXITSTATUS(wait_status), None
        return RunResult(
            status=status,
            signal=signal.Signals(sig).value if sig else None,
            stdout=out_path.read_bytes() if capture_output and out_path.exists() else None,
            stderr=err_path.read_bytes() if capture_output and err_path.exists() else None,
            plugin_log=log_path.read_text(errors="replace") if log_path.exists() else "",
        )
