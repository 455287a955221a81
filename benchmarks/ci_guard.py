"""The benchmark regression guard CI can afford: core ratios in fast mode, in about 20 seconds.

    python -m benchmarks.ci_guard            # from the repository root
    python -m benchmarks.ci_guard --json out.json

Runs M/M/10 at utilisation 0.9 and the two-station tandem on 50,000 pre-drawn customers with
portsim, the minimal process-per-customer SimPy model and Ciw (benchmarks/references.py), rounds
of portsim and SimPy interleaved so that a busy neighbour slows both alike; prints the timings and
ratios. Exits 1 only on a gross regression -- portsim slower than the minimal SimPy model -- or
when portsim's mean wait differs from the SimPy model's on the same inputs (a correctness bug,
not noise). Missed goals (0.5, 4x Ciw) are printed, never failed on.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

os.environ.setdefault("PORTSIM_BENCH_FAST", "1")

from benchmarks import summary
from benchmarks.references import (
    CORE_CUSTOMERS,
    ciw_wait_mean,
    draw_inputs,
    minimal_simpy,
    portsim_model,
    run_ciw,
)
from portsim.engine import run_replication

ROUNDS = 3


def _time(function: Any) -> tuple[float, float, Any]:
    start, start_cpu = perf_counter(), process_time()
    result = function()
    return perf_counter() - start, process_time() - start_cpu, result


def measure(name: str, stations: int, timings: dict[str, dict[str, Any]]) -> list[str]:
    """Time one model on all three implementations; return correctness errors, if any."""
    inputs = draw_inputs(CORE_CUSTOMERS, stations=stations)
    model = portsim_model(inputs)
    wall: dict[str, list[float]] = {"portsim": [], "simpy": [], "ciw": []}
    cpu: dict[str, list[float]] = {"portsim": [], "simpy": [], "ciw": []}
    result = totals = None
    for _ in range(ROUNDS):
        seconds, cpu_seconds, result = _time(
            lambda: run_replication(model, seed=0, engine="events"))
        wall["portsim"].append(seconds)
        cpu["portsim"].append(cpu_seconds)
        seconds, cpu_seconds, totals = _time(lambda: minimal_simpy(inputs))
        wall["simpy"].append(seconds)
        cpu["simpy"].append(cpu_seconds)
    seconds, cpu_seconds, simulation = _time(lambda: run_ciw(inputs))
    wall["ciw"].append(seconds)
    cpu["ciw"].append(cpu_seconds)
    for implementation, values in wall.items():
        values.sort()
        timings[f"{name}.{implementation}"] = {
            "seconds": values[0], "median": values[len(values) // 2],
            "cpu": min(cpu[implementation]), "rounds": len(values),
            "customers": inputs.customers, "unit": "s"}
    errors = []
    stations_kpis = result.kpis["stations"]
    ours = sum(s["wait_mean"] for s in stations_kpis.values()) / len(stations_kpis)
    for label, theirs in (("minimal SimPy", totals.wait_mean),
                          ("Ciw", ciw_wait_mean(simulation))):
        if abs(ours - theirs) > 1e-9 * max(1.0, abs(theirs)):
            errors.append(f"{name}: portsim mean wait {ours!r} differs from {label} {theirs!r}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the timings and ratios to this file")
    args = parser.parse_args(argv)
    started = perf_counter()
    timings: dict[str, dict[str, Any]] = {}
    errors = measure("mm10", 1, timings) + measure("tandem", 2, timings)
    print(summary.format_report(timings, measured_only=True))
    print(f"guard ran in {perf_counter() - started:.1f} s")
    if args.json:
        summary.write_json(Path(args.json), timings)
    failures = errors + summary.gross_regressions(timings)
    for message in failures:
        print(message, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
