"""Staffing: shift schedules, and desks that open at a wait line and close below another."""

from __future__ import annotations

from typing import Any

from policy_helpers import kpis, one_day, shipped

import portsim
from portsim.engine import model as m
from portsim.engine import run_replication

LINE = 10.0   # minutes: the head-of-queue wait that opens a desk


def peak(max_extra: int) -> dict[str, Any]:
    # Five desks of 1 min each; a two-hour wave of 8/min (capacity 5/min) every six hours.
    return {
        "name": "wave", "time": {"horizon": "1d"},
        "stations": {"desks": {"servers": 5, "service": {"dist": "exponential", "mean": 1}}},
        "classes": {"pax": {"arrivals": {"kind": "profile", "rates": [4, 4, 8, 8, 4, 4]},
                            "route": ["desks"]}},
        "variants": {"reactive": {"policies": {"staffing": {"desks": {"reactive": {
            "open_above": LINE, "close_below": 3, "max_extra": max_extra}}}}}},
    }


def test_reactive_desks_hold_the_wait_near_the_line() -> None:
    scenario = portsim.load_scenario(peak(max_extra=6))
    base = kpis(portsim.compile_model(scenario))["stations"]["desks"]
    reactive = kpis(portsim.compile_model(scenario, "reactive"))["stations"]["desks"]
    assert base["wait_max"] > 5 * LINE            # the wave swamps five desks
    # A desk opens each minute while the head of the queue waits beyond the line, so nobody
    # waits much longer than the line plus the minutes the extra desks take to open.
    assert reactive["wait_max"] < LINE + 5
    assert reactive["wait_p95"] < LINE + 2
    # The extra desks open for the waves and close after them.
    assert 5.0 < reactive["servers_mean"] < 8.0


def test_a_small_reserve_cannot_hold_the_line() -> None:
    scenario = portsim.load_scenario(peak(max_extra=1))
    reactive = kpis(portsim.compile_model(scenario, "reactive"))["stations"]["desks"]
    assert reactive["wait_max"] > 3 * LINE        # 6 desks for 8/min: the queue still grows


def test_shifts_replace_the_schedule() -> None:
    doc = peak(max_extra=1)
    doc["variants"]["shifts"] = {"policies": {"staffing": {"desks": {"shifts": [
        {"start": "06:00", "end": "22:00", "servers": 9}]}}}}
    model = portsim.compile_model(portsim.load_scenario(doc), "shifts")
    assert model.station("desks").servers == m.ShiftSchedule(
        steps=((0.0, 0), (360.0, 9), (1320.0, 0)))
    assert model.station("desks").reactive is None


def test_reactive_desks_stop_at_the_positions() -> None:
    """Six desks in all: the wave that opens up to six extras (11 desks) finds one free, so
    the desks on duty stay within six and the line is not held."""
    doc = peak(max_extra=6)
    doc["stations"]["desks"]["positions"] = 6
    scenario = portsim.load_scenario(doc)
    reactive = kpis(portsim.compile_model(scenario, "reactive"))["stations"]["desks"]
    free = kpis(portsim.compile_model(portsim.load_scenario(peak(max_extra=6)), "reactive"))
    assert reactive["positions"] == 6.0 and free["stations"]["desks"]["positions"] == 11.0
    assert 5 * 24 < reactive["server_hours"] <= 6 * 24
    assert free["stations"]["desks"]["server_hours"] > reactive["server_hours"]
    assert reactive["wait_max"] > 3 * LINE


def test_shipped_airport_reactive_desks_stop_at_the_halls_desks(monkeypatch: Any) -> None:
    """The airport's reserve opens desks only where the hall has one free: the variant's
    leaner roster staffs 5 + 5 + 12 of the 30 desks 06:00-24:00 and 3 + 3 + 5 at night, and
    the reserve (2 + 2 + 4) may open desks up to them, never beyond."""
    from portsim.engine.fast_stations import FastStation
    from portsim.engine.station import Station

    scenario = shipped("airport/airport_peak.yaml")
    model = one_day(portsim.compile_model(scenario, "reactive_staffing"))
    positions = {spec.name: spec.positions for spec in model.stations}
    seen: list[tuple[str, float, int]] = []
    apply = Station._apply_servers

    def recorded(station: Station) -> None:
        apply(station)
        seen.append((station.name, station.env.now, station.servers))

    monkeypatch.setattr(Station, "_apply_servers", recorded)
    # the fast path's sweep reports the same changes to its station (both engines checked)
    changed = FastStation.servers_changed

    def noted(station: FastStation, changes: list[tuple[float, int]]) -> None:
        changed(station, changes)
        seen.extend((station.name, now, servers) for now, servers in changes)

    monkeypatch.setattr(FastStation, "servers_changed", noted)
    for engine in ("events", "fast"):
        seen.clear()
        for replication in range(2):
            run_replication(model, seed=1, replication=replication, engine=engine)
        halls = [entry for entry in seen if entry[0] in ("desks_north", "desks_south",
                                                         "foreigner_desks")]
        assert len({name for name, _, _ in halls}) == 3, f"the halls' servers changed ({engine})"
        scheduled = {spec.name: spec.servers for spec in model.stations}
        assert any(servers > scheduled[name].servers_at(now) for name, now, servers in halls), (
            f"the reserve opened desks ({engine})")
        for name, now, servers in halls:
            limit = positions[name]
            assert limit is not None and servers <= limit.servers_at(now), (engine, name, now,
                                                                            servers)
