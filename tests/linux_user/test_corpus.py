# SPDX-License-Identifier: GPL-2.0-or-later
"""Differential corpus: run each program natively, under qemu-x86_64 7.2 and under pyqemu.

Plays the part of QEMU's tests/tcg run checks for linux-user, with two references instead of
stored .ref files: every case must behave under qemu-x86_64 as it does natively (this checks
the corpus and the harness, and runs today), and under pyqemu as it does under qemu-x86_64
(skipped until `pyqemu -version` works).

The corpus: /bin/true, /bin/false, echo, ls, sha256sum, sort, sh -c with pipes and arithmetic,
python3 -c with an import, python3 and sqlite3 float arithmetic and formatting, find over a
generated tree, and every guest in tests/guests/ built in every flavor of harness.FLAVORS.

Accepted differences (everything not listed here must be identical: exit status or fatal
signal, stdout byte for byte, stderr byte for byte):

  1. qemu vs native, stderr: the lines in harness.QEMU_STDERR_NOISE are removed from qemu's
     stderr before comparing. Chiefly "qemu: uncaught target signal 11 (Segmentation fault) -
     core dumped" (and "6 (Aborted)") after the segv and abort guests; qemu then re-raises the
     signal on itself, so the exit status (-11, -6) still matches the native run. The harness
     runs everything with RLIMIT_CORE = 0, under which 7.2 prints this line and writes no core
     file; test_qemu_reports_fatal_guest_signal checks that the line really is there.
  2. `ls -la /`: times are left out (--time-style=+) and the link count, the size and the
     "total" line are masked, because other processes change them between two runs even
     natively (files come and go in /tmp, /proc's link count follows the process count).
     The generated tree is listed in full, with fixed modes and times.
  3. `find`: output lines are sorted, since directory order belongs to the file system.
  4. files.c gets a fresh empty scratch directory per run; it never prints the path.
  5. Programs that a guest execs (the members of sh's pipelines, forkexec's /bin/echo) run
     natively under qemu-x86_64: with no binfmt_misc handler, qemu's execve is the host's. Only
     the first program of each case is emulated; the output must match all the same.
  6. pyqemu vs qemu: nothing is filtered. pyqemu is expected to print qemu's own stderr lines
     (item 1) too, and to exit the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import (
    ALL_FLAVORS,
    GuestBuilder,
    RunResult,
    assert_same_run,
    expected_status,
    guest_env,
    guest_names,
    require_pyqemu,
    run_native,
    run_pyqemu,
    run_qemu,
    strip_qemu_noise,
    without_qemu_noise,
)
from prerequisites import missing

# Fixed modification time for everything in the generated tree (2020-09-13 12:26:40 UTC).
TREE_MTIME = 1_600_000_000
DATA_FILE_SIZE = 1 << 20
SORT_LINE_COUNT = 3000


@dataclass
class CaseContext:
    """What a case's argv builder may use: compiled guests and the generated inputs."""

    builder: GuestBuilder
    tree: Path
    data_file: Path
    scratch_root: Path

    def guest(self, name: str, flavor: str) -> str:
        return str(self.builder.build(name, flavor))

    def scratch_dir(self) -> str:
        """Return a new empty directory (one per run, for guests that write files)."""
        return tempfile.mkdtemp(prefix="scratch-", dir=self.scratch_root)


@dataclass(frozen=True)
class CorpusCase:
    """One program invocation of the corpus.

    case_id: pytest id; argv: builds the command line from a CaseContext (called once per
    run); expected_status: returncode a native run must give; expected_stdout: exact
    native stdout when it is known in advance; stdin: bytes fed to stdin; env: added to
    harness.guest_env(); stdout_filter: applied to both sides before comparing (see the
    accepted differences above).
    """

    case_id: str
    argv: Callable[[CaseContext], list[str]]
    expected_status: int = 0
    expected_stdout: str | None = None
    stdin: bytes | None = None
    env: dict[str, str] = field(default_factory=dict)
    stdout_filter: Callable[[str], str] | None = None


