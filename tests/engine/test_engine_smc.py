# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-modifying and generated code on the patched engine (patch 0001).

Stores to a page that holds translated code must still invalidate it, now that
stores to every other page stay on the fast path; each case is also run on the
stock engine, which must agree.
"""

from __future__ import annotations

import pytest

# scenario -> the result Unicorn has always given (and real hardware would)
EXPECTED = {
    # the store rewrites the immediate of the next instruction in the same block
    "smc_same_block": {"status": "ok", "eax": 42},
    # 100 calls of a cached `mov eax,1; ret`, rewritten to `mov eax,2`, 100 more calls
    "smc_cached_function": {"status": "ok", "ebx": 300},
    # a page filled as data first (fast stores), then JIT code 50x7, rewritten, 50x9
    "jit_page_used_as_data_first": {"status": "ok", "ebx": 800},
    # host writes over cached code need uc_ctl_remove_cache, before and after the patches
    "host_write_needs_remove_cache": {"runs": ["ok", 1, "ok", 5]},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_code_rewritten_by_stores_runs_new_version(name, run_scenario, our_engine):
    assert run_scenario(name, our_engine) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stock_engine_agrees(name, run_scenario, stock_engine):
    assert run_scenario(name, stock_engine) == EXPECTED[name]
