"""What ``portsim staff`` shows and writes: the requirement curve against the roster's coverage
and the scenario's own staffing, the roster, the proof run's verdict per interval, officer-hours
and cost against the baseline, and the replications the search spent."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from portsim.experiment.pledge import THIN
from portsim.experiment.staffing.solver import Solution
from portsim.experiment.staffing.summary import requirement_rows, roster_rows, summary
from portsim.report.files import dump_csv, dump_json
from portsim.wording import standard_words

#: The files ``portsim staff`` writes into its output folder.
STAFF_FILES = ("staffing.json", "requirement.csv", "roster.csv", "staffing.png", "variant.yaml")


def _shown(value: float | None, minutes: bool) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if minutes else f"{100 * value:.1f}%"


def print_solution(solution: Solution, console: Console) -> None:
    """The requirement table per station, the roster and the bottom line."""
    for name in solution.problem.units:
        console.print(_requirement_table(solution, name))
    console.print(_roster_table(solution))
    data = summary(solution)
    _print_costs(solution, data, console)
    _print_search(solution, data, console)
    _print_pledge(solution, console)


def _requirement_table(solution: Solution, name: str) -> Table:
    """Per interval of ``name``: arrivals, the Erlang C start, the requirement, the roster's
    and the scenario's officers, and the proof's KPI and verdict."""
    problem = solution.problem
    minutes = problem.target.slot_kpi != "beyond_share"
    what = ("share waiting > " + standard_words(problem.target.sla or 0.0) if not minutes
            else f"wait {problem.target.slot_kpi} (min)")
    table = Table(title=f"{escape(name)}: officers per interval, target "
                        f"{escape(problem.target.text)}", title_justify="left")
    for header in ("from", "arrivals/h", "Erlang C", "required", "rostered", "scenario",
                   f"proof: {what}", "verdict"):
        table.add_column(header, justify="right" if header != "verdict" else "left")
    for row in (r for r in requirement_rows(solution) if r["station"] == name):
        value = _shown(row["mean"], minutes)
        if row["ci_high"] is not None and row["ci_low"] is not None:
            half = (row["ci_high"] - row["ci_low"]) / 2
            value += f" ±{_shown(half, minutes)}"
        table.add_row(row["interval"], f"{row['arrivals_per_hour']:.1f}",
                      str(row["erlang_start"]), str(row["requirement"]),
                      str(row["rostered"]), str(row["baseline"]), value,
                      row["status"] if row["status"] != THIN else "no arrivals")
    return table


def _roster_table(solution: Solution) -> Table:
    roster = Table(title="roster (officers per shift and station)", title_justify="left")
    for header in ("station", "shift", "hours", "officers"):
        roster.add_column(header, justify="left" if header in ("station", "shift") else "right")
    for row in roster_rows(solution):
        roster.add_row(escape(row["station"]), row["shift"], f"{row['hours']:g}",
                       str(row["officers"]))
    return roster


def _print_costs(solution: Solution, data: dict[str, Any], console: Console) -> None:
    """Officer-hours and cost against the scenario as written (and call-out hours)."""
    problem = solution.problem
    saved = data["baseline_officer_hours"] - data["officer_hours"]
    console.print(
        f"officer-hours per day: {data['officer_hours']:g} rostered against "
        f"{data['baseline_officer_hours']:g} in the scenario as written "
        f"({'-' if saved >= 0 else '+'}{abs(saved):g}); cost {data['cost']:g} against "
        f"{data['baseline_cost']:g} at {problem.hour_cost:g} per officer-hour"
        + (f" and {problem.callout_cost:g} per call-out hour (call-out hours a day: "
           f"{data['callout_hours']:.1f} under the roster, {data['baseline_callout_hours']:.1f} "
           "as written)" if data["callout_hours"] or data["baseline_callout_hours"] else ""),
        highlight=False)


def _print_search(solution: Solution, data: dict[str, Any], console: Console) -> None:
    """The proof's verdict, what the search spent, the intervals no counter count can meet
    and the tightness check."""
    problem = solution.problem
    verdict = ("met in every interval" if solution.proof.met
               else "NOT met in " + ", ".join(f"{escape(n)} {problem.clock(h)}"
                                              for n, h in solution.proof.failing()))
    console.print(
        f"proof with fresh seeds (seed {problem.proof_seed}): {verdict}; "
        f"{data['repair_rounds']} repair round(s); search: {data['search_rounds']} rounds; "
        f"{data['replications_simulated']} replications simulated in "
        f"{data['simulation_rounds']} runs"
        + (f", {data['wall_seconds_per_replication']:.2f} s of wall time per replication"
           if data["wall_seconds_per_replication"] is not None else ""), highlight=False)
    _print_shortfalls(solution, data["short_intervals"], console)
    if solution.tightness:
        for name, checks in solution.tightness.items():
            loose = [shift for shift, failed in checks if not failed]
            console.print(f"{escape(name)}: one officer fewer in "
                          + ("any shift breaks some interval" if not loose
                             else "shift(s) " + ", ".join(loose) + " still meets the target"),
                          highlight=False)


def _print_shortfalls(solution: Solution, rows: list[dict[str, Any]], console: Console) -> None:
    """Where the target is not met, and by how much (and why: every counter open, or the
    repairs ran out)."""
    if not rows:
        return
    minutes = solution.problem.target.slot_kpi != "beyond_share"
    what = {"p95": "wait p95", "mean": "mean wait"}.get(
        solution.problem.target.slot_kpi,
        "share waiting > " + standard_words(solution.problem.target.sla or 0.0))
    console.print(f"[bold red]target {escape(solution.problem.target.text)} NOT met[/] in "
                  f"{len(rows)} interval(s):", highlight=False)
    for row in rows:
        unit = " min" if minutes else ""
        value = (f"{_shown(row['mean'], minutes)}{unit} [{_shown(row['ci_low'], minutes)}, "
                 f"{_shown(row['ci_high'], minutes)}]" if row["mean"] is not None else "–")
        over = (f"{row['excess']:.1f} min" if minutes
                else f"{100 * row['excess']:.1f} percentage points") if row["excess"] else ""
        excess = f", {over} over at the interval's upper end" if over else ""
        why = (f"{row['rostered']} rostered after {solution.repairs} repair round(s)"
               if not row["at_most"] else
               f"all {row['most']} counters open (--most); this interval's own load needs "
               f"{row['erlang_c_officers']} by Erlang C" if row["erlang_c_officers"] > row["most"]
               else f"all {row['most']} counters open (--most); the queue is carried over "
                    "from earlier intervals")
        console.print(f"  {escape(row['station'])} {row['interval']}: {what} {value} against "
                      f"{_shown(row['bound'], minutes)}{unit}{excess} ({why})", highlight=False)


def _print_pledge(solution: Solution, console: Console) -> None:
    """The scenario's own pledge (its classes, slots, standard and measure) under the roster,
    on the proof seed."""
    from portsim.experiment.pledge import pledge_words, pledged_classes, verdict

    results = solution.pledge_results or solution.proof.results
    lines = []
    for name in pledged_classes(results, list(results.names("classes"))):
        judged = verdict(results, "classes", name)
        if judged.slots:
            lines.append(f"  {escape(name)}: {judged.text()}")
    if lines:
        console.print(f"the pledge under the roster ({pledge_words(results)}):",
                      highlight=False)
        for line in lines:
            console.print(line, highlight=False)


def print_unmet(solution: Solution, console: Console, file: Path | None) -> None:
    """The last word when the target is not met: the exit code's reason, and that the scenario
    file (with --write-variant) was left as it was."""
    kept = (f"; {escape(str(file))} was not changed (variant.yaml in the output folder has the "
            "roster)" if file is not None else "")
    console.print(f"[bold red]the target is not met in every interval[/] (exit code 4){kept}",
                  highlight=False)


def variant_text(solution: Solution, name: str,
                 overrides: Mapping[str, Any] | None = None) -> str:
    """The roster as a scenario variant, ready to paste under ``variants:`` (with
    ``overrides``: the patch of the variant it was proved under, the roster merged in)."""
    from portsim.scenario.edit import variant_lines

    return "\n".join(["variants:", *variant_lines(name, variant_description(solution),
                                                   variant_schedules(solution),
                                                   variant_comments(solution),
                                                   overrides=overrides)]) + "\n"


def variant_description(solution: Solution) -> str:
    problem = solution.problem
    under = f" on variant {problem.variant}" if problem.variant is not None else ""
    return (f"roster from portsim staff{under}: {problem.target.text} in every "
            f"{problem.interval:g}-minute interval, shifts "
            f"{', '.join(p.text for p in problem.patterns)}")


def variant_schedules(solution: Solution) -> dict[str, tuple[tuple[float, int], ...]]:
    from portsim.experiment.staffing.roster import schedule_steps

    return {name: schedule_steps(roster.coverage) for name, roster in solution.rosters.items()}


def variant_comments(solution: Solution) -> list[str]:
    lines = [f"{row['station']}: {row['officers']} officer(s) on {row['shift']}"
             for row in roster_rows(solution)]
    return [f"written by portsim staff ({solution.officer_hours:g} officer-hours a day; the "
            f"scenario's own staffing: {solution.baseline_officer_hours:g})", *lines]


def write_solution(solution: Solution, folder: Path, variant: str = "staffed",
                   overrides: Mapping[str, Any] | None = None) -> list[str]:
    """staffing.json, requirement.csv, roster.csv, staffing.png and variant.yaml into
    ``folder`` (``overrides``: see :func:`variant_text`)."""
    from portsim.report.figures import save_png
    from portsim.report.staffing_plot import staffing_figure

    data: dict[str, Any] = summary(solution)
    dump_json(data, folder / "staffing.json")
    dump_csv(requirement_rows(solution), folder / "requirement.csv")
    dump_csv(roster_rows(solution), folder / "roster.csv")
    save_png(staffing_figure(solution), folder / "staffing.png")
    (folder / "variant.yaml").write_text(variant_text(solution, variant, overrides),
                                          encoding="utf-8")
    return list(STAFF_FILES)


__all__ = ["STAFF_FILES", "print_solution", "print_unmet", "variant_comments",
           "variant_description", "variant_schedules", "variant_text", "write_solution"]
