# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu's version and the QEMU release it reproduces.

A leaf module: the command line's ``-version`` reads it without importing the
package's top (which offers the embedding API).
"""

__version__ = "0.1.0"

# The QEMU release whose plugin API and build glue pyqemu reproduces.
QEMU_VERSION = "5.2.0"
