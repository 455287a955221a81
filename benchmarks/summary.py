"""The ratios the benchmarks exist to measure, and the table that prints them.

Benchmarks record timings under fixed keys (see :data:`TIMINGS`); a ratio is defined on two keys
measured in the same session, so machine speed cancels out. Used by ``benchmarks/conftest.py``
(table at the end of a ``pytest benchmarks`` session, ``benchmarks/runs/latest.json``) and by
``benchmarks/ci_guard.py``. ``python -m benchmarks.summary [FILE]`` prints the ratios of a
recorded session (default: the committed ``benchmarks/snapshot.json``) as the Markdown table of
benchmarks/README.md, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RUNS = HERE / "runs"
"""Where each session writes its figures (ignored by git: a run leaves the tree clean)."""
SNAPSHOT = HERE / "snapshot.json"
"""The figures committed on purpose (``pytest benchmarks --snapshot``), quoted in README.md."""


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str
    """The key divided by; ``""`` for a figure in seconds (the numerator's own time)."""
    goal: str
    """``"<= x"``, ``">= x"`` or ``""`` (reported, no goal)."""
    aim: str = ""
    full_only: bool = False
    """Measured in full mode only (a fast-mode session is complete without it)."""
    main: str = ""
    """The key of :data:`MAIN_FIGURES` holding this ratio as measured on main before issue
    24's work: the value is then this session's ratio divided by main's (``""``: as is)."""

    def value(self, timings: Mapping[str, Mapping[str, Any]], field: str | None = None
              ) -> float | None:
        """The ratio on CPU seconds when both sides have them, else on wall seconds.

        CPU time (``time.process_time``) of single-threaded code is what a busy neighbour on a
        shared machine disturbs least; ``field`` picks one explicitly.
        """
        top = timings.get(self.numerator)
        bottom = timings.get(self.denominator) if self.denominator else {"cpu": 1.0,
                                                                         "seconds": 1.0}
        if not top or not bottom:
            return None
        if field is None:
            field = "cpu" if top.get("cpu") and bottom.get("cpu") else "seconds"
        if not top.get(field) or not bottom.get(field):
            return None
        if self.main:  # main's figure is a ratio of CPU seconds
            main = MAIN_FIGURES.get(self.main, {}).get(mode())
            return top[field] / bottom[field] / main if main and field == "cpu" else None
        return top[field] / bottom[field]

    def met(self, value: float | None) -> bool | None:
        if value is None or not self.goal:
            return None
        op, limit = self.goal.split()
        return value <= float(limit) if op == "<=" else value >= float(limit)


@dataclass(frozen=True)
class Command:
    """A command timed as a process by test_commands.py, in each mode's size."""

    full: tuple[str, ...]
    fast: tuple[str, ...] = ()
    """The arguments in fast mode (CI); ``()``: the command runs in full mode only."""
    exit_codes: tuple[int, ...] = (0,)


_AIRPORT_STAFF = ("staff", "scenarios/airport/airport_peak.yaml", "--stations",
                  "desks_north,desks_south,foreigner_desks", "--target", "wait_p95<=30min",
                  "--shifts", "8h@1h")
_HOTLINE_STAFF = ("staff", "scenarios/services/hotline_12367.yaml", "--stations", "agents",
                  "--target", "wait_sla_share>=0.8", "--interval", "1h")
COMMANDS = {
    "command.readme": Command(
        full=("compare", "scenarios/airport/airport_peak.yaml"),
        fast=("compare", "scenarios/airport/airport_peak.yaml", "--replications", "2")),
    # exit code 4: no roster met the target in every interval, still a whole search
    "command.staff_airport": Command(full=_AIRPORT_STAFF,
                                     fast=(*_AIRPORT_STAFF, "--replications", "5"),
                                     exit_codes=(0, 4)),
    "command.staff_hotline": Command(full=(*_HOTLINE_STAFF, "--replications", "4"),
                                     exit_codes=(0, 4)),
}
"""Each command's arguments (test_commands.py adds ``--workers 1``, ``--force`` and ``--out``)."""

MAIN_FIGURES: dict[str, dict[str, float]] = {
    "command.readme": {"fast": 4.806, "full": 16.915},
    "command.staff_airport": {"fast": 6.747, "full": 11.331},
    "command.staff_hotline": {"full": 20.364},
}
"""Each command's CPU seconds over the minimal SimPy script's in the same round, per mode, as
test_commands.py measured them on main at 121178d (before issue 24's work on reactive staffing
and breakdowns), 2026-12-06 under load 10-13 (benchmarks/README.md, "Commands"): the reference
of the "/ main's" ratios. Only CPU time: wall clock on a machine that busy meant nothing."""

WORKERS = Ratio("8 replications: 1 worker / 2 workers", "workers.1", "workers.2", ">= 1.8")
CEILING = Ratio("machine: 2 plain processes, serial / parallel", "machine.serial2",
                "machine.parallel2", "")
"""What two cores give two independent CPU-bound processes at the time: the ceiling for WORKERS."""

DASK = Ratio("8 replications: 1 local worker / 2 Dask workers (1 thread each)", "dask.local1",
             "dask.cluster2", ">= 1.7")
"""Wall clock: a cluster of ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1."""

RATIOS = (
    Ratio("M/M/10 portsim / minimal SimPy", "mm10.portsim", "mm10.simpy", "<= 0.5", "0.3"),
    Ratio("M/M/10 portsim own streams / minimal SimPy", "mm10.portsim_poisson", "mm10.simpy",
          ""),
    Ratio("M/M/10 Ciw / portsim", "mm10.ciw", "mm10.portsim", ">= 4"),
    Ratio("tandem portsim / minimal SimPy", "tandem.portsim", "tandem.simpy", "<= 0.5"),
    Ratio("tandem Ciw / portsim", "tandem.ciw", "tandem.portsim", ">= 4"),
    Ratio("M/M/10 Kiefer-Wolfowitz / portsim", "mm10.kiefer_wolfowitz", "mm10.portsim", ""),
    Ratio("Erlang A (M/M/10+M) portsim / minimal SimPy", "erlang_a.portsim", "erlang_a.simpy",
          "<= 0.5"),
    Ratio("M/M/10 fast path / minimal SimPy", "mm10.fast", "mm10.simpy", "<= 0.02"),
    Ratio("M/M/10 fast path own streams / minimal SimPy", "mm10.fast_poisson", "mm10.simpy",
          ""),
    Ratio("tandem fast path / minimal SimPy", "tandem.fast", "tandem.simpy", ""),
    Ratio("port day fast path / event engine", "scenario.port_day_fast", "scenario.port_day",
          ""),
    Ratio("two priority classes, fast path / event engine", "priority.fast",
          "priority.portsim", "<= 0.3"),
    Ratio("peak RSS 10x customers / 1x", "memory.large", "memory.small", "<= 1.2"),
    WORKERS,
    CEILING,
    Ratio("portsim run M/M/10 process / minimal SimPy script process", "startup.run",
          "startup.simpy_script", "<= 0.5"),
    Ratio("portsim validate process, seconds", "startup.validate", "", "<= 0.4"),
    Ratio("portsim validate process / python -c pass", "startup.validate", "startup.pass",
          ""),
    DASK,
    Ratio("refused by its size: sparse 50 MiB scenario / small scenario", "refusal.sparse_yaml",
          "refusal.small", "<= 2"),
    Ratio("refused by its size: sparse 40 MiB timetable / small scenario", "refusal.sparse_csv",
          "refusal.small", "<= 2"),
    Ratio("billion laughs refused / small scenario", "refusal.laughs", "refusal.small",
          "<= 5"),
    Ratio("a million timetable rows refused / 200,000 rows read", "refusal.million_rows",
          "refusal.limit_rows", "<= 1.5"),
    Ratio("bad --scheduler refused, process / importing Dask, wall", "refusal.bad_scheduler",
          "refusal.import_dask", "<= 3"),
    Ratio("degenerate load: 1,000-h service / 1-min service", "degenerate.heavy",
          "degenerate.light", "<= 10"),
    Ratio("national peak day: CPU s per replication (all ports)",
          "national.replication", "", "<= 60"),
    Ratio("national peak day: peak RSS, all ports / 3 smallest", "memory.national",
          "memory.national_small", ""),
    Ratio("national day, 2 reps: 1 local worker / 2 Dask workers",
          "national.local1", "national.cluster2", "", full_only=True),
    Ratio("national peak day: peak RSS, fast path / event engine", "memory.national",
          "memory.national_events", "<= 1", full_only=True),
    Ratio("README's first command (compare airport_peak) / main's",
          "command.readme", "command.readme.simpy_script", "<= 0.4", main="command.readme"),
    Ratio("portsim staff airport_peak / main's", "command.staff_airport",
          "command.staff_airport.simpy_script", "<= 0.3", main="command.staff_airport"),
    Ratio("portsim staff hotline_12367 / main's", "command.staff_hotline",
          "command.staff_hotline.simpy_script", "<= 0.3", main="command.staff_hotline",
          full_only=True),
)

GROSS_REGRESSIONS = (("mm10.portsim", "mm10.simpy"), ("tandem.portsim", "tandem.simpy"))
"""CI fails only when portsim is slower than the minimal SimPy model (ratio above 1)."""


def gross_regressions(timings: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Messages for each model on which portsim is slower than the minimal SimPy model."""
    found = []
    for top, bottom in GROSS_REGRESSIONS:
        ratio = Ratio("", top, bottom, "").value(timings)
        if ratio is not None and ratio > 1.0:
            found.append(f"GROSS REGRESSION: {top} takes {ratio:.2f}x the time of "
                         f"{bottom} (limit 1.0)")
    return found


def fast_mode() -> bool:
    return os.environ.get("PORTSIM_BENCH_FAST", "") not in ("", "0")


def mode() -> str:
    return "fast" if fast_mode() else "full"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ciw
    import numpy
    import simpy

    return {"nproc": os.cpu_count(), "cpu": cpu, "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
            "platform": platform.platform(), "simpy": simpy.__version__,
            "ciw": ciw.__version__, "numpy": numpy.__version__}


def complete(timings: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether every ratio of this mode was measured (full-only ones not in fast mode)."""
    wanted = [ratio for ratio in RATIOS if not (ratio.full_only and fast_mode())]
    return all(ratio.value(timings) is not None for ratio in wanted)


def ratio_rows(timings: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for ratio in RATIOS:
        value = ratio.value(timings)
        rows.append({"name": ratio.name, "value": value, "wall": ratio.value(timings, "seconds"),
                     "goal": ratio.goal, "aim": ratio.aim, "met": ratio.met(value)})
    return rows


def format_report(timings: Mapping[str, Mapping[str, Any]],
                  notes: Mapping[str, Any] | None = None, measured_only: bool = False) -> str:
    lines = [f"portsim benchmarks ({'fast' if fast_mode() else 'full'} mode): minimum over "
             "rounds of wall-clock and CPU seconds; ratios on CPU seconds where measured"]
    lines.append(f"{'timing':<26}{'wall s':>10}{'cpu s':>10}{'median':>10}{'rounds':>7}"
                 f"{'customers':>11}{'us/cust':>9}")
    for key in sorted(timings):
        row = timings[key]
        customers = row.get("customers")
        if row.get("unit", "s") != "s":
            lines.append(f"{key:<26}{row['seconds']:>8.1f}{row['unit']:>2}{'':>27}"
                         f"{customers or '':>11}")
            continue
        cpu = row.get("cpu")
        best = cpu or row["seconds"]
        per = f"{1e6 * best / customers:>9.2f}" if customers else f"{'':>9}"
        cpu_text = f"{cpu:>10.4f}" if cpu else f"{'':>10}"
        lines.append(f"{key:<26}{row['seconds']:>10.4f}{cpu_text}"
                     f"{row.get('median', row['seconds']):>10.4f}{row.get('rounds', 1):>7}"
                     f"{customers or '':>11}{per}")
    lines.append("")
    lines.append(f"{'ratio':<62}{'value':>8}{'(wall)':>8}{'goal':>9}{'aim':>6}  verdict")
    for row in ratio_rows(timings):
        if measured_only and row["value"] is None:
            continue
        value = "n/a" if row["value"] is None else f"{row['value']:.3f}"
        wall = "" if row["wall"] is None else f"{row['wall']:.3f}"
        verdict = {True: "met", False: "MISSED", None: ""}[row["met"]]
        lines.append(f"{row['name']:<62}{value:>8}{wall:>8}{row['goal']:>9}{row['aim']:>6}"
                     f"  {verdict}")
    rows = {row["name"]: row["value"] for row in ratio_rows(timings)}
    speedup, ceiling = rows[WORKERS.name], rows[CEILING.name]
    if speedup and ceiling:
        lines.append(f"worker speed-up / the machine's ceiling at the time: {speedup / ceiling:.2f}"
                     " (1.0: the pool gets all that two free cores would give)")
    for key, value in (notes or {}).items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def write_json(path: Path, timings: Mapping[str, Mapping[str, Any]],
               notes: Mapping[str, Any] | None = None) -> None:
    document = {"mode": "fast" if fast_mode() else "full", "machine": machine(),
                "timings": dict(timings), "ratios": ratio_rows(timings),
                "notes": dict(notes or {})}
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def markdown(document: Mapping[str, Any]) -> str:
    """The ratios of a recorded session (``write_json``'s document) as a Markdown table, with
    the goal beside each and the machine below."""
    lines = ["| ratio | goal | measured | wall clock | verdict |", "|---|---|---|---|---|"]
    for row in document["ratios"]:
        value = "not measured" if row["value"] is None else f"**{row['value']:.3f}**"
        wall = "" if row.get("wall") is None else f"{row['wall']:.3f}"
        goal = row["goal"] + (f" (aim {row['aim']})" if row.get("aim") else "") or "—"
        verdict = {True: "met", False: "missed", None: ""}[row["met"]]
        lines.append(f"| {row['name']} | {goal} | {value} | {wall} | {verdict} |")
    m = document["machine"]
    load = ", ".join(f"{x:.2f}" for x in m.get("load_average", ()))
    lines += ["", f"Measured in {document['mode']} mode on: {m['cpu']}, {m['nproc']} CPUs, "
              f"{m['platform']}; Python {m['python']}, SimPy {m['simpy']}, Ciw {m['ciw']}, "
              f"numpy {m['numpy']}; load average when recorded {load}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a recorded session's ratios as the "
                                                 "Markdown table of benchmarks/README.md.")
    parser.add_argument("file", nargs="?", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    print(markdown(json.loads(args.file.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
