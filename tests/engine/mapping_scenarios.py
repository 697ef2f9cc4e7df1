# SPDX-License-Identifier: GPL-2.0-or-later
"""Engine scenarios about mapping and unmapping while code runs (patch 0029).

Run like scenarios.py (``python mapping_scenarios.py <name>`` with
``LIBUNICORN_PATH`` naming the engine's directory; one JSON line out).  Patch
0029 stopped every mapping change from flushing the whole TLB: these check
that what a change can make stale is still dropped (an access to memory that
was not mapped yet, memory unmapped and mapped again to other host memory,
RAM offsets handed out again after unmaps), and count the TLB fills a change
of an unrelated range causes.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from scenarios import CODE, DATA, SCENARIOS, Result, assemble, main, reg, run, scenario, x86

FAR = 0x1000000  # a range no scenario maps before it says so
PAGE = 0x1000


def load_twice(first: int, second: int) -> tuple[bytes, int]:
    """Code loading [first] into rax and [second] into rbx, and the offset between them."""
    before = assemble(f"mov rsi, {first}\nmov rax, qword ptr [rsi]")
    return assemble(f"""
        mov rsi, {first}
        mov rax, qword ptr [rsi]
        nop
        mov rdi, {second}
        mov rbx, qword ptr [rdi]
        nop
    """), len(before)


def filled(uc: Any, events: list[str]) -> None:
    """Virtual TLB mode, identity-mapped, each fill recorded in @events."""
    from unicorn import UC_HOOK_TLB_FILL, UC_PROT_ALL, UC_TLB_VIRTUAL

    def fill(uc: Any, vaddr: int, access: int, entry: Any, data: Any) -> bool:
        events.append(f"fill {vaddr & ~(PAGE - 1):#x}")
        entry.paddr = vaddr & ~(PAGE - 1)
        entry.perms = UC_PROT_ALL
        return True

    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
    uc.hook_add(UC_HOOK_TLB_FILL, fill)


def at(uc: Any, address: int, action: Any) -> None:
    """Call action(uc) once, when the instruction at @address runs."""
    from unicorn import UC_HOOK_CODE

    done: list[bool] = []

    def hook(uc: Any, addr: int, size: int, data: Any) -> None:
        if not done:
            done.append(True)
            action(uc)

    uc.hook_add(UC_HOOK_CODE, hook, begin=address, end=address)


@scenario
def unrelated_map_and_unmap_fills() -> Result:
    """The TLB fills around a mapping and an unmapping of a range no access touched."""
    from unicorn import UC_PROT_ALL

    code, mark = load_twice(DATA, DATA + 0x800)
    uc = x86(code)
    events: list[str] = []
    filled(uc, events)

    def change(uc: Any) -> None:
        events.append("map")
        uc.mem_map(FAR, 4 * PAGE, UC_PROT_ALL)
        events.append("unmap")
        uc.mem_unmap(FAR, 4 * PAGE)
        events.append("done")

    at(uc, CODE + mark, change)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "events": events}


@scenario
def map_on_demand_from_unmapped_hook() -> Result:
    """A load from unmapped memory whose hook maps it: the load reads the new memory."""
    from unicorn import UC_HOOK_MEM_READ_UNMAPPED, UC_PROT_ALL

    code, _ = load_twice(DATA, FAR + 8)
    uc = x86(code)
    uc.mem_write(DATA, (0x1111).to_bytes(8, "little"))

    def on_demand(uc: Any, access: int, address: int, size: int, value: int, data: Any) -> bool:
        uc.mem_map(address & ~(PAGE - 1), PAGE, UC_PROT_ALL)
        uc.mem_write(address, (0x2222).to_bytes(8, "little"))
        return True

    uc.hook_add(UC_HOOK_MEM_READ_UNMAPPED, on_demand)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "rax": reg(uc, "rax"), "rbx": reg(uc, "rbx")}


@scenario
def unmapped_load_then_mapped() -> Result:
    """A load faults on unmapped memory; once the host maps it, the same load reads it."""
    from unicorn import UC_PROT_ALL

    code, _ = load_twice(DATA, FAR)
    uc = x86(code)
    first = run(uc, CODE, CODE + len(code))
    uc.mem_map(FAR, PAGE, UC_PROT_ALL)
    uc.mem_write(FAR, (0x3333).to_bytes(8, "little"))
    second = run(uc, CODE, CODE + len(code))
    return {"runs": [first, second], "rbx": reg(uc, "rbx")}


@scenario
def remapped_to_other_host_memory() -> Result:
    """Memory read, unmapped and mapped again on other host memory mid-run: the new memory."""
    from unicorn import UC_PROT_ALL

    old = (ctypes.c_uint64 * (PAGE // 8))(0x4444)
    new = (ctypes.c_uint64 * (PAGE // 8))(0x5555)
    code, mark = load_twice(FAR, FAR)
    uc = x86(code)
    uc.mem_map_ptr(FAR, PAGE, UC_PROT_ALL, ctypes.addressof(old))

    def remap(uc: Any) -> None:
        uc.mem_unmap(FAR, PAGE)
        uc.mem_map_ptr(FAR, PAGE, UC_PROT_ALL, ctypes.addressof(new))

    at(uc, CODE + mark, remap)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "rax": reg(uc, "rax"), "rbx": reg(uc, "rbx")}


@scenario
def code_in_reused_ram_offsets() -> Result:
    """Regions of 1-3 pages, every other one unmapped, new ones of other sizes in the
    freed RAM offsets; each holds `mov eax, n; ret` that a store then rewrites to
    return n + 1000: every region runs its own code, before and after the store."""
    from unicorn import UC_PROT_ALL
    from unicorn.x86_const import UC_X86_REG_RSP

    uc = x86(b"\x90")

    def function(n: int) -> bytes:
        return b"\xb8" + n.to_bytes(4, "little") + b"\xc3"  # mov eax, n; ret

    regions = {FAR + i * 0x10000: 1 + i % 3 for i in range(48)}
    for base, pages in regions.items():
        uc.mem_map(base, pages * PAGE, UC_PROT_ALL)
    for base in list(regions)[::2]:
        uc.mem_unmap(base, regions.pop(base) * PAGE)
    for i in range(24):
        base = FAR + 0x1000000 + i * 0x10000
        regions[base] = 3 - i % 3
        uc.mem_map(base, regions[base] * PAGE, UC_PROT_ALL)
    results = []
    for n, base in enumerate(sorted(regions)):
        target = base + (regions[base] - 1) * PAGE + 0x800
        uc.mem_write(target, function(n))
        rewrite = assemble(f"""
            mov rax, {target}
            call rax
            mov ebx, eax
            mov rcx, {target + 1}
            mov dword ptr [rcx], {n + 1000}
            mov rax, {target}
            call rax
        """)
        uc.mem_write(base, rewrite)
        uc.reg_write(UC_X86_REG_RSP, DATA + 0x800)
        status = run(uc, base, base + len(rewrite))
        results.append((status, reg(uc, "ebx") - n, reg(uc, "eax") - n))
    return {"regions": len(regions), "results": sorted(set(results))}


@scenario
def many_regions_at_once() -> Result:
    """70,000 one-page regions mapped at once (past 65,536: section numbers were 16-bit),
    on one host buffer whose pages hold their own numbers: a load from each of a few,
    the last included, reads its own page."""
    from unicorn import UC_PROT_ALL

    count = 70_000
    backing = (ctypes.c_uint64 * (count * PAGE // 8))()
    for n in range(count):
        backing[n * PAGE // 8] = n
    base = 0x100000000
    uc = x86(b"\x90")
    for n in range(count):  # every other guest page: no two regions touch
        uc.mem_map_ptr(base + 2 * n * PAGE, PAGE, UC_PROT_ALL,
                       ctypes.addressof(backing) + n * PAGE)
    probes = [0, 1, 4095, 4096, *range(65_520, 65_540), count - 1]
    read = []
    for i, n in enumerate(probes):  # each probe's code at its own address: none cached
        code = assemble(f"mov rsi, {base + 2 * n * PAGE}\nmov rax, qword ptr [rsi]")
        uc.mem_write(CODE + 0x40 * i, code)
        status = run(uc, CODE + 0x40 * i, CODE + 0x40 * i + len(code))
        read.append([n, status, reg(uc, "rax")])
    return {"read": read}


if __name__ == "__main__":
    assert SCENARIOS
    sys.exit(main())
