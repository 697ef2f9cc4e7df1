# SPDX-License-Identifier: GPL-2.0-or-later
"""Engine scenarios, run in a child process on one libunicorn.so.2.

The Unicorn Python binding loads its library once, at import, from
``LIBUNICORN_PATH``; so each scenario runs in a fresh interpreter started by
the tests (``python scenarios.py <name>``) with that variable pointing at
the engine under test, and prints one JSON object: the library actually
mapped and the scenario's result.  The tests run a scenario on the patched
engine and, where Unicorn's behaviour must not change, on the stock wheel's
engine too, and compare.

x86-64 code is assembled at run time with GNU as; the few arm64 and riscv64
instructions are given as encodings (checked with capstone by the tests).
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CODE = 0x10000  # the code page(s), read-write-execute unless a scenario says otherwise
DATA = 0x20000  # a read-write data page
JIT = 0x30000  # a read-write-execute page that starts with no code
STACK = 0x80000  # top of a 64 KiB stack
RO = 0x40000  # a read-only page
WO = 0x50000  # a write-only page

Result = dict[str, Any]
SCENARIOS: dict[str, Callable[[], Result]] = {}


def scenario(function: Callable[[], Result]) -> Callable[[], Result]:
    SCENARIOS[function.__name__] = function
    return function


def assemble(source: str) -> bytes:
    """Assemble Intel-syntax x86-64 source into flat machine code."""
    with tempfile.TemporaryDirectory(prefix="engine-asm-") as tmp:
        asm = Path(tmp) / "code.s"
        obj = Path(tmp) / "code.o"
        raw = Path(tmp) / "code.bin"
        asm.write_text(".intel_syntax noprefix\n.text\n" + source + "\n")
        subprocess.run(["as", "--64", "-o", str(obj), str(asm)], check=True)
        subprocess.run(["objcopy", "-O", "binary", "-j", ".text", str(obj), str(raw)],
                       check=True)
        return raw.read_bytes()


def x86(code: bytes, code_perms: int | None = None) -> Any:
    """A 64-bit x86 engine with the standard pages mapped and code at CODE."""
    from unicorn import UC_ARCH_X86, UC_MODE_64, UC_PROT_ALL, UC_PROT_READ, UC_PROT_WRITE, Uc
    from unicorn.x86_const import UC_X86_REG_RSP

    uc = Uc(UC_ARCH_X86, UC_MODE_64)
    uc.mem_map(CODE, 0x2000, UC_PROT_ALL)
    uc.mem_write(CODE, code)
    if code_perms is not None:
        uc.mem_protect(CODE, 0x2000, code_perms)
    uc.mem_map(DATA, 0x1000, UC_PROT_READ | UC_PROT_WRITE)
    uc.mem_map(JIT, 0x1000, UC_PROT_ALL)
    uc.mem_map(RO, 0x1000, UC_PROT_READ)
    uc.mem_map(WO, 0x1000, UC_PROT_WRITE)
    uc.mem_map(STACK - 0x10000, 0x10000, UC_PROT_READ | UC_PROT_WRITE)
    uc.reg_write(UC_X86_REG_RSP, STACK - 0x100)
    return uc


def run(uc: Any, begin: int, until: int, **kwargs: int) -> str:
    """emu_start; return "ok" or the UcError's errno name."""
    from unicorn import UcError

    try:
        uc.emu_start(begin, until, **kwargs)
    except UcError as error:
        return error_name(error.errno)
    return "ok"


def error_name(errno: int) -> str:
    import unicorn

    for name in dir(unicorn):
        if name.startswith("UC_ERR_") and getattr(unicorn, name) == errno:
            return name
    return str(errno)


def reg(uc: Any, name: str) -> int:
    from unicorn import x86_const

    return int(uc.reg_read(getattr(x86_const, f"UC_X86_REG_{name.upper()}")))


# --- self-modifying and generated code -------------------------------------


@scenario
def smc_same_block() -> Result:
    """A store rewrites an instruction further on in the block it is in."""
    code = assemble("""
        lea rdi, [rip + site]
        mov dword ptr [rdi + 1], 42
    site:
        mov eax, 0x11111111
    end:
    """)
    uc = x86(code)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "eax": reg(uc, "eax")}


