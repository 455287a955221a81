"""CPU time of one replication of a model whose shortest-queue groups hold stations that serve
by priority, or whose customers choose by expected wait plus travel: on the event engine, on
the fast path with the loops' Python twins, and on the fast path with the compiled loops,
measured in one process.

``python -m benchmarks.group_probe FILE VARIANT [REPLICATIONS]`` compiles the variant (``base``
for none) of the scenario file; ``python -m benchmarks.group_probe generated CUSTOMERS
[REPLICATIONS]`` takes :func:`benchmarks.models.priority_group_model` of that many customers.
One warm-up replication each, then the replications alternating the three (the same seed and
replication on all); prints one JSON line: each one's mean CPU milliseconds a replication
(``time.process_time``) and the ratios to the event engine. The twins replace the group loop
(``group_starts``), the loop of a lone station that serves by priority (``priority_starts``) and
that of a group joined by choices by expected wait (``quickest_starts``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable


def main(argv: list[str]) -> int:
    from benchmarks.models import priority_group_model
    from portsim.engine import fast_groups, fast_quickest, fast_starts, kernels, run_replication
    from portsim.scenario import load_scenario
    from portsim.scenario.loader import compile_model

    replications = int(argv[2]) if len(argv) > 2 else 20
    if argv[0] == "generated":
        model = priority_group_model(int(argv[1]))
    else:
        model = compile_model(load_scenario(argv[0]), None if argv[1] == "base" else argv[1])
    compiled = (fast_groups.group_starts, fast_starts.priority_starts,
                fast_quickest.quickest_starts)
    twins = (fast_groups.python_group_starts, kernels.python_priority_starts,
             fast_quickest.python_quickest_starts)

    def use(loops: tuple[Callable[..., object], ...]) -> None:
        fast_groups.group_starts = loops[0]  # type: ignore[assignment]
        fast_starts.priority_starts = loops[1]  # type: ignore[assignment]
        fast_quickest.quickest_starts = loops[2]  # type: ignore[assignment]

    def on(engine: str, loops: tuple[Callable[..., object], ...]) -> Callable[[int], None]:
        def run(replication: int) -> None:
            use(loops)
            run_replication(model, seed=1, replication=replication, engine=engine)
        return run

    runs = {"events": on("events", compiled), "twin": on("fast", twins),
            "compiled": on("fast", compiled)}
    spent = dict.fromkeys(runs, 0.0)
    for run in runs.values():
        run(0)
    for replication in range(replications):
        for name, run in runs.items():
            started = time.process_time()
            run(replication)
            spent[name] += time.process_time() - started
    use(compiled)
    each = {name: 1000 * seconds / replications for name, seconds in spent.items()}
    print(json.dumps({"model": " ".join(argv[:2]), "replications": replications,
                      "compiled": kernels.COMPILED,
                      **{f"{name}_ms": round(ms, 2) for name, ms in each.items()},
                      "twin_ratio": round(each["twin"] / each["events"], 3),
                      "compiled_ratio": round(each["compiled"] / each["events"], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
