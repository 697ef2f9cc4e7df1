# SPDX-License-Identifier: GPL-2.0-or-later
"""Every memory access's address into a .npy file, from batched events.

``-plugin pyqemu.contrib.memtrace,filename=trace.npy[,rw=r|w|rw]`` writes the
vaddr of each guest access (loads, stores or both; default both) in execution
order, as a one-dimensional ``uint64`` NumPy array file: ``numpy.load`` reads it
(``mmap_mode="r"`` for big traces), and so can anything that reads NPY format
1.0.  NumPy is not needed to write it: the buffers of
``api.register_vcpu_mem_batch`` go to the file as they are, and the header,
whose length is only known at the end, is written last.  With several
threads, each vCPU's batches are written as they come (a batch of one vCPU,
then one of another).  Prints ``memtrace: <n> accesses written to <file>``
(``-d plugin``).
"""

from __future__ import annotations

import sys
from typing import BinaryIO

from pyqemu.contrib._args import arg_value
from pyqemu.plugins import api

qemu_plugin_version = 0

_HEADER_BYTES = 128   # magic, version, length and the dict, padded: a multiple of 64
_RW = {"r": api.MEM_R, "w": api.MEM_W, "rw": api.MEM_RW}


def npy_header(count: int) -> bytes:
    """NPY 1.0's header for ``count`` uint64 in this host's byte order."""
    order = "<" if sys.byteorder == "little" else ">"
    text = f"{{'descr': '{order}u8', 'fortran_order': False, 'shape': ({count},), }}"
    text = text.ljust(_HEADER_BYTES - 10 - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


def qemu_plugin_install(plugin_id: int, info: dict, args: list[str]) -> int:
    filename, rw = "memtrace.npy", api.MEM_RW
    for arg in args:
        is_file, value = arg_value(arg, "filename")
        is_rw, rw_value = arg_value(arg, "rw")
        if is_file and value:
            filename = value
        elif is_rw and rw_value in _RW:
            rw = _RW[rw_value]
        else:
            sys.stderr.write(f"option parsing failed: {arg}\n")
            return -1
    out: BinaryIO = open(filename, "wb")   # noqa: SIM115 - closed at atexit
    out.write(npy_header(0))
    count = [0]

    def on_batch(_vcpu: int, vaddrs: memoryview, _infos: memoryview) -> None:
        out.write(vaddrs)
        count[0] += len(vaddrs)

    def on_exit(_pid: int, _udata: object) -> None:
        out.seek(0)
        out.write(npy_header(count[0]))
        out.close()
        api.outs(f"memtrace: {count[0]} accesses written to {filename}\n")

    api.register_vcpu_mem_batch(plugin_id, on_batch, rw)
    api.register_atexit_cb(plugin_id, on_exit)
    return 0