@scenario
def smc_cached_function() -> Result:
    """A function is called (and cached) 100 times, rewritten, called 100 more."""
    code = assemble("""
        xor ebx, ebx
        mov ecx, 100
    first:
        call f
        add ebx, eax
        dec ecx
        jnz first
        lea rdi, [rip + f]
        mov dword ptr [rdi + 1], 2
        mov ecx, 100
    second:
        call f
        add ebx, eax
        dec ecx
        jnz second
        jmp end
    f:
        mov eax, 1
        ret
    end:
    """)
    uc = x86(code)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "ebx": reg(uc, "ebx")}


@scenario
def jit_page_used_as_data_first() -> Result:
    """JIT: a page written as data (fast-path stores), then code, then rewritten.

    The store fast path must not survive the page getting code: the rewrite
    has to invalidate the first translation.
    """
    code = assemble(f"""
        mov rdi, {JIT}
        mov rcx, 4096
        xor eax, eax
        mov rdx, rdi
    fill:
        mov byte ptr [rdx], al
        inc rdx
        dec rcx
        jnz fill
        mov dword ptr [rdi], 0x000007b8
        mov word ptr [rdi + 4], 0xc300
        xor ebx, ebx
        mov ecx, 50
    first:
        call rdi
        add ebx, eax
        dec ecx
        jnz first
        mov byte ptr [rdi + 1], 9
        mov ecx, 50
    second:
        call rdi
        add ebx, eax
        dec ecx
        jnz second
    end:
    """)
    uc = x86(code)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "ebx": reg(uc, "ebx")}


@scenario
def host_write_needs_remove_cache() -> Result:
    """uc_mem_write over cached code takes effect after uc_ctl_remove_cache."""
    code = assemble("""
        mov eax, 1
    end:
    """)
    uc = x86(code)
    results = [run(uc, CODE, CODE + len(code)), reg(uc, "eax")]
    uc.mem_write(CODE + 1, (5).to_bytes(4, "little"))
    uc.ctl_remove_cache(CODE, CODE + len(code))
    results += [run(uc, CODE, CODE + len(code)), reg(uc, "eax")]
    return {"runs": results}


# --- protections ------------------------------------------------------------


@scenario
def fetch_from_data_page() -> Result:
    """Jumping into a page without UC_PROT_EXEC faults."""
    code = assemble(f"""
        mov rdi, {DATA}
        mov byte ptr [rdi], 0xc3
        call rdi
    end:
    """)
    uc = x86(code)
    return {"status": run(uc, CODE, CODE + len(code)), "rip": reg(uc, "rip")}


@scenario
def write_to_own_code_page() -> Result:
    """W^X: code in a read-execute page writing to that page faults."""
    from unicorn import UC_PROT_EXEC, UC_PROT_READ

    code = assemble("""
        lea rdi, [rip + end]
        mov byte ptr [rdi], 0x90
    end:
    """)
    uc = x86(code, UC_PROT_READ | UC_PROT_EXEC)
    return {"status": run(uc, CODE, CODE + len(code)), "rip": reg(uc, "rip")}


@scenario
def protect_after_fast_stores() -> Result:
    """Stores went fast to a page; mem_protect to read-only must stop them."""
    from unicorn import UC_PROT_READ

    code = assemble(f"""
        mov rdi, {DATA}
        mov ecx, 1000
    again:
        mov qword ptr [rdi + 8], rcx
        dec ecx
        jnz again
    end:
    """)
    uc = x86(code)
    first = run(uc, CODE, CODE + len(code))
    uc.mem_protect(DATA, 0x1000, UC_PROT_READ)
    second = run(uc, CODE, CODE + len(code))
    value = int.from_bytes(uc.mem_read(DATA + 8, 8), "little")
    return {"first": first, "second": second, "rip": reg(uc, "rip"), "value": value}


@scenario
def protect_from_hook_mid_run() -> Result:
    """A code hook makes the data page read-only half-way through a store loop."""
    from unicorn import UC_HOOK_CODE, UC_PROT_READ

    code = assemble(f"""
        mov rdi, {DATA}
        mov ecx, 1000
    again:
        mov qword ptr [rdi], rcx
    mark:
        dec ecx
        jnz again
    end:
    """)
    uc = x86(code)
    mark = CODE + code.index(bytes.fromhex("ffc9"))  # dec ecx

    def protect(uc: Any, address: int, size: int, data: Any) -> None:
        if reg(uc, "ecx") == 500:
            uc.mem_protect(DATA, 0x1000, UC_PROT_READ)

    uc.hook_add(UC_HOOK_CODE, protect, begin=mark, end=mark)
    status = run(uc, CODE, CODE + len(code))
    value = int.from_bytes(uc.mem_read(DATA, 8), "little")
    return {"status": status, "ecx": reg(uc, "ecx"), "value": value}


