"""The national peak day (scenarios/national_peak_day.yaml, ~2.0 M crossings): one replication
of every port, its CPU time and peak memory; and the study spread over a real Dask cluster.

One replication of the whole study takes about 6 s of CPU on the fast path (it took a minute
on the event engine), so it runs in fast mode too; the study on the cluster (two replications,
twice: ~25 s) in full mode only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from time import perf_counter

import pytest

from benchmarks.dask_cluster import dask_cluster
from benchmarks.summary import HERE, fast_mode

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="national")]

STUDY = HERE.parent / "scenarios" / "national_peak_day.yaml"
#: The three smallest ports (~100k crossings): memory against crossings.
SMALL = ("Other railway ports (assumed)", "Ferry terminals (assumed)", "Huanggang")


def _probe(*arguments: str) -> dict:
    completed = subprocess.run([sys.executable, "-m", "benchmarks.national_probe", str(STUDY),
                                *arguments], cwd=HERE.parent, capture_output=True, text=True,
                               check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_one_replication_of_the_national_peak_day(record, note):
    full, small = _probe(), _probe(*SMALL)
    key = "vmhwm_kb" if full["vmhwm_kb"] and small["vmhwm_kb"] else "maxrss_kb"
    record("national.replication", full["cpu_seconds"], cpu=full["cpu_seconds"],
           customers=int(full["crossings"]))
    record("memory.national", full[key] / 1024, "MB", customers=int(full["crossings"]))
    record("memory.national_small", small[key] / 1024, "MB", customers=int(small["crossings"]))
    engines = sorted({port["engine"] for port in full["ports"].values()})
    slowest = sorted(full["ports"].items(), key=lambda item: -item[1]["seconds"])[:3]
    note("national peak day", f"{full['crossings']:,.0f} crossings, {len(full['ports'])} ports "
         f"(engines: {', '.join(engines)}): {full['cpu_seconds']:.1f} s CPU for one "
         f"replication (process), {full['replication_seconds']:.1f} s in the replications; "
         "slowest: " + ", ".join(f"{name} {port['seconds']:.1f} s" for name, port in slowest)
         + f"; peak RSS {full[key] / 1024:.0f} MB, {small[key] / 1024:.0f} MB for the "
         f"{small['crossings']:,.0f} crossings of the three smallest ports")
    assert 1.9e6 < full["crossings"] < 2.1e6


def test_national_memory_fast_path_against_event_engine(record, note):
    """Peak RSS of one replication of every port on the event engine (memory flat in the
    crossings, about a minute of CPU: full mode only), against the fast path's figure of
    test_one_replication_of_the_national_peak_day, in the same session."""
    if fast_mode():
        pytest.skip("the national day on the event engine takes a minute of CPU: full mode only")
    events = _probe("--engine", "events")
    key = "vmhwm_kb" if events["vmhwm_kb"] else "maxrss_kb"
    record("memory.national_events", events[key] / 1024, "MB",
           customers=int(events["crossings"]))
    note("national peak day, event engine", f"peak RSS {events[key] / 1024:.0f} MB, "
         f"{events['cpu_seconds']:.1f} s CPU for one replication (process)")


def _study(out: Path, *option: str) -> float:
    started = perf_counter()
    subprocess.run([sys.executable, "-m", "portsim", "study", str(STUDY), "--replications", "2",
                    "--no-plots", "--out", str(out), *option], cwd=HERE.parent,
                   capture_output=True, check=True)
    return perf_counter() - started


def test_the_national_study_on_a_dask_cluster(record, note, tmp_path: Path):
    """Ports × 2 replications as tasks on ``dask scheduler`` + two ``dask worker`` processes
    (1 thread each) against one local worker: wall clock, and identical study.json."""
    if fast_mode():
        pytest.skip("the national study on a cluster: two replications, twice; full mode only")
    load_before = os.getloadavg()[0]
    local = _study(tmp_path / "local", "--workers", "1")
    with dask_cluster(2, tmp_path / "dask") as address:
        cluster = _study(tmp_path / "cluster", "--scheduler", address)
    record("national.local1", local, rounds=1)
    record("national.cluster2", cluster, rounds=1)
    same = ((tmp_path / "local" / "study.json").read_bytes()
            == (tmp_path / "cluster" / "study.json").read_bytes())
    note("national on dask", f"2 replications of the national study: {local:.1f} s on one local "
         f"worker, {cluster:.1f} s on dask scheduler + 2 dask workers on 127.0.0.1; study.json "
         f"identical: {same}; load average {load_before:.2f} before, "
         f"{os.getloadavg()[0]:.2f} after")
    assert same
