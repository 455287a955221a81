"""The holiday-peak baselines are staffed as a duty officer runs the port on a holiday: every
desk that exists is open in the hours the demand arrives, never more than the desks there are,
and the railway hall's desks follow the train timetable. The rules are stated in each file's
comments and in docs/policies.md; these tests read the compiled files, so a roster edited away
from its rule fails here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

import portsim
from portsim.engine.model import StationSpec

SCENARIOS = Path(__file__).parents[2] / "scenarios"
MINUTES_A_DAY = 24 * 60

# file, the desk stations the rule covers, the hours (from, to) in which every desk is open
EVERY_DESK = [
    ("airport/airport_peak.yaml", ("desks_north", "desks_south", "foreigner_desks"), (6, 24)),
    ("land_port/land_port_peak.yaml", ("hall_desks_east", "hall_desks_west"), (6, 24)),
    ("railway_port/railway_port_peak.yaml", ("desks_east", "desks_west"), (7, 23)),
]

# railway desks open at least LEAD minutes before each train and until AFTER minutes after it,
# and are closed when no train is due within CLOSED_LEAD minutes nor came within CLOSED_AFTER
LEAD, AFTER, CLOSED_LEAD, CLOSED_AFTER = 15, 60, 30, 65


def _stations(file: str) -> dict[str, StationSpec]:
    model = portsim.compile_model(portsim.load_scenario(SCENARIOS / file))
    return {spec.name: spec for spec in model.stations}


def _train_minutes() -> list[int]:
    with open(SCENARIOS / "railway_port" / "trains.csv", encoding="utf-8") as handle:
        times = [row["time"] for row in csv.DictReader(handle)]
    return [int(clock[:2]) * 60 + int(clock[3:]) for clock in times]


@pytest.mark.parametrize(("file", "desks", "hours"), EVERY_DESK,
                         ids=[Path(file).stem for file, _, _ in EVERY_DESK])
def test_every_desk_is_open_in_the_demand_hours_and_never_more(
        file: str, desks: tuple[str, ...], hours: tuple[int, int]) -> None:
    stations = _stations(file)
    for name in desks:
        spec = stations[name]
        assert spec.positions is not None, name
        for minute in range(MINUTES_A_DAY):
            on_duty = spec.servers.servers_at(float(minute))
            there = spec.positions.servers_at(float(minute))
            assert on_duty <= there, (name, minute, on_duty, there)
            if hours[0] * 60 <= minute < hours[1] * 60:
                assert on_duty == there, (name, minute, on_duty, there)


def test_railway_desks_follow_the_train_timetable() -> None:
    trains = _train_minutes()
    stations = _stations("railway_port/railway_port_peak.yaml")

    def due(minute: int, before: int, after: int) -> bool:
        """A train due within ``before`` minutes from now, or in within the last ``after``."""
        return any(-after <= train - minute <= before
                   for train in trains for train in (train - MINUTES_A_DAY, train,
                                                     train + MINUTES_A_DAY))

    for name in ("desks_east", "desks_west"):
        spec = stations[name]
        assert spec.positions is not None
        for minute in range(MINUTES_A_DAY):
            on_duty = spec.servers.servers_at(float(minute))
            if due(minute, LEAD, AFTER):
                assert on_duty == spec.positions.servers_at(float(minute)), (name, minute)
            if not due(minute, CLOSED_LEAD, CLOSED_AFTER):
                assert on_duty == 0, (name, minute, on_duty)


def test_the_stated_demand_hours_are_the_files_own() -> None:
    """The hours of the rule are where the demand is: 150 of the airport's 157 flights land
    06:00-24:00, and the land port's walk-in and bus travellers pass 1,300 an hour in every
    hour 06:00-24:00 and stay under 1,100 an hour at night (buses bring 40 each, the file's
    mean)."""
    with open(SCENARIOS / "airport" / "flights.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_day = sum(int(row["count"]) for row in rows if 6 <= int(row["time"][:2]) < 24)
    assert (by_day, sum(int(row["count"]) for row in rows)) == (150, 157)
    with open(SCENARIOS / "land_port" / "land_port_peak.yaml", encoding="utf-8") as handle:
        classes = yaml.safe_load(handle)["classes"]

    def per_hour(name: str) -> list[float]:
        rates = classes[name]["arrivals"]["rates"]
        assert all(rate.endswith("/h") for rate in rates), rates
        return [float(rate[:-2]) for rate in rates]

    hourly = [walk + 40 * bus
              for walk, bus in zip(per_hour("walk_in"), per_hour("buses"), strict=True)]
    assert all(rate >= 1300 for rate in hourly[6:]), hourly
    assert all(rate < 1100 for rate in hourly[:6]), hourly
