# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark workloads: the guest programs, their inputs and their sizes.

Mirrors no QEMU part; it is the benchmark's list of programs. Each workload is a guest command
line with absolute paths (the same for every runner), built from the sources in benchmarks/
with musl-gcc -O2 -static, or a system program. Sizes are chosen so that one full run with
three repetitions, the Python-callback rows (pyqemu's Python plugin, Qiling's hooks: 2-4 µs a
block) included, takes about a quarter of an hour on the 2-core development machine; `--quick`
shrinks every input to a few milliseconds of native time.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
GUEST_CFLAGS = ("-O2", "-static", "-Wall", "-Werror")


@dataclass(frozen=True)
class Sizes:
    """A workload's input size in a full run and in a --quick run (rounds, bytes...)."""

    full: tuple[str, ...]
    quick: tuple[str, ...]

    def pick(self, quick: bool) -> tuple[str, ...]:
        return self.quick if quick else self.full


CPUBOUND_SIZES = Sizes(("2",), ("1",))  # rounds; 1 round is ~1.7 M blocks, 7.6 M instructions
# The same program long enough that guest code, not start-up, is what is timed (~0.5 s under
# qemu); the per-block Python configurations and Qiling would take minutes here, so they are off.
CPUBOUND_LONG_SIZES = Sizes(("100",), ("4",))
MEMBOUND_SIZES = Sizes(("4", "1"), ("1", "1"))  # MiB per array (two arrays), rounds
# issue 19's memory-bound point: 64 MiB arrays, far past the 256-entry TLB pyqemu's
# engine used to keep (patch 0014); the time is the guest's, not start-up's
MEMBOUND_LARGE_SIZES = Sizes(("64", "1"), ("8", "1"))
SYSCALLS_SIZES = Sizes(("10000",), ("500",))  # rounds of 4 syscalls
SHA256_BYTES = Sizes((str(1000 * 1000),), (str(64 * 1000),))
# Python start-up is the work here (site, os, encodings...: 7.2 M blocks under qemu for the
# full snippet, 4.9 M for the quick one without site); a Python callback per block costs ~4 us.
PYTHON_SNIPPETS = Sizes(("print(sum(range(10**4)))",), ("print(1)",))
# Rounds of cpubound for the scaling plot (time against instruction count).
SCALING_ROUNDS = Sizes(("1", "2", "4", "8", "16", "32"), ("1", "3"))


@dataclass(frozen=True)
class Workload:
    """A guest program with its arguments, ready to run (absolute paths only).

    support_paths are host files or directories the guest reads besides its argv, which a
    Qiling rootfs must hold (Qiling cannot reach the host file system).
    """

    name: str
    description: str
    argv: tuple[str, ...]
    support_paths: tuple[str, ...] = ()
    skip_configs: tuple[str, ...] = ()   # configurations not run on this workload
    skip_qiling: bool = False


class GuestCache:
    """Compiles benchmark guests and makes input files in a cache dir, reusing earlier builds.

    A compiled guest's file name carries a hash of its source and compile command, so an edited
    source is rebuilt and an unchanged one is not.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def compile_musl(self, name: str, source_text: str) -> Path:
        """Return the path of `source_text` built with musl-gcc -O2 -static, compiling if needed."""
        compiler = shutil.which("musl-gcc")
        if compiler is None:
            raise SystemExit("run.py: musl-gcc not found (apt-get install musl-tools)")
        command_key = " ".join((compiler, *GUEST_CFLAGS))
        digest = hashlib.sha256((command_key + "\0" + source_text).encode()).hexdigest()[:12]
        executable = self.directory / f"{name}-{digest}"
        if executable.exists():
            return executable
        source = self.directory / f"{name}-{digest}.c"
        source.write_text(source_text)
        partial = executable.with_suffix(".part")
        completed = subprocess.run(
            [compiler, *GUEST_CFLAGS, str(source), "-o", str(partial)],
            capture_output=True, text=True, check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(f"run.py: compiling {name} failed:\n{completed.stderr}")
        partial.rename(executable)  # atomic: an interrupted build never looks finished
        return executable

    def compile_bench_source(self, file_name: str) -> Path:
        """Compile benchmarks/<file_name> (a .c file) into the cache."""
        return self.compile_musl(Path(file_name).stem, (BENCH_DIR / file_name).read_text())

    def data_file(self, size: int) -> Path:
        """Return a file of `size` pseudo-random bytes, the same bytes on every machine."""
        path = self.directory / f"data-{size}.bin"
        if not path.exists() or path.stat().st_size != size:
            partial = path.with_suffix(".part")
            partial.write_bytes(random.Random(20240611).randbytes(size))
            partial.rename(path)
        return path


def system_binary(name: str) -> str:
    """Return the real ELF file behind a system command (shims and symlinks resolved).

    /usr/bin first: a PATH entry such as a pyenv shim is a shell script, which an emulator
    cannot load.
    """
    for directory in ("/usr/bin", "/bin"):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate.resolve())
    raise SystemExit(f"run.py: /usr/bin/{name} not found")


def _python_stdlib(python: str) -> tuple[str, ...]:
    """The system python's standard library directory (a Qiling rootfs needs a copy)."""
    completed = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['stdlib'])"], capture_output=True, text=True, check=False)
    stdlib = completed.stdout.strip()
    return (stdlib,) if completed.returncode == 0 and stdlib else ()


