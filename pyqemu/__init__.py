"""pyqemu: QEMU's user-mode TCG plugin system, rebuilt in Python on Unicorn.

The package layout follows QEMU's source tree: ``plugins`` (loader, core,
api), ``linux_user`` (main, elfload, syscall, signal, mmap), ``accel``
(execution on the engine) and ``host`` (the C half, built by Meson).
"""

__version__ = "0.1.0"

# The QEMU release whose plugin API and build glue pyqemu reproduces.
QEMU_VERSION = "5.2.0"

from pyqemu.embed import RunResult, run  # noqa: E402  (the embedding API)

__all__ = ["QEMU_VERSION", "RunResult", "__version__", "run"]
