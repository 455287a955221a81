"""Every shipped scenario (and variant) that the FIFO fast path runs gives the event engine's
KPIs: one replication on each engine, the same seed, every KPI equal to 1e-9 (relative).

The fast path evaluates the same streams in the same order, so on identical inputs every wait
is the event engine's; only the order of additions differs. The validation scenarios are
checked against theory on both engines (tests/validation); these are the domain scenarios,
the national ports among them (their halls choose the shorter desk row).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from engine_kpis import assert_same_kpis

from portsim.engine import run_replication
from portsim.engine.fast import why_not_fast
from portsim.scenario import load_scenario
from portsim.scenario.loader import compile_model

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(path for path in (ROOT / "scenarios").glob("*/*.yaml")
               if path.parent.name not in ("validation", "targets"))


def _qualifying() -> list[tuple[Path, str | None]]:
    cases = []
    for path in FILES:
        scenario = load_scenario(path)
        for variant in (None, *scenario.variants):
            if why_not_fast(compile_model(scenario, variant)) is None:
                cases.append((path, variant))
    return cases


CASES = _qualifying()


def test_the_fast_path_runs_the_ports_it_was_built_for() -> None:
    """Not a vacuous check: the national ports and the busiest shipped ports qualify."""
    names = {f"{path.parent.name}/{path.stem}" for path, _ in CASES}
    assert {"national/gongbei", "national/pudong", "airport/airport_peak",
            "land_port/land_port", "railway_port/railway_port"} <= names
    assert len(CASES) >= 41
    # priority service: every document hall model, both green channels of the cargo flights
    cases = {f"{path.parent.name}/{path.stem}:{variant}" for path, variant in CASES}
    hall = load_scenario(ROOT / "scenarios" / "services" / "document_hall.yaml")
    assert {f"services/document_hall:{variant}" for variant in (None, *hall.variants)} <= cases
    assert {"airport/cargo_flights:green_channel",
            "airport/cargo_flights:green_channel_own_team"} <= cases
    # customers who give up: the holiday road port's approach road that holds so many cars
    assert {"land_port/land_port_peak:None", "land_port/land_port_peak:more_egates"} <= cases
    # skilled pools and callers who call again: every model of the hotline
    hotline = load_scenario(ROOT / "scenarios" / "services" / "hotline_12367.yaml")
    assert {f"services/hotline_12367:{variant}" for variant in (None, *hotline.variants)} <= cases
    # queue-reactive staffing: desk rows joined by a shortest-queue choice, the foreigners'
    # desks alone, and the tidal car lanes (their positions change, their road is finite)
    assert {"airport/airport:reactive_staffing", "airport/airport_peak:reactive_staffing",
            "land_port/land_port_peak:reactive_staffing", "land_port/land_port_peak:tidal_lanes",
            "railway_port/railway_port_peak:reactive_staffing"} <= cases
    # bookings ahead of arrival, on time or off it, with teams on call for them
    assert {"water_port/water_port:zero_wait_call_in", "water_port/water_port:booking_only",
            "water_port/water_port:zero_wait_eta_error",
            "water_port/water_port:zero_delay_departure"} <= cases
    # a loop of stations swept as one unit: boarding teams whose ships take a pilot and then
    # send their inspection alongside back to the teams (zero wait as written)
    assert {"water_port/water_port:zero_wait", "water_port/water_port:both"} <= cases


@pytest.mark.slow
@pytest.mark.parametrize(("path", "variant"), CASES,
                         ids=[f"{p.parent.name}/{p.stem}:{v or 'base'}" for p, v in CASES])
def test_both_engines_give_the_same_kpis(path: Path, variant: str | None) -> None:
    model = compile_model(load_scenario(path), variant)
    events = run_replication(model, seed=3, engine="events").kpis
    fast = run_replication(model, seed=3, engine="fast").kpis
    assert_same_kpis(events, fast)


@pytest.mark.slow
@pytest.mark.parametrize("variant", [None, "callback"])
def test_the_hotline_calls_are_the_event_engine_call_by_call(variant: str | None) -> None:
    """Each call's events at the agents (tries, hang-ups, call-backs, answers) on both engines,
    over the warm-up day and the next morning's peak (a week's trace is ~300k events)."""
    model = compile_model(load_scenario(ROOT / "scenarios" / "services" / "hotline_12367.yaml"),
                          variant)
    model = replace(model, horizon=model.warmup + 12 * 60.0)
    logs: dict[str, list[tuple[int, str, str, float]]] = {}
    for engine in ("events", "fast"):
        seen: list[tuple[int, str, str, float]] = []
        run_replication(model, seed=3, engine=engine,
                        trace=lambda time, entity, kind, station, event, seen=seen: seen.append(
                            (entity, str(station), event, time)))
        logs[engine] = sorted(seen)
    assert any(event == "retry" for _, _, event, _ in logs["events"])
    # the same events of the same calls; the times to 1e-9 (the rate profile's arrival
    # times may differ in the last bit between the engines)
    assert [event[:3] for event in logs["fast"]] == [event[:3] for event in logs["events"]]
    assert [event[3] for event in logs["fast"]] == pytest.approx(
        [event[3] for event in logs["events"]], rel=1e-12, abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["airport/airport_peak", "land_port/land_port_peak",
                                  "services/document_hall", "water_port/water_port"])
def test_shipped_ports_with_patience_over_the_whole_visit(name: str) -> None:
    """A shipped port whose travellers give up after 2 to 60 minutes in it (every class that
    visits a station no shortest-queue choice joins, through halls on shifts, priority desks,
    finite roads and ships' inspections): both engines draw each deadline as its member
    enters, and give the same KPIs; some travellers give up."""
    from portsim.engine import distributions as d
    from portsim.engine import model as m
    from portsim.engine.fast_choices import choice_groups

    model = compile_model(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), None)
    chosen = set(choice_groups(model))
    visited = [set(m.stations_visited(spec.route)) for spec in model.classes]
    model = replace(model, classes=tuple(
        replace(spec, visit_patience=d.Uniform(2.0, 60.0)) if stations - chosen == stations
        and stations else spec for spec, stations in zip(model.classes, visited, strict=True)))
    assert why_not_fast(model) is None
    events = run_replication(model, seed=3, engine="events").kpis
    assert sum(row.get("abandoned", 0.0) for row in events["classes"].values()) > 0
    assert_same_kpis(events, run_replication(model, seed=3, engine="fast").kpis)
