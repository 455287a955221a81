"""Peak memory of one portsim replication, measured in a fresh process.

``python -m benchmarks.memory_probe CUSTOMERS`` runs the M/M/10 model on portsim's own streams
(benchmarks/models.py: no pre-drawn trace, which would itself grow with customers) and prints one
JSON line: customers, completions, peak RSS (``VmHWM`` from /proc, and ``ru_maxrss``), seconds.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    from benchmarks.models import poisson_model
    from portsim.engine import run_replication

    customers = int(argv[0])
    model = poisson_model(customers)
    started = time.perf_counter()
    result = run_replication(model, seed=1, engine="events")
    seconds = time.perf_counter() - started
    print(json.dumps({
        "customers": customers,
        "completions": result.kpis["stations"]["s1"]["completions"],
        "vmhwm_kb": peak_rss_kb(),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "seconds": seconds,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
