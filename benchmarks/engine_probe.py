"""CPU time of one replication of a model on each engine, measured in one process.

``python -m benchmarks.engine_probe FILE VARIANT [REPLICATIONS] [--days N]`` compiles the
variant (``base`` for none) of the scenario file, runs one warm-up replication on each engine,
then the replications alternating the engines (the same seed and replication on both), and
prints one JSON line: each engine's mean CPU milliseconds a replication (``time.process_time``),
the ratio fast / events, and, where the fast path sweeps a loop of stations as one unit, the
milliseconds of those sweeps. ``--days`` stretches the horizon (the scale of a sweep).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from typing import Any


def main(argv: list[str]) -> int:
    from portsim.engine import fast, run_replication
    from portsim.scenario import load_scenario
    from portsim.scenario.loader import compile_model

    days = None
    if "--days" in argv:
        at = argv.index("--days")
        days, argv = float(argv[at + 1]), argv[:at] + argv[at + 2:]
    path, variant = argv[0], argv[1]
    replications = int(argv[2]) if len(argv) > 2 else 20
    model = compile_model(load_scenario(path), None if variant == "base" else variant)
    if days is not None:
        model = dataclasses.replace(model, horizon=days * 1440.0)
    swept = [0.0]
    sweep = fast.sweep_loop

    def timed(*args: Any) -> None:
        started = time.process_time()
        sweep(*args)
        swept[0] += time.process_time() - started

    fast.sweep_loop = timed  # type: ignore[assignment]
    spent = {"events": 0.0, "fast": 0.0}
    for engine in spent:
        run_replication(model, seed=0, engine=engine)
    swept[0] = 0.0
    for replication in range(replications):
        for engine in spent:
            started = time.process_time()
            run_replication(model, seed=1, replication=replication, engine=engine)
            spent[engine] += time.process_time() - started
    each = {engine: 1000 * seconds / replications for engine, seconds in spent.items()}
    print(json.dumps({"model": f"{path}:{variant}", "replications": replications,
                      "events_ms": round(each["events"], 2), "fast_ms": round(each["fast"], 2),
                      "ratio": round(each["fast"] / each["events"], 3),
                      "loop_sweep_ms": round(1000 * swept[0] / replications, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