def system_tool(name: str) -> str:
    """Return the Debian copy of a tool (an ELF file in /usr/bin or /bin), or skip."""
    path = shutil.which(name, path="/usr/bin:/bin")
    if path is None:
        missing(f"{name} in /usr/bin or /bin (scripts/install-deps.sh installs it)")
    with open(path, "rb") as program:
        if program.read(4) != b"\x7fELF":
            missing(f"{path} as an ELF executable (Debian's own package)")
    return path


def sorted_lines(text: str) -> str:
    return "".join(sorted(text.splitlines(keepends=True)))


_LS_LINK_COUNT_AND_SIZE = re.compile(r"^(\S+)\s+\d+\s+(\S+)\s+(\S+)\s+\d+\s+", re.MULTILINE)


def mask_root_listing(text: str) -> str:
    """Mask what changes in `ls -la --time-style=+ /` while tests run (accepted difference 2)."""
    text = re.sub(r"^total \d+$", "total *", text, flags=re.MULTILINE)
    return _LS_LINK_COUNT_AND_SIZE.sub(r"\1 * \2 \3 * ", text)


def sort_input() -> bytes:
    rng = random.Random(7)
    words = ["delta", "alpha", "charlie", "bravo", "echo", "Zulu", "x-ray", "_under", "10", "9"]
    lines = [
        f"{rng.choice(words)}{rng.randrange(1000)},{rng.randrange(-500, 500)}\n"
        for _ in range(SORT_LINE_COUNT)
    ]
    return "".join(lines).encode("ascii")


def data_bytes() -> bytes:
    return random.Random(2024).randbytes(DATA_FILE_SIZE)


SH_SCRIPT = (
    'i=0; s=0; while [ "$i" -lt 200 ]; do s=$((s + i * i)); i=$((i + 1)); done; '
    'echo "sum=$s"; printf "%s\\n" c a b | sort | tr a-z A-Z; echo $((7 * 6)) | cat; '
    "exit $((3 + 4))"
)
SH_EXPECTED = "sum=2646700\nA\nB\nC\n42\n"

PYTHON_CODE = (
    "import hashlib, json\n"
    "values = [i * i % 97 for i in range(20000)]\n"
    "digest = hashlib.sha256(bytes(values)).hexdigest()\n"
    "print(json.dumps({'total': sum(values), 'sha256': digest}, sort_keys=True))\n"
)


def python_expected() -> str:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(PYTHON_CODE, {})  # our own constant; the guest runs the same text
    return output.getvalue()


# Float formatting and arithmetic that a wrong FPU state changes (issue 18): the x87
# precision (printf of long double in glibc's formatting), the rounding mode, MXCSR.
PYTHON_FLOATS = (
    "import math\n"
    "print(repr(1 / 3), '%.20g' % (1 / 3), 2 ** 0.5, 1e300 * 1e10, 5e-324 / 2)\n"
    "print(round(2.675, 2), 1e22, 0.1 + 0.2, math.fsum([0.1] * 10), float('1e-310'))\n"
    "print('%.30f' % math.pi, math.exp(1), math.log(10), (1 / 3).hex())\n"
)


def python_floats_expected() -> str:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(PYTHON_FLOATS, {})  # our own constant; the guest runs the same text
    return output.getvalue()


# sqlite3 formats its doubles with its own long double code: under 24-bit x87 precision
# it printed 0.333333349227905 for 1.0/3.
SQLITE_SQL = b"select 1.0/3, 2.0/3*1e300, round(2.5), 1e308*10, 0.1+0.2, 1e-300/1e10;\n"
SQLITE_EXPECTED = "0.333333333333333|6.66666666666667e+299|3.0|Inf|0.3|9.99999999999997e-311\n"

