"""The pledge as a monitor reads the queue (``pledge.measure: monitor``): every 15 minutes the
wait of each class's last member in each counted queue; the slot KPI is the longest reading.
Checked against the readings computed from the trace of every join and start, on both engines
(equal to the last bit), and judged, worded and refused where it cannot be read."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.engine import run_replication
from portsim.engine.model import MINUTES_PER_DAY
from portsim.experiment.pledge import BROKEN, MET, pledge_words, verdict
from portsim.experiment.runner import simulate
from portsim.report.compare_plots import _pledge_drawing
from portsim.scenario import load_scenario

BATCHES = """\
name: Monitor
time: {horizon: 1d}
replications: 3
seed: 1
sla: 20min
pledge: {stations: [desk], measure: monitor}
stations:
  desk: {servers: 1, service: {dist: deterministic, value: 1min}}
  customs: {servers: 1, service: {dist: deterministic, value: 2min}}
classes:
  citizens:
    arrivals: {kind: timetable, batches: [{time: "08:00", count: 10}, {time: "09:10", count: 30}]}
    route: [desk, customs]
  visitors:
    arrivals: {kind: timetable, batches: [{time: "10:00", count: 20}]}
    route: [customs]
"""


def _write(tmp_path: Path, text: str, name: str = "monitor.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["fast", "events"])
def test_the_reading_is_the_wait_of_the_last_in_line(tmp_path: Path, engine: str) -> None:
    # 08:00: ten join the desk at once, the first starts at once (the reading comes after
    # everything at 08:00): the last of them waits 9 min. 09:15 and 09:30: the last of the
    # thirty who came at 09:10 waits 29 min. Customs (not counted) queues the visitors.
    model = load_scenario(_write(tmp_path, BATCHES)).model(None)
    rows = run_replication(model, seed=1, engine=engine).kpis["classes"]
    citizens = rows["citizens"]
    assert citizens["wait_h0800_monitor"] == 9.0 and citizens["wait_h0900_monitor"] == 29.0
    assert citizens["wait_h1000_monitor"] == 0.0  # read, nobody queueing at the desk
    assert rows["visitors"]["wait_h1000_monitor"] == 0.0  # never in a counted queue


NETWORK = """\
name: Monitor, random
time: {horizon: 2d, warmup: 5h}
replications: 2
seed: 4
sla: 10min
pledge: {stations: [desk_a, desk_b, gates], measure: monitor, slot: 30min}
stations:
  desk_a: {servers: 2, service: {dist: exponential, mean: 3.5min}}
  desk_b: {servers: [{start: "00:00", end: "09:00", servers: 1},
                     {start: "09:00", end: "24:00", servers: 3}],
           service: {dist: lognormal, mean: 3.5min, cv: 0.5}}
  gates: {servers: 3, service: {dist: uniform, low: 1min, high: 3min}}
  customs: {servers: 2, service: {dist: exponential, mean: 1min}}
classes:
  citizens:
    arrivals: {kind: poisson, rate: 80/h}
    route:
      - {delay: {dist: uniform, low: 1min, high: 3min}}
      - branch:
          - {p: 0.4, route: [customs, gates]}
          - {p: 0.6, route: [{shortest_queue: [desk_a, desk_b]}]}
  crew:
    arrivals: {kind: timetable, batches: [{time: "08:00", count: 40}, {time: "14:30", count: 40}]}
    route: [gates, desk_a]
