# SPDX-License-Identifier: GPL-2.0-or-later
"""pyqemu-cov run: a corpus run once per input under pyqemu, with the coverage merged.

guests/branchy.c (static musl, so each run takes tens of milliseconds) branches on its
input bytes.  200 inputs run serially, with two jobs and on a two-worker Dask LocalCluster
must give the same merged coverage, which must exceed what any one input covers.  Each
way of feeding an input (stdin, or a file in place of @@) is checked against direct
pyqemu-x86_64 runs of the same inputs, merged; a hanging input must be cut by --timeout.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cov_cli_runs import run_cov, run_cov_process
from harness import plugin_spec, run_pyqemu
from prerequisites import import_or_missing, missing

from pyqemu.cov.corpus import Progress, find_plugin
from pyqemu.cov.drcov import Coverage, read

N_INPUTS = 200


@pytest.fixture(scope="module")
def branchy(cov_guest: Callable[..., Path]) -> Path:
    return cov_guest("branchy", "musl-static")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 inputs of 0-16 random bytes; one in ten starts with part of "FUZ"."""
    rng = random.Random("pyqemu-cov corpus")
    directory = tmp_path_factory.mktemp("corpus")
    for index in range(N_INPUTS):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(17)))
        if index % 10 == 0:
            data = b"FUZ"[:rng.randrange(1, 4)] + data
        (directory / f"input-{index:03d}").write_bytes(data)
    return directory


