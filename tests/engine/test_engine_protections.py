# SPDX-License-Identifier: GPL-2.0-or-later
"""Page protections on the patched engine (patches 0001 and 0002).

The TLB now lets stores go fast wherever the slow path has nothing to do, so
these check every way a store or fetch must still fault: W^X pages, pages made
read-only after stores went fast (from the host and from a hook mid-run),
read-only uc_mem_map_ptr memory, snapshots' copy-on-write, and the virtual TLB
mode.  Unicorn's results must not change: each is compared with the stock engine.
"""

from __future__ import annotations

import pytest

SAME_AS_STOCK = {
    "fetch_from_data_page": {"status": "UC_ERR_FETCH_PROT", "rip": 0x20000},
    "write_to_own_code_page": {"status": "UC_ERR_WRITE_PROT"},
    "protect_after_fast_stores": {"first": "ok", "second": "UC_ERR_WRITE_PROT", "value": 1},
    "protect_from_hook_mid_run": {"status": "UC_ERR_WRITE_PROT", "ecx": 499, "value": 500},
    "map_ptr_read_only": {"status": "UC_ERR_WRITE_PROT", "first_byte": 0},
    "store_to_read_only": {"status": "UC_ERR_WRITE_PROT"},
    "snapshot_copy_on_write": {"status": "ok", "during": "0100000000000000", "restored": True},
    "virtual_tlb_mixed_access": {"status": "UC_ERR_WRITE_PROT", "sum": 12497500},
}


@pytest.mark.parametrize("name", sorted(SAME_AS_STOCK))
def test_fault_or_result_as_expected(name, run_scenario, our_engine):
    result = run_scenario(name, our_engine)
    assert {key: result[key] for key in SAME_AS_STOCK[name]} == SAME_AS_STOCK[name]


@pytest.mark.parametrize("name", sorted(SAME_AS_STOCK))
def test_same_as_stock_engine(name, run_scenario, our_engine, stock_engine):
    assert run_scenario(name, our_engine) == run_scenario(name, stock_engine)


def test_load_from_write_only_page_faults_after_a_store(run_scenario, our_engine):
    # Stock 2.1.4 returns the data here (the store filled the TLB entry and the
    # load hit it); patch 0001 keeps every load from such a page on the slow path.
    result = run_scenario("read_after_store_on_write_only", our_engine)
    assert result["status"] == "UC_ERR_READ_PROT"
    assert result["rip"] == 0x10000 + 14  # the load, after a 7-byte mov and a 7-byte store
