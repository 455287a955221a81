"""Impatient customers against queueing theory: Erlang A (M/M/c+M) for reneging, M/M/c/K for
balking above a queue length, Little's law for each outcome and flow conservation.

The models are built in Python (no shipped scenario): each case runs a few replications and
every theoretical value must lie in the replications' 95 % Student-t interval, widened by
``TOLERANCE`` as in ``test_theory_agreement``; the sharp KPIs (the abandonment share, the
blocking share) must also have half-widths below ``SHARP_HALF_WIDTH`` of their target, so that
an error of 5 % cannot pass.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from validation_targets import agrees

from portsim.engine import distributions as d
from portsim.engine import model as m
from portsim.engine import run_replication
from portsim.theory.erlang import mmck
from portsim.theory.erlang_a import erlang_a, erlang_a_wait_tail

REPLICATIONS = 8


def _model(lam: float, service: float, c: int, impatience: m.Impatience, horizon: float,
           warmup: float, sla: float = 1.0) -> m.Model:
    station = m.StationSpec("s", m.ShiftSchedule.constant(c), d.Exponential(service),
                            impatience=impatience)
    return m.Model(stations=(station,),
                   classes=(m.ClassSpec("x", m.Poisson(lam), (m.Visit("s"),)),),
                   horizon=horizon, warmup=warmup, sla=sla, name="impatience")


def _runs(model: m.Model, seed: int) -> list[dict[str, dict[str, dict[str, float]]]]:
    return [run_replication(model, seed=seed, replication=r).kpis for r in range(REPLICATIONS)]


def _station(runs, key: str) -> np.ndarray:
    return np.array([run["stations"]["s"][key] for run in runs])


# (lambda per min, E[S], servers, E[patience], t for P(W > t)); about 50,000 arrivals each
ERLANG_A = [
    (2.0, 4.0, 8, 5.0, 1.0),     # rho = 1: only abandonment keeps the queue bounded
    (9.0, 1.0, 10, 0.5, 0.25),   # rho = 0.9, impatient callers
    (30.0, 1.0, 20, 3.0, 0.1),   # rho = 1.5: a third give up
    (1.0, 1.0, 1, 2.0, 2.0),     # one server
]


@pytest.fixture(scope="module", params=ERLANG_A, ids=lambda case: "lam{}-S{}-c{}-p{}".format(*case))
def erlang_a_case(request):
    lam, service, c, patience, t = request.param
    arrivals = 50_000
    model = _model(lam, service, c, m.Impatience(patience=d.Exponential(patience)),
                   horizon=arrivals / lam, warmup=20 * max(service, patience), sla=t)
    return request.param, erlang_a(lam, service, c, patience), _runs(model, 12)


@pytest.mark.slow
def test_erlang_a_abandonment_share(erlang_a_case):
    _, exact, runs = erlang_a_case
    agrees(_station(runs, "abandoned_share"), exact.prob_abandon, sharp=True)


def test_erlang_a_mean_waits_of_served_and_of_abandoning(erlang_a_case):
    _, exact, runs = erlang_a_case
    agrees(_station(runs, "wait_mean"), exact.wait_mean_served)
    agrees(_station(runs, "abandoned_wait_mean"), exact.wait_mean_abandoned)
    agrees(_station(runs, "queue_mean"), exact.queue_mean)


def test_erlang_a_wait_tail(erlang_a_case):
    """P(W > t) over every arrival: the served wait longer than t, or the abandoning one."""
    (lam, service, c, patience, t), _, runs = erlang_a_case
    # The wait KPIs' shares count the waits of those whose service started and of those still
    # queueing at the end; completions + waiting_end differs from that only by the few still in
    # service at the end (at most c of some 50,000).
    served = _station(runs, "completions") + _station(runs, "waiting_end")
    abandoned = _station(runs, "abandoned")
    beyond = ((1 - _station(runs, "wait_sla_share")) * served
              + (1 - _station(runs, "abandoned_wait_sla_share")) * abandoned) / (served + abandoned)
    agrees(beyond, erlang_a_wait_tail(lam, service, c, patience, t))


def test_littles_law_per_outcome(erlang_a_case):
    """Time-average queue = the rate of those served times their mean wait + the rate of those
    who gave up times theirs (each replication, up to the few waits cut at the horizon)."""
    _, _, runs = erlang_a_case
    for run in runs:
        row = run["stations"]["s"]
        hours = row["arrivals"] / row["arrival_rate_per_hour"]
        served_rate = (row["completions"] + row["waiting_end"]) / (hours * 60)
        abandon_rate = row["abandoned"] / (hours * 60)
        little = served_rate * row["wait_mean"] + abandon_rate * row["abandoned_wait_mean"]
        assert row["queue_mean"] == pytest.approx(little, rel=0.01)


def test_flow_is_conserved_with_customers_who_give_up():
    """Every arrival finishes, gives up, balks or is still in the port at the end."""
    impatience = m.Impatience(patience=d.Exponential(2.0), balk_probabilities=(0.0, 0.2, 0.5))
    run = run_replication(_model(3.0, 1.0, 2, impatience, horizon=5_000, warmup=0.0), seed=3)
    klass, system = run.kpis["classes"]["x"], run.kpis["system"]["all"]
    assert klass["balked"] > 0
    assert klass["abandoned"] > 0
    assert klass["arrivals"] == (klass["completions"] + klass["abandoned"] + klass["balked"]
                                 + system["in_system_end"])
    station = run.kpis["stations"]["s"]
    assert station["abandoned"] == klass["abandoned"]
    assert station["balked"] == klass["balked"]


# ----------------------------------------------------------------------------- balking


MMCK = [  # (lambda, E[S], servers, capacity K in the system)
    (0.9, 1.0, 1, 6),
    (12.0, 1.0, 10, 14),
    (8.0, 1.0, 10, 10),  # no waiting room: Erlang B
]


@pytest.mark.slow
@pytest.mark.parametrize(("lam", "service", "c", "capacity"), MMCK)
def test_balking_at_a_queue_limit_is_mmck(lam, service, c, capacity):
    exact = mmck(lam, service, c, capacity)
    model = _model(lam, service, c, m.Impatience(balk_at=capacity - c),
                   horizon=60_000 / lam, warmup=50.0)
    runs = _runs(model, 21)
    agrees(_station(runs, "balked_share"), exact.blocking, sharp=True)
    agrees(_station(runs, "queue_mean"), exact.queue_mean)
    if exact.queue_mean > 0:
        agrees(_station(runs, "wait_mean"), exact.wait_mean)
    assert _station(runs, "queue_max").max() <= capacity - c


def test_a_queue_limit_written_as_probabilities_is_the_same_limit():
    """Probabilities of 0 then 1 are the limit itself: the same run, value for value."""
    limit = _model(0.9, 1.0, 1, m.Impatience(balk_at=3), horizon=2_000, warmup=0.0)
    written = replace(limit, stations=(replace(limit.stations[0], impatience=m.Impatience(
        balk_probabilities=(0.0, 0.0, 0.0, 1.0))),))
    assert run_replication(limit, seed=5).kpis == run_replication(written, seed=5).kpis


def test_a_class_without_impatience_waits_as_long_as_it_takes():
    base = _model(1.2, 1.0, 1, m.Impatience(patience=d.Exponential(1.0)), horizon=3_000,
                  warmup=0.0)
    station = replace(base.stations[0], impatience=None,
                      impatience_by_class={"x": m.Impatience(patience=d.Exponential(1.0))})
    patient = m.ClassSpec("patient", m.Poisson(0.3), (m.Visit("s"),))
    model = replace(base, stations=(station,), classes=(*base.classes, patient))
    kpis = run_replication(model, seed=9).kpis
    assert kpis["classes"]["x"]["abandoned"] > 0
    assert "abandoned" not in kpis["classes"]["patient"]
    assert kpis["stations"]["s"]["abandoned"] == kpis["classes"]["x"]["abandoned"]


@pytest.mark.parametrize("warmup", [0.0, 750.0])
def test_queue_length_and_counts_equal_the_event_log(warmup):
    """With priorities, shift changes (down to 0 servers), patience, balking by probability and
    a class's own queue limit: the time-average queue equals the integral of the event log (each
    customer from joining to its start, its abandonment or the end), and the counts agree."""
    horizon = 3_000.0
    station = m.StationSpec(
        "s", m.ShiftSchedule(steps=((0.0, 3), (300.0, 1), (700.0, 0), (800.0, 4)), period=1000.0),
        d.Exponential(1.0), discipline="priority",
        impatience=m.Impatience(patience=d.Uniform(0.5, 4.0), balk_probabilities=(0.0, 0.1, 0.3)),
        impatience_by_class={"hi": m.Impatience(balk_at=5)})
    model = m.Model(stations=(station,),
                    classes=(m.ClassSpec("lo", m.Poisson(1.5), (m.Visit("s"),), priority=2),
                             m.ClassSpec("hi", m.Poisson(0.8), (m.Visit("s"),), priority=1)),
                    horizon=horizon, warmup=warmup)
    events: list[tuple] = []
    run = run_replication(model, seed=4, trace=lambda *event: events.append(event))
    joined: dict[int, float] = {}
    area, abandoned, balked = 0.0, 0, 0
    for time, ident, _, _, event in events:
        if event == "queue":
            joined[ident] = time
        elif event in ("start", "abandon"):
            area += max(0.0, time - max(joined.pop(ident), warmup))
        abandoned += event == "abandon" and time >= warmup
        balked += event == "balk" and time >= warmup
    area += sum(horizon - max(time, warmup) for time in joined.values())
    station_row = run.kpis["stations"]["s"]
    assert station_row["queue_mean"] == pytest.approx(area / (horizon - warmup), rel=1e-9)
    assert (station_row["abandoned"], station_row["balked"]) == (abandoned, balked)
    assert run.kpis["classes"]["hi"]["abandoned"] == 0  # its own rule has no patience
    system = run.kpis["system"]["all"]
    left = sum(row["completions"] + row["abandoned"] + row["balked"]
               for row in run.kpis["classes"].values())
    assert system["arrivals"] + system["in_system_start"] == left + system["in_system_end"]


def test_balked_share_by_hour_equals_the_event_log():
    """``balked_<slot>_share``: of those who came to the station in an hour (joined the queue
    or balked), the share who balked, counted from the event log; pooled over the measured days
    and day by day. A rate profile overloads the station at 10:00-12:00 only."""
    rates = tuple(3.0 if hour in (10, 11) else 0.5 for hour in range(24))
    station = m.StationSpec("s", m.ShiftSchedule.constant(2), d.Exponential(1.0),
                            impatience=m.Impatience(balk_at=20))
    model = m.Model(stations=(station,),
                    classes=(m.ClassSpec("x", m.RateProfile(rates), (m.Visit("s"),)),),
                    horizon=3 * 1440.0, warmup=1440.0)
    events: list[tuple] = []
    run = run_replication(model, seed=3, trace=lambda *event: events.append(event))
    came: dict[tuple[int, int], int] = {}
    balked: dict[tuple[int, int], int] = {}
    for time, _, _, _, event in events:
        if event in ("queue", "balk"):
            key = (int(time // 1440), int(time % 1440 // 60))
            came[key] = came.get(key, 0) + 1
            balked[key] = balked.get(key, 0) + (event == "balk")
    row = run.kpis["stations"]["s"]
    checked = 0
    for hour in range(24):
        pooled_came = came.get((1, hour), 0) + came.get((2, hour), 0)
        pooled_balked = balked.get((1, hour), 0) + balked.get((2, hour), 0)
        assert row[f"balked_h{hour:02d}00_share"] == pytest.approx(pooled_balked / pooled_came)
        for day in (1, 2):
            share = balked.get((day, hour), 0) / came[(day, hour)]
            assert row[f"balked_d{day + 1}_h{hour:02d}00_share"] == pytest.approx(share)
            checked += share > 0
    assert checked >= 2  # the cap bites at the peak of both measured days...
    assert row["balked_h0300_share"] == 0.0  # ...and not at night
    # Only a station whose own rule turns customers away for good reports it: not one class's
    # rule, not a callback queue where every one comes back.
    for other in (replace(station, impatience=None,
                          impatience_by_class={"x": m.Impatience(balk_at=20)}),
                  replace(station, impatience=m.Impatience(balk_at=20, retry=1.0,
                                                           retry_after=d.Exponential(30.0)))):
        kpis = run_replication(replace(model, stations=(other,)), seed=3).kpis["stations"]["s"]
        assert kpis["balked"] > 0 and "balked_h1000_share" not in kpis