@scenario
def map_ptr_read_only() -> Result:
    """A read-only uc_mem_map_ptr region is not writable by the guest."""
    from unicorn import UC_PROT_READ

    backing = (ctypes.c_ubyte * 0x1000)()
    code = assemble("""
        mov rdi, 0x60000
        mov qword ptr [rdi], 7
    end:
    """)
    uc = x86(code)
    uc.mem_map_ptr(0x60000, 0x1000, UC_PROT_READ, ctypes.addressof(backing))
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "first_byte": backing[0]}


@scenario
def read_after_store_on_write_only() -> Result:
    """A store then a load on a write-only page: the load must fault.

    Stock 2.1.4 lets the load through (the store filled the TLB entry).
    """
    code = assemble(f"""
        mov rdi, {WO}
        mov qword ptr [rdi], 3
        mov rax, qword ptr [rdi]
    end:
    """)
    uc = x86(code)
    return {"status": run(uc, CODE, CODE + len(code)), "rip": reg(uc, "rip")}


@scenario
def store_to_read_only() -> Result:
    code = assemble(f"""
        mov rdi, {RO}
        mov rax, qword ptr [rdi]
        mov qword ptr [rdi], 3
    end:
    """)
    uc = x86(code)
    return {"status": run(uc, CODE, CODE + len(code)), "rip": reg(uc, "rip")}


# --- hooks and stopping -----------------------------------------------------

# rcx stores, counting rcx down; the run ends in a block of its own ("done"),
# because Unicorn drops the cached block holding the last byte before `until`.
STORE_LOOP = f"""
    mov rdi, {DATA}
again:
    mov qword ptr [rdi], rcx
    dec rcx
    jnz again
    jmp done
done:
    mov eax, 1
end:
"""


def recorder(sink: list[int]) -> Callable[..., None]:
    """A UC_HOOK_MEM_WRITE callback appending each store's address to sink."""

    def record(uc: Any, access: int, address: int, size: int, value: int, data: Any) -> None:
        sink.append(address)

    return record


def store_loop_engine() -> tuple[Any, bytes]:
    code = assemble(STORE_LOOP)
    return x86(code), code


@scenario
def write_hook_added_between_runs() -> Result:
    """500 stores, add a write hook, 500 more: with and without remove_cache.

    The loop's block stays cached between the runs (the run ends in another
    block), so without remove_cache the second run executes code translated
    before the hook existed.
    """
    from unicorn import UC_HOOK_MEM_WRITE
    from unicorn.x86_const import UC_X86_REG_RCX

    seen = {}
    for flush in (False, True):
        uc, code = store_loop_engine()
        uc.reg_write(UC_X86_REG_RCX, 500)
        first = run(uc, CODE, CODE + len(code))
        writes: list[int] = []
        uc.hook_add(UC_HOOK_MEM_WRITE, recorder(writes))
        if flush:
            uc.ctl_remove_cache(CODE, CODE + len(code))
        uc.reg_write(UC_X86_REG_RCX, 500)
        second = run(uc, CODE, CODE + len(code))
        seen["remove_cache" if flush else "no_remove_cache"] = [first, second, len(writes)]
    return seen


@scenario
def write_hook_added_mid_run() -> Result:
    """A code hook adds a write hook half-way through a running store loop."""
    from unicorn import UC_HOOK_CODE, UC_HOOK_MEM_WRITE
    from unicorn.x86_const import UC_X86_REG_RCX

    uc, code = store_loop_engine()
    uc.reg_write(UC_X86_REG_RCX, 1000)
    mark = CODE + code.index(bytes.fromhex("48ffc9"))
    writes: list[int] = []

    def add_hook(uc: Any, address: int, size: int, data: Any) -> None:
        if reg(uc, "rcx") == 500:
            uc.hook_add(UC_HOOK_MEM_WRITE,
                        lambda uc, access, addr, size, value, data: writes.append(value))

    uc.hook_add(UC_HOOK_CODE, add_hook, begin=mark, end=mark)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "writes": len(writes), "first": writes[0] if writes else None}