FIND_PRINTF = "%y %m %s %P %l\n"
TXT_FILES_IN_TREE = "README.txt\ndata/nested/deep/leaf.txt\n"

# Exact stdout of the guests whose output does not depend on how they were run.
GUEST_STDOUT: dict[str, str] = {
    "hello": "hello, world\n",
    "exit_group7": "calling exit_group(7)\n",
    "segv": "storing to NULL\n",
    "abort": "raising SIGABRT\n",
    "pthreads": "threads=4 total=200020000\n",
    "forkexec": "hi\nchild 1 exited with status 0\nchild 2 exited with status 3\n",
    "jit": "wx add(20, 22) = 42\nwx mul(6, 9) = 54\nrwx add(20, 22) = 42\nrwx mul(6, 9) = 54\n",
    "alarm_spin": "spun through 50 alarms\n",
    "atomics": "counter=3000 word=3000 swapped=3000 bits=0xff\n",
    "atomics_mt": "add=80000 unaligned=80000 xadd=80000 locked=80000 pair=80000:80000 "
                  "dword=80000\nsegv ro=1 unmapped=1\n",
    "thread_kill": "worker 20 main 0 other 0\n",
    "atomics_split": "split 600000\n",
    "thread_jit": "rounds 200 stale 0\n",
    "sigsuspend": (
        "User defined signal 1: ret=-1 EINTR handled=yes inside: usr2 1 own 1; "
        "after: blocked again 1\n"
        "Alarm clock: ret=-1 EINTR handled=yes inside: usr2 1 own 1; after: blocked again 1\n"
        "done\n"
    ),
    "noncanonical_call": "calling 0x8000000000401000\n",
    "loop": "iterations=1000000\nsum=500000500000\nlcg=14884097605143612481\n",
    "memops": (
        "size=1 stores=1000 loads=1000 sum=128660\n"
        "size=2 stores=1000 loads=1000 sum=4851500\n"
        "size=4 stores=1000 loads=1000 sum=285213171500\n"
        "size=8 stores=1000 loads=1000 sum=7493989779945004844\n"
    ),
    "catch_segv": (
        "round 1: recovered signo=11 code=SEGV_MAPERR addr_matches=1 on_alt_stack=1\n"
        "round 2: recovered signo=11 code=SEGV_MAPERR addr_matches=1 on_alt_stack=1\n"
        "round 3: recovered signo=11 code=SEGV_ACCERR addr_matches=1 on_alt_stack=1\n"
        "recovered\n"
    ),
}

ARGS_ENV_ARGUMENTS = ["one", "two words", "", "\u00e9"]
ARGS_ENV_VARIABLES = {"PYQEMU_TEST_VALUE": "42", "PYQEMU_TEST_EMPTY": ""}


