"""Warm starts: from an empty state a run is the cold run; from a replication's snapshot it
continues that replication (in distribution); the state's customers count as documented."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from portsim.engine import model as m
from portsim.engine.distributions import Deterministic, Exponential, Lognormal, Uniform
from portsim.engine.result import ReplicationResult
from portsim.engine.simulation import run_replication
from portsim.engine.state import Announced, InService, StartState, StationState, Waiting, residual
from portsim.engine.warm import warm_model
from portsim.experiment.logstate import state_from_rows


def _hall(walk: bool = False) -> m.Model:
    """Two stations in tandem, a clock-dependent arrival rate (busy until 15:00, a peak until
    17:00) and desks that change at 15:00 and 16:00: a forecast from 14:00 reads the clock at
    every turn, and starts with a queue. Lognormal desks: a service in progress is not
    memoryless. ``walk``: a walk of 1 to 4 minutes between the stations."""
    rates = tuple([1.5] * 15 + [2.2] * 2 + [1.2] * 7)  # per minute, by hour
    desks = m.StationSpec("desks", m.ShiftSchedule(((0.0, 2), (900.0, 3), (960.0, 2))),
                          Lognormal(1.2, 0.8))
    gate = m.StationSpec("gate", m.ShiftSchedule.constant(3), Exponential(0.9))
    between = (m.Delay(Uniform(1.0, 4.0)),) if walk else ()
    kind = m.ClassSpec("pax", m.RateProfile(rates), (m.Visit("desks"), *between, m.Visit("gate")))
    return m.Model((desks, gate), (kind,), horizon=1440.0, sla=5.0)


def impatient_hall() -> m.Model:
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


@pytest.mark.parametrize("build", [_hall, impatient_hall])
def test_an_empty_state_at_midnight_is_the_cold_run_exactly(build) -> None:
    """Also where customers give up (their patience draws are the cold run's)."""
    model = build()
    for replication in range(3):
        cold = run_replication(model, 11, replication, engine="events")
        warm = run_replication(warm_model(model, StartState(), model.horizon), 11, replication)
        assert warm.kpis == cold.kpis
        assert warm.series == cold.series and warm.histograms == cold.histograms


def test_a_snapshot_leaves_the_run_as_it_was() -> None:
    model = _hall()
    plain = run_replication(model, 5, 0, engine="events")
    watched = run_replication(replace(model, snapshot_at=840.0), 5, 0)
    assert watched.kpis == plain.kpis
    assert watched.snapshot is not None and watched.snapshot.clock == 840.0
    assert watched.snapshot.customers > 0


#: KPIs compared between the continued and the warm-started runs.
KPIS = [("classes", "pax", "wait_mean"), ("classes", "pax", "completions"),
        ("classes", "pax", "sojourn_mean"), ("stations", "desks", "queue_mean"),
        ("stations", "desks", "utilisation"), ("stations", "gate", "queue_mean"),
        ("system", "all", "in_system_mean")]


CLOCK, SPAN = 840.0, 180.0
REPLICATIONS = 150


@functools.cache
def _continued(walk: bool, replication: int) -> tuple[ReplicationResult, StartState | None]:
    """Replication ``replication`` run to 17:00, measured from 14:00 and snapshot then; with
    the state its event log gives at 14:00 where there are no walks (a log cannot say how
    long a walk has left). The same for every test of this module: the continuation and its
    controls differ only in the warm start."""
    model = replace(_hall(walk=walk), horizon=CLOCK + SPAN)
    measured = replace(model, warmup=CLOCK, snapshot_at=CLOCK)
    rows: list[tuple[float, int, str, str | None, str]] = []
    log = None if walk else (lambda *row, into=rows: into.append(row))
    cold = run_replication(measured, 21, replication, trace=log)
    assert cold.snapshot is not None
    return cold, None if walk else state_from_rows(rows, CLOCK)


def _continuation_p_values(states: str) -> dict[str, float]:
    """Paired test of continuing each replication past 14:00 against a warm start from its
    snapshot, or from its event log up to 14:00 (which knows the service time elapsed, not
    the time still to run: the residual is drawn), or from a wrong state, for the controls:
    p-value per KPI."""
    walk = states != "log"
    model = replace(_hall(walk=walk), horizon=CLOCK + SPAN)
    differences: dict[str, list[float]] = {".".join(k): [] for k in KPIS}
    for replication in range(REPLICATIONS):
        cold, logged = _continued(walk, replication)
        assert cold.snapshot is not None
        state = cold.snapshot
        if logged is not None:
            state = logged
            assert state.customers == cold.snapshot.customers
        elif states == "empty":
            state = StartState(CLOCK)
        elif states == "late":  # the same customers, three hours later on the clock
            state = replace(state, clock=CLOCK + 180.0)
        warm = run_replication(warm_model(model, state, SPAN), 22, replication)
        if states in ("snapshot", "log"):  # everyone in the system at 14:00 is placed
            start = cold.kpis["system"]["all"]["in_system_start"]
            assert warm.kpis["system"]["all"]["in_system_start"] == start
        for scope, name, kpi in KPIS:
            differences[f"{scope}.{name}.{kpi}"].append(
                cold.kpis[scope][name][kpi] - warm.kpis[scope][name][kpi])
    return {key: float(stats.ttest_1samp(values, 0.0).pvalue)
            for key, values in differences.items()}


@pytest.mark.slow
@pytest.mark.parametrize("source", ["snapshot", "log"])
def test_a_warm_start_from_a_snapshot_continues_the_run(source: str) -> None:
    """Each replication runs to 17:00 (measured from 14:00) and is snapshot at 14:00; a warm
    start from the snapshot (or from the state its event log gives, with residual services)
    with other random numbers must give the same KPIs over 14:00-17:00 in distribution.
    Paired differences (the pair shares the state at 14:00) make the test sharp: the controls
    below show that it fails for a wrong state or a wrong clock."""
    p_values = _continuation_p_values(source)
    assert _agree(p_values), p_values


@pytest.mark.slow
@pytest.mark.parametrize("wrong", ["empty", "late"])
def test_the_continuation_test_fails_for_a_wrong_state(wrong: str) -> None:
    p_values = _continuation_p_values(wrong)
    assert not _agree(p_values), p_values


def _agree(p_values: dict[str, float]) -> bool:
    """No KPI differs at 1 % overall (Bonferroni over the KPIs)."""
    return min(p_values.values()) > 0.01 / len(KPIS)


def test_the_state_customers_count_with_their_wait_before_the_clock() -> None:
    """One server, fixed 2-minute services, no arrivals from the clock time: three customers
    who have waited 10 minutes and one in service with 1 minute left."""
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(1), Deterministic(2.0))
    kind = m.ClassSpec("pax", m.Poisson(1.0), (m.Visit("desk"),))
    model = m.Model((desk,), (kind,), horizon=1440.0, sla=11.0)
    state = StartState(600.0, (StationState(
        "desk", tuple(Waiting("pax", 10.0) for _ in range(3)),
        (InService("pax", remaining=1.0, waited=4.0, in_system=6.0),)),),
        replace_arrivals=frozenset({"pax"}))
    result = run_replication(warm_model(model, state, 60.0), 1, 0)
    row = result.kpis["classes"]["pax"]
    # Waits: 4 (in service), then 11, 13, 15; sojourns 7, 13, 15, 17.
    assert row["arrivals"] == 0 and row["completions"] == 4
    assert row["wait_mean"] == pytest.approx((4 + 11 + 13 + 15) / 4)
    assert row["sojourn_mean"] == pytest.approx((7 + 13 + 15 + 17) / 4)
    assert row["wait_sla_share"] == pytest.approx(2 / 4)
    station = result.kpis["stations"]["desk"]
    # The station counts the waits of services begun in the window: 11, 13, 15.
    assert station["completions"] == 4 and station["wait_mean"] == pytest.approx(13.0)
    # Busy from 600 to 607, of 60 minutes; 3, 2, 1 waiting for 1, 2, 2 minutes.
    assert station["utilisation"] == pytest.approx(7 / 60)
    assert station["queue_mean"] == pytest.approx((3 * 1 + 2 * 2 + 1 * 2) / 60)
    system = result.kpis["system"]["all"]
    assert system["in_system_start"] == 4 and system["in_system_end"] == 0


