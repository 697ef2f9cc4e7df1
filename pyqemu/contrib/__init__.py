"""Plugins written in Python, twins of the C plugins (``-plugin pyqemu.contrib.bb``)."""
