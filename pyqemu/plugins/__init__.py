# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin host: mirrors QEMU's ``plugins/`` (loader, core, api)."""
