# SPDX-License-Identifier: GPL-2.0-or-later
"""The exception tree of pyqemu, one base class as in pyelftools.

Errors are raised where a problem is found and printed once, by the
command-line front end, as one QEMU-style line (``qemu-x86_64: ...``).
"""


class PyqemuError(Exception):
    """Base class of every error pyqemu reports to the user."""

    #: exit status of the emulator when this error ends the run (QEMU uses 1)
    exit_status: int = 1


class LoadError(PyqemuError):
    """The guest program (or its interpreter) cannot be loaded."""


class PluginError(PyqemuError):
    """A plugin cannot be parsed, loaded or installed."""


class CpuModelError(PyqemuError):
    """-cpu (or QEMU_CPU) names a model or property pyqemu cannot give, for any target;
    str() is qemu's message."""


class GuestFault(PyqemuError):
    """The guest touched memory it has not mapped with the needed rights."""

    def __init__(self, addr: int, size: int = 1) -> None:
        super().__init__(f"guest fault at {addr:#x} ({size} bytes)")
        self.addr = addr
        self.size = size
