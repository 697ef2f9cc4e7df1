# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest execution on the Unicorn engine: mirrors QEMU's ``accel/tcg``."""
