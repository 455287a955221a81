"""Zero waiting for arriving ships by booking and calling teams in, zero-delay departures:
inspection booked ahead (zero wait as written, by screening: test_zero_wait_screening.py)."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import yaml
from policy_helpers import SCENARIOS

import portsim
from portsim.engine import model as m

WATER = SCENARIOS / "water_port" / "water_port.yaml"


@pytest.fixture(scope="module")
def water() -> dict[str | None, portsim.Results]:
    raw = yaml.safe_load(WATER.read_text())
    # Booked ahead, but the teams keep their working hours: bookings made at night wait.
    office_hours = copy.deepcopy(raw["variants"]["zero_wait_call_in"])
    office_hours["policies"]["zero_wait"]["around_the_clock"] = False
    raw["variants"]["zero_wait_office_hours"] = office_hours
    scenario = portsim.load_scenario(raw, base_dir=WATER.parent)
    return {variant: portsim.simulate(scenario, replications=5, seed=3, variant=variant)
            for variant in (None, "zero_wait_call_in", "zero_wait_office_hours",
                            "zero_delay_departure", "both")}


def anchorage(results: portsim.Results) -> float:
    """Mean wait at anchorage for the boarding inspection, minutes."""
    return results.summary("stations", "boarding_inspection", "wait_mean").mean


def test_zero_wait_boards_ships_on_arrival(water) -> None:
    assert anchorage(water[None]) > 60.0                # night duty: ships wait for the day
    assert anchorage(water["zero_wait_call_in"]) < 5.0          # teams suffice: (near) zero
    assert water["zero_wait_call_in"].summary("stations", "boarding_inspection",
                                      "prob_wait").mean < 0.3
    # The shifts on duty are unchanged (1 at night, 4 by day: 2.5 on average); the night's
    # ships are boarded by off-duty teams called in for them (on call up to 4).
    assert water["zero_wait_call_in"].summary("stations", "boarding_inspection",
                                      "servers_mean").mean == pytest.approx(2.5)
    model = portsim.compile_model(portsim.load_scenario(WATER), "zero_wait_call_in")
    assert model.station("boarding_inspection").booking_servers == 4
    # Departures are untouched.
    assert water["zero_wait_call_in"].summary("classes", "departing_ships", "late_share").mean == \
        pytest.approx(water[None].summary("classes", "departing_ships", "late_share").mean)


def test_booking_alone_does_not_beat_working_hours(water) -> None:
    # Without teams at night the bookings queue for the morning shift: the reservation moves
    # the ships ahead of nobody (every arriving ship books), so the wait stays.
    assert anchorage(water["zero_wait_office_hours"]) > 0.5 * anchorage(water[None])


def boarding_delays(model: m.Model, seed: int = 4) -> list[float]:
    """Each arriving ship's wait between reaching anchorage and its team boarding."""
    queued: dict[int, float] = {}
    delays: list[float] = []

    def trace(time: float, ident: int, cls: str, station: str | None, event: str) -> None:
        if station == "boarding_inspection" and event == "queue":
            queued[ident] = time
        elif station == "boarding_inspection" and event == "start":
            delays.append(time - queued.pop(ident))

    portsim.run_replication(model, seed=seed, trace=trace)
    return delays


def test_booked_ships_start_when_they_arrive() -> None:
    model = portsim.compile_model(portsim.load_scenario(WATER), "zero_wait_call_in")
    ships = next(c for c in model.classes if c.name == "arriving_ships")
    assert ships.route[0] == m.Visit("boarding_inspection", reserve_ahead=30.0)
    delays = boarding_delays(model)
    assert len(delays) > 150
    assert sum(delay == 0.0 for delay in delays) > 0.7 * len(delays)
    # With six teams (held ones included, teams suffice) practically every ship is boarded
    # the moment it arrives.
    six = dataclasses.replace(model, stations=tuple(
        dataclasses.replace(s, servers=m.ShiftSchedule.constant(6))
        if s.name == "boarding_inspection" else s for s in model.stations))
    delays = boarding_delays(six)
    assert sum(delay == 0.0 for delay in delays) > 0.9 * len(delays)
    assert sum(delays) / len(delays) < 1.5


def test_zero_delay_departure_sails_on_time(water) -> None:
    def late(variant: str | None, kpi: str = "late_share") -> float:
        return water[variant].summary("classes", "departing_ships", kpi).mean

    assert late(None) > 0.15                            # night backlog: many sail late
    assert late("zero_delay_departure") < 0.03
    assert late("zero_delay_departure", "lateness_mean") < 0.1 * late(None, "lateness_mean")
    # Arrivals are untouched by the departure policy; "both" has both effects.
    assert anchorage(water["zero_delay_departure"]) == pytest.approx(anchorage(water[None]))
    # "both" screens arrivals (zero wait as written): few ships are held before they may berth.
    cleared = water["both"].summary("classes", "arriving_ships", "until_cleared_to_berth_mean")
    assert late("both") < 0.03 and cleared.mean < 15.0


@pytest.fixture(scope="module")
def apart() -> dict[str | None, portsim.Results]:
    """The shipped variants that take zero wait apart: booking alone, night teams alone, and
    zero wait with ships off their declared time."""
    scenario = portsim.load_scenario(WATER)
    return {variant: portsim.simulate(scenario, replications=5, seed=3, variant=variant)
            for variant in (None, "zero_wait_call_in", "booking_only", "night_teams",
                            "zero_wait_eta_error")}


def servers(results: portsim.Results) -> float:
    return results.summary("stations", "boarding_inspection", "servers_mean").mean


def test_zero_waits_gain_is_the_night_teams(apart) -> None:
    # The booking alone leaves the anchorage wait where it was; the night teams alone take it
    # all away, as zero wait does (within a few minutes).
    assert anchorage(apart["booking_only"]) > 0.7 * anchorage(apart[None])
    assert anchorage(apart["night_teams"]) < 5.0
    assert abs(anchorage(apart["night_teams"]) - anchorage(apart["zero_wait_call_in"])) < 2.0
    # Call-out: night teams are 36 more team-hours a day (1.5 more teams on average); zero
    # wait's on-call teams are not counted among the teams on duty.
    assert servers(apart["night_teams"]) - servers(apart[None]) == pytest.approx(1.5)
    assert servers(apart["zero_wait_call_in"]) == pytest.approx(servers(apart[None]))
    assert servers(apart["booking_only"]) == pytest.approx(servers(apart[None]))


def test_ships_off_their_declared_time_lose_zero_wait(apart) -> None:
    def ships(variant: str | None, kpi: str) -> float:
        return apart[variant].summary("classes", "arriving_ships", kpi).mean

    # Early ships wait for the time they were booked for, late ones keep their team idle
    # (held: busy for the station), which others then wait for.
    assert ships("zero_wait_eta_error", "until_cleared_to_berth_mean") > \
        ships("zero_wait_call_in", "until_cleared_to_berth_mean") + 30.0
    held = apart["zero_wait_eta_error"].summary("stations", "boarding_inspection",
                                                "utilisation").mean
    assert held > apart["zero_wait_call_in"].summary("stations", "boarding_inspection",
                                             "utilisation").mean + 0.05
    # Still far better than no booking at all.
    assert ships("zero_wait_eta_error", "until_cleared_to_berth_mean") < \
        0.7 * ships(None, "until_cleared_to_berth_mean")
