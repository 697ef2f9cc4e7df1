# SPDX-License-Identifier: GPL-2.0-or-later
"""Linux user-mode emulation: mirrors QEMU's ``linux-user/``.

``run(options)`` is the one way into it: the command line (main.py), pyqemu.run()
(pyqemu/embed.py) and pyqemu-cov's corpus runs (pyqemu/cov/corpus.py) all call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyqemu.linux_user.options import Options


def run(options: Options) -> int:
    """Run the guest program ``options`` describes to its end; returns the exit status
    (a guest that dies of a signal ends this process with that signal, as qemu does).

    See pyqemu.linux_user.runner.run; imported here when first called, so that importing
    a module of this package does not load the engine.
    """
    from pyqemu.linux_user import runner

    return runner.run(options)
