# SPDX-License-Identifier: GPL-2.0-or-later
"""Build and run aarch64 and riscv64 guests under qemu-<arch> and pyqemu-<arch>.

Plays the part of QEMU's tests/tcg/<arch> make rules for the foreign guests: each guest
of tests/guests/ that is portable C is compiled with Debian's cross compiler, static and
dynamic (run with -L /usr/<triple>), and run under the installed qemu-<arch> 7.2 and
under pyqemu.  A missing cross compiler or qemu-<arch> is prerequisites.missing(): a skip on a
developer's machine, a failure under CI.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from harness import GUESTS_DIR, RunResult, guest_env, python_module_command
from prerequisites import missing

ARCHES = ("aarch64", "riscv64")
TRIPLES = {"aarch64": "aarch64-linux-gnu", "riscv64": "riscv64-linux-gnu"}
#: qemu-aarch64's default CPU ("max") has SVE and more, which glibc picks routines by;
#: the engine is a Cortex-A72, so exact counts are compared with qemu's cortex-a72.
QEMU_CPU = {"aarch64": ("-cpu", "cortex-a72"), "riscv64": ()}
FLAVORS = ("static", "dynamic")
TIMEOUT = 120.0


def sysroot(arch: str) -> str:
    return f"/usr/{TRIPLES[arch]}"


def require(arch: str) -> None:
    """missing() unless the cross compiler, its C library and qemu-<arch> are installed."""
    compiler = f"{TRIPLES[arch]}-gcc"
    if shutil.which(compiler) is None:
        missing(f"{compiler} (apt-get install gcc-{TRIPLES[arch]})")
    if not Path(sysroot(arch), "lib").is_dir():
        missing(f"{sysroot(arch)} (apt-get install libc6-dev-*-cross)")
    if shutil.which(f"qemu-{arch}") is None:
        missing(f"qemu-{arch} (apt-get install qemu-user)")


def compile_guest(arch: str, source: Path, flavor: str, out_dir: Path) -> Path:
    """Compile one C guest for arch: -static, or dynamic against the cross sysroot."""
    require(arch)
    out = out_dir / f"{source.stem}-{arch}-{flavor}"
    if not out.exists():
        flags = ["-static"] if flavor == "static" else []
        command = [f"{TRIPLES[arch]}-gcc", "-O2", "-Wall", "-Werror", "-pthread", *flags,
                   "-o", str(out), str(source)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
        if done.returncode != 0:
            pytest.fail(f"compiling {source.name} for {arch} failed:\n{done.stderr}")
    return out


def guest_source(name: str) -> Path:
    local = Path(__file__).resolve().parent / "guests" / f"{name}.c"
    return local if local.exists() else GUESTS_DIR / f"{name}.c"


def _run(command: list[str], stdin: bytes | None = None) -> RunResult:
    done = subprocess.run(command, env=guest_env(), input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=TIMEOUT, check=False,
                          preexec_fn=_no_core)
    return RunResult(tuple(command), done.returncode,
                     done.stdout.decode(errors="surrogateescape"),
                     done.stderr.decode(errors="surrogateescape"))


def _no_core() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _options(arch: str, plugins: list[str], extra: list[str]) -> list[str]:
    options = ["-L", sysroot(arch), *extra]
    for spec in plugins:
        options += ["-plugin", spec]
    return options


def run_qemu(arch: str, argv: list[str], plugins: list[str] = (), extra: list[str] = (),
             exact_cpu: bool = True) -> RunResult:
    cpu = list(QEMU_CPU[arch]) if exact_cpu else []
    return _run([f"qemu-{arch}", *cpu, *_options(arch, list(plugins), list(extra)), *argv])


def run_pyqemu(arch: str, argv: list[str], plugins: list[str] = (),
               extra: list[str] = ()) -> RunResult:
    return _run([*python_module_command(f"pyqemu.linux_user.{arch}"),
                 *_options(arch, list(plugins), list(extra)), *argv])


def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("arch-guests")


__all__ = ["ARCHES", "FLAVORS", "compile_guest", "guest_source", "require", "run_pyqemu",
           "run_qemu", "build_dir"]
