# SPDX-License-Identifier: GPL-2.0-or-later
"""The benchmark suite behind benchmarks/run.py, one module per job.

Mirrors no QEMU part (QEMU keeps no benchmark harness in its tree). workloads: the guest
programs and their inputs; configs: the plugin configurations; measure: one timed run under the
wait4 launcher; cells: scheduling the interleaved repetitions and checking their outputs;
qiling_column: the Qiling venv, rootfs and command (qiling_guest runs inside that venv);
scaling: time against guest instruction count; facts: date, machine and versions; report:
Markdown and JSON; plots: the PNG charts.
"""
