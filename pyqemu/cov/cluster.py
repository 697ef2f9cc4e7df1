# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a corpus on a Dask distributed cluster (``pyqemu-cov run --cluster ADDRESS``).

The corpus is cut into chunks; each chunk is one Dask task that writes its
inputs to a scratch directory on the worker and runs them with the local
runner (corpus.py) in a fresh Python process, since the runner forks and a
Dask worker is a threaded process.  A task returns its merged coverage as
drcov bytes and its run stats; the client merges them as they arrive.
The target and the plugin must be at the same paths on every worker.

Dask is optional (``pip install 'pyqemu[cov]'``): without it ``--cluster``
is a CorpusError.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pyqemu.cov import drcov
from pyqemu.cov.corpus import CorpusError, CorpusJob, Progress, RunStats
from pyqemu.cov.drcov import Coverage

# Chunks per worker thread: enough to balance uneven inputs, few enough that the start-up of
# each chunk's process stays small next to its runs.
CHUNKS_PER_THREAD = 2


def run_chunk(job: CorpusJob, inputs: list[bytes]) -> tuple[bytes, dict]:
    """One Dask task: run job over inputs; (drcov bytes of the merged coverage, stats)."""
    with tempfile.TemporaryDirectory(prefix="pyqemu-cov-chunk-") as tmp:
        work = Path(tmp)
        paths = []
        for index, data in enumerate(inputs):
            path = work / f"input-{index:06d}"
            path.write_bytes(data)
            paths.append(str(path))
        spec = {"target": list(job.target), "plugin": job.plugin, "timeout": job.timeout,
                "inputs": paths, "coverage": str(work / "merged.drcov"),
                "stats": str(work / "stats.json")}
        (work / "spec.json").write_text(json.dumps(spec))
        done = subprocess.run([sys.executable, "-m", "pyqemu.cov.corpus", str(work / "spec.json")],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"corpus chunk failed on the worker: {last}")
        return (work / "merged.drcov").read_bytes(), json.loads((work / "stats.json").read_text())


def _chunks(inputs: Sequence[Path], n_threads: int) -> list[list[Path]]:
    size = max(1, -(-len(inputs) // max(1, n_threads * CHUNKS_PER_THREAD)))
    return [list(inputs[at:at + size]) for at in range(0, len(inputs), size)]


def run_on_cluster(address: str, job: CorpusJob, inputs: Sequence[Path],
                   progress: Progress | None = None) -> tuple[Coverage, RunStats]:
    """Runs job over inputs on the Dask scheduler at address; merged coverage and stats."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise CorpusError("--cluster needs dask.distributed "
                          "(pip install 'pyqemu[cov]' or 'dask[distributed]')") from None
    cov, stats = Coverage(), RunStats()
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise CorpusError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        n_threads = sum(w.get("nthreads", 1)
                        for w in client.scheduler_info()["workers"].values())
        futures = {}
        for chunk in _chunks(inputs, n_threads):
            future = client.submit(run_chunk, job, [p.read_bytes() for p in chunk], pure=False)
            futures[future] = len(chunk)
        for future in as_completed(futures):
            try:
                data, chunk_stats = future.result()
            except Exception as exc:  # a failed task re-raises whatever the worker raised
                raise CorpusError(f"{type(exc).__name__}: {exc}") from None
            cov.merge(drcov.parse(data))
            part = RunStats(**chunk_stats)
            stats.add(part)
            if progress is not None:
                progress.update(futures[future])
    return cov, stats

