"""Arrival hall of an airport: compare e-gates and counter staffing on common random numbers.

Builds the scenario in Python (no YAML file), runs the baseline and three policies through the
public API, saves the standard comparison folder (results.json, comparison.csv, plots, report.html)
and one plot of its own: the change in each class's 95th-percentile wait, with paired intervals.

    python scenarios/scripts/egates_comparison.py OUT [--quick] [--workers N]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import portsim
import portsim.experiment
from portsim.report.figures import save_png
from portsim.report.outputs import write_comparison

# Hourly arrival rates of passengers off flights (per hour), a morning and an evening wave.
WAVE = [40, 20, 10, 10, 20, 80, 240, 520, 600, 480, 360, 320,
        340, 380, 420, 460, 520, 600, 560, 440, 320, 220, 140, 80]


def scenario(days: float) -> dict[str, Any]:
    """Citizens and foreigners at manual counters; citizens may use e-gates, a few are
    rejected by the gate and fall back to a counter; foreigners sometimes need a port visa."""
    return {
        "name": "Airport arrival hall",
        "description": "E-gates versus counter staffing for arriving passengers.",
        "time": {"horizon": f"{days}d", "warmup": "0h"},
        "replications": 10,
        "seed": 2024,
        "sla": "30min",
        "stations": {
            "counters": {"servers": [{"start": "00:00", "end": "06:00", "servers": 4},
                                     {"start": "06:00", "end": "24:00", "servers": 10}],
                         "service": {"dist": "lognormal", "mean": "1.8min", "cv": 0.6}},
            "egates": {"servers": 6, "service": {"dist": "lognormal", "mean": "25s", "cv": 0.3}},
            "visa_office": {"servers": 3, "service": {"dist": "exponential", "mean": "8min"}},
        },
        "classes": {
            "citizen": {
                "arrivals": {"kind": "profile", "rates": [f"{0.6 * r}/h" for r in WAVE]},
                "route": [{"branch": [
                    {"p": 0.5, "route": ["egates",
                                         {"optional": {"p": 0.05, "route": ["counters"]}}]},
                    {"p": 0.5, "route": ["counters"]}]}],
            },
            "foreigner": {
                "arrivals": {"kind": "profile", "rates": [f"{0.4 * r}/h" for r in WAVE]},
                "route": [{"optional": {"p": 0.04, "route": ["visa_office"]}}, "counters"],
            },
        },
        "variants": {
            # Every eligible citizen uses the gates (instead of half of them).
            "all_citizens_egates": {"classes": {"citizen": {"route": [
                "egates", {"optional": {"p": 0.05, "route": ["counters"]}}]}}},
            # Two more counters in the day shift.
            "two_more_counters": {"stations": {"counters": {"servers": [
                {"start": "00:00", "end": "06:00", "servers": 4},
                {"start": "06:00", "end": "24:00", "servers": 12}]}}},
            # Both measures together.
            "both": {
                "classes": {"citizen": {"route": [
                    "egates", {"optional": {"p": 0.05, "route": ["counters"]}}]}},
                "stations": {"counters": {"servers": [
                    {"start": "00:00", "end": "06:00", "servers": 4},
                    {"start": "06:00", "end": "24:00", "servers": 12}]}},
            },
        },
    }


def p95_change_plot(comparison: Any) -> Any:
    """Paired change of each class's 95th-percentile wait against the baseline."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), layout="constrained")
    ax = figure.subplots()
    classes = comparison.baseline.names("classes")
    width = 0.8 / len(comparison.variants)
    for index, variant in enumerate(comparison.variants):
        diffs = [comparison.difference(variant, "classes", name, "wait_p95") for name in classes]
        ax.bar([i + (index - (len(comparison.variants) - 1) / 2) * width
                for i in range(len(classes))],
               [d.mean for d in diffs], width, yerr=[d.half_width for d in diffs], capsize=3,
               label=variant)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(classes)), classes)
    ax.set(ylabel="change in 95th percentile wait (min)",
           title="Effect on the 95th-percentile wait (paired, 95% CI)")
    ax.legend(title="variant")
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (replaced if it exists)")
    parser.add_argument("--quick", action="store_true", help="short run (tests, a first look)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    args = parser.parse_args()

    days, replications = (1, 3) if args.quick else (7, 20)
    loaded = portsim.load_scenario(scenario(days))
    workers = args.workers or portsim.experiment.default_workers()
    comparison = portsim.experiment.compare(loaded, replications=replications, workers=workers)

    write_comparison(comparison, args.out, force=True)
    save_png(p95_change_plot(comparison), args.out / "p95_change.png")
    for variant in comparison.variants:
        change = comparison.difference(variant, "system", "all", "wait_sla_share")
        print(f"{variant:>22}: share within 30 min {change.mean:+.1%} "
              f"(95% CI {change.low:+.1%} to {change.high:+.1%})")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
