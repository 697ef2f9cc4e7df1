# SPDX-License-Identifier: GPL-2.0-or-later
"""One measured run: a command started under a tiny C launcher that reports wait4's rusage.

Mirrors no QEMU part; it is the benchmark's stopwatch, the job /usr/bin/time does: wall clock
from fork to reap, user+system CPU seconds and peak RSS (ru_maxrss) of the command, with
stdout and stderr kept in files and a timeout that kills the whole process tree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ENGINE_VARIABLE = "PYQEMU_ENGINE"  # pyqemu/host's engine choice: auto, built, stock or a path


@dataclass
class Sample:
    """One run: wall-clock seconds, user+system CPU seconds, peak RSS in KiB."""

    seconds: float
    cpu_seconds: float
    max_rss_kib: int


@dataclass(frozen=True)
class RunOutcome:
    sample: Sample
    status: int  # exit status, or -N for death by signal N
    timed_out: bool
    stdout: bytes
    stderr: bytes


def guest_env() -> dict[str, str]:
    """The environment of every run, native or emulated: small and the same for all three.

    Both emulators hand their own environment to the guest, so nothing pyqemu-specific
    (PYTHONPATH...) may be in it.
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", "/"),
    }
    # Which engine pyqemu loads (pyqemu/host); given to every runner so the guests' environments
    # stay identical.
    if ENGINE_VARIABLE in os.environ:
        env[ENGINE_VARIABLE] = os.environ[ENGINE_VARIABLE]
    return env


# Why a C launcher and not os.wait4 here: Python starts children with vfork, and Linux carries
# the peak RSS of the address space a process leaves at execve into its ru_maxrss. A child of
# this runner therefore reports at least the runner's own ~20 MiB, even for a 100 KiB guest.
# The launcher is a tiny static musl program: its fork()ed child leaves only the launcher's
# few pages behind at execve, so the wait4 rusage it passes on is the command's own.
LAUNCHER_SOURCE = r"""/* Fork and exec a command; write its status, time and rusage to a file. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec start, end;
    struct rusage usage;
    int status;

    if (argc < 3) {
        fprintf(stderr, "usage: launcher REPORT-FILE COMMAND [ARG...]\n");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 127;
    }
    if (child == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    if (wait4(child, &status, 0, &usage) < 0) {
        perror("wait4");
        return 127;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        perror(argv[1]);
        return 127;
    }
    fprintf(report, "%d %.6f %.6f %ld\n", status,
            (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9,
            (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
            usage.ru_maxrss);
    return fclose(report) == 0 ? 0 : 127;
}
"""


def run_once(
    command: Sequence[str], scratch: Path, timeout: float, launcher: Path
) -> RunOutcome:
    """Run command in scratch (stdin /dev/null) under the launcher; read back its measurement.

    stdout/stderr go to files, not pipes, so no reader thread can slow the run or deadlock;
    the launcher gets its own session so a timeout kills the whole tree.
    """
    timed_out = threading.Event()

    def kill_on_timeout(pid: int) -> None:
        timed_out.set()
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    out_path, err_path = scratch / "stdout", scratch / "stderr"
    report_path = scratch / "launcher.report"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            [str(launcher), str(report_path), *command], stdin=subprocess.DEVNULL, stdout=out,
            stderr=err, cwd=scratch, env=guest_env(), start_new_session=True,
        )
        # Not reaped until wait() returns, so the pid cannot be reused under the timer.
        timer = threading.Timer(timeout, kill_on_timeout, (process.pid,))
        timer.start()
        try:
            launcher_status = process.wait()
        finally:
            timer.cancel()
    stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
    if timed_out.is_set() or launcher_status != 0 or not report_path.exists():
        return RunOutcome(Sample(timeout, 0.0, 0), -signal.SIGKILL, timed_out.is_set(), stdout,
                          stderr)
    wait_status, seconds, cpu_seconds, max_rss_kib = report_path.read_text().split()
    return RunOutcome(
        Sample(float(seconds), float(cpu_seconds), int(max_rss_kib)),
        os.waitstatus_to_exitcode(int(wait_status)), False, stdout, stderr,
    )
