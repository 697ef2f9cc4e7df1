# SPDX-License-Identifier: GPL-2.0-or-later
"""Run at the start of each interpreter of a ThreadSanitizer run (sanitized_host.py puts
this folder on PYTHONPATH): LD_PRELOAD has loaded the runtime into this process, and no
child may inherit it.  meson-python's editable install rebuilds pyqemu on import by running
ninja, here through pyenv's shell-script shim, and the shell crashes under the runtime.
(So a guest's execve runs pyqemu without the runtime: the stress guest makes none.)
"""

import os

os.environ.pop("LD_PRELOAD", None)
