# SPDX-License-Identifier: GPL-2.0-or-later
"""x86_64 specifics of Linux user mode: mirrors QEMU's linux-user/x86_64/."""