@scenario
def stop_in_block_hook() -> Result:
    """uc_emu_stop in a block hook keeps that block's instructions from running."""
    from unicorn import UC_HOOK_BLOCK

    code = assemble("""
        mov eax, 1
        jmp target
    target:
        mov eax, 2
        mov ebx, 3
    end:
    """)
    uc = x86(code)
    target = CODE + code.index(bytes.fromhex("b802000000"))
    stops = []

    def block(uc: Any, address: int, size: int, data: Any) -> None:
        if address == target and not stops:
            stops.append(address)
            uc.emu_stop()

    uc.hook_add(UC_HOOK_BLOCK, block)
    first = run(uc, CODE, CODE + len(code))
    after_stop = {"eax": reg(uc, "eax"), "ebx": reg(uc, "ebx"), "rip": reg(uc, "rip") - CODE}
    second = run(uc, reg(uc, "rip"), CODE + len(code))
    return {"first": first, "after_stop": after_stop, "second": second,
            "eax": reg(uc, "eax"), "ebx": reg(uc, "ebx")}


@scenario
def stop_in_write_hook() -> Result:
    """uc_emu_stop in a write hook stops right after that store."""
    from unicorn import UC_HOOK_MEM_WRITE
    from unicorn.x86_const import UC_X86_REG_RCX

    uc, code = store_loop_engine()
    uc.reg_write(UC_X86_REG_RCX, 100)
    count = []

    def write(uc: Any, access: int, address: int, size: int, value: int, data: Any) -> None:
        count.append(value)
        if len(count) == 3:
            uc.emu_stop()

    uc.hook_add(UC_HOOK_MEM_WRITE, write)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "writes": count, "rcx": reg(uc, "rcx"),
            "rip": reg(uc, "rip") - CODE}


def endless(with_store: bool) -> tuple[Any, bytes]:
    body = f"mov rdi, {DATA}\nspin:\n" + ("mov qword ptr [rdi], rax\n" if with_store else "")
    code = assemble(body + "inc rax\njmp spin\nend:\n")
    return x86(code), code


@scenario
def stop_from_other_thread() -> Result:
    """uc_emu_stop from another thread ends an endless loop (with and without stores)."""
    seconds = {}
    for with_store in (False, True):
        uc, code = endless(with_store)
        timer = threading.Timer(0.3, uc.emu_stop)
        start = time.monotonic()
        timer.start()
        status = run(uc, CODE, CODE + len(code))
        seconds["store" if with_store else "registers"] = [status, time.monotonic() - start,
                                                           reg(uc, "rax") > 0]
    return seconds


@scenario
def async_stop_never_repeats_a_store() -> Result:
    """Stops from another thread land between blocks, never just after a store.

    The loop adds 1 to a cell on the code page (so every store takes the
    slow path) and then counts in rcx; if a stop restarted the add after its
    store, the cell would run ahead of rcx.  Stock Unicorn checks for a stop
    after every access and restarts the instruction, so there it drifts.
    """
    from unicorn.x86_const import UC_X86_REG_RCX

    code = assemble("""
    again:
        add qword ptr [rip + cell], 1
        inc rcx
        jmp again
        .balign 8
    cell:
        .quad 0
    end:
    """)
    uc = x86(code)
    cell = CODE + len(code) - 8
    uc.reg_write(UC_X86_REG_RCX, 0)
    stops = 300
    done = threading.Event()

    def stopper() -> None:
        for _ in range(stops):
            time.sleep(0.0005)
            uc.emu_stop()
        done.set()

    thread = threading.Thread(target=stopper)
    thread.start()
    runs = 0
    pc = CODE
    while not done.is_set() or runs == 0:
        status = run(uc, pc, CODE + len(code), timeout=2_000_000)
        assert status == "ok", status
        pc = reg(uc, "rip")
        runs += 1
    thread.join()
    counter = int.from_bytes(uc.mem_read(cell, 8), "little")
    return {"runs": runs, "ahead": counter - reg(uc, "rcx"), "counted": reg(uc, "rcx") > 0}


@scenario
def timeout_ends_endless_loop() -> Result:
    results = {}
    for with_store in (False, True):
        uc, code = endless(with_store)
        start = time.monotonic()
        status = run(uc, CODE, CODE + len(code), timeout=300_000)
        results["store" if with_store else "registers"] = [status, time.monotonic() - start]
    return results


