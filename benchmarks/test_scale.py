"""Scale: memory that does not grow with customers, and replications spread over processes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from time import perf_counter

import pytest

from benchmarks.models import SPREAD_ENGINE, poisson_model
from benchmarks.summary import HERE, fast_mode
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import Job, run_jobs

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="scale")]

SMALL, LARGE = (50_000, 500_000) if fast_mode() else (200_000, 2_000_000)
REPLICATIONS = 8
# Fast mode keeps replications long enough (~0.2 s on SPREAD_ENGINE) that starting the pool
# does not decide the ratio.
WORKER_CUSTOMERS = 100_000 if fast_mode() else 150_000


def _probe(customers: int) -> dict:
    """Run the memory probe in a fresh interpreter and return its report."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory_probe", str(customers)],
        cwd=HERE.parent, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_customers(record, note):
    small, large = _probe(SMALL), _probe(LARGE)
    key = "vmhwm_kb" if small["vmhwm_kb"] and large["vmhwm_kb"] else "maxrss_kb"
    record("memory.small", small[key] / 1024, "MB", customers=SMALL)
    record("memory.large", large[key] / 1024, "MB", customers=LARGE)
    note("memory", f"peak RSS {small[key] / 1024:.1f} MB for {SMALL:,} customers "
         f"({small['seconds']:.1f} s), {large[key] / 1024:.1f} MB for {LARGE:,} "
         f"({large['seconds']:.1f} s)")
    assert large["completions"] > 0.9 * LARGE


def _same(a: object, b: object) -> bool:
    """Equality that treats NaN as equal to NaN (KPIs such as an empty tally's mean)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_two_workers_against_one(record, note):
    """Wall-clock time of 8 replications on 1 and on 2 worker processes (on the event engine:
    ``SPREAD_ENGINE``); the same KPIs.

    The speed-up needs two free cores: the note gives the load average and the replications'
    own run times inside the pool, which tell a busy machine from pool overhead.
    """
    model = poisson_model(WORKER_CUSTOMERS)
    timings = {}
    results = {}
    rounds = 2
    load_before = os.getloadavg()[0]
    for workers in (1, 2):
        best = math.inf
        for _ in range(rounds):
            started = perf_counter()
            job = Job("scale", model, 7, REPLICATIONS)
            options = RunOptions(workers=workers, engine=SPREAD_ENGINE)
            results[workers] = run_jobs([job], options)["scale"]
            best = min(best, perf_counter() - started)
        timings[workers] = best
        record(f"workers.{workers}", best, rounds=rounds,
               customers=REPLICATIONS * WORKER_CUSTOMERS)
    identical = all(_same(a.kpis, b.kpis) and a.series == b.series
                    for a, b in zip(results[1], results[2], strict=True))
    inside = {w: sum(r.wall_seconds for r in results[w]) / REPLICATIONS for w in (1, 2)}
    note("workers", f"{REPLICATIONS} replications of {WORKER_CUSTOMERS:,} customers "
         f"({SPREAD_ENGINE} engine): "
         f"{timings[1]:.2f} s on 1 worker, {timings[2]:.2f} s on 2; KPIs identical: "
         f"{identical}; one replication takes {inside[1]:.3f} s serially and {inside[2]:.3f} s "
         f"inside the pool; load average {load_before:.2f} before, "
         f"{os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)")
    assert identical


_SPIN = "s = 0\nfor i in range({n}): s += i\n"


def _spin(processes: int, loops: int) -> float:
    """Wall-clock seconds for ``processes`` concurrent interpreters each running a plain loop."""
    started = perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", _SPIN.format(n=loops)])
               for _ in range(processes)]
    for process in running:
        process.wait()
    return perf_counter() - started


def test_machine_ceiling_for_two_processes(record, note):
    """What two cores give independent CPU-bound Python processes here: the ceiling for the
    worker speed-up, measured without portsim (a VM's vCPUs may share a physical core)."""
    loops = 2_000_000 if fast_mode() else 10_000_000
    one = min(_spin(1, loops) for _ in range(2))
    two = min(_spin(2, loops) for _ in range(2))
    record("machine.serial2", 2 * one, rounds=2)
    record("machine.parallel2", two, rounds=2)
    note("machine", f"one plain-loop process {one:.2f} s; two at once {two:.2f} s: "
         f"two cores give {2 * one / two:.2f}x the throughput of one")
