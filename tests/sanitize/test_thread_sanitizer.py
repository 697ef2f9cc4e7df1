# SPDX-License-Identifier: GPL-2.0-or-later
"""The C host under ThreadSanitizer on issue 24's thread stress guest.

Issue 24 asks for the C host clean under ThreadSanitizer on the stress test
(tests/linux_user/test_threads_stress.py): eight guest threads, each on its own vCPU,
mapping, protecting and writing code, taking thread- and process-directed signals, and
the resetter plugin resetting itself from whichever vCPU reaches its count.  The host and
plugins are built with -Db_sanitize=thread into build-tsan/ (sanitized_host.TSAN), and
each run must end as the native run does with no ThreadSanitizer report.  The engine
(libunicorn) and its generated code are not instrumented, so races the engine's side of
an access takes part in are not seen; no report is suppressed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import harness
import pytest
from prerequisites import missing
from sanitized_host import (
    HOST_ONLY_VARIABLES,
    TSAN,
    SanitizedBuild,
    SanitizerUnavailable,
    build,
    instrumentation_problems,
)

STRESS_GUEST = Path(__file__).resolve().parents[1] / "linux_user" / "guests" / "thread_stress.c"
RUN_TIMEOUT = 300.0
RUNS = 6            # every other one with the resetter plugin
RESETS = 3
RESETTER_ARGS = ("at=5000", f"times={RESETS}")

# a plugin whose install makes two threads increment one counter without a lock
RACY = r"""
#include <pthread.h>
#include <qemu-plugin.h>
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
static long counter;
static void *count(void *arg)
{
    for (int i = 0; i < 1000; i++)
        counter++;
    return arg;
}
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    pthread_t a, b;
    pthread_create(&a, NULL, count, NULL);
    pthread_create(&b, NULL, count, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
}
"""


@pytest.fixture(scope="module")
def tsan() -> SanitizedBuild:
    try:
        return build(TSAN)
    except SanitizerUnavailable as exc:
        missing(str(exc))
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"the ThreadSanitizer build failed: {' '.join(exc.cmd)}\n{exc.stdout}\n"
                    f"{exc.stderr}")


def _run(tsan: SanitizedBuild, program: Path, plugins: list[str]) -> harness.RunResult:
    return harness.run_pyqemu(
        [str(program)], plugins=plugins, timeout=RUN_TIMEOUT,
        env=tsan.environment(harness.guest_env()),
        extra=["-U", ",".join(HOST_ONLY_VARIABLES), *(["-d", "plugin"] if plugins else [])])


def test_the_build_is_instrumented(tsan: SanitizedBuild) -> None:
    """The _host and plugins call the ThreadSanitizer runtime, and pyqemu loads that _host."""
    assert not instrumentation_problems(tsan, harness.guest_env())


def test_a_race_is_caught(tsan: SanitizedBuild, guest_builder, tmp_path: Path) -> None:
    """A race in C code the host runs is reported, and the test sees the report."""
    (tmp_path / "racy.c").write_text(RACY, encoding="ascii")
    plugin = tmp_path / "libracy.so"
    subprocess.run(["gcc", *harness.PLUGIN_CFLAGS, "-fsanitize=thread", "-pthread",
                    f"-I{harness.PLUGIN_INCLUDE_DIR}", "-o", str(plugin),
                    str(tmp_path / "racy.c")], check=True)
    result = _run(tsan, guest_builder.build("hello", "musl-static"), [str(plugin)])
    assert any("WARNING: ThreadSanitizer: data race" in line
               for line in tsan.reports(result.stderr)), result.describe()


def test_thread_stress_has_no_race(tsan: SanitizedBuild, tmp_path: Path) -> None:
    program = harness.compile_guest(STRESS_GUEST, tmp_path / "thread_stress", "musl-static")
    native = harness.run_native([program], timeout=60)
    assert native.returncode == 0 and " errors 0\n" in native.stdout, native.describe()
    resetter = harness.plugin_spec(str(tsan.plugin("resetter")), *RESETTER_ARGS)
    failures = []
    for run in range(RUNS):
        with_plugin = run % 2 == 1
        result = _run(tsan, program, [resetter] if with_plugin else [])
        if (tsan.reports(result.stderr) or (result.returncode, result.stdout) != (0, native.stdout)
                or (with_plugin and f"resets: {RESETS}\n" not in result.stderr)):
            failures.append(f"run {run}: {result.describe()}")
    assert not failures, f"{len(failures)} of {RUNS} runs failed:\n" + "\n".join(failures)
