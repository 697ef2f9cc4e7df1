# SPDX-License-Identifier: GPL-2.0-or-later
"""Hooks and stopping on the patched engine (patches 0001 and 0003).

A write hook added while code is cached must see the stores of that code (with
uc_ctl_remove_cache, and, as with stock Unicorn, even without it); uc_emu_stop
from a block hook must keep the block from running, from a write hook must stop
after that store, and from another thread or the timeout thread must end an
endless loop whether or not it touches memory.
"""

from __future__ import annotations

import pytest

EXPECTED = {
    "write_hook_added_between_runs": {
        "no_remove_cache": ["ok", "ok", 500],
        "remove_cache": ["ok", "ok", 500],
    },
    # added when rcx == 500 at `dec rcx`: the 499 stores after that one are seen
    "write_hook_added_mid_run": {"status": "ok", "writes": 499, "first": 499},
    # stopped at the block `mov eax,2; mov ebx,3`: neither ran, RIP is the block
    "stop_in_block_hook": {
        "first": "ok",
        "after_stop": {"eax": 1, "ebx": 0, "rip": 7},
        "second": "ok",
        "eax": 2,
        "ebx": 3,
    },
    # stopped in the third store's hook: RIP stays at that store
    "stop_in_write_hook": {"status": "ok", "writes": [100, 99, 98], "rcx": 98, "rip": 7},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hook_behaviour(name, run_scenario, our_engine):
    assert run_scenario(name, our_engine) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_stock_engine_agrees(name, run_scenario, stock_engine):
    assert run_scenario(name, stock_engine) == EXPECTED[name]


@pytest.mark.parametrize("name", ["stop_from_other_thread", "timeout_ends_endless_loop"])
def test_endless_loop_is_stopped(name, run_scenario, our_engine):
    # each case stops after 0.3 s; allow a loaded machine plenty of slack
    for case, (status, seconds, *rest) in run_scenario(name, our_engine).items():
        assert status == "ok", case
        assert 0.25 <= seconds < 10.0, (case, seconds)
        assert all(rest), case


def test_asynchronous_stop_never_restarts_a_store(run_scenario, our_engine):
    # ~300 stops from another thread while the guest loops on `add [cell], 1;
    # inc rcx`: each must land at a block start, so the cell never runs ahead.
    # (Stock Unicorn restarts the add after its store: the cell drifts by about
    # one per stop, which is how pyqemu's threaded guests lost atomic adds.)
    result = run_scenario("async_stop_never_repeats_a_store", our_engine)
    assert result["counted"] and result["runs"] > 10
    assert result["ahead"] == 0