WorkloadBuilder = Callable[[GuestCache, bool], Workload]


def _cpubound(cache: GuestCache, quick: bool) -> Workload:
    argv = (str(cache.compile_bench_source("cpubound.c")), *CPUBOUND_SIZES.pick(quick))
    return Workload("cpubound", f"benchmarks/cpubound.c, musl static, {argv[1]} round(s): CRC, "
                    "Collatz, qsort, bsearch, FNV", argv)


def _cpubound_long(cache: GuestCache, quick: bool) -> Workload:
    argv = (str(cache.compile_bench_source("cpubound.c")), *CPUBOUND_LONG_SIZES.pick(quick))
    return Workload("cpubound-long", f"benchmarks/cpubound.c, musl static, {argv[1]} rounds, "
                    "where guest code outweighs start-up (no pybb, no Qiling)", argv,
                    skip_configs=("pybb",), skip_qiling=True)


def _membound(cache: GuestCache, quick: bool) -> Workload:
    argv = (str(cache.compile_bench_source("membound.c")), *MEMBOUND_SIZES.pick(quick))
    return Workload("membound", f"benchmarks/membound.c, musl static, two {argv[1]} MiB arrays: "
                    "pointer chase, copy, random updates", argv)


def _membound_64(cache: GuestCache, quick: bool) -> Workload:
    argv = (str(cache.compile_bench_source("membound.c")), *MEMBOUND_LARGE_SIZES.pick(quick))
    return Workload("membound-64", f"benchmarks/membound.c, musl static, two {argv[1]} MiB "
                    "arrays, where the loads outweigh start-up (no pybb, no Qiling)", argv,
                    skip_configs=("pybb",), skip_qiling=True)


def _syscalls(cache: GuestCache, quick: bool) -> Workload:
    argv = (str(cache.compile_bench_source("syscalls.c")), *SYSCALLS_SIZES.pick(quick))
    return Workload("syscalls", f"benchmarks/syscalls.c, musl static, {int(argv[1]) * 4} "
                    "syscalls", argv)


def _startup_true(cache: GuestCache, quick: bool) -> Workload:
    return Workload("startup-true", "/bin/true (dynamic glibc): start-up and exit",
                    (system_binary("true"),))


def _startup_musl(cache: GuestCache, quick: bool) -> Workload:
    program = cache.compile_musl("return0", "int main(void) { return 0; }\n")
    return Workload("startup-musl", "musl static `int main(void) { return 0; }`", (str(program),))


def _sha256sum(cache: GuestCache, quick: bool) -> Workload:
    size = int(SHA256_BYTES.pick(quick)[0])
    return Workload("sha256sum", f"/usr/bin/sha256sum of a {size / 1e6:g} MB file (dynamic "
                    "glibc)", (system_binary("sha256sum"), str(cache.data_file(size))))


def _python3(cache: GuestCache, quick: bool) -> Workload:
    python = system_binary("python3")
    options = ("-S", "-c") if quick else ("-c",)
    snippet = PYTHON_SNIPPETS.pick(quick)[0]
    return Workload("python3", f'/usr/bin/python3 {" ".join(options)} "{snippet}"',
                    (python, *options, snippet), _python_stdlib(python))


# The order here is the order of the table's rows.
WORKLOADS: dict[str, WorkloadBuilder] = {
    "cpubound": _cpubound,
    "cpubound-long": _cpubound_long,
    "membound": _membound,
    "membound-64": _membound_64,
    "syscalls": _syscalls,
    "startup-true": _startup_true,
    "startup-musl": _startup_musl,
    "sha256sum": _sha256sum,
    "python3": _python3,
}


def build_workloads(names: list[str], cache: GuestCache, quick: bool) -> list[Workload]:
    """Compile and prepare the named workloads, in table order."""
    workloads = [WORKLOADS[name](cache, quick) for name in names]
    print(f"run.py: {len(workloads)} workload(s) ready in {cache.directory}", file=sys.stderr)
    return workloads
