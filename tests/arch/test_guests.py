# SPDX-License-Identifier: GPL-2.0-or-later
"""aarch64 and riscv64 guests under qemu-<arch> 7.2 and pyqemu-<arch>: the same stdout,
stderr (qemu's own lines included) and exit status, static and dynamic (-L sysroot).

Mirrors QEMU's tests/tcg/<arch> runs, with qemu-<arch> as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from arch_harness import ARCHES, FLAVORS, compile_guest, guest_source, run_pyqemu, run_qemu
from harness import strip_qemu_noise

# Portable guests of tests/guests/ (loop.c and memops.c are x86 assembly), and those of
# tests/arch/guests/: memloop.c, epoll.c (struct epoll_event: 16 bytes here, 12 on the host).
STATIC_GUESTS = ("hello", "args_env", "files", "segv", "catch_segv", "abort", "exit_group7",
                 "pthreads", "memloop", "epoll", "sigsuspend",
                 "atomics")
DYNAMIC_GUESTS = ("hello", "args_env", "catch_segv", "pthreads", "epoll")
ARGS = ["one", "two words"]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str, str], Path]:
    out_dir = tmp_path_factory.mktemp("arch-guests")

    def make(arch: str, name: str, flavor: str) -> Path:
        return compile_guest(arch, guest_source(name), flavor, out_dir)

    return make


CASES = [(arch, name, "static") for arch in ARCHES for name in STATIC_GUESTS] + [
    (arch, name, "dynamic") for arch in ARCHES for name in DYNAMIC_GUESTS]


@pytest.mark.parametrize(("arch", "name", "flavor"), CASES,
                         ids=[f"{a}-{n}-{f}" for a, n, f in CASES])
def test_guest_runs_as_under_qemu(build: Callable[[str, str, str], Path], tmp_path: Path,
                                  arch: str, name: str, flavor: str) -> None:
    assert flavor in FLAVORS
    guest = str(build(arch, name, flavor))
    if name == "files":   # its argument is an empty scratch directory, one per run
        (tmp_path / "q").mkdir()
        (tmp_path / "p").mkdir()
        qemu = run_qemu(arch, [guest, str(tmp_path / "q")], exact_cpu=False)
        pyqemu = run_pyqemu(arch, [guest, str(tmp_path / "p")])
    else:
        qemu = run_qemu(arch, [guest, *ARGS], exact_cpu=False)
        pyqemu = run_pyqemu(arch, [guest, *ARGS])
    assert pyqemu.returncode == qemu.returncode, pyqemu.describe() + qemu.describe()
    assert pyqemu.stdout == qemu.stdout, pyqemu.describe() + qemu.describe()
    # qemu-riscv64 and qemu-aarch64 7.2 do not always print the fatal-signal line that
    # pyqemu prints (as qemu-x86_64 does): compared without it
    assert strip_qemu_noise(pyqemu.stderr) == strip_qemu_noise(qemu.stderr), (
        pyqemu.describe() + qemu.describe())
    assert qemu.stdout or qemu.returncode != 0   # the guest did something to compare


@pytest.mark.parametrize("arch", ARCHES)
def test_uname_reports_the_guest_machine(build: Callable[[str, str, str], Path],
                                         tmp_path: Path, arch: str) -> None:
    source = tmp_path / "uname.c"
    source.write_text('#include <stdio.h>\n#include <sys/utsname.h>\n'
                      'int main(void){struct utsname u; uname(&u);'
                      ' printf("%s\\n", u.machine); return 0;}\n')
    guest = compile_guest(arch, source, "static", tmp_path)
    assert run_pyqemu(arch, [str(guest)]).stdout == run_qemu(arch, [str(guest)]).stdout \
        == f"{arch}\n"
