# SPDX-License-Identifier: GPL-2.0-or-later
"""riscv64 specifics of Linux user mode: mirrors QEMU's linux-user/riscv/."""
