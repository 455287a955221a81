"""Arrival uncertainty: late and cancelled timetable batches, and entities that come off the
time they booked for (an ETA error). Known answers: no delay is today's run exactly; a pure delay
shifts every arrival; a cancelled share p removes p of the batches within binomial bounds; an
early or late entity's wait and its server's idle hold are what the timetable says."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

import portsim
from portsim.engine import (
    ClassSpec,
    Model,
    ShiftSchedule,
    StationSpec,
    Trace,
    Visit,
    run_replication,
)
from portsim.engine import model as m
from portsim.engine.arrivals import arrival_times
from portsim.engine.distributions import Deterministic, Exponential, Uniform
from portsim.engine.streams import generator

TABLE = m.Timetable(times=(0.0, 30.0, 45.0, 200.0), counts=(5, 3, 1, 4),
                    spreads=(20.0, 0.0, 10.0, 60.0), repeat_every=300.0)


def times_of(table: m.Timetable, seed: int = 1, horizon: float = 3000.0) -> list[float]:
    return list(arrival_times(table, generator(seed, 0, "arrivals"), horizon,
                              generator(seed, 0, "disruptions")))


def first_times(table: m.Timetable, count: int) -> list[float]:
    """The first ``count`` arrivals of a timetable run for ever."""
    times = arrival_times(table, generator(1, 0, "arrivals"), math.inf,
                          generator(1, 0, "disruptions"))
    return list(itertools.islice(times, count))


def with_(table: m.Timetable, **changes: object) -> m.Timetable:
    return m.Timetable(**{"times": table.times, "counts": table.counts,  # type: ignore[arg-type]
                          "spreads": table.spreads, "repeat_every": table.repeat_every,
                          **changes})


def test_no_delay_and_no_cancellation_is_todays_timetable_exactly() -> None:
    plain = list(arrival_times(TABLE, generator(1, 0, "arrivals"), 3000.0))
    assert times_of(with_(TABLE, delay=Deterministic(0.0))) == plain
    assert times_of(with_(TABLE, cancelled=0.0)) == plain


def test_a_pure_delay_shifts_every_arrival() -> None:
    plain = first_times(TABLE, 60)
    late = first_times(with_(TABLE, delay=Deterministic(17.0)), 60)
    assert late == pytest.approx([t + 17.0 for t in plain], abs=1e-9)


def test_random_delays_keep_arrivals_sorted_and_never_early() -> None:
    delayed = times_of(with_(TABLE, delay=Exponential(40.0)))
    assert delayed == sorted(delayed)
    plain = times_of(TABLE)
    # every member comes at or after the time it would have come on time
    assert len(delayed) <= len(plain)
    assert all(d >= p - 1e-9 for d, p in zip(delayed, plain, strict=False))


def test_delayed_batches_bunch() -> None:
    # Batches 20 min apart, each 10 members at once: late by 0-60 min, several land together.
    table = m.Timetable(times=tuple(20.0 * i for i in range(50)), counts=(10,) * 50,
                        spreads=(0.0,) * 50)
    delayed = times_of(with_(table, delay=Uniform(0.0, 60.0)), horizon=2000.0)
    assert len(delayed) == 500
    per_hour = np.bincount((np.asarray(delayed) // 60).astype(int))
    assert per_hour.max() > 30  # on time every hour brings exactly 30


@pytest.mark.parametrize("share", [0.1, 0.5])
def test_a_cancelled_share_removes_that_share_of_batches(share: float) -> None:
    batches = 2000
    table = m.Timetable(times=tuple(float(i) for i in range(batches)), counts=(3,) * batches,
                        spreads=(0.0,) * batches, cancelled=share)
    came = len(times_of(table, horizon=1e9)) // 3
    expected, sd = batches * (1 - share), math.sqrt(batches * share * (1 - share))
    assert abs(came - expected) < 4 * sd
    # the batches that come keep the members' times they have without cancellations
    kept = times_of(with_(TABLE, cancelled=share))
    assert 0 < len(kept) < len(times_of(TABLE))
    assert set(kept) <= set(times_of(TABLE))


def test_every_batch_cancelled_brings_nobody() -> None:
    assert times_of(with_(TABLE, cancelled=1.0)) == []


def test_a_disrupted_timetable_needs_its_stream() -> None:
    with pytest.raises(ValueError, match="disruptions stream"):
        list(arrival_times(with_(TABLE, cancelled=0.5), generator(1, 0, "a"), 100.0))
    with pytest.raises(ValueError, match="cancelled share"):
        with_(TABLE, cancelled=1.5)


# ----------------------------------------------------------------------------- ETA error


def booked_model(error: m.ArrivalError | None, lead: float = 30.0) -> Model:
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(20.0))
    ship = ClassSpec("ship", Trace((100.0,)),
                     (Visit("team", reserve_ahead=lead, reserve_error=error),))
    return Model(stations=(team,), classes=(ship,), horizon=1000.0)


def log_of(model: Model) -> tuple[dict, list[tuple]]:
    log: list[tuple] = []
    result = run_replication(model, seed=0, trace=lambda *e: log.append(e))
    return result.kpis, log


def test_late_ship_keeps_its_team_idle_and_starts_on_arrival() -> None:
    kpis, log = log_of(booked_model(m.ArrivalError(Deterministic(60.0))))
    assert [(t, e) for t, _, _, _, e in log] == [(160.0, "arrive"), (160.0, "queue"),
                                                (160.0, "start"), (180.0, "finish"),
                                                (180.0, "depart")]
    assert kpis["classes"]["ship"]["wait_mean"] == 0.0
    # the team is held from the booking (70) until the ship comes (160), then serves 20 min:
    # 110 busy minutes against 20 when the ship comes as declared
    on_time = run_replication(booked_model(None), seed=0).kpis["stations"]["team"]
    late = kpis["stations"]["team"]
    assert late["utilisation"] / on_time["utilisation"] == pytest.approx(110.0 / 50.0)


def test_early_ship_waits_for_its_booked_time() -> None:
    # Declared at 100, booked at 70; the ship comes at 10 and is boarded when booked.
    kpis, log = log_of(booked_model(m.ArrivalError(Deterministic(90.0), early_share=1.0)))
    assert [(t, e) for t, _, _, _, e in log] == [(10.0, "arrive"), (70.0, "queue"),
                                                (70.0, "start"), (90.0, "finish"),
                                                (90.0, "depart")]
    assert kpis["classes"]["ship"]["wait_mean"] == pytest.approx(60.0)
    assert kpis["classes"]["ship"]["sojourn_mean"] == pytest.approx(80.0)


def test_early_within_the_lead_is_still_boarded_on_arrival() -> None:
    kpis, log = log_of(booked_model(m.ArrivalError(Deterministic(20.0), early_share=1.0)))
    assert [t for t, *_, e in log if e == "start"] == [80.0]
    assert kpis["classes"]["ship"]["wait_mean"] == 0.0


def test_zero_error_is_the_exact_booking() -> None:
    team = StationSpec("team", ShiftSchedule.constant(2), Exponential(30.0))
    ships = ClassSpec("ship", m.Poisson(0.05), (Visit("team", reserve_ahead=30.0),))
    walkins = ClassSpec("walkin", m.Poisson(0.03), (Visit("team"),))
    exact = Model(stations=(team,), classes=(ships, walkins), horizon=5000.0)
    zero = Model(stations=(team,), classes=(ClassSpec(
        "ship", m.Poisson(0.05), (Visit("team", reserve_ahead=30.0,
                                        reserve_error=m.ArrivalError(Deterministic(0.0))),)),
        walkins), horizon=5000.0)
    assert run_replication(exact, seed=5).kpis == run_replication(zero, seed=5).kpis


def test_reserve_error_needs_a_reservation() -> None:
    team = StationSpec("team", ShiftSchedule.constant(1), Deterministic(1.0))
    with pytest.raises(ValueError, match="needs reserve_ahead"):
        Model(stations=(team,), classes=(ClassSpec(
            "c", Trace((0.0,)),
            (Visit("team", reserve_error=m.ArrivalError(Deterministic(1.0))),)),),
            horizon=10.0)
    with pytest.raises(ValueError, match="early_share"):
        m.ArrivalError(Deterministic(1.0), early_share=2.0)


# ----------------------------------------------------------------------------- scenario files


SCENARIOS = Path(__file__).parents[2] / "scenarios"


def test_unset_fields_stay_out_of_the_resolved_scenario() -> None:
    # Results carry the resolved scenario: a file without the new fields is written as before.
    airport = portsim.load_scenario(SCENARIOS / "airport" / "airport.yaml")
    assert {"delay", "cancelled"}.isdisjoint(airport.resolved()["classes"]["flights"]["arrivals"])
    water = portsim.load_scenario(SCENARIOS / "water_port" / "water_port.yaml")
    assert "arrival_error" not in water.resolved("zero_wait")["policies"]["zero_wait"]


def test_the_scenario_fields_reach_the_engine() -> None:
    peak = portsim.load_scenario(SCENARIOS / "airport" / "airport_peak.yaml")
    flights = peak.model("flights_delayed").classes[0].arrivals
    assert isinstance(flights, m.Timetable)
    assert flights.cancelled == 0.02 and flights.delay is not None
    assert flights.delay.mean == pytest.approx(45.0)
    assert peak.resolved("flights_delayed")["classes"]["flights"]["arrivals"]["cancelled"] == 0.02
    water = portsim.load_scenario(SCENARIOS / "water_port" / "water_port.yaml")
    first = water.model("zero_wait_eta_error").classes[0].route[0]
    assert isinstance(first, m.Visit) and first.reserve_error is not None
    assert first.reserve_error.early_share == 0.5
    assert first.reserve_error.size.mean == pytest.approx(90.0)


def test_a_bad_cancelled_share_names_the_field() -> None:
    raw = yaml.safe_load((SCENARIOS / "airport" / "airport.yaml").read_text())
    raw["classes"]["flights"]["arrivals"]["cancelled"] = 1.5
    with pytest.raises(portsim.ScenarioError, match=r"flights\.arrivals\.cancelled"):
        portsim.load_scenario(raw, base_dir=SCENARIOS / "airport")
