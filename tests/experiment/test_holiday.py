"""Holidays (``portsim holiday``): a calendar of days run as one continuous replication, both
directions, officers of shared stations split by the day's demand.

A small hall (two desk rows, walk-in travellers by a rate profile and a daily train that
brings a batch) over an eve and three days: bad calendars are one message naming file, field
and line (exit 2); travellers are conserved day by day and direction by direction; the surge
day's direction gets the officers and gains what the other pays; the command writes its files
at once and follows --force as ``compare`` does. The shipped calendars load.
"""

from __future__ import annotations

import json
from dataclasses import replace
from html import escape
from pathlib import Path

import numpy as np
import pytest
from exp_support import bad_file_refused
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine.distributions import Binomial, Lognormal
from portsim.engine.model import Model, Poisson, RateProfile
from portsim.experiment.holiday import BASELINE, HolidayResults, run_holiday
from portsim.experiment.options import RunOptions
from portsim.scenario.holiday import (
    DIRECTIONS,
    hourly_demand,
    load_calendar,
    prefixed,
    reshaped,
    scaled,
    split,
)

SCENARIOS = Path(__file__).parents[2] / "scenarios"
HALL = """\
name: Small hall
time: {horizon: 2d, warmup: 1d}
seed: 11
sla: 10min
pledge:
  classes: [walkers, riders]
  stations: [east, west]
stations:
  east:
    positions: 4
    servers: &desks
      - {start: "00:00", end: "06:00", servers: 1}
      - {start: "06:00", end: "24:00", servers: 3}
    service: {dist: lognormal, mean: 2.5min, cv: 0.5}
  west:
    positions: 4
    servers: *desks
    service: {dist: lognormal, mean: 2.5min, cv: 0.5}
classes:
  train:
    arrivals:
      kind: timetable
      batches: [{time: "09:00", count: 1}, {time: "17:00", count: 1}]
      repeat: 1d
    route:
      - spawn: {class: riders, count: {dist: lognormal, mean: 16, cv: 0.2}, spread: 5min}
  riders:
    route: [shortest_queue: [east, west]]
  walkers:
    arrivals:
      kind: profile
      rates: [4/h, 2/h, 2/h, 2/h, 2/h, 4/h, 24/h, 96/h, 120/h, 120/h, 120/h, 120/h,
              120/h, 120/h, 120/h, 120/h, 120/h, 120/h, 96/h, 48/h, 24/h, 12/h, 8/h, 4/h]
    route: [shortest_queue: [east, west]]
"""
CALENDAR = """\
name: Small holiday
scenario: hall.yaml
replications: 3
eve: {outbound: 0.6, inbound: 0.6}
days:
  - {label: first, outbound: 1.3, inbound: 0.7}
  - {label: middle, outbound: 1.0, inbound: 1.0}
  - {label: last, outbound: 0.7, inbound: 1.3}
sharing:
  rule: by_demand
  keep: 1
  stations:
    east: {per_direction: 3}
    west: {per_direction: 3}
variants:
  fixed:
    description: nobody moves
    rule: fixed
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("holiday")
    (here / "hall.yaml").write_text(HALL, encoding="utf-8")
    (here / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    return here


@pytest.fixture(scope="module")
def results(folder: Path) -> HolidayResults:
    return run_holiday(load_calendar(folder / "calendar.yaml"),
                       RunOptions(replications=3, workers=1))


# ------------------------------------------------------------------------- the model


def test_the_holiday_is_one_run_of_both_directions_from_the_eve(folder: Path) -> None:
    calendar = load_calendar(folder / "calendar.yaml")
    model = calendar.models[BASELINE]
    assert (model.horizon, model.warmup) == (4 * 1440.0, 1440.0)  # the eve, then 3 days
    assert [s.name for s in model.stations] == [prefixed(t, s) for t in DIRECTIONS
                                                for s in ("east", "west")]
    walkers = {spec.name: spec for spec in model.classes}
    out = walkers["outbound_walkers"].arrivals.rates  # type: ignore[union-attr]
    assert len(out) == 4 * 24
    assert out[24 + 9] == pytest.approx(1.3 * 120 / 60) and out[9] == pytest.approx(0.6 * 2)
    # the daily timetable: one class a day, its batch scaled by the day's factor
    first = walkers["inbound_train_d1"]
    assert first.arrivals.times == (1440.0 + 540.0, 1440.0 + 1020.0)  # type: ignore[union-attr]
    assert first.route[0].count.mean == pytest.approx(0.7 * 16)  # type: ignore[union-attr]
    assert model.sla_classes == ("outbound_walkers", "outbound_riders", "inbound_walkers",
                                 "inbound_riders")


def test_a_surge_day_gets_more_officers_in_its_direction(folder: Path) -> None:
    calendar = load_calendar(folder / "calendar.yaml")
    by_demand, fixed = calendar.models[BASELINE], calendar.models["fixed"]
    noon = {day: day * 1440.0 + 12 * 60 for day in range(4)}
    out = by_demand.station("outbound_east").servers
    back = by_demand.station("inbound_east").servers
    # first day 1.3 against 0.7: 6 officers split 4/2 (3.9 rounded, within the 4 desks)
    assert (out.servers_at(noon[1]), back.servers_at(noon[1])) == (4, 2)
    assert (out.servers_at(noon[2]), back.servers_at(noon[2])) == (3, 3)
    assert (out.servers_at(noon[3]), back.servers_at(noon[3])) == (2, 4)
    assert fixed.station("outbound_east").servers.servers_at(noon[1]) == 3
    # the night team of 1 a direction is kept (keep: 1)
    assert out.servers_at(1440.0 + 60) == 1 and back.servers_at(1440.0 + 60) == 1
    moved = calendar.rosters[BASELINE]["east"].moved_by_day(4)
    assert moved[1] == (1, 18.0) and moved[2] == (0, 0.0)  # one officer, 06:00-24:00
    assert calendar.rosters["fixed"]["east"].moved_by_day(4) == [(0, 0.0)] * 4


@pytest.mark.parametrize(("pool", "out", "back", "most", "keep", "expected"), [
    (6, 1.3, 0.7, 4, 1, 4), (6, 1.0, 1.0, 4, 1, 3), (6, 5.0, 0.1, 4, 1, 4),
    (6, 5.0, 0.1, 10, 1, 5), (2, 5.0, 0.1, 10, 1, 1), (0, 1.0, 1.0, 4, 1, 0),
    (6, 0.0, 0.0, 4, 1, 3)])
def test_the_split_keeps_within_positions_and_keeps_a_minimum(
        pool: int, out: float, back: float, most: int, keep: int, expected: int) -> None:
    assert split(pool, out, back, most, keep) == expected


EVENING = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 7, 8, 10, 12, 12, 12, 10, 6, 3]
HOURLY = f"""\
hourly:
  classes: [walkers]
  outbound: {EVENING}
