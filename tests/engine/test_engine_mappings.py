# SPDX-License-Identifier: GPL-2.0-or-later
"""Mapping changes while code runs, on the patched engine (patch 0029).

Every uc_mem_map_ptr and uc_mem_unmap flushed the whole TLB (and the TB jump
cache with it), so a guest making many mappings paid the refill of its working
set for each; RAM offsets were found by a search over every pair of blocks.
Now a change drops only what it can make stale.  These check that what can be
stale still is dropped, each against the stock engine, and that a change of a
range no access touched leaves the TLB as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "mapping_scenarios.py"

SAME_AS_STOCK = [
    "map_on_demand_from_unmapped_hook",
    "unmapped_load_then_mapped",
    "remapped_to_other_host_memory",
    "code_in_reused_ram_offsets",
]


@pytest.mark.parametrize("name", SAME_AS_STOCK)
def test_same_as_stock_engine(name, run_scenario, our_engine, stock_engine):
    ours = run_scenario(name, our_engine, SCRIPT)
    assert ours == run_scenario(name, stock_engine, SCRIPT)
    assert "UC_ERR" not in str(ours) or name == "unmapped_load_then_mapped"


def test_stale_memory_is_not_read(run_scenario, our_engine):
    # each load reads the value the host put in the memory mapped there at that moment
    assert run_scenario("map_on_demand_from_unmapped_hook", our_engine, SCRIPT)["rbx"] == 0x2222
    assert run_scenario("unmapped_load_then_mapped", our_engine, SCRIPT)["rbx"] == 0x3333
    remapped = run_scenario("remapped_to_other_host_memory", our_engine, SCRIPT)
    assert (remapped["rax"], remapped["rbx"]) == (0x4444, 0x5555)


def test_unrelated_mapping_change_keeps_the_tlb(run_scenario, our_engine, stock_engine):
    ours = run_scenario("unrelated_map_and_unmap_fills", our_engine, SCRIPT)
    stock = run_scenario("unrelated_map_and_unmap_fills", stock_engine, SCRIPT)
    assert ours["status"] == stock["status"] == "ok"
    before = ours["events"][:ours["events"].index("map")]
    assert before == stock["events"][:stock["events"].index("map")]
    # the code and data pages were filled once, before the change...
    assert {"fill 0x10000", "fill 0x20000"} <= set(before)
    # ...and not again after it (the stock engine, like ours before 0029, fills both anew)
    assert ours["events"][ours["events"].index("done") + 1:] == []
    assert set(stock["events"][stock["events"].index("done") + 1:]) == {
        "fill 0x10000", "fill 0x20000"}


def test_each_of_70000_regions_reads_its_own_memory(run_scenario, our_engine):
    # not on the stock engine: its find_ram_offset alone makes this take hours
    read = run_scenario("many_regions_at_once", our_engine, SCRIPT)["read"]
    assert read == [[n, "ok", n] for n, _, _ in read]
