"""Warm starts of models where customers give up: an empty state is the cold run exactly; the
customers a state places get their patience given the time they have not given up in (station
patience: their wait in the queue; visit patience: their time in the system); a warm start
from a snapshot continues the run in distribution (an empty state: test_warm_start)."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from test_warm_start import impatient_hall

from portsim.engine import impatience
from portsim.engine import model as m
from portsim.engine.distributions import Exponential, Uniform
from portsim.engine.result import ReplicationResult
from portsim.engine.simulation import run_replication
from portsim.engine.state import InService, StartState, StationState, Waiting, residual
from portsim.engine.warm import warm_model


def _closed_desk(rule: m.Impatience | None, visit: Uniform | None) -> m.Model:
    """A desk with no server (nobody is served): only giving up empties its queue."""
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(0), Exponential(1.0),
                         impatience=rule)
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


CLOCK, SPAN = 840.0, 60.0
REPLICATIONS = 200


@functools.cache
def _continued(replication: int) -> ReplicationResult:
    """Replication ``replication`` run to 15:00, measured from 14:00 and snapshot then: the
    same for the continuation test and its controls, which differ only in the warm start."""
    model = replace(impatient_hall(), horizon=CLOCK + SPAN)
    cold = run_replication(replace(model, warmup=CLOCK, snapshot_at=CLOCK), 31, replication)
    assert cold.snapshot is not None
    return cold


def _continuation_p_values(states: str) -> dict[str, float]:
    """Paired test of continuing each replication past 14:00 against a warm start from its
    snapshot (or, for the control, from an empty state): p-value per KPI."""
    model = replace(impatient_hall(), horizon=CLOCK + SPAN)
    differences: dict[str, list[float]] = {".".join(k): [] for k in KPIS}
    for replication in range(REPLICATIONS):
        cold = _continued(replication)
        assert cold.snapshot is not None
        state = cold.snapshot if states == "snapshot" else StartState(CLOCK)
        warm = run_replication(warm_model(model, state, SPAN), 32, replication)
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


def test_a_snapshot_counts_customers_away_to_try_again() -> None:
    """Customers away after balking, due back later (a retrial queue), have no place in a
    state: the snapshot counts them under not_recorded.retrying, as many as the event log has
    away at that time."""
    station = m.StationSpec("s", m.ShiftSchedule.constant(1), Exponential(1.0),
                            impatience=m.Impatience(balk_at=0, retry=1.0,
                                                    retry_after=Exponential(10.0)))
    model = m.Model((station,), (m.ClassSpec("x", m.Poisson(0.9), (m.Visit("s"),)),),
                    horizon=600.0, snapshot_at=300.0)
    events: list[tuple] = []
    result = run_replication(model, 2, 0, trace=lambda *event: events.append(event))
    away = 0
    for time, _, _, _, event in events:
        if time <= 300.0:
            away += (event == "balk") - (event == "retry")
    assert result.snapshot is not None and away > 0
    assert dict(result.snapshot.not_recorded) == {"retrying": away}
