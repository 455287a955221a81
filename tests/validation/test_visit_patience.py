"""Patience over a whole visit (a class's ``visit_patience``): against Erlang A on a one-station
route, where it is a station patience; on tandems, against a case computed by hand (on both
engines) and against what must hold of every customer in an event log (nobody waits past its
deadline; whoever gives up does so at its deadline, or at once at the first queue after it) and
flow conservation.
"""

from __future__ import annotations

import numpy as np
import pytest
from validation_targets import agrees

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.theory.erlang_a import erlang_a

REPLICATIONS = 8


# (lambda per min, E[S], servers, E[patience]); about 50,000 arrivals each
ERLANG_A = [
    (2.0, 4.0, 8, 5.0),     # rho = 1
    (1.0, 1.0, 1, 2.0),     # one server
]


@pytest.mark.slow
@pytest.mark.parametrize("case", ERLANG_A, ids=lambda case: "lam{}-S{}-c{}-p{}".format(*case))
def test_one_station_visit_patience_is_erlang_a(case):
    """On a route of one station the visit's clock starts when the customer arrives, which is
    when it joins the queue if it must: a visit patience is that station's patience, and
    Erlang A holds for the class and the station alike."""
    lam, service, c, patience = case
    station = m.StationSpec("s", m.ShiftSchedule.constant(c), d.Exponential(service))
    klass = m.ClassSpec("x", m.Poisson(lam), (m.Visit("s"),),
                        visit_patience=d.Exponential(patience))
    arrivals = 50_000
    model = m.Model(stations=(station,), classes=(klass,), horizon=arrivals / lam,
                    warmup=20 * max(service, patience), name="visit")
    runs = [run_replication(model, seed=21, replication=r).kpis for r in range(REPLICATIONS)]
    exact = erlang_a(lam, service, c, patience)
    for scope, name in (("classes", "x"), ("stations", "s")):
        values = {key: np.array([run[scope][name][key] for run in runs])
                  for key in ("abandoned_share", "wait_mean", "abandoned_wait_mean")}
        agrees(values["abandoned_share"], exact.prob_abandon, sharp=True)
        agrees(values["wait_mean"], exact.wait_mean_served)
        agrees(values["abandoned_wait_mean"], exact.wait_mean_abandoned)


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_tandem_case_computed_by_hand(engine):
    """Two single servers (1 and 2.2 minutes), arrivals at 0, 0.5, 1.3, 1.5 and 1.55, a visit
    patience of 2.4 minutes. By hand: #1 is served through; #2 waits 0.5 at a, then gives up at
    b at 2.9 (0.9 there); #3 starts at b at 3.2, before its deadline 3.7, and is served through
    (its deadline passes in service); #4's deadline 3.9 passes in service at a, so it gives up
    at once at b's queue at 4.0; #5 gives up at a's queue at 3.95 after 2.4 there."""
    a = m.StationSpec("a", m.ShiftSchedule.constant(1), d.Deterministic(1.0))
    b = m.StationSpec("b", m.ShiftSchedule.constant(1), d.Deterministic(2.2))
    klass = m.ClassSpec("x", m.Trace((0.0, 0.5, 1.3, 1.5, 1.55)), (m.Visit("a"), m.Visit("b")),
                        visit_patience=d.Deterministic(2.4))
    model = m.Model(stations=(a, b), classes=(klass,), horizon=100.0)
    events: list[tuple] = []
    result = run_replication(model, seed=1, engine=engine,
                             trace=lambda *event: events.append(event))
    assert result.engine == engine
    kpis = result.kpis
    gave_up = [(ident, station, round(time, 9)) for time, ident, _, station, event in events
               if event == "abandon"]
    assert gave_up == [(2, "b", 2.9), (5, "a", 3.95), (4, "b", 4.0)]
    row = kpis["classes"]["x"]
    assert (row["arrivals"], row["completions"], row["abandoned"]) == (5, 2, 3)
    assert row["wait_mean"] == pytest.approx((0.0 + 0.9) / 2)             # #1, #3
    assert row["abandoned_wait_mean"] == pytest.approx((1.4 + 2.4 + 1.5) / 3)  # #2, #5, #4
    station_a, station_b = kpis["stations"]["a"], kpis["stations"]["b"]
    assert (station_a["abandoned"], station_b["abandoned"]) == (1, 2)
    assert station_a["abandoned_wait_mean"] == pytest.approx(2.4)
    assert station_b["abandoned_wait_mean"] == pytest.approx((0.9 + 0.0) / 2)
    assert station_a["wait_mean"] == pytest.approx((0.0 + 0.5 + 0.7 + 1.5) / 4)


