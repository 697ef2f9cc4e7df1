# SPDX-License-Identifier: GPL-2.0-or-later
"""Run many guests under pyqemu from one Python process, one fork per run.

Starting Python and importing pyqemu costs far more than loading a small guest, so a fuzz
campaign keeps one driver process per worker: it imports pyqemu once, then forks a child
for every run, as pyqemu.run (pyqemu/embed.py) does, but through the command-line front
end (linux_user/main.py's main) so that option parsing, error printing and exit statuses
are exactly those of pyqemu-x86_64, and with a timeout that kills a hung run.

Run as a script it serves JSON lines on stdin/stdout (one request, one reply);
PyqemuDriver is the client side.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM_NAME = "pyqemu-x86_64"
# exit status of a driver child whose run raised out of main() (a pyqemu bug)
UNCAUGHT_STATUS = 70


@dataclass(frozen=True)
class DriverResult:
    """One run: returncode as subprocess gives it (-N for signal N), its output, and
    whether it was killed for running past its timeout."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float


# ---- the server: runs inside the driver process ------------------------------------------


def _import_pyqemu() -> None:
    """Import everything a run needs, once, so that each forked child starts warm."""
    import importlib.util

    if importlib.util.find_spec("pyqemu") is None:
        sys.path.insert(0, str(REPO_ROOT))
    import pyqemu.linux_user.elfload  # noqa: F401
    import pyqemu.linux_user.main  # noqa: F401
    import pyqemu.linux_user.runner  # noqa: F401
    import pyqemu.linux_user.thread  # noqa: F401
    import pyqemu.linux_user.x86_64.cpu_loop  # noqa: F401
    import pyqemu.plugins.loader  # noqa: F401


def _child(words: list[str], out_path: str, err_path: str) -> None:
    """The forked child: the whole front end, then _exit with its status."""
    code = UNCAUGHT_STATUS
    try:
        os.setpgid(0, 0)  # a timeout kills the run and anything it forked
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        from pyqemu.linux_user.main import main

        code = main([PROGRAM_NAME, *words])
    except BaseException:  # noqa: BLE001 - shown as the traceback a user would see
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code & 0xFF if isinstance(code, int) else UNCAUGHT_STATUS)


def _wait(pid: int, timeout: float) -> tuple[int, bool]:
    """Wait for pid at most timeout seconds (then kill its group); (wait status, timed out)."""
    pidfd = os.pidfd_open(pid)
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        timed_out = not poller.poll(timeout * 1000)
    finally:
        os.close(pidfd)
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _pid, status = os.waitpid(pid, 0)
    return status, timed_out


def run_one(words: list[str], timeout: float, work: Path) -> DriverResult:
    """Run pyqemu-x86_64 with words (options, program, arguments) in a forked child."""
    out_path, err_path = str(work / "stdout"), str(work / "stderr")
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(words, out_path, err_path)
    status, timed_out = _wait(pid, timeout)
    seconds = time.monotonic() - started
    returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    def text(path: str) -> str:
        try:
            return Path(path).read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    return DriverResult(returncode, text(out_path), text(err_path), timed_out, seconds)


def serve() -> None:
    """Answer JSON requests {"words": [...], "timeout": s} on stdin, one per line."""
    _import_pyqemu()
    with tempfile.TemporaryDirectory(prefix="pyqemu-driver-") as tmp:
        for line in sys.stdin:
            request = json.loads(line)
            result = run_one(request["words"], request["timeout"], Path(tmp))
            sys.stdout.write(json.dumps(result.__dict__) + "\n")
            sys.stdout.flush()


# ---- the client ------------------------------------------------------------------------------


class PyqemuDriver:
    """A driver process and the pipe to it; use as a context manager."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            start_new_session=True)

    def run(self, words: list[str], timeout: float) -> DriverResult:
        """Run pyqemu-x86_64 with words; raises RuntimeError if the driver itself died."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"words": words, "timeout": timeout}) + "\n")
        self._process.stdin.flush()
        reply = self._process.stdout.readline()
        if not reply:
            raise RuntimeError(f"the pyqemu driver died (status {self._process.wait()})")
        return DriverResult(**json.loads(reply))

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> PyqemuDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
