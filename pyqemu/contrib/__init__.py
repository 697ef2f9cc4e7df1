# SPDX-License-Identifier: GPL-2.0-or-later
"""Plugins written in Python, twins of the C plugins (``-plugin pyqemu.contrib.bb``)."""