def test_announced_batches_arrive_and_replace_the_class_arrivals() -> None:
    desk = m.StationSpec("desk", m.ShiftSchedule.constant(50), Deterministic(1.0))
    kind = m.ClassSpec("pax", m.Poisson(2.0), (m.Visit("desk"),))
    model = m.Model((desk,), (kind,), horizon=1440.0)
    batch = Announced("pax", 620.0, 40, spread=10.0)
    state = StartState(600.0, announced=(batch, Announced("pax", 700.0, 7)),
                       replace_arrivals=frozenset({"pax"}))
    result = run_replication(warm_model(model, state, 60.0), 3, 0)
    assert result.kpis["classes"]["pax"]["arrivals"] == 40  # the second batch is after 660
    kept = run_replication(warm_model(model, replace(state, replace_arrivals=frozenset()),
                                      60.0), 3, 0)
    assert kept.kpis["classes"]["pax"]["arrivals"] > 40 + 60  # Poisson at 2/min on top


def test_residual_service_times() -> None:
    rng = np.random.default_rng(1)
    draws = np.array([residual(Uniform(0.0, 10.0), 4.0, rng) for _ in range(4000)])
    assert draws.min() >= 0 and draws.max() <= 6.0
    assert draws.mean() == pytest.approx(3.0, abs=0.15)  # uniform on (0, 6)
    memoryless = np.array([residual(Exponential(2.0), 5.0, rng) for _ in range(4000)])
    assert memoryless.mean() == pytest.approx(2.0, rel=0.06)
    assert residual(Deterministic(5.0), 7.0, rng) == 0.0  # past a fixed time: ends at once
    assert residual(Deterministic(5.0), 3.0, rng) == pytest.approx(2.0)