@scenario
def snapshot_copy_on_write() -> Result:
    """A context with memory: guest stores after the save are undone by restore."""
    from unicorn import UC_CTL_CONTEXT_CPU, UC_CTL_CONTEXT_MEMORY, UC_CTL_IO_WRITE
    from unicorn.unicorn_const import UC_CTL_CONTEXT_MODE

    code = assemble(f"""
        mov rdi, {DATA}
        mov ecx, 64
    again:
        mov qword ptr [rdi + rcx * 8], rcx
        dec ecx
        jnz again
    end:
    """)
    uc = x86(code)
    uc.ctl(UC_CTL_CONTEXT_MODE, UC_CTL_IO_WRITE,
           ctypes.c_int(UC_CTL_CONTEXT_CPU | UC_CTL_CONTEXT_MEMORY))
    uc.mem_write(DATA, b"\x5a" * 0x1000)
    saved = uc.context_save()
    status = run(uc, CODE, CODE + len(code))
    during = bytes(uc.mem_read(DATA + 8, 8)).hex()
    uc.context_restore(saved)
    after = bytes(uc.mem_read(DATA, 0x1000))
    return {"status": status, "during": during, "restored": after == b"\x5a" * 0x1000}


@scenario
def virtual_tlb_mixed_access() -> Result:
    """UC_TLB_VIRTUAL: loads and stores on one page, then a write-protection fault."""
    from unicorn import UC_TLB_VIRTUAL

    code = assemble(f"""
        mov rsi, {DATA}
        xor edx, edx
    again:
        mov rcx, rdx
        and ecx, 0x1ff
        add qword ptr [rsi + rcx * 8], rdx
        inc rdx
        cmp rdx, 5000
        jb again
        mov rdi, {RO}
        mov qword ptr [rdi], rdx
    end:
    """)
    uc = x86(code)
    uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
    status = run(uc, CODE, CODE + len(code))
    total = sum(int.from_bytes(uc.mem_read(DATA + 8 * i, 8), "little") for i in range(512))
    return {"status": status, "sum": total, "rip": reg(uc, "rip") - CODE}


# --- other targets -----------------------------------------------------------

ARM64_CODE = [
    0xD2800021,  # mov x1, #1
    0xB9000001,  # str w1, [x0]
    0xB9400002,  # ldr w2, [x0]
    0x11000442,  # add w2, w2, #1
    0xB9000002,  # str w2, [x0]
    0xB9000083,  # str w3, [x4]      (rewrites the next instruction)
    0x52800020,  # mov w0, #1        (becomes mov w0, #42)
]
ARM64_MOV_W0_42 = 0x52800540


@scenario
def arm64_store_load_and_smc() -> Result:
    from unicorn import UC_ARCH_ARM64, UC_MODE_ARM, UC_PROT_ALL, Uc
    from unicorn.arm64_const import (
        UC_ARM64_REG_W0,
        UC_ARM64_REG_X0,
        UC_ARM64_REG_X3,
        UC_ARM64_REG_X4,
    )

    code = b"".join(word.to_bytes(4, "little") for word in ARM64_CODE)
    uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    uc.mem_map(CODE, 0x1000, UC_PROT_ALL)
    uc.mem_map(DATA, 0x1000, UC_PROT_ALL)
    uc.mem_write(CODE, code)
    uc.reg_write(UC_ARM64_REG_X0, DATA)
    uc.reg_write(UC_ARM64_REG_X3, ARM64_MOV_W0_42)
    uc.reg_write(UC_ARM64_REG_X4, CODE + 4 * (len(ARM64_CODE) - 1))
    status = run(uc, CODE, CODE + len(code))
    stored = int.from_bytes(uc.mem_read(DATA, 4), "little")
    return {"status": status, "stored": stored, "w0": uc.reg_read(UC_ARM64_REG_W0)}


RISCV64_CODE = [
    0x00100593,  # li a1, 1
    0x00B52023,  # sw a1, 0(a0)
    0x00052603,  # lw a2, 0(a0)
    0x00160613,  # addi a2, a2, 1
    0x00C52023,  # sw a2, 0(a0)
]


@scenario
def riscv64_store_load() -> Result:
    from unicorn import UC_ARCH_RISCV, UC_MODE_RISCV64, UC_PROT_ALL, Uc
    from unicorn.riscv_const import UC_RISCV_REG_A0

    code = b"".join(word.to_bytes(4, "little") for word in RISCV64_CODE)
    uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV64)
    uc.mem_map(CODE, 0x1000, UC_PROT_ALL)
    uc.mem_map(DATA, 0x1000, UC_PROT_ALL)
    uc.mem_write(CODE, code)
    uc.reg_write(UC_RISCV_REG_A0, DATA)
    status = run(uc, CODE, CODE + len(code))
    return {"status": status, "stored": int.from_bytes(uc.mem_read(DATA, 4), "little")}


