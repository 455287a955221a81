"""Land port: how many truck lanes meet the 30-minute standard, with and without a fast lane?

A fast lane for trucks carrying key materials serves them first (a priority queue) at the same
truck lanes. The script sweeps the number of truck lanes for the baseline and for the fast-lane
policy (both on common random numbers), plots the 95th-percentile wait of each truck class against
the lanes, picks the fewest lanes meeting the standard for every truck class under each policy,
and checks that choice with a longer run of its own through ``portsim.simulate``.

    python scenarios/scripts/truck_fast_lane_staffing.py OUT [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import portsim
import portsim.experiment
from portsim.report.figures import save_png
from portsim.report.outputs import write_sweep

LANES = "stations.truck_lanes.servers"
TRUCK_CLASSES = ("key_truck", "truck")


def scenario(days: float) -> dict[str, Any]:
    return {
        "name": "Land port truck lanes",
        "description": "Truck lanes with and without a fast lane for key materials.",
        "time": {"horizon": f"{days}d", "warmup": "2h"},
        "replications": 10,
        "seed": 31,
        "sla": "30min",
        "stations": {
            "truck_lanes": {"servers": 4, "service": {"dist": "gamma", "mean": "6min", "cv": 0.7}},
            "inspection": {"servers": 3, "service": {"dist": "exponential", "mean": "15min"}},
        },
        "classes": {
            "key_truck": {"arrivals": {"kind": "poisson", "rate": "8/h"},
                          "route": ["truck_lanes", {"optional": {"p": 0.05,
                                                                  "route": ["inspection"]}}]},
            "truck": {"arrivals": {"kind": "poisson", "rate": "25/h"}, "priority": 1,
                      "route": ["truck_lanes", {"optional": {"p": 0.15,
                                                              "route": ["inspection"]}}]},
        },
        "variants": {
            "fast_lane": {"stations": {"truck_lanes": {"discipline": "priority"}}},
        },
    }


def fewest_lanes(sweep: Any, sla: float) -> int | None:
    """The fewest lanes at which every truck class's mean p95 wait is within the standard."""
    for point in sweep.points:
        if all(point.results.summary("classes", name, "wait_p95").mean <= sla
               for name in TRUCK_CLASSES):
            return int(point.assignment[LANES])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (replaced if it exists)")
    parser.add_argument("--quick", action="store_true", help="short run (tests, a first look)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    args = parser.parse_args()

    days, replications = (1, 3) if args.quick else (14, 20)
    loaded = portsim.load_scenario(scenario(days))
    workers = args.workers or portsim.experiment.default_workers()
    lanes = portsim.experiment.parse_setting(f"{LANES}=3:7:1")
    kpis = [portsim.experiment.parse_kpi(f"classes.{name}.wait_p95") for name in TRUCK_CLASSES]

    chosen: dict[str, Any] = {}
    for policy in (None, "fast_lane"):
        label = policy or "baseline"
        sweep = portsim.experiment.sweep(loaded, [lanes], kpis=kpis, variant=policy,
                                         replications=replications, workers=workers)
        write_sweep(sweep, args.out / label, force=True)
        needed = fewest_lanes(sweep, loaded.sla)
        chosen[label] = {"fewest_lanes": needed}
        if needed is not None:
            # Check the choice on its own, with the public one-model API.
            document = loaded.resolved(policy)
            document["stations"]["truck_lanes"]["servers"] = needed
            check = portsim.simulate(document, replications=replications, workers=workers)
            chosen[label]["check_p95"] = {
                name: round(check.summary("classes", name, "wait_p95").mean, 2)
                for name in TRUCK_CLASSES}
        print(f"{label:>10}: fewest truck lanes meeting {loaded.sla:g} min at p95: {needed}")

    # One figure with both policies: the truck p95 against lanes.
    figure = _both_policies(args.out, TRUCK_CLASSES, loaded.sla)
    save_png(figure, args.out / "p95_by_lanes.png")
    (args.out / "choice.json").write_text(json.dumps(chosen, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


def _both_policies(out: Path, classes: tuple[str, ...], sla: float) -> Any:
    """Read back the two sweeps' CSVs (as any other tool could) and draw them together."""
    import csv

    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.2), layout="constrained")
    ax = figure.subplots()
    for style, label in (("-", "baseline"), ("--", "fast_lane")):
        with (out / label / "sweep.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for index, name in enumerate(classes):
            mine = [r for r in rows if r["kpi"] == f"classes.{name}.wait_p95"]
            ax.errorbar([int(r[LANES]) for r in mine], [float(r["mean"]) for r in mine],
                        yerr=[float(r["half_width"] or 0) for r in mine], linestyle=style,
                        marker="o", capsize=3, color=f"C{index}", label=f"{name}, {label}")
    ax.axhline(sla, color="black", linestyle=":", label=f"standard {sla:g} min")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(xlabel="truck lanes", ylabel="95th percentile wait (min)", yscale="log",
           title="Truck waits against lanes: baseline and fast lane (95% CI)")
    ax.legend(fontsize=8)
    return figure


if __name__ == "__main__":
    main()
