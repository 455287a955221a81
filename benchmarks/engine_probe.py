"""CPU time of one replication of a model on each engine, measured in one process.

``python -m benchmarks.engine_probe FILE VARIANT [REPLICATIONS] [--days N] [--twin]`` compiles
the variant (``base`` for none) of the scenario file, runs one warm-up replication on each
engine, then the replications alternating the engines (the same seed and replication on both),
and prints one JSON line: each engine's mean CPU milliseconds a replication
(``time.process_time``), the ratio fast / events, and, where the fast path sweeps a loop of
stations as one unit, the milliseconds of those sweeps. ``--days`` stretches the horizon (the
scale of a sweep); ``--twin`` adds the fast path with the loop's Python twin in place of the
compiled ``loop_events`` (``twin_ms``, and its sweeps' ``twin_sweep_ms``).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from typing import Any


def main(argv: list[str]) -> int:
    from portsim.engine import fast, loop_sweep, run_replication
    from portsim.engine.kernels_loop import python_loop_events
    from portsim.scenario import load_scenario
    from portsim.scenario.loader import compile_model

    days = None
    twin = "--twin" in argv
    argv = [arg for arg in argv if arg != "--twin"]
    if "--days" in argv:
        at = argv.index("--days")
        days, argv = float(argv[at + 1]), argv[:at] + argv[at + 2:]
    path, variant = argv[0], argv[1]
    replications = int(argv[2]) if len(argv) > 2 else 20
    model = compile_model(load_scenario(path), None if variant == "base" else variant)
    if days is not None:
        model = dataclasses.replace(model, horizon=days * 1440.0)
    swept = {"fast": 0.0, "twin": 0.0}
    sweep = fast.sweep_loop
    compiled = loop_sweep.loop_events
    running = ["fast"]

    def timed(*args: Any) -> None:
        started = time.process_time()
        sweep(*args)
        swept[running[0]] += time.process_time() - started

    fast.sweep_loop = timed  # type: ignore[assignment]
    spent = dict.fromkeys(("events", "fast", "twin") if twin else ("events", "fast"), 0.0)
    for replication in [-1, *range(replications)]:  # -1: the warm-up, not counted
        for engine in spent:
            running[0] = engine
            loop_sweep.loop_events = python_loop_events if engine == "twin" else compiled
            started = time.process_time()
            run_replication(model, seed=0 if replication < 0 else 1,
                            replication=max(replication, 0),
                            engine="events" if engine == "events" else "fast")
            if replication >= 0:
                spent[engine] += time.process_time() - started
        if replication < 0:
            swept.update(fast=0.0, twin=0.0)
    loop_sweep.loop_events = compiled
    each = {engine: 1000 * seconds / replications for engine, seconds in spent.items()}
    found = {"model": f"{path}:{variant}", "replications": replications,
             "events_ms": round(each["events"], 2), "fast_ms": round(each["fast"], 2),
             "ratio": round(each["fast"] / each["events"], 3),
             "loop_sweep_ms": round(1000 * swept["fast"] / replications, 2)}
    if twin:
        found.update(twin_ms=round(each["twin"], 2),
                     twin_sweep_ms=round(1000 * swept["twin"] / replications, 2))
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
