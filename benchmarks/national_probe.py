"""CPU time and peak memory of one replication of a study, measured in a fresh process.

``python -m benchmarks.national_probe STUDY [--engine events] [PORT ...]`` runs replication 0 of
every port of the study file (or only the ports named) on one worker, in this process (on the
engine named, by default each port's choice: the fast path where it qualifies), and prints one
JSON line:
crossings counted, CPU seconds of the whole process (loading, compiling, simulating, pooling),
seconds spent in the replications, peak RSS, and each port's engine and seconds.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import time

from benchmarks.memory_probe import peak_rss_kb


def main(argv: list[str]) -> int:
    from portsim.experiment.options import RunOptions
    from portsim.experiment.study import run_study
    from portsim.scenario.study import load_study

    study, ports = load_study(argv[0]), argv[1:]
    engine = "auto"
    if ports[:1] == ["--engine"]:
        engine, ports = ports[1], ports[2:]
    if ports:
        study = dataclasses.replace(study, ports=tuple(port for port in study.ports
                                                       if port.name in ports))
    results = run_study(study, RunOptions(replications=1, workers=1, engine=engine))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "crossings": results.national["crossings"][0],
        "cpu_seconds": time.process_time(),
        "replication_seconds": results.timings["total_seconds"],
        "vmhwm_kb": peak_rss_kb(),
        "maxrss_kb": usage.ru_maxrss,
        "ports": {port.port.name: {"engine": port.engine, "seconds": port.seconds,
                                   "crossings": port.values["crossings"][0]}
                  for port in results.ports},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
