"""Compiling validated scenarios to the engine's plain model objects, in minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.scenario import compile_model, load_scenario


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "port",
        "time": {"horizon": "2d", "warmup": "6h"},
        "sla": "20min",
        "stations": {"desk": {"servers": 3, "service": {"dist": "exponential", "mean": "48s"}}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "90/h"}, "route": ["desk"]}},
    }
    doc.update(changes)
    return doc


def compiled(doc: dict[str, Any], variant: str | None = None) -> m.Model:
    return compile_model(load_scenario(doc), variant)


def test_model_basics() -> None:
    model = compiled(document())
    assert (model.name, model.horizon, model.warmup, model.sla) == ("port", 2880.0, 360.0, 20.0)
    assert model.stations == (m.StationSpec(name="desk", servers=m.ShiftSchedule.constant(3),
                                            service=d.Exponential(mean=0.8),
                                            resource="officer"),)
    assert model.classes == (m.ClassSpec(name="pax", arrivals=m.Poisson(rate=1.5),
                                         route=(m.Visit("desk"),)),)


@pytest.mark.parametrize(
    ("spec", "engine"),
    [
        ({"dist": "exponential", "mean": "54s"}, d.Exponential(mean=0.9)),
        ({"dist": "deterministic", "value": "2h"}, d.Deterministic(value=120.0)),
        ({"dist": "uniform", "low": "5min", "high": "15min"}, d.Uniform(low=5.0, high=15.0)),
        ({"dist": "triangular", "low": "1min", "mode": "2min", "high": "5min"},
         d.Triangular(low=1.0, mode=2.0, high=5.0)),
        ({"dist": "lognormal", "mean": "45s", "cv": 0.5}, d.Lognormal(mean=0.75, cv=0.5)),
        ({"dist": "gamma", "mean": "90s", "cv": 2}, d.Gamma(mean=1.5, cv=2.0)),
        ({"dist": "empirical", "values": ["30s", "1min", "75s"]},
         d.Empirical(values=(0.5, 1.0, 1.25))),
    ],
)
def test_distributions(spec: dict[str, Any], engine: Any) -> None:
    doc = document()
    doc["stations"]["desk"]["service"] = spec
    assert compiled(doc).station("desk").service == engine


@pytest.mark.parametrize(
    ("arrivals", "engine"),
    [
        ({"kind": "poisson", "rate": "120/h"}, m.Poisson(rate=2.0)),
        ({"kind": "poisson", "rate": "30/s"}, m.Poisson(rate=1800.0)),
        ({"kind": "profile", "rates": ["60/h", 0, "4000/d"]},
         m.RateProfile(rates=(1.0, 0.0, 4000 / 1440), bin_width=60.0)),
        ({"kind": "profile", "rates": [1, 2], "bin": "30min"},
         m.RateProfile(rates=(1.0, 2.0), bin_width=30.0)),
        ({"kind": "timetable", "repeat": "1d", "batches": [
            {"time": "14:00", "count": 200}, {"time": "06:30", "count": 180, "spread": "5min"}]},
         m.Timetable(times=(390.0, 840.0), counts=(180, 200), spreads=(5.0, 0.0),
                     repeat_every=1440.0)),
        ({"kind": "timetable", "batches": [{"time": "2h", "count": 1}]},
         m.Timetable(times=(120.0,), counts=(1,), spreads=(0.0,), repeat_every=None)),
        ({"kind": "trace", "times": [3, "30s", 1.5]}, m.Trace(times=(0.5, 1.5, 3.0))),
    ],
)
def test_arrivals(arrivals: dict[str, Any], engine: Any) -> None:
    doc = document()
    doc["classes"]["pax"]["arrivals"] = arrivals
    assert compiled(doc).classes[0].arrivals == engine


def test_timetable_from_csv(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("time,count,spread\n06:30,180,5min\n")
    doc = document()
    doc["classes"]["pax"]["arrivals"] = {"kind": "timetable", "file": "t.csv"}
    model = compile_model(load_scenario(doc, base_dir=tmp_path))
    assert model.classes[0].arrivals == m.Timetable(times=(390.0,), counts=(180,),
                                                    spreads=(5.0,))


def test_every_route_step() -> None:
    doc = document()
    doc["stations"]["gate"] = {"servers": 2, "service": {"dist": "deterministic", "value": 1}}
    walk = {"dist": "uniform", "low": "5min", "high": "15min"}
    doc["classes"]["pax"]["route"] = [
        {"delay": walk},
        {"branch": [{"p": 0.3, "route": ["gate"]}, {"p": 0.7, "route": [{"station": "desk"}]}]},
        {"shortest_queue": ["desk", "gate"]},
        {"optional": {"p": 0.05, "route": ["gate", "desk"]}},
    ]
    assert compiled(doc).classes[0].route == (
        m.Delay(d.Uniform(low=5.0, high=15.0)),
        m.Branch(((0.3, (m.Visit("gate"),)), (0.7, (m.Visit("desk"),)))),
        m.ShortestQueue(("desk", "gate")),
        m.OptionalStep(0.05, (m.Visit("gate"), m.Visit("desk"))),
    )


def test_priority_and_discipline() -> None:
    doc = document()
    doc["stations"]["desk"]["discipline"] = "priority"
    doc["classes"]["pax"]["priority"] = -2
    model = compiled(doc)
    assert model.station("desk").discipline == "priority"
    assert model.classes[0].priority == -2


def test_service_by_class_from_station_and_from_steps() -> None:
    doc = document()
    doc["stations"]["desk"]["service_by_class"] = {"pax": {"dist": "exponential", "mean": 2}}
    doc["stations"]["gate"] = {"servers": 1, "service": {"dist": "deterministic", "value": 1}}
    doc["classes"]["crew"] = {
        "arrivals": {"kind": "poisson", "rate": 1},
        "route": [{"branch": [
            {"p": 0.5, "route": [{"station": "gate", "service": {"dist": "deterministic",
                                                                  "value": "30s"}}]},
            {"p": 0.5, "route": ["desk"]}]}],
    }
    model = compiled(doc)
    assert model.station("desk").service_by_class == {"pax": d.Exponential(mean=2.0)}
    assert model.station("gate").service_by_class == {"crew": d.Deterministic(value=0.5)}
    assert model.station("gate").service_for("pax") == d.Deterministic(value=1.0)


def _servers(station: dict[str, Any]) -> m.ShiftSchedule:
    doc = document()
    doc["stations"]["desk"].update(station)
    return compiled(doc).station("desk").servers


def test_shift_windows_become_a_daily_schedule_with_gaps_at_zero() -> None:
    schedule = _servers({"servers": [
        {"start": "06:00", "end": "12:00", "servers": 4},
        {"start": "12:00", "end": "22:00", "servers": 12},
    ]})
    assert schedule == m.ShiftSchedule(steps=((0.0, 0), (360.0, 4), (720.0, 12), (1320.0, 0)),
                                       period=1440.0)


def test_windows_covering_the_day_with_equal_servers_are_constant() -> None:
    schedule = _servers({"servers": [{"start": "00:00", "end": "12:00", "servers": 3},
                                     {"start": "12:00", "end": "24:00", "servers": 3}]})
    assert schedule == m.ShiftSchedule.constant(3)


def test_opening_hours_close_a_constant_station() -> None:
    schedule = _servers({"servers": 5, "opening_hours": {"start": "08:00", "end": "20:00"}})
    assert schedule == m.ShiftSchedule(steps=((0.0, 0), (480.0, 5), (1200.0, 0)), period=1440.0)
    assert schedule.servers_at(1440 + 600) == 5 and schedule.servers_at(1300) == 0


def test_opening_hours_multiply_shift_windows() -> None:
    schedule = _servers({
        "servers": [{"start": "00:00", "end": "10:00", "servers": 2},
                    {"start": "10:00", "end": "24:00", "servers": 6}],
        "opening_hours": {"start": "08:00", "end": "24:00"},
    })
    assert schedule == m.ShiftSchedule(steps=((0.0, 0), (480.0, 2), (600.0, 6)), period=1440.0)


def test_variant_model_name_and_changes() -> None:
    doc = document(variants={"more": {"stations": {"desk": {"servers": 5}}}})
    scenario = load_scenario(doc)
    assert compile_model(scenario).station("desk").servers == m.ShiftSchedule.constant(3)
    more = compile_model(scenario, "more")
    assert more.name == "port [more]"
    assert more.station("desk").servers == m.ShiftSchedule.constant(5)


AIRPORT = Path(__file__).parents[2] / "scenarios" / "airport" / "airport.yaml"


def test_loading_and_running_compiles_each_document_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import portsim
    from portsim.scenario import compile as compiling

    calls: dict[str, list[str | None]] = {"compile_document": [], "base_model": []}

    def counting(function: str) -> Any:
        original = getattr(compiling, function)

        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[function].append(kwargs.get("name"))  # the model's name tells which document
            return original(*args, **kwargs)

        return counted

    for function in calls:
        monkeypatch.setattr(compiling, function, counting(function))
    scenario = portsim.load_scenario(AIRPORT)
    assert len(scenario.variant_names) == 4
    portsim.simulate(scenario, replications=1)
    for variant in scenario.variant_names:
        assert compile_model(scenario, variant) is compile_model(scenario, variant)
    names = [scenario.name, *(f"{scenario.name} [{v}]" for v in scenario.variant_names)]
    assert calls == {"compile_document": names, "base_model": names}


def test_impatience() -> None:
    desk = {"servers": 3, "service": {"dist": "exponential", "mean": "48s"},
            "patience": {"dist": "exponential", "mean": "5min"},
            "balk": {"queue_limit": 20, "probabilities": [0, 0.25]},
            "impatience_by_class": {"vip": {"patience": {"dist": "deterministic",
                                                         "value": "1h"}}}}
    classes = {name: {"arrivals": {"kind": "poisson", "rate": "90/h"}, "route": ["desk"]}
               for name in ("pax", "vip")}
    model = compiled(document(stations={"desk": desk}, classes=classes))
    station = model.station("desk")
    assert station.impatience == m.Impatience(patience=d.Exponential(5.0), balk_at=20,
                                              balk_probabilities=(0.0, 0.25))
    assert station.impatience_for("vip") == m.Impatience(patience=d.Deterministic(60.0))
    assert model.gives_up("pax") and model.impatient
    assert not compiled(document()).impatient


def test_visit_patience() -> None:
    """A class's patience over its whole visit: on the class, not on a station; the stations it
    visits become ones where customers may give up, the others stay plain; a scenario without
    it resolves to the same document as before (no key added)."""
    stations = {name: {"servers": 3, "service": {"dist": "exponential", "mean": "48s"}}
                for name in ("desk", "gate", "other")}
    classes = {"pax": {"arrivals": {"kind": "poisson", "rate": "90/h"}, "route": ["desk", "gate"],
                       "visit_patience": {"dist": "uniform", "low": "10min", "high": "1h"}},
               "crew": {"arrivals": {"kind": "poisson", "rate": "9/h"}, "route": ["other"]}}
    model = compiled(document(stations=stations, classes=classes))
    assert model.classes[0].visit_patience == d.Uniform(10.0, 60.0)
    assert model.classes[1].visit_patience is None
    assert model.gives_up("pax") and not model.gives_up("crew") and model.impatient
    assert [model.impatient_at(name) for name in ("desk", "gate", "other")] == [True, True, False]
    assert not any(spec.impatient for spec in model.stations)  # no station's own rule
    assert "visit_patience" not in load_scenario(document()).resolved(None)["classes"]["pax"]