def system_cases() -> list[CorpusCase]:
    return [
        CorpusCase("true", lambda ctx: [system_tool("true")], 0, ""),
        CorpusCase("false", lambda ctx: [system_tool("false")], 1, ""),
        CorpusCase(
            "echo",
            lambda ctx: [system_tool("echo"), "hello", "two  words", "-n"],
            0,
            "hello two  words -n\n",
        ),
        CorpusCase(
            "ls-la-root",
            lambda ctx: [system_tool("ls"), "-la", "--time-style=+", "/"],
            stdout_filter=mask_root_listing,
        ),
        CorpusCase(
            "ls-laR-tree",
            lambda ctx: [system_tool("ls"), "-laR", "--time-style=long-iso", str(ctx.tree)],
        ),
        CorpusCase(
            "sha256sum",
            lambda ctx: [system_tool("sha256sum"), str(ctx.data_file)],
        ),
        CorpusCase(
            "sort",
            lambda ctx: [system_tool("sort")],
            0,
            b"".join(sorted(sort_input().splitlines(keepends=True))).decode("ascii"),
            stdin=sort_input(),
        ),
        CorpusCase(
            "sort-keys",
            lambda ctx: [system_tool("sort"), "-t", ",", "-k2,2n", "-k1,1r"],
            stdin=sort_input(),
        ),
        CorpusCase("sh-pipes", lambda ctx: [system_tool("sh"), "-c", SH_SCRIPT], 7, SH_EXPECTED),
        CorpusCase(
            "python3",
            lambda ctx: [system_tool("python3"), "-c", PYTHON_CODE],
            0,
            python_expected(),
        ),
        CorpusCase(
            "python3-floats",
            lambda ctx: [system_tool("python3"), "-c", PYTHON_FLOATS],
            0,
            python_floats_expected(),
        ),
        CorpusCase(
            "sqlite3-arith",
            lambda ctx: [system_tool("sqlite3")],
            0,
            SQLITE_EXPECTED,
            stdin=SQLITE_SQL,
        ),
        CorpusCase(
            "find-tree",
            lambda ctx: [system_tool("find"), str(ctx.tree), "-printf", FIND_PRINTF],
            stdout_filter=sorted_lines,
        ),
        CorpusCase(
            "find-name",
            lambda ctx: [
                system_tool("find"),
                str(ctx.tree),
                "-name",
                "*.txt",
                "-type",
                "f",
                "-printf",
                "%P\n",
            ],
            0,
            TXT_FILES_IN_TREE,
            stdout_filter=sorted_lines,
        ),
    ]


def guest_case(name: str, flavor: str) -> CorpusCase:
    case_id = f"{name}-{flavor}"
    status = expected_status(name)
    if name == "args_env":
        return CorpusCase(
            case_id,
            lambda ctx: [ctx.guest(name, flavor), *ARGS_ENV_ARGUMENTS],
            status,
            env=ARGS_ENV_VARIABLES,
        )
    if name == "files":
        return CorpusCase(case_id, lambda ctx: [ctx.guest(name, flavor), ctx.scratch_dir()], status)
    return CorpusCase(case_id, lambda ctx: [ctx.guest(name, flavor)], status,
                      GUEST_STDOUT.get(name))


GUEST_NAMES = [
    "hello",
    "exit_group7",
    "segv",
    "abort",
    "catch_segv",
    "pthreads",
    "forkexec",
    "jit",
    "alarm_spin",
    "sigsuspend",
    "atomics",
    "atomics_mt",
    "atomics_split",
    "thread_kill",
    "thread_jit",
    "noncanonical_call",
    "loop",
    "memops",
    "args_env",
    "files",
    "fpu_state",
]

CASES: list[CorpusCase] = system_cases() + [
    guest_case(name, flavor) for name in GUEST_NAMES for flavor in ALL_FLAVORS
]


