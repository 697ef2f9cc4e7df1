# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m pyqemu.linux_user.aarch64``: the pyqemu-aarch64 command."""

from pyqemu.linux_user.main import main_aarch64

main_aarch64()