# --- speed --------------------------------------------------------------------


@scenario
def store_loop_speed() -> Result:
    """Seconds per iteration of a load+store loop (for a coarse fast-path check)."""
    from unicorn.x86_const import UC_X86_REG_RCX

    uc, code = store_loop_engine()

    def timed(count: int) -> float:
        uc.reg_write(UC_X86_REG_RCX, count)
        start = time.process_time()
        uc.emu_start(CODE, CODE + len(code))
        return time.process_time() - start

    timed(1000)
    best = min(timed(400_000) - timed(200_000) for _ in range(3))
    return {"seconds_per_iteration": max(best, 1e-12) / 200_000}


@scenario
def xsave_ymm_component() -> Result:
    """Issue 23 (patch 0018): XSAVE and XRSTOR with XCR0 = x87|SSE|AVX, the CPUID features
    given through patch 0010's uc_x86_cpuid_features.  ymm3 and ymm9 are loaded from
    DATA, saved at DATA+0x400, cleared and restored; then restored again with
    XSTATE_BV[2] cleared.  Returns the XSTATE_BV XSAVE wrote, the 16-byte YMM_Hi128 rows of
    ymm3 and ymm9 (offset 576 + 16 * n) and the registers after each restore."""
    from unicorn import UC_PROT_ALL
    area = DATA + 0x400
    code = assemble(f"""
        vmovdqu ymm3, [{DATA:#x}]
        vmovdqu ymm9, [{DATA + 32:#x}]
        mov eax, 7
        xor edx, edx
        mov rbx, {area:#x}
        xsave [rbx]
        vpxor xmm3, xmm3, xmm3
        vpxor xmm9, xmm9, xmm9
        xrstor [rbx]
        vmovdqu [{DATA + 0x100:#x}], ymm3
        vmovdqu [{DATA + 0x120:#x}], ymm9
        mov rax, [rbx + 512]
        mov [{DATA + 0x180:#x}], rax
        and byte ptr [rbx + 512], 0xfb
        mov eax, 7
        xrstor [rbx]
        vmovdqu [{DATA + 0x140:#x}], ymm3
    """)
    uc = x86(code)
    uc.mem_protect(DATA, 0x1000, UC_PROT_ALL)
    uc.mem_write(DATA, bytes(range(1, 65)))
    # CPUID rows (leaf, subleaf, eax, ebx, ecx, edx): SSE..SSE4.2, XSAVE, AVX; long mode
    rows = [(1, 0, 0, 0, (1 << 0) | (1 << 9) | (1 << 19) | (1 << 20) | (1 << 26) | (1 << 28),
             0x0789FBFF),
            (7, 0, 0, 0, 0, 0),
            (0x80000001, 0, 0, 0, 1, (1 << 29) | (1 << 20) | (1 << 11))]
    flat = (ctypes.c_uint32 * (6 * len(rows)))(*[v for row in rows for v in row])
    lib = ctypes.CDLL(loaded_engine())
    lib.uc_x86_cpuid_features.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    status = lib.uc_x86_cpuid_features(uc._uch, flat, len(rows))
    outcome = run(uc, CODE, CODE + len(code))
    saved = bytes(uc.mem_read(area, 832))
    after = bytes(uc.mem_read(DATA + 0x100, 0x60))
    return {"status": status, "run": outcome,
            "xstate_bv": int.from_bytes(bytes(uc.mem_read(DATA + 0x180, 8)), "little"),
            "ymm3_hi": saved[576 + 16 * 3:576 + 16 * 4].hex(),
            "ymm9_hi": saved[576 + 16 * 9:576 + 16 * 10].hex(),
            "ymm3_restored": after[0:32].hex(), "ymm9_restored": after[32:64].hex(),
            "ymm3_without_bv2": after[64:96].hex()}


def loaded_engine() -> str:
    """The libunicorn file this process mapped."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        if "libunicorn" in line:
            return line.split()[-1]
    return ""


def main() -> int:
    name = sys.argv[1]
    result = SCENARIOS[name]()
    print(json.dumps({"engine": loaded_engine(), "result": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