sharing:
"""


def shaped_calendar(folder: Path, rule: str = "by_demand") -> Path:
    shaped = folder / f"shaped-{rule}.yaml"
    shaped.write_text(CALENDAR.replace("sharing:\n", HOURLY, 1).replace(
        "rule: by_demand", f"rule: {rule}", 1), encoding="utf-8")
    return shaped


def test_a_direction_takes_its_own_hourly_shape_with_its_days_total(folder: Path) -> None:
    plain = load_calendar(folder / "calendar.yaml").models[BASELINE]
    shaped = load_calendar(shaped_calendar(folder)).models[BASELINE]

    def rates(model: Model, name: str) -> np.ndarray:
        spec = next(c for c in model.classes if c.name == name)
        return np.array(spec.arrivals.rates)  # type: ignore[union-attr]

    out, file_out = rates(shaped, "outbound_walkers"), rates(plain, "outbound_walkers")
    first = slice(24, 48)  # 1.3 times the file's day, in both
    assert out[first].sum() == pytest.approx(file_out[first].sum())
    assert out[first] == pytest.approx(file_out[first].sum() * np.array(EVENING)
                                       / sum(EVENING))
    assert out[24 + 19] > out[24 + 9]  # the evening peak, where the file's is the morning
    # the other direction, and the classes not named, keep the file's shape
    assert rates(shaped, "inbound_walkers") == pytest.approx(rates(plain, "inbound_walkers"))
    assert [c.name for c in shaped.classes] == [c.name for c in plain.classes]
    # by_demand splits by the day alone: the shapes move nobody else
    assert (shaped.station("outbound_east").servers
            == plain.station("outbound_east").servers)


@pytest.mark.parametrize("arrivals", [
    RateProfile(tuple(float(i % 7) for i in range(48)), 30.0),  # half-hourly, a day
    RateProfile(tuple(float(i) for i in range(12)), 60.0),      # twice a day
    Poisson(2.5)])
def test_a_reshaped_class_keeps_its_days_arrivals(arrivals: RateProfile | Poisson) -> None:
    day = (arrivals.rate * 1440 if isinstance(arrivals, Poisson)
           else sum(arrivals.rates) * arrivals.bin_width * 1440 / arrivals.period)
    shaped = reshaped(arrivals, [float(w) for w in EVENING])
    assert shaped.bin_width == 60.0 and len(shaped.rates) == 24
    assert sum(shaped.rates) * 60 == pytest.approx(day)
    assert np.array(shaped.rates) / shaped.rates[0] == pytest.approx(np.array(EVENING))


def test_by_hour_moves_officers_to_each_directions_peak(folder: Path) -> None:
    calendar = load_calendar(shaped_calendar(folder, "by_hour"))
    model = calendar.models[BASELINE]
    out = model.station("outbound_east").servers
    back = model.station("inbound_east").servers
    middle = 2 * 1440.0  # both factors 1: only the hours differ
    file_day = [4, 2, 2, 2, 2, 4, 24, 96, 120, 120, 120, 120,
                120, 120, 120, 120, 120, 120, 96, 48, 24, 12, 8, 4]
    for hour in range(6, 24):
        demand_out = EVENING[hour] / (sum(EVENING) / 24)
        demand_in = file_day[hour] / (sum(file_day) / 24)
        expected = split(6, demand_out, demand_in, 4, 1)
        at = middle + hour * 60 + 30
        assert (out.servers_at(at), back.servers_at(at)) == (expected, 6 - expected), hour
    assert (out.servers_at(middle + 9 * 60), out.servers_at(middle + 20 * 60)) == (2, 4)
    assert hourly_demand(calendar.scenario.model(None), calendar.document,
                         "inbound") == pytest.approx(
        np.array(file_day) / (sum(file_day) / 24))


def test_a_batch_size_is_scaled_by_its_mean() -> None:
    assert scaled(Lognormal(mean=40.0, cv=0.2), 1.5) == Lognormal(mean=60.0, cv=0.2)


def test_a_seat_capped_batch_is_scaled_by_its_seats() -> None:
    # A train's seats taken at a load factor: a quieter day has fewer seats (shorter trains)
    # filled as before, so the cap scales with the demand and is never exceeded.
    assert scaled(Binomial(n=261, p=0.9), 0.8) == Binomial(n=209, p=0.9)
    assert scaled(Binomial(n=261, p=0.9), 1.2) == Binomial(n=313, p=0.9)


# ------------------------------------------------------------------------- the results


def test_travellers_are_conserved_day_by_day_and_direction_by_direction(
        results: HolidayResults) -> None:
    for run in results.runs:
        for rep, result_model in zip(run.replications, [run.model] * len(run.replications),
                                     strict=True):
            for direction in DIRECTIONS:
                flows = rep.flows[direction]
                before = 0
                for day, flow in enumerate(flows):
                    assert flow.arrived == flow.cleared + flow.in_port_at_end - before
                    before = flow.in_port_at_end
                    assert flow.in_port_at_end >= 0
                    if 0 < day < len(flows) - 1:  # every arrival's wait filed by its day
                        assert rep.counted[direction][day - 1].sum() == flow.arrived
                assert flows[1].arrived > 0 and result_model.horizon == 4 * 1440.0


def test_the_runs_share_their_random_numbers(results: HolidayResults) -> None:
    baseline, fixed = results.runs
    for mine, theirs in zip(fixed.replications, baseline.replications, strict=True):
        for direction in DIRECTIONS:  # the same travellers arrive, whoever serves them
            assert [f.arrived for f in mine.flows[direction]] == [
                f.arrived for f in theirs.flows[direction]]
    first, second = baseline.replications[:2]
    assert first.flows["outbound"][1].arrived != second.flows["outbound"][1].arrived


def test_the_surge_direction_gains_what_the_other_pays(results: HolidayResults) -> None:
    fixed = next(run for run in results.runs if run.name == "fixed")
    gain = results.difference(fixed, "outbound", 0)   # fixed against by_demand, first day
    cost = results.difference(fixed, "inbound", 0)
    assert gain.high < 0, gain  # without moves the surge direction clearly does worse
    assert cost.mean >= 0, cost  # and the quiet direction no worse
    # the middle day moves nobody: only the first day's queue carried over past midnight
    assert abs(results.difference(fixed, "outbound", 1).mean) < abs(gain.mean) / 5


def test_the_pledge_is_judged_hour_by_hour(results: HolidayResults) -> None:
    cells = results.cells()
    assert len(cells) == len(results.runs) * 3 * 24 * 2
    fixed = [c for c in cells if c["run"] == "fixed" and c["label"] == "first"
             and c["direction"] == "outbound"]
    assert any(c["pledge"] == "broken" for c in fixed)
    for cell in cells:
        if cell["within_share"] is not None and cell["low"] is not None:
            assert 0.0 <= cell["low"] <= cell["within_share"] <= cell["high"] <= 1.0


# ------------------------------------------------------------------------- the command


def test_the_command_writes_its_files_and_follows_force(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["holiday", str(folder / "calendar.yaml"), "--replications", "2", "--workers",
            "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("baseline: pledge"), result.output  # after the warning
    assert "officers moved between directions (rule: by_demand)" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "daily.csv", "heatmap-baseline.png", "heatmap-fixed.png", "pledge.csv",
        "report.html", "results.json"]
    data = json.loads((out / "results.json").read_text())
    assert data["format"] == "portsim-holiday/1" and list(data["runs"]) == ["baseline",
                                                                          "fixed"]
    assert data["calendar"]["factors"]["outbound"] == [0.6, 1.3, 1.0, 0.7]
    rows = (out / "pledge.csv").read_text().splitlines()
    assert rows[0] == "run,day,label,hour,direction,within_share,low,high,travellers,pledge"
    assert len(rows) == 1 + 2 * 3 * 24 * 2
    before = (out / "results.json").read_bytes()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "already holds results; use --force" in again.output
    assert (out / "results.json").read_bytes() == before
    assert CliRunner().invoke(app, [*args, "--force", "--no-plots"]).exit_code == 0
    assert not (out / "heatmap-baseline.png").exists()  # replaced whole
    assert "<img" not in (out / "report.html").read_text(encoding="utf-8")
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    refused = CliRunner().invoke(app, [*args, "--force", "--no-plots"])
    assert refused.exit_code == 2 and "did not write" in refused.output
    assert (out / "mine.txt").read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if p.name != "out"]  # no half-written folder


def test_the_report_page_leads_with_the_pledge_and_says_who_pays(
        results: HolidayResults) -> None:
    from portsim.report.holiday_page import holiday_html

    html = holiday_html(results, {"heatmap-baseline.png": b"\x89PNG-baseline"})
    headline = html.index('id="headline"')
    assert headline < html.index("Against the baseline") < html.index("Heatmaps") < html.index(
        "By day") < html.index("Moved between directions")
    assert "fixed: pledge broken in" in html[headline:]  # the run with nobody moved
    fixed = results.runs[1]
    gain = results.difference(fixed, "outbound", 0)  # fixed minus by_demand, the surge day
    cost = results.difference(fixed, "inbound", 0)
    assert gain.excludes_zero and gain.mean < 0
    assert f"first outbound ({gain.mean * 100:+.1f} pts)" in html.split("Pays: ")[1]
    assert (f"first inbound ({cost.mean * 100:+.1f} pts)" in html.split("Gains: ")[1]
            ) == cost.excludes_zero
    assert 'class="worse"' in html and "data:image/png;base64," in html
    said = "<b>Small</b> & holiday"  # the calendar's text is escaped
    calendar = replace(results.calendar, document=results.calendar.document.model_copy(
        update={"description": said}))
    html = holiday_html(replace(results, calendar=calendar), {})
    assert said not in html and escape(said) in html


def test_an_interrupted_holiday_resumes_to_the_uninterrupted_results(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portsim.cli.common import EXIT_INTERRUPTED
    from portsim.experiment import executors

    args = ["holiday", str(folder / "calendar.yaml"), "--replications", "2", "--workers",
            "1", "--no-plots"]
    whole = tmp_path / "whole"
    assert CliRunner().invoke(app, [*args, "--out", str(whole)]).exit_code == 0
    original = executors.replicate
    ran: list[tuple[str, int]] = []

    def interrupted(model: Model, seed: int, replication: int, *rest: object,
                    **named: object) -> object:
        ran.append((model.name, replication))
        if model.name.endswith("(fixed)") and replication == 1:
            raise KeyboardInterrupt  # Ctrl-C in the last replication
        return original(model, seed, replication, *rest, **named)  # type: ignore[arg-type]

    monkeypatch.setattr(executors, "replicate", interrupted)
    out = tmp_path / "out"
    first = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert first.exit_code == EXIT_INTERRUPTED and "--resume" in first.output, first.output
    assert not (out / "results.json").exists()
    ran.clear()
    monkeypatch.setattr(executors, "replicate", lambda model, seed, replication, *rest, **named: (
        ran.append((model.name, replication)),
        original(model, seed, replication, *rest, **named))[1])
    resumed = CliRunner().invoke(app, [*args, "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert ran == [("Small holiday (fixed)", 1)]  # only the lost replication runs again
    assert (out / "results.json").read_bytes() == (whole / "results.json").read_bytes()
    assert (out / "pledge.csv").read_bytes() == (whole / "pledge.csv").read_bytes()


BAD = [
    ("unknown station", ("    west: {per_direction: 3}", "    wets: {per_direction: 3}"), 14,
     "sharing.stations.wets", "no station 'wets'; did you mean 'west'?"),
    ("negative factor", ("outbound: 1.3,", "outbound: -1.3,"), 6, "days.0.outbound",
     "greater than or equal to 0"),
    ("no days", ("days:\n  - {label: first, outbound: 1.3, inbound: 0.7}\n"
                 "  - {label: middle, outbound: 1.0, inbound: 1.0}\n"
                 "  - {label: last, outbound: 0.7, inbound: 1.3}\n", "days: []\n"), 5,
     "days", "needs at least 1 entry"),
    ("unknown variant", ("    rule: fixed", "    rule: fixed\n    variant: nope"), 19,
     "variants.fixed.variant", "has no variant 'nope'"),
    ("per direction above positions", ("    east: {per_direction: 3}",
                                       "    east: {per_direction: 5}"), 13,
     "sharing.stations.east.per_direction", "5 a direction is more than the 4 one direction"),
    ("missing scenario", ("scenario: hall.yaml", "scenario: hal.yaml"), 2, "scenario",
     "not found"),
    ("misspelt key", ("  keep: 1", "  kep: 1"), 11, "sharing.kep",
     "unknown key 'kep'; did you mean 'keep'?"),
    ("unknown rule", ("rule: by_demand", "rule: by_queue"), 10, "sharing.rule",
     "'by_demand', 'by_hour' or 'fixed'"),
    ("by hour without shapes", ("rule: by_demand", "rule: by_hour"), 10, "sharing.rule",
     "give the shapes under hourly"),
    ("shape of an unknown class", ("sharing:\n", "hourly: {classes: [walker]}\nsharing:\n"),
     9, "hourly.classes.0", "no class 'walker'; did you mean 'walkers'?"),
    ("shape of a timetable", ("sharing:\n", "hourly: {classes: [train]}\nsharing:\n"), 9,
     "hourly.classes.0", "class 'train' does not arrive by a daily rate profile"),
    ("23 hourly weights", ("sharing:\n", "hourly: {classes: [walkers], outbound: ["
                           + "1, " * 22 + "1]}\nsharing:\n"), 9, "hourly.outbound",
     "at least 24"),
    ("weights of nobody", ("sharing:\n", "hourly: {classes: [walkers], inbound: ["
                           + "0, " * 23 + "0]}\nsharing:\n"), 9, "hourly.inbound",
     "add up to 0"),
]


@pytest.mark.parametrize(("change", "line", "field", "message"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_calendar_is_one_message_and_exit_2(folder: Path, tmp_path: Path,
                                                  change: tuple[str, str], line: int,
                                                  field: str, message: str) -> None:
    (tmp_path / "hall.yaml").write_text(HALL, encoding="utf-8")
    calendar = tmp_path / "calendar.yaml"
    assert change[0] in CALENDAR
    calendar.write_text(CALENDAR.replace(change[0], change[1], 1), encoding="utf-8")
    bad_file_refused("holiday", calendar, tmp_path / "out", line=line, field=field,
                     message=message)


@pytest.mark.parametrize("name", ["national_day_gongbei.yaml", "national_day_railway.yaml"])
def test_the_shipped_calendars_load(name: str) -> None:
    calendar = load_calendar(SCENARIOS / name)
    assert len(calendar.labels) == 7 and {BASELINE, "fixed"} <= set(calendar.models)
    document = calendar.document
    assert document.days[0].outbound > document.days[0].inbound  # first-day outbound surge
    assert document.days[-1].inbound > document.days[-1].outbound  # last-day inbound surge
    totals = np.array([day.outbound + day.inbound for day in document.days])
    assert totals.max() / totals.mean() == pytest.approx(2.035 / 1.871, abs=0.005)  # [3]
    assert totals.max() == pytest.approx(1.82)  # the file's day, a peak day, on the busiest


def test_tidal_lanes_are_shared_and_counted_apart_from_officers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTSIM_HOLIDAY_DIRS", str(SCENARIOS))
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text(CALENDAR.replace("scenario: hall.yaml", "scenario: " + str(
        SCENARIOS / "land_port" / "land_port_peak.yaml")).replace(
        "    east: {per_direction: 3}\n    west: {per_direction: 3}\n",
        "    hall_desks_east: {per_direction: 10}\n"
        "    car_lanes: {per_direction: 22}\n"), encoding="utf-8")
    loaded = load_calendar(calendar)
    model = loaded.models[BASELINE]
    lanes = model.station("outbound_car_lanes")
    assert lanes.resource == "lane" and lanes.positions is not None
    assert lanes.positions.max_servers == 30  # the 22 and the 8 tidal lanes the file has
    noon = 1440.0 + 12 * 60  # first day, 1.3 against 0.7: 44 lanes split 29 / 15
    assert lanes.servers.servers_at(noon) == 29
    assert model.station("inbound_car_lanes").servers.servers_at(noon) == 15
    run = loaded.rosters[BASELINE]
    assert run["car_lanes"].moved_by_day(4)[1] == (7, 7 * 24.0)
    from portsim.experiment.holiday import RunResults

    moves = RunResults(BASELINE, "by_demand", None, model, [], {
        name: rosters.moved_by_day(4) for name, rosters in run.items()}, "fast", 0.0)
    # desks: 3 moved 06:00-24:00 and 1 of the night teams of 3 (4 of 6) 00:00-06:00
    assert moves.moved_on(1) == {"officer": (3, 3 * 18 + 6.0), "lane": (7, 168.0)}
