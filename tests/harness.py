# SPDX-License-Identifier: GPL-2.0-or-later
"""Build guest programs and run them natively, under qemu-x86_64 and under pyqemu.

Plays the part of QEMU's tests/tcg make rules (build each guest, run it under the emulator,
compare with a reference), except that the reference is a native run and a run under the
installed qemu-x86_64 7.2 rather than a stored .ref file.

Every run gets the same small environment (see guest_env), stdin from /dev/null unless given,
its own session (so a timeout can kill the whole process group) and RLIMIT_CORE = 0, so that
no core files land in the working directory and qemu's fatal-signal message is stable (see
QEMU_STDERR_NOISE).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from prerequisites import missing

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
GUESTS_DIR = TESTS_DIR / "guests"

# Seconds a single run may take before it is killed and the test fails.
DEFAULT_TIMEOUT = 60.0
# pyqemu runs the guest on Unicorn with a Python syscall layer: allow it more time.
PYQEMU_TIMEOUT = 300.0
COMPILE_TIMEOUT = 120.0

QEMU_MISSING_REASON = "qemu-x86_64 (apt-get install qemu-user)"
PYQEMU_MISSING_REASON = "pyqemu is not installed for this Python (scripts/install-deps.sh)"

# The module pyqemu's command line lives in; run as `python -m` unless PYQEMU says otherwise.
PYQEMU_MAIN_MODULE = "pyqemu.linux_user.main"

# Flags shared by every flavor: optimised (so -O2 code paths are what gets emulated), warnings
# fatal, and -pthread so pthreads.c links the same way everywhere.
GUEST_CFLAGS: tuple[str, ...] = ("-O2", "-Wall", "-Werror", "-pthread")

# flavor -> (compiler, flags that select the kind of executable)
FLAVORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "gcc-static": ("gcc", ("-static",)),
    "gcc-pie": ("gcc", ("-fPIE", "-pie")),
    "gcc-nopie": ("gcc", ("-fno-pie", "-no-pie")),
    "gcc-static-pie": ("gcc", ("-fPIE", "-static-pie")),
    "musl-static": ("musl-gcc", ("-static",)),
}
ALL_FLAVORS: tuple[str, ...] = tuple(FLAVORS)

# Linker messages meaning a static C library is not installed (a machine problem, not a bug).
_MISSING_STATIC_LIBC = re.compile(r"cannot find (-lc\b|-lpthread\b|\S*crt1\.o)")

# Lines qemu-x86_64 7.2 writes to stderr on its own behalf, which a native run never writes.
# Each entry is (pattern matching one whole line, why the line is there). strip_qemu_noise()
# drops them before qemu's stderr is compared with a native run's; pyqemu is compared with qemu
# unfiltered, because pyqemu is meant to print the same lines.
QEMU_STDERR_NOISE: tuple[tuple[re.Pattern[str], str], ...] = (
    # The guest died of a signal whose default action dumps core (SIGSEGV, SIGABRT, SIGILL,
    # SIGBUS, SIGFPE...). qemu prints this, then re-raises the signal on itself so the parent
    # sees the same status as natively. Observed with 7.2: the line appears when RLIMIT_CORE
    # is 0 (which the harness always sets); with a non-zero limit qemu instead writes
    # qemu_<prog>_<date>-<time>_<pid>.core into the working directory and prints nothing.
    # SIGTERM, SIGKILL and other non-core signals print nothing.
    (
        re.compile(r"qemu: uncaught target signal \d+ \([^)]*\) - core dumped"),
        "fatal guest signal reported by qemu",
    ),
    # -plugin ...,arg=X is the only argument syntax QEMU 5.2 knows; 7.2 still accepts it but
    # warns (twice per argument). plugin_spec() uses arg= so one spec works on both.
    (
        re.compile(r"qemu-x86_64: warning: using 'arg=.*' is deprecated"),
        "7.2 deprecation warning for -plugin arg=",
    ),
    (
        re.compile(r"Please use '.*' directly"),
        "second line of the same deprecation warning",
    ),
)


@dataclass(frozen=True)
class RunResult:
    """One finished run: the command, how it ended and what it printed.

    returncode is as subprocess reports it: the exit status, or -N when the process died of
    signal N (qemu re-raises a guest's fatal signal on itself, so this holds under qemu too).
    stdout and stderr are decoded as UTF-8 with surrogateescape, so no byte is lost.
    """

    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        """Return a multi-line summary for assertion messages."""
        return (
            f"command: {shlex.join(self.command)}\n"
            f"returncode: {self.returncode}\n"
            f"stdout ({len(self.stdout)} chars):\n{_abridge(self.stdout)}\n"
            f"stderr ({len(self.stderr)} chars):\n{_abridge(self.stderr)}"
        )


def _abridge(text: str, limit: int = 4000) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} chars left out ...]\n{text[-half:]}"


# ---------------------------------------------------------------------------------------------
# Building guests
# ---------------------------------------------------------------------------------------------


def compile_guest(src: Path, out: Path, flavor: str, extra_flags: Sequence[str] = ()) -> Path:
    """Compile one C guest into an executable of the given flavor.

    src: the C source; out: where the executable goes; flavor: a key of FLAVORS;
    extra_flags: more compiler flags, after the flavor's own.
    Returns out.
    Raises: ValueError for an unknown flavor. Ends the calling test through
    prerequisites.missing() when the compiler (or, for static flavors, the static C library)
    is not installed; fails it when the compiler reports an error.
    """
    if flavor not in FLAVORS:
        raise ValueError(f"unknown guest flavor {flavor!r}; choose from {', '.join(FLAVORS)}")
    compiler, flavor_flags = FLAVORS[flavor]
    compiler_path = shutil.which(compiler)
    if compiler_path is None:
        missing(f"{compiler} (needed for {flavor} guests)")
    command = [
        compiler_path,
        *GUEST_CFLAGS,
        *flavor_flags,
        *extra_flags,
        "-o",
        str(out),
        str(src),
    ]
    completed = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMPILE_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        if _MISSING_STATIC_LIBC.search(completed.stderr):
            missing(f"static C library for {compiler} ({flavor} guests)")
        pytest.fail(
            f"compiling {src.name} ({flavor}) failed:\n{shlex.join(command)}\n{completed.stderr}"
        )
    return out


class GuestBuilder:
    """Compiles guests from tests/guests/ once each and hands out the cached executables.

    Meant to live for the whole test session (see the guest_builder fixture), because the
    machine has two cores and the same guests are needed by many tests.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self._built: dict[tuple[str, str], Path] = {}

    def build(self, name: str, flavor: str) -> Path:
        """Return the executable for tests/guests/<name>.c in the given flavor, compiling once."""
        key = (name, flavor)
        if key not in self._built:
            src = guest_source(name)
            self._built[key] = compile_guest(src, self.output_dir / f"{name}-{flavor}", flavor)
        return self._built[key]


def guest_source(name: str) -> Path:
    """Return the path of tests/guests/<name>.c; FileNotFoundError if there is none."""
    src = GUESTS_DIR / f"{name}.c"
    if not src.is_file():
        raise FileNotFoundError(f"no guest source {src}")
    return src


def guest_names() -> list[str]:
    """Return the names of all guests in tests/guests/, sorted."""
    return sorted(path.stem for path in GUESTS_DIR.glob("*.c"))


_EXPECTED_STATUS_LINE = re.compile(r"^\s*\*\s*Expected status:\s*(.+?)\s*$", re.MULTILINE)


def expected_status(name: str) -> int:
    """Return the returncode a guest documents in its "Expected status:" header line.

    "Expected status: 7" gives 7 and "Expected status: signal SIGSEGV" gives -11, matching
    RunResult.returncode. A note in parentheses after the value is ignored.
    Raises: ValueError when the source has no such line or it cannot be read.
    """
    text = guest_source(name).read_text(encoding="utf-8")
    match = _EXPECTED_STATUS_LINE.search(text)
    if match is None:
        raise ValueError(f"{name}.c has no 'Expected status:' line")
    value = match.group(1).split("(")[0].strip()
    if value.startswith("signal "):
        return -int(signal.Signals[value.removeprefix("signal ").strip()])
    return int(value)


# ---------------------------------------------------------------------------------------------
# Running programs
# ---------------------------------------------------------------------------------------------


def guest_env(**overrides: str) -> dict[str, str]:
    """Return the environment every run gets unless a test passes its own.

    Small and fixed, so that native, qemu and pyqemu runs see exactly the same environment
    (qemu hands its own environment to the guest unchanged, and glibc start-up work depends
    on it). PATH holds only system directories, so `sh -c` finds the Debian tools rather
    than pyenv shims. overrides: extra or replacement variables.
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LC_ALL": "C",
        "TZ": "UTC",
        "HOME": os.environ.get("HOME", "/"),
    }
    env.update(overrides)
    return env


def _limit_core_dumps(allow: bool) -> None:
    # Runs in the child between fork and exec.
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard if allow else 0, hard))


def _run(
    command: Sequence[str],
    *,
    cwd: Path | str | None,
    env: Mapping[str, str] | None,
    stdin: str | bytes | None,
    timeout: float,
    core_dumps: bool,
) -> RunResult:
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(guest_env() if env is None else env),
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: _limit_core_dumps(core_dumps),
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        # The process leads its own group (start_new_session): kill it and anything it forked.
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(
            f"timed out after {timeout:.0f} s: {shlex.join(command)}\n"
            f"stdout so far:\n{_abridge(_decode(stdout))}\n"
            f"stderr so far:\n{_abridge(_decode(stderr))}"
        )
    return RunResult(tuple(command), process.returncode, _decode(stdout), _decode(stderr))


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def run_native(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    core_dumps: bool = False,
) -> RunResult:
    """Run argv directly on the host.

    argv: program and arguments (argv[0] is the path that gets executed and also the guest's
    argv[0]); cwd: working directory; env: the whole environment (default guest_env());
    stdin: bytes or text fed to stdin (default /dev/null); timeout: seconds before the run is
    killed and the test fails; core_dumps: leave RLIMIT_CORE at its hard limit instead of 0.
    """
    return _run(
        [os.fspath(arg) for arg in argv],
        cwd=cwd,
        env=env,
        stdin=stdin,
        timeout=timeout,
        core_dumps=core_dumps,
    )


def qemu_path() -> str:
    """Return the path of qemu-x86_64; prerequisites.missing() when it is not installed."""
    path = shutil.which("qemu-x86_64")
    if path is None:
        missing(QEMU_MISSING_REASON)
    return path


def plugin_spec(path: str | os.PathLike[str], *args: str) -> str:
    """Return the text after `-plugin` that loads path with the given plugin arguments.

    Uses the `arg=` form, the only one QEMU 5.2 accepts (7.2 accepts it with a warning, which
    strip_qemu_noise removes). Commas inside an argument are doubled, as QEMU's option
    parser expects. Example: plugin_spec("libdrcov.so", "filename=/tmp/t.drcov").
    """
    parts = [os.fspath(path).replace(",", ",,")]
    parts.extend(f"arg={arg.replace(',', ',,')}" for arg in args)
    return ",".join(parts)


def _emulator_options(plugins: Sequence[str], extra: Sequence[str]) -> list[str]:
    options = list(extra)
    for spec in plugins:
        options += ["-plugin", spec]
    return options


def run_qemu(
    argv: Sequence[str | os.PathLike[str]],
    *,
    plugins: Sequence[str] = (),
    extra: Sequence[str] = (),
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    core_dumps: bool = False,
) -> RunResult:
    """Run argv under the installed qemu-x86_64.

    plugins: one string per -plugin option, e.g. from plugin_spec(); extra: emulator options
    placed before the plugins (e.g. ["-cpu", "Nehalem"], ["-d", "plugin"]); the other
    arguments are as for run_native. prerequisites.missing() when qemu-x86_64 is missing.
    """
    command = [qemu_path(), *_emulator_options(plugins, extra), *map(os.fspath, argv)]
    return _run(command, cwd=cwd, env=env, stdin=stdin, timeout=timeout, core_dumps=core_dumps)


@functools.cache
def pyqemu_command() -> tuple[str, ...]:
    """Return the command that starts pyqemu-x86_64 (its options and the guest follow).

    From $PYQEMU (split like a shell would) when set: a wrapper, another build, or one of the
    mutants in tests/mutants/. Otherwise `python -m pyqemu.linux_user.main` with this
    interpreter, where pyqemu is installed (editable or not). PYTHONPATH is never used to find
    it, because pyqemu hands its environment to the guest, which would then differ from the
    one native and qemu runs give it.
    """
    override = os.environ.get("PYQEMU")
    if override:
        words = shlex.split(override)
        words[0] = shutil.which(words[0]) or words[0]
        return tuple(words)
    return python_module_command(PYQEMU_MAIN_MODULE)


def python_module_command(module: str) -> tuple[str, ...]:
    """`python -m module` with this interpreter, on the engine the run asks for.

    A stock-engine run (PYQEMU_ENGINE=stock in the tests' environment) must reach pyqemu
    without reaching the guest, whose environment must stay the one native runs see: the
    child imports the unicorn package first, which maps the wheel's libunicorn.so.2, and
    pyqemu.host takes the engine already mapped (see its module doc).
    """
    if os.environ.get("PYQEMU_ENGINE", "").strip() != "stock":
        return (sys.executable, "-m", module)
    bootstrap = (
        "import runpy, unicorn; "
        f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)"
    )
    return (sys.executable, "-c", bootstrap)


@functools.cache
def pyqemu_installed() -> bool:
    """Whether there is a pyqemu to run: $PYQEMU names one, or the package is installed.

    Only this decides whether a test may skip its pyqemu side (on a developer's machine, see
    prerequisites.missing). A pyqemu that is there but does not run is never skipped: its runs
    fail the comparisons, as any other broken emulator would.
    """
    if os.environ.get("PYQEMU"):
        return True
    check = "import importlib.util, sys; sys.exit(importlib.util.find_spec('pyqemu') is None)"
    with tempfile.TemporaryDirectory() as neutral_dir:
        completed = subprocess.run(
            [sys.executable, "-c", check],
            cwd=neutral_dir,
            env=guest_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=DEFAULT_TIMEOUT,
            check=False,
        )
    return completed.returncode == 0


def require_pyqemu() -> None:
    """prerequisites.missing() unless pyqemu_installed(); for tests that start pyqemu."""
    if not pyqemu_installed():
        missing(PYQEMU_MISSING_REASON)


def run_pyqemu(
    argv: Sequence[str | os.PathLike[str]],
    *,
    plugins: Sequence[str] = (),
    extra: Sequence[str] = (),
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | bytes | None = None,
    timeout: float = PYQEMU_TIMEOUT,
    core_dumps: bool = False,
) -> RunResult:
    """Run argv under pyqemu-x86_64; the same arguments as run_qemu.

    require_pyqemu() first: only a pyqemu that is not installed at all may skip the test.
    """
    require_pyqemu()
    command = [*pyqemu_command(), *_emulator_options(plugins, extra), *map(os.fspath, argv)]
    return _run(command, cwd=cwd, env=env, stdin=stdin, timeout=timeout, core_dumps=core_dumps)


# ---------------------------------------------------------------------------------------------
# Comparing runs
# ---------------------------------------------------------------------------------------------


def strip_qemu_noise(stderr: str) -> str:
    """Return stderr without the lines qemu itself adds (see QEMU_STDERR_NOISE)."""
    kept = [
        line
        for line in stderr.splitlines(keepends=True)
        if not any(pattern.fullmatch(line.rstrip("\n")) for pattern, _ in QEMU_STDERR_NOISE)
    ]
    return "".join(kept)


def without_qemu_noise(result: RunResult) -> RunResult:
    """Return result with strip_qemu_noise applied to its stderr."""
    return dataclasses.replace(result, stderr=strip_qemu_noise(result.stderr))


def assert_same_run(
    reference: RunResult,
    candidate: RunResult,
    *,
    stdout_filter: Callable[[str], str] | None = None,
    compare_stderr: bool = True,
) -> None:
    """Assert that candidate ended like reference and printed the same.

    Compares returncode, stdout (both passed through stdout_filter when given) and, unless
    compare_stderr is False, stderr. The message shows both runs in full.
    """
    ref_out, cand_out = reference.stdout, candidate.stdout
    if stdout_filter is not None:
        ref_out, cand_out = stdout_filter(ref_out), stdout_filter(cand_out)
    problems = []
    if candidate.returncode != reference.returncode:
        problems.append(f"returncode {candidate.returncode} != {reference.returncode}")
    if cand_out != ref_out:
        problems.append("stdout differs")
    if compare_stderr and candidate.stderr != reference.stderr:
        problems.append("stderr differs")
    assert not problems, (
        "; ".join(problems)
        + f"\n--- reference ---\n{reference.describe()}\n--- candidate ---\n{candidate.describe()}"
    )


# ---- plugins, built the way meson builds them -------------------------------------

PLUGIN_REPO = Path(__file__).resolve().parent.parent
PLUGIN_INCLUDE_DIR = PLUGIN_REPO / "include" / "qemu"
PLUGIN_SOURCE_DIRS = {
    "tests/plugin": PLUGIN_REPO / "tests" / "plugin",
    "contrib/plugins": PLUGIN_REPO / "contrib" / "plugins",
}
# The flags contrib/plugins/meson.build and tests/plugin/meson.build use, plus -shared.
PLUGIN_CFLAGS = ("-Wall", "-Werror", "-fPIC", "-shared")
# The API level meson gives pyqemu's own plugins (QEMU 5.2's, version 0), except to a
# source that chooses its level itself (codeinfo.c).  Without it the header is 7.2's.
PLUGIN_LEVEL_52 = "-DQEMU_PLUGIN_API_LEVEL=502"


class PluginBuilder:
    """Builds lib<name>.so from tests/plugin or contrib/plugins, once per session.

    The output keeps meson's name in a directory per source dir; a warning
    fails the calling test (-Werror), a missing gcc is prerequisites.missing().
    """

    def __init__(self, out_root: Path) -> None:
        self.out_root = out_root
        self.built: dict[Path, Path] = {}

    def build(self, name: str, source_dir: str | None = None) -> Path:
        if shutil.which("gcc") is None:
            missing("gcc, needed to build the plugins (apt-get install gcc)")
        dirs = [source_dir] if source_dir else list(PLUGIN_SOURCE_DIRS)
        source = next((PLUGIN_SOURCE_DIRS[d] / f"{name}.c" for d in dirs
                       if (PLUGIN_SOURCE_DIRS[d] / f"{name}.c").exists()), None)
        if source is None:
            raise FileNotFoundError(f"no plugin source {name}.c in {dirs}")
        if source not in self.built:
            out_dir = self.out_root / source.parent.name
            out_dir.mkdir(exist_ok=True)
            library = out_dir / f"lib{name}.so"
            level = ([] if "#define QEMU_PLUGIN_API_LEVEL" in source.read_text()
                     else [PLUGIN_LEVEL_52])
            command = ["gcc", *PLUGIN_CFLAGS, *level, f"-I{PLUGIN_INCLUDE_DIR}", "-o",
                       str(library), str(source)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                pytest.fail(f"building {source} failed:\n{' '.join(command)}\n{result.stderr}")
            self.built[source] = library
        return self.built[source]


def function_range(program: Path, name: str) -> tuple[int, int]:
    """[start, end) of the function symbol name in program's .symtab."""
    from elftools.elf.elffile import ELFFile

    with open(program, "rb") as stream:
        symtab = ELFFile(stream).get_section_by_name(".symtab")
        assert symtab is not None, f"{program} has no .symtab"
        for symbol in symtab.iter_symbols():
            if symbol.name == name and symbol["st_info"]["type"] == "STT_FUNC":
                return symbol["st_value"], symbol["st_value"] + symbol["st_size"]
    raise AssertionError(f"no function {name} in {program}")


def execlog_lines_between(log: str, start: int, end: int) -> dict[str, int]:
    """execlog's lines (cpu index left out) for instructions in [start, end), counted."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        fields = line.split(", ", 2)
        if len(fields) == 3 and fields[1].startswith("0x") and start <= int(fields[1], 16) < end:
            key = ", ".join(fields[1:])
            counts[key] = counts.get(key, 0) + 1
    return counts
