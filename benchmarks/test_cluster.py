"""A real Dask cluster: two single-threaded ``dask worker`` processes against one local worker.

The cluster is started with Dask's own commands on 127.0.0.1 (benchmarks/dask_cluster.py), as
on a real cluster; portsim sends it the same 8 replications as test_scale.py's pool benchmark,
on the same engine (``SPREAD_ENGINE``: the event engine, work enough per replication).
Wall clock (the speed-up is wall clock by nature), best of the rounds; the results must be
byte-identical to the local run's (what results.json would hold).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from time import perf_counter

import pytest

from benchmarks.dask_cluster import dask_cluster
from benchmarks.models import SPREAD_ENGINE, poisson_model
from benchmarks.summary import fast_mode
from portsim.experiment.options import RunOptions
from portsim.experiment.runner import Job, run_jobs

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="cluster")]

REPLICATIONS = 8
CUSTOMERS = 60_000 if fast_mode() else 150_000
ROUNDS = 1 if fast_mode() else 2


def _best(options: RunOptions) -> tuple[float, str]:
    """Best wall-clock time of ROUNDS runs of the 8 replications, and their results as text.

    One short job runs first, untimed: a worker process imports portsim, numpy and SimPy on
    its first task (about half a second), once in its life, as on a long-lived cluster.
    """
    model = poisson_model(CUSTOMERS)
    run_jobs([Job("warm-up", poisson_model(1_000), 0, 2)], options)
    best, text = math.inf, ""
    for _ in range(ROUNDS):
        started = perf_counter()
        results = run_jobs([Job("cluster", model, 7, REPLICATIONS)], options)["cluster"]
        best = min(best, perf_counter() - started)
        # Everything a replication returns but its own run time.
        text = json.dumps([{key: value for key, value in result.to_json().items()
                            if key != "wall_seconds"} for result in results], sort_keys=True)
    return best, text


def test_two_dask_workers_against_one_local_worker(record, note, tmp_path: Path):
    load_before = os.getloadavg()[0]
    local, local_text = _best(RunOptions(workers=1, engine=SPREAD_ENGINE))
    with dask_cluster(2, tmp_path / "cluster") as address:
        cluster, cluster_text = _best(RunOptions(scheduler=address, engine=SPREAD_ENGINE))
    record("dask.local1", local, rounds=ROUNDS, customers=REPLICATIONS * CUSTOMERS)
    record("dask.cluster2", cluster, rounds=ROUNDS, customers=REPLICATIONS * CUSTOMERS)
    note("dask", f"{REPLICATIONS} replications of {CUSTOMERS:,} customers ({SPREAD_ENGINE} "
         f"engine): {local:.2f} s on one "
         f"local worker, {cluster:.2f} s on a cluster of dask scheduler + 2 dask workers "
         f"(1 thread each) on 127.0.0.1; results identical: {cluster_text == local_text}; "
         f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    assert cluster_text == local_text
