"""Staffing: shift schedules, and desks that open at a wait line and close below another."""

from __future__ import annotations

from typing import Any

from policy_helpers import kpis, one_day, shipped

import portsim
from portsim.engine import model as m

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


def test_shipped_airport_reactive_desks() -> None:
    scenario = shipped("airport/airport.yaml")
    base_model = one_day(portsim.compile_model(scenario))
    reactive_model = one_day(portsim.compile_model(scenario, "reactive_staffing"))
    halls = ("desks_north", "desks_south")
    passed = 0.0
    for replication in range(3):
        base = kpis(base_model, replication=replication)["stations"]
        reactive = kpis(reactive_model, replication=replication)["stations"]
        passed = max(passed, *(base[hall]["wait_max"] for hall in halls))
        for hall in halls:
            assert reactive[hall]["wait_max"] <= base[hall]["wait_max"]
            assert reactive[hall]["wait_p95"] <= base[hall]["wait_p95"]
            # The 15-minute line [6], plus the minutes four reserve desks take to open.
            assert reactive[hall]["wait_max"] < 15.0 + 7.0
    assert passed > 15.0                       # on busy days the banks pass the line
