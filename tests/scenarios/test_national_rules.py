"""The national peak day's ports follow the single-port files' rules (issue 26): at the
airports a port visa is an exceptional step and transit passengers who qualify enter
visa-free after the longer desk check; at the road ports the trucks' inspection is customs'
work, outside the pledge and the vehicles' border inspection, and lanes are lanes; the
railway ports' trains never bring more passengers than their seats."""

from __future__ import annotations

from pathlib import Path

import pytest

from portsim.engine import distributions as dists
from portsim.engine import model as m
from portsim.scenario import load_scenario

NATIONAL = Path(__file__).resolve().parents[2] / "scenarios" / "national"
AIRPORTS = ("pudong", "beijing_capital", "guangzhou_baiyun", "other_airport")
ROAD_PORTS = ("futian", "gongbei", "huanggang", "luohu", "other_land_port", "shenzhen_bay")
#: Seats of the trains into West Kowloon: an 8-car set and a 16-car one (docs/sources.md).
SEATS = {579, 1193}


def _model(name: str) -> m.Model:
    return load_scenario(NATIONAL / f"{name}.yaml").model(None)


def _visited(model: m.Model, name: str) -> set[str]:
    return set(m.stations_visited(next(c for c in model.classes if c.name == name).route))


@pytest.mark.parametrize("name", AIRPORTS)
def test_port_visas_are_exceptional_and_transit_enters_visa_free(name: str) -> None:
    model = _model(name)
    classes = {spec.name for spec in model.classes}
    assert "visa_on_arrival" not in classes
    assert {"transit", "transit_visa_free", "mainland_group_desks"} <= classes
    assert "port_visa_office" in _visited(model, "foreigners")
    for transit in ("transit", "transit_visa_free"):
        assert "port_visa_office" not in _visited(model, transit)
        assert "foreigner_desks" in _visited(model, transit)
    # The visa-free entrants' longer check (4 min) against a foreigner's 75 s at the desks.
    desks = next(station for station in model.stations if station.name == "foreigner_desks")
    assert desks.service_by_class["transit_visa_free"].mean == pytest.approx(4.0)
    assert desks.service.mean == pytest.approx(1.25)


@pytest.mark.parametrize("name", ROAD_PORTS)
def test_customs_work_is_outside_the_pledge_and_lanes_are_lanes(name: str) -> None:
    model = _model(name)
    stations = {station.name: station for station in model.stations}
    assert "physical_inspection" not in stations
    assert "customs_inspection" in _visited(model, "ordinary_trucks")
    assert "customs_inspection" not in set(model.slot_stations or ())
    document = load_scenario(NATIONAL / f"{name}.yaml").resolved(None)
    assert document["inspection"]["stations"] == ["truck_lanes"]
    for lane in ("car_lanes", "truck_lanes", "bus_lanes"):
        assert stations[lane].resource == "lane", lane
    assert stations["hall_desks_east"].resource != "lane"


def _train_seats(route: m.Route) -> list[int]:
    """Each kind of train's seats: the trials of its batches' seat-capped counts."""
    options = [step.options for step in route if isinstance(step, m.Branch)]
    kinds = [sub for branch in options for _, sub in branch] or [route]
    seats = []
    for kind in kinds:
        counts = [step.count for step in kind if isinstance(step, m.Spawn)]
        assert all(isinstance(count, dists.Binomial) for count in counts), counts
        seats.append(sum(count.n for count in counts if isinstance(count, dists.Binomial)))
    return seats


def test_pudong_s_holiday_comes_on_extra_flights_with_seat_caps() -> None:
    # Pudong is sized on the same peak day as airport_peak.yaml: its extra flights of 300 seats.
    # (As the file writes them: the e-gate families and the visa-free entrants share the
    # seats out among classes of their own, a family taking one place for three seats.)
    document = load_scenario(NATIONAL / "pudong.yaml").resolved(None)
    counts = [step["spawn"]["count"] for step in document["classes"]["extra_flights"]["route"]]
    assert {count["dist"] for count in counts} == {"binomial"}
    assert sum(count["n"] for count in counts) == 300


def test_west_kowloon_s_trains_bring_at_most_their_seats() -> None:
    model = _model("west_kowloon")
    trains = next(spec for spec in model.classes if spec.name == "trains")
    assert sorted(_train_seats(trains.route)) == sorted(SEATS)
    for path in ("railway_port", "railway_port_peak"):
        shipped = load_scenario(NATIONAL.parent / "railway_port" / f"{path}.yaml").model(None)
        route = next(spec for spec in shipped.classes if spec.name == "trains").route
        assert _train_seats(route) == [579], path