"""


def _trace_readings(model, engine: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """The readings computed from the trace: at each reading time, per (class, counted
    station), the last to join who had not started; its wait there (or until the horizon)."""
    visits: dict[tuple[int, str], list[float]] = defaultdict(lambda: [math.nan, math.inf])
    kinds: dict[int, str] = {}

    def trace(time: float, entity: int, class_name: str, station: str | None,
              event: str) -> None:
        kinds[entity] = class_name
        if event == "queue":
            visits[entity, station][0] = time  # type: ignore[index]
        elif event == "start":
            visits[entity, station][1] = time  # type: ignore[index]

    result = run_replication(model, seed=3, trace=trace, engine=engine)
    assert result.engine == engine
    expected: dict[tuple[str, int], float] = {}
    for k in range(int(model.warmup // 15), int(model.horizon // 15)):
        at = k * 15.0
        slot = int(at // model.slot_minutes)
        for station in model.slot_stations:
            last: dict[str, tuple[float, float]] = {}
            for (entity, where), (joined, started) in visits.items():
                if where == station and joined <= at < started and (
                        kinds[entity] not in last or joined >= last[kinds[entity]][0]):
                    last[kinds[entity]] = (joined, started)
            for kind in ("citizens", "crew"):
                joined, started = last.get(kind, (at, at))
                value = min(started, model.horizon) - joined
                expected[kind, slot] = max(expected.get((kind, slot), 0.0), value)
    return expected, result.kpis["classes"]


def test_both_engines_read_what_the_trace_shows_to_the_last_bit(tmp_path: Path) -> None:
    model = load_scenario(_write(tmp_path, NETWORK)).model(None)
    per_day = round(MINUTES_PER_DAY / model.slot_minutes)
    rows = {}
    for engine in ("events", "fast"):
        expected, rows[engine] = _trace_readings(model, engine)
        for kind in ("citizens", "crew"):
            for day in (1, 2):
                for slot in range(per_day):
                    key = f"wait_d{day}_h{slot // 2:02d}{30 * (slot % 2):02d}_monitor"
                    if key not in rows[engine][kind]:
                        continue  # before the warm-up
                    want = expected[kind, (day - 1) * per_day + slot]
                    assert rows[engine][kind][key] == pytest.approx(want, abs=1e-9), (
                        engine, kind, key)
    busy = [v for k, v in rows["events"]["citizens"].items() if k.endswith("_monitor")]
    assert max(busy) > 10.0 and min(busy) == 0.0  # queues formed, and emptied
    for kind, row in rows["events"].items():
        for key, value in row.items():
            other = rows["fast"][kind][key]
            if key.endswith("_monitor"):
                assert other == value, (kind, key)  # identical, not just close
            else:
                assert math.isnan(other) if math.isnan(value) else other == pytest.approx(
                    value, rel=1e-9, abs=1e-9), (kind, key)


def test_a_monitor_pledge_is_judged_worded_and_drawn_on_the_readings(tmp_path: Path) -> None:
    path = _write(tmp_path, BATCHES.replace("pledge: {", "pledge: {classes: [citizens], "))
    results = simulate(path, replications=3, workers=1)
    assert results.pledge_measure == "monitor"
    judged = verdict(results, "classes", "citizens")
    statuses = {slot.clock: slot.status for slot in judged.slots}
    assert statuses["08:00"] == MET and statuses["09:00"] == BROKEN  # 9 and 29 min against 20
    assert pledge_words(results) == ("the queue as a monitor reads it every 15 min (the wait "
                                     "of the last in line) is at most 20 min, in every hour")
    drawing = _pledge_drawing(results, results.sla)
    assert drawing.kpi == "monitor" and drawing.reference == 20.0
    out = tmp_path / "cmp"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("variants:\n  two_desks: {stations: {desk: {servers: 2}}}\n")
    result = CliRunner().invoke(app, ["compare", str(path), "--replications", "3", "--workers",
                                      "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "the queue as a monitor reads it every 15 min" in text
    assert (out / "pledge.png").exists()


def test_the_monitor_is_refused_where_customers_give_up_and_off_its_readings(
        tmp_path: Path) -> None:
    impatient = BATCHES.replace(
        "desk: {servers: 1, service: {dist: deterministic, value: 1min}}",
        "desk: {servers: 1, service: {dist: deterministic, value: 1min}, "
        "patience: {dist: exponential, mean: 30min}}")
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, impatient))])
    assert result.exit_code == 2, result.output
    assert "pledge.measure" in result.output and "'desk'" in result.output
    odd = BATCHES.replace("measure: monitor}", "measure: monitor, slot: 10min}")
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, odd, "odd.yaml"))])
    assert result.exit_code == 2 and "every 15min" in result.output, result.output
