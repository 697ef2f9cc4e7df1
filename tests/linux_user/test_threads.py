"""Guest threads under pyqemu: each on its own vCPU, joined correctly every time.

A thread that exits at once must still find its tid in the CLONE_PARENT_SETTID
word so that CLONE_CHILD_CLEARTID can clear it and wake pthread_join; a
regression once made one run in three hang.  Repeated runs catch such races.
"""

from __future__ import annotations

import pytest
from harness import run_pyqemu

RUNS = 8


@pytest.mark.parametrize("flavor", ["gcc-static", "musl-static"])
def test_pthreads_join_every_time(guest_builder, flavor: str) -> None:
    guest = guest_builder.build("pthreads", flavor)
    for _ in range(RUNS):
        result = run_pyqemu([str(guest)], timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "threads=4 total=200020000\n"