@pytest.fixture(scope="module")
def serial_coverage(branchy: Path, corpus: Path, drcov_plugin: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    out = tmp_path_factory.mktemp("serial") / "serial.drcov"
    started = time.monotonic()
    done = run_cov("run", "--jobs", "1", "-o", out, "--plugin", drcov_plugin, branchy,
                   "--", corpus)
    print(f"serial corpus run: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{N_INPUTS} runs, {N_INPUTS} exited, 0 killed by a signal, "
                                  "0 timed out\n"), done.stdout
    return read(out)


def guest_blocks(cov: Coverage, guest: Path) -> set[tuple[int, int]]:
    return cov.blocks[str(guest)]


def test_coverage_depends_on_the_input(serial_coverage: Coverage, branchy: Path,
                                       corpus: Path, drcov_plugin: Path,
                                       tmp_path: Path) -> None:
    single = tmp_path / "single.drcov"
    done = run_cov("run", "-o", single, "--plugin", drcov_plugin, branchy, "--",
                   corpus / "input-000")
    assert done.returncode == 0, done.stderr
    one = guest_blocks(read(single), branchy)
    assert one < guest_blocks(serial_coverage, branchy)


def test_two_jobs_give_the_serial_coverage(serial_coverage: Coverage, branchy: Path,
                                           corpus: Path, drcov_plugin: Path,
                                           tmp_path: Path) -> None:
    out = tmp_path / "jobs2.drcov"
    started = time.monotonic()
    done = run_cov("run", "--jobs", "2", "-o", out, "--plugin", drcov_plugin, branchy,
                   "--", *sorted(corpus.iterdir()))
    print(f"--jobs 2 corpus run: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stderr
    assert read(out).blocks == serial_coverage.blocks


def test_dask_cluster_gives_the_serial_coverage(serial_coverage: Coverage, branchy: Path,
                                                corpus: Path, drcov_plugin: Path,
                                                tmp_path: Path) -> None:
    distributed = import_or_missing("dask.distributed", "pip install 'pyqemu[cov]'")
    out = tmp_path / "cluster.drcov"
    started = time.monotonic()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        done = run_cov("run", "--cluster", cluster.scheduler_address, "-o", out,
                       "--plugin", drcov_plugin, branchy, "--", corpus)
    print(f"LocalCluster corpus run: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{N_INPUTS} runs, {N_INPUTS} exited"), done.stdout
    assert read(out).blocks == serial_coverage.blocks


@pytest.mark.parametrize("feed", ["stdin", "file"])
def test_inputs_reach_the_target_as_direct_runs_give_them(feed: str, branchy: Path,
                                                          drcov_plugin: Path,
                                                          tmp_path: Path) -> None:
    inputs = []
    for index, data in enumerate([b"FUZZY", b"", b"\x00\x81\x02\x03\xfc\x05\xce\x07", b"FU"]):
        path = tmp_path / f"in{index}"
        path.write_bytes(data)
        inputs.append(path)
    args = ["@@"] if feed == "file" else []
    reference = Coverage()
    for index, path in enumerate(inputs):
        direct = tmp_path / f"direct{index}.drcov"
        argv = [branchy, *([path] if feed == "file" else [])]
        result = run_pyqemu(argv, plugins=[plugin_spec(drcov_plugin, f"filename={direct}")],
                            stdin=path.read_bytes() if feed == "stdin" else None)
        assert direct.exists(), result.describe()
        reference.merge(read(direct))
    out = tmp_path / "corpus.drcov"
    done = run_cov("run", "--jobs", "2", "-o", out, "--plugin", drcov_plugin, branchy,
                   *args, "--", *inputs)
    assert done.returncode == 0, done.stderr
    assert read(out).blocks == reference.blocks


def test_timeout_kills_a_hanging_run(branchy: Path, drcov_plugin: Path,
                                     tmp_path: Path) -> None:
    (tmp_path / "hang").write_bytes(b"HANG")
    (tmp_path / "fine").write_bytes(b"FUZ")
    out = tmp_path / "out.drcov"
    started = time.monotonic()
    done = run_cov("run", "--timeout", "3", "-o", out, "--plugin", drcov_plugin, branchy,
                   "--", tmp_path / "hang", tmp_path / "fine")
    assert time.monotonic() - started < 60
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2 runs, 1 exited, 0 killed by a signal, 1 timed out, "
                                  "1 without coverage\n"), done.stdout
    assert guest_blocks(read(out), branchy)


def test_run_from_the_console_prints_the_summary(branchy: Path, corpus: Path,
                                                 drcov_plugin: Path) -> None:
    done = run_cov_process("run", "--jobs", "2", "--plugin", drcov_plugin, branchy, "--",
                           *sorted(corpus.iterdir())[:10])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("10 runs, 10 exited"), done.stdout
    assert str(branchy) in done.stdout
    assert done.stderr == ""   # no progress bar when stderr is not a terminal


def test_default_plugin_is_the_one_meson_built(branchy: Path, corpus: Path) -> None:
    built = Path(__file__).resolve().parents[2] / "build/contrib/plugins/libdrcov.so"
    if not built.is_file():
        missing("build/contrib/plugins/libdrcov.so (ninja -C build)")
    assert find_plugin() == built
    done = run_cov("run", branchy, "--", corpus / "input-001")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 runs, 1 exited"), done.stdout


def test_progress_bar_counts_the_runs(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(3, "runs", enabled=True)
    for _ in range(3):
        progress.update()
    progress.close()
    drawn = capsys.readouterr().err
    assert drawn.count("\r") == 3 and drawn.endswith("\n")
    assert "] 3/3 " in drawn.rsplit("\r", 1)[1]
    assert "[" + "#" * Progress.WIDTH + "]" in drawn.rsplit("\r", 1)[1]


def test_a_run_keeps_the_coverage_of_the_children_it_forks(cov_guest: Callable[..., Path],
                                                            drcov_plugin: Path,
                                                            tmp_path: Path) -> None:
    # each run writes one drcov file per process ("%p"), all merged into the run's coverage
    from pyqemu.cov.source_map import SourceMapper

    forking = cov_guest("forking", "musl-static")
    (tmp_path / "in").write_bytes(b"x")
    out = tmp_path / "fork.drcov"
    done = run_cov("run", "-o", out, "--plugin", drcov_plugin, forking, "--", tmp_path / "in")
    assert done.returncode == 0, done.stderr
    (module,) = [m for m in SourceMapper().module_functions(read(out)) if m.path == str(forking)]
    assert {"in_child", "in_parent", "main"} <= set(module.hit)
