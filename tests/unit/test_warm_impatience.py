"""Warm starts of models where customers give up: an empty state is the cold run exactly; the
customers a state places get their patience given the time they have not given up in (station
patience: their wait in the queue; visit patience: their time in the system); a warm start
from a snapshot continues the run in distribution."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from portsim.engine import impatience
from portsim.engine import model as m
from portsim.engine.distributions import Exponential, Lognormal, Uniform
from portsim.engine.simulation import run_replication
from portsim.engine.state import InService, StartState, StationState, Waiting, residual
from portsim.engine.warm import warm_model


def _impatient_hall() -> m.Model:
    """Desks with a patience of their own and a queue cap, then a gate; the class gives up on
    its whole visit after 10 to 40 minutes. The desks are overloaded until 15:00 (a queue that
    only giving up keeps bounded), then a shift change and a lower rate; patience draws are not
    memoryless, so a placed customer's patience must be drawn given what it has waited."""
    rates = tuple([2.4] * 15 + [2.1] * 2 + [1.2] * 7)
    desks = m.StationSpec("desks", m.ShiftSchedule(((0.0, 2), (900.0, 3), (960.0, 2))),
                          Lognormal(1.2, 0.8),
                          impatience=m.Impatience(patience=Uniform(5.0, 25.0), balk_at=60))
    gate = m.StationSpec("gate", m.ShiftSchedule.constant(3), Exponential(0.9))
    kind = m.ClassSpec("pax", m.RateProfile(rates), (m.Visit("desks"), m.Visit("gate")),
                       visit_patience=Uniform(10.0, 40.0))
    return m.Model((desks, gate), (kind,), horizon=1440.0, sla=5.0)


def test_an_empty_state_at_midnight_is_the_cold_run_exactly() -> None:
    model = _impatient_hall()
    for replication in range(2):
        cold = run_replication(model, 11, replication, engine="events")
        warm = run_replication(warm_model(model, StartState(), model.horizon), 11, replication)
        assert cold.kpis["classes"]["pax"]["abandoned"] > 0
        assert warm.kpis == cold.kpis
        assert warm.series == cold.series and warm.histograms == cold.histograms


def _closed_desk(impatience: m.Impatience | None, visit: Uniform | None) -> m.Model:
    """A desk with no server (nobody is served): only giving up empties its queue."""
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(0), Exponential(1.0),
                         impatience=impatience)
    kind = m.ClassSpec("pax", m.Poisson(1.0), (m.Visit("desk"),), visit_patience=visit)
    return m.Model((desk,), (kind,), horizon=1440.0, sla=30.0)


@pytest.mark.parametrize("how", ["station", "visit"])
def test_placed_customers_patience_is_drawn_given_their_wait(how: str) -> None:
    """200 customers who have waited (been in the port) 5 minutes with a patience uniform on
    0-10 minutes: given that it exceeds 5, the rest is uniform on 0-5, so all of them give up
    within 5 minutes of the clock, half of them within 2.5 (a fresh draw would keep about half
    waiting after 5 minutes)."""
    model = _closed_desk(m.Impatience(patience=Uniform(0.0, 10.0)) if how == "station" else None,
                         Uniform(0.0, 10.0) if how == "visit" else None)
    placed = tuple(Waiting("pax", 5.0) for _ in range(200))
    state = StartState(600.0, (StationState("desk", placed),), replace_arrivals=frozenset({"pax"}))
    within = {}
    for span in (2.5, 5.0 + 1e-9):
        row = run_replication(warm_model(model, state, span), 3, 0).kpis["classes"]["pax"]
        within[span] = row["abandoned"]
        assert row["abandoned_wait_max"] <= 10.0 + 1e-9
    assert within[5.0 + 1e-9] == 200
    assert 70 <= within[2.5] <= 130


def test_a_visit_deadline_passed_in_service_gives_up_at_the_next_queue() -> None:
    """A customer in service for 20 minutes of a visit patience of at most 10 is still served
    (nobody gives up in service), then gives up at once at the next queue it would wait in."""
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(1), Uniform(30.0, 31.0))
    gate = m.StationSpec("gate", m.ShiftSchedule.constant(0), Exponential(1.0))
    kind = m.ClassSpec("pax", m.Poisson(1.0), (m.Visit("desk"), m.Visit("gate")),
                       visit_patience=Uniform(0.0, 10.0))
    model = m.Model((desk, gate), (kind,), horizon=1440.0)
    state = StartState(600.0, (StationState("desk", (), (InService("pax", elapsed=20.0),)),),
                       replace_arrivals=frozenset({"pax"}))
    events: list[tuple] = []
    run_replication(warm_model(model, state, 60.0), 1, 0,
                    trace=lambda *event: events.append(event))
    finish = next(t for t, _, _, station, e in events if station == "desk" and e == "finish")
    assert [(t, station) for t, _, _, station, e in events if e == "abandon"] == [
        (finish, "gate")]


#: KPIs compared between the continued and the warm-started runs.
KPIS = [("classes", "pax", "abandoned"), ("classes", "pax", "wait_mean"),
        ("classes", "pax", "completions"), ("stations", "desks", "abandoned"),
        ("stations", "desks", "queue_mean"), ("stations", "gate", "abandoned")]


def _continuation_p_values(states: str, replications: int = 200) -> dict[str, float]:
    """Paired test of continuing each replication past 14:00 against a warm start from its
    snapshot (or, for the control, from an empty state): p-value per KPI."""
    clock, span = 840.0, 60.0
    model = replace(_impatient_hall(), horizon=clock + span)
    measured = replace(model, warmup=clock, snapshot_at=clock)
    differences: dict[str, list[float]] = {".".join(k): [] for k in KPIS}
    for replication in range(replications):
        cold = run_replication(measured, 31, replication)
        assert cold.snapshot is not None
        state = cold.snapshot if states == "snapshot" else StartState(clock)
        warm = run_replication(warm_model(model, state, span), 32, replication)
        for scope, name, kpi in KPIS:
            differences[".".join((scope, name, kpi))].append(
                cold.kpis[scope][name][kpi] - warm.kpis[scope][name][kpi])
    return {key: float(stats.ttest_1samp(np.asarray(values), 0.0).pvalue)
            for key, values in differences.items()}


@pytest.mark.slow
def test_a_warm_start_of_impatient_customers_continues_the_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Agreement at 1 % overall (Bonferroni over the KPIs); the controls fail it: an empty
    state, and the snapshot's customers with fresh patience draws (not given their waits)."""
    p_values = _continuation_p_values("snapshot")
    assert min(p_values.values()) > 0.01 / len(KPIS), p_values
    control = _continuation_p_values("empty")
    assert min(control.values()) < 0.01 / len(KPIS), control
    monkeypatch.setattr(impatience, "residual",
                        lambda law, elapsed, rng: residual(law, 0.0, rng))
    fresh = _continuation_p_values("snapshot")
    assert min(fresh.values()) < 0.01 / len(KPIS), fresh