@pytest.mark.parametrize("engine", ["events", "fast"])
@pytest.mark.parametrize("seed", [2, 3])
def test_tandem_event_log_keeps_every_deadline(seed, engine):
    """A random tandem (walk between stations, a station patience of its own at b, a class
    without visit patience alongside): in the event log nobody of the impatient class starts a
    service after waiting past its deadline (a free server still serves it at once); each
    abandonment is at its deadline (or, when the deadline passed in service or walking, the
    moment it joins the next queue; or earlier, by b's own patience); the counts are conserved
    per class and agree between classes and stations."""
    patience = 6.0
    a = m.StationSpec("a", m.ShiftSchedule.constant(2), d.Exponential(1.0))
    b = m.StationSpec("b", m.ShiftSchedule.constant(1), d.Exponential(0.55),
                      impatience=m.Impatience(patience=d.Exponential(4.0)))
    route = (m.Visit("a"), m.Delay(d.Uniform(0.5, 1.5)), m.Visit("b"))
    model = m.Model(stations=(a, b), classes=(
        m.ClassSpec("x", m.Poisson(1.5), route, visit_patience=d.Deterministic(patience)),
        m.ClassSpec("y", m.Poisson(0.3), route)), horizon=3_000.0, warmup=200.0)
    events: list[tuple] = []
    kpis = run_replication(model, seed=seed, engine=engine,
                           trace=lambda *event: events.append(event)).kpis
    arrived: dict[int, float] = {}
    joined: dict[tuple[int, str], float] = {}
    at_deadline = later = 0
    for time, ident, kind, station, event in events:
        if event == "arrive":
            arrived[ident] = time
        elif event == "queue":
            joined[(ident, station)] = time
        elif kind == "x" and event == "start" and time > joined[(ident, station)]:
            assert time <= arrived[ident] + patience + 1e-9  # waited: not past its deadline
        elif kind == "x" and event == "abandon":
            deadline = arrived[ident] + patience
            queued = joined[(ident, station)]
            if time == pytest.approx(deadline, abs=1e-9):
                at_deadline += 1
            elif queued > deadline:
                assert time == queued
                later += 1
            else:
                assert station == "b" and time < deadline  # b's own patience ran out first
    assert at_deadline > 50 and later > 5
    row = kpis["classes"]["x"]
    in_system = kpis["system"]["all"]
    assert row["abandoned"] > 0 and kpis["classes"]["y"]["abandoned"] > 0
    assert kpis["stations"]["a"]["abandoned"] + kpis["stations"]["b"]["abandoned"] == sum(
        kpis["classes"][name]["abandoned"] for name in ("x", "y"))
    left = sum(kpis["classes"][name][key] for name in ("x", "y")
               for key in ("completions", "abandoned", "balked"))
    assert in_system["arrivals"] + in_system["in_system_start"] == (
        left + in_system["in_system_end"])


def test_a_visit_patience_gives_up_once_for_all():
    """A customer who gives up on its visit does not come back, even at a station whose own
    impatience has retrials: only those who give up by the station's patience return."""
    station = m.StationSpec("s", m.ShiftSchedule.constant(1), d.Exponential(1.0),
                            impatience=m.Impatience(balk_at=2, retry=1.0,
                                                    retry_after=d.Deterministic(5.0)))
    model = m.Model(stations=(station,), classes=(
        m.ClassSpec("x", m.Poisson(1.2), (m.Visit("s"),), visit_patience=d.Exponential(3.0)),),
        horizon=2_000.0)
    events: list[tuple] = []
    kpis = run_replication(model, seed=4, trace=lambda *event: events.append(event)).kpis
    abandoned = {ident for _, ident, _, _, event in events if event == "abandon"}
    balked = {ident for _, ident, _, _, event in events if event == "balk"}
    retried = {ident for _, ident, _, _, event in events if event == "retry"}
    assert abandoned and balked
    assert not abandoned & retried - balked  # who only gave up waiting never came back
    assert kpis["classes"]["x"]["abandoned"] == len(abandoned)
