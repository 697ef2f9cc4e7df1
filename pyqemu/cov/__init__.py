# SPDX-License-Identifier: GPL-2.0-or-later
"""Coverage tooling (pyqemu-cov): read, merge and run drcov coverage, map it to source lines.

drcov.py (the file format), dwarf.py (debug facts of a module), source_map.py
(blocks to lines and functions), lcov.py (tracefile writer), corpus.py and
cluster.py (corpus runs, local and on Dask), cli.py (the command).
"""
