# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m pyqemu.linux_user.riscv64``: the pyqemu-riscv64 command."""

from pyqemu.linux_user.main import main_riscv64

main_riscv64()
