# SPDX-License-Identifier: GPL-2.0-or-later
"""aarch64 specifics of Linux user mode: mirrors QEMU's linux-user/aarch64/."""
