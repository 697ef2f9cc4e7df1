# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the linux_user tests: a guest address space and compiled probe guests.

Plays the part of the guest-building make rules of QEMU's tests/tcg for the loader: the
probe below prints where its initial stack, strings and auxv ended up, so a run under
qemu-x86_64 can be compared with what pyqemu's loader built. Compilation goes through
tests/harness.py (importable thanks to tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness import compile_guest

from pyqemu.linux_user.mmap import GuestMemory

# Prints the initial stack as the guest sees it: argv's address, each argv/envp string
# pointer, and every auxv entry. Only pointers are printed, never the random bytes.
LAYOUT_PROBE_SOURCE = r"""
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
    char **env = environ;
    unsigned long *aux;
    int i;

    printf("argv %#lx\n", (unsigned long)argv);
    for (i = 0; i < argc; i++)
        printf("arg %d %#lx\n", i, (unsigned long)argv[i]);
    for (i = 0; env[i]; i++)
        printf("env %d %#lx\n", i, (unsigned long)env[i]);
    for (aux = (unsigned long *)(env + i + 1); aux[0]; aux += 2)
        printf("auxv %lu %#lx\n", aux[0], aux[1]);
    return 0;
}
"""


@pytest.fixture
def guest_memory() -> Iterator[GuestMemory]:
    """A fresh guest address space, unmapped again after the test."""
    memory = GuestMemory()
    try:
        yield memory
    finally:
        memory.close()


@pytest.fixture(scope="session")
def layout_probe(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Factory: layout_probe(flavor) -> the layout probe built in that harness flavor."""
    directory = tmp_path_factory.mktemp("layout-probe")
    source = directory / "layout_probe.c"
    source.write_text(LAYOUT_PROBE_SOURCE, encoding="utf-8")
    built: dict[str, Path] = {}

    def build(flavor: str) -> Path:
        if flavor not in built:
            built[flavor] = compile_guest(source, directory / f"layout_probe-{flavor}", flavor)
        return built[flavor]

    return build