def test_every_guest_is_in_the_corpus() -> None:
    # A new guest source must be added to GUEST_NAMES (and GUEST_STDOUT) to be tested.
    assert guest_names() == sorted(GUEST_NAMES)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small tree with fixed contents, modes and times, for ls and find."""
    root = tmp_path_factory.mktemp("corpus") / "tree"
    files = {
        "README.txt": (b"read me\n", 0o644),
        "bin/tool.sh": (b"#!/bin/sh\necho tool\n", 0o755),
        "data/numbers.csv": (b"1,2,3\n4,5,6\n", 0o600),
        "data/empty": (b"", 0o644),
        "data/nested/deep/leaf.txt": (b"leaf\n" * 100, 0o444),
    }
    for relative, (content, mode) in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(mode)
    (root / "link-to-readme").symlink_to("README.txt")
    (root / "dangling").symlink_to("missing-target")
    # Only now that everything exists: creating an entry resets its directory's time.
    for path in [*root.rglob("*"), root]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
        os.utime(path, (TREE_MTIME, TREE_MTIME), follow_symlinks=False)
    return root


@pytest.fixture(scope="session")
def corpus_data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus-data") / "random.bin"
    path.write_bytes(data_bytes())
    return path


@pytest.fixture
def case_context(
    guest_builder: GuestBuilder, corpus_tree: Path, corpus_data_file: Path, tmp_path: Path
) -> CaseContext:
    return CaseContext(guest_builder, corpus_tree, corpus_data_file, tmp_path)


@pytest.fixture(scope="session")
def qemu_results() -> dict[str, RunResult]:
    """qemu-x86_64 runs by case id, so the pyqemu tests reuse the runs the qemu tests made."""
    return {}


def run_case(case: CorpusCase, ctx: CaseContext, runner: Callable[..., RunResult]) -> RunResult:
    return runner(
        case.argv(ctx),
        cwd=ctx.scratch_root,
        env=guest_env(**case.env),
        stdin=case.stdin,
    )


def qemu_run(case: CorpusCase, ctx: CaseContext, cache: dict[str, RunResult]) -> RunResult:
    if case.case_id not in cache:
        cache[case.case_id] = run_case(case, ctx, run_qemu)
    return cache[case.case_id]


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.case_id)
def test_qemu_matches_native(
    case: CorpusCase, case_context: CaseContext, qemu_results: dict[str, RunResult]
) -> None:
    native = run_case(case, case_context, run_native)
    # First check the corpus itself: the native run must do what the case documents.
    assert native.returncode == case.expected_status, native.describe()
    if case.expected_stdout is not None:
        assert native.stdout == case.expected_stdout, native.describe()
    qemu = qemu_run(case, case_context, qemu_results)
    assert_same_run(native, without_qemu_noise(qemu), stdout_filter=case.stdout_filter)


#: guests whose pyqemu run needs pyqemu's engine: name -> why
NEEDS_PATCHED_ENGINE = {
    "thread_jit": "code one thread writes and another has run: the stock engine keeps "
                  "running the stale translation (the page watch needs the patched engine)",
}


def _pyqemu_param(case: CorpusCase) -> object:
    for guest, why in NEEDS_PATCHED_ENGINE.items():
        if case.case_id.startswith(guest + "-"):
            return pytest.param(case, marks=pytest.mark.patched_engine(why), id=case.case_id)
    return pytest.param(case, id=case.case_id)


@pytest.mark.parametrize("case", [_pyqemu_param(case) for case in CASES])
def test_pyqemu_matches_qemu(
    case: CorpusCase, case_context: CaseContext, qemu_results: dict[str, RunResult]
) -> None:
    require_pyqemu()
    qemu = qemu_run(case, case_context, qemu_results)
    pyqemu = run_case(case, case_context, run_pyqemu)
    assert_same_run(qemu, pyqemu, stdout_filter=case.stdout_filter)


@pytest.mark.parametrize(
    ("name", "number", "description"), [("segv", 11, "Segmentation fault"), ("abort", 6, "Aborted")]
)
def test_qemu_reports_fatal_guest_signal(
    name: str, number: int, description: str, case_context: CaseContext
) -> None:
    # Accepted difference 1 exists: qemu prints its line, and the filter removes exactly it.
    qemu = run_qemu([case_context.guest(name, "musl-static")], cwd=case_context.scratch_root)
    line = f"qemu: uncaught target signal {number} ({description}) - core dumped\n"
    assert qemu.returncode == -number, qemu.describe()
    assert qemu.stderr == line, qemu.describe()
    assert strip_qemu_noise(qemu.stderr) == ""
    assert list(case_context.scratch_root.iterdir()) == [], "no core file expected"


def test_sha256sum_reference_is_right(corpus_data_file: Path) -> None:
    # sha256sum's native output is checked against Python's own hash of the same bytes.
    native = run_native([system_tool("sha256sum"), corpus_data_file])
    digest = hashlib.sha256(corpus_data_file.read_bytes()).hexdigest()
    assert native.stdout == f"{digest}  {corpus_data_file}\n", native.describe()
