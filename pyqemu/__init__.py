# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu: QEMU's user-mode TCG plugin system, rebuilt in Python on Unicorn.

The package layout follows QEMU's source tree: ``plugins`` (loader, core,
api), ``linux_user`` (main, elfload, syscall, signal, mmap), ``accel``
(execution on the engine) and ``host`` (the C half, built by Meson).
"""

from pyqemu.version import QEMU_VERSION, __version__

__all__ = ["QEMU_VERSION", "RunResult", "__version__", "run"]


def __getattr__(name: str) -> object:
    """The embedding API (pyqemu.run, pyqemu.RunResult), imported when first asked for:
    the command line never needs it, and its imports (tempfile, shutil, ...) were a
    tenth of ``pyqemu-x86_64 /bin/true``'s start-up (issue 19)."""
    if name in ("run", "RunResult"):
        from pyqemu import embed

        return getattr(embed, name)
    raise AttributeError(f"module 'pyqemu' has no attribute {name!r}")
