"""Core benchmarks: M/M/10 at utilisation 0.9, a two-station tandem and Erlang A (M/M/10+M at
utilisation 1, mean patience 2 min), against the references; and two priority classes on
both of portsim's engines.

portsim runs on both engines: the event engine (``engine="events"``, the ``*.portsim`` keys)
and the FIFO fast path (``engine="fast"``, the ``*.fast`` keys).

portsim, the minimal SimPy model and Ciw are fed the same pre-drawn times (benchmarks/references.py)
and every benchmark checks, after its timed rounds, that its mean wait equals the others', so the
ratios compare implementations doing the same work.
"""

from __future__ import annotations

import pytest

from benchmarks.models import poisson_model, priority_model
from benchmarks.references import (
    CORE_CUSTOMERS,
    ImpatientInputs,
    ciw_wait_mean,
    draw_impatient_inputs,
    kiefer_wolfowitz_waits,
    minimal_simpy,
    minimal_simpy_reneging,
    portsim_impatient_model,
    portsim_model,
    run_ciw,
)
from benchmarks.summary import fast_mode
from portsim.engine import run_replication

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="core")]

ROUNDS = 3 if fast_mode() else 5
CIW_ROUNDS = 1 if fast_mode() else 2
FAST_ROUNDS = 5 if fast_mode() else 9  # the fast path's runs are short: more rounds, less noise


def _expected_wait(inputs) -> float:
    return minimal_simpy(inputs).wait_mean


# ----------------------------------------------------------------------------- M/M/10


def test_mm10_portsim(measure, mm10_inputs):
    model = portsim_model(mm10_inputs)
    result = measure("mm10.portsim", lambda: run_replication(model, seed=0, engine="events"),
                     ROUNDS, mm10_inputs.customers)
    station = result.kpis["stations"]["s1"]
    assert station["completions"] == mm10_inputs.customers
    assert station["wait_mean"] == pytest.approx(_expected_wait(mm10_inputs), rel=1e-9)


def test_mm10_portsim_own_streams(measure, mm10_inputs):
    model = poisson_model(mm10_inputs.customers)
    result = measure("mm10.portsim_poisson",
                     lambda: run_replication(model, seed=0, engine="events"),
                     ROUNDS, mm10_inputs.customers)
    assert result.kpis["stations"]["s1"]["utilisation"] == pytest.approx(0.9, abs=0.02)


def test_mm10_fast_path(measure, mm10_inputs):
    """The FIFO fast path on the same inputs, with the same statistics."""
    model = portsim_model(mm10_inputs)
    result = measure("mm10.fast", lambda: run_replication(model, seed=0, engine="fast"),
                     FAST_ROUNDS, mm10_inputs.customers)
    station = result.kpis["stations"]["s1"]
    assert station["completions"] == mm10_inputs.customers
    assert station["wait_mean"] == pytest.approx(_expected_wait(mm10_inputs), rel=1e-9)


def test_mm10_fast_path_own_streams(measure, mm10_inputs):
    model = poisson_model(mm10_inputs.customers)
    result = measure("mm10.fast_poisson", lambda: run_replication(model, seed=0, engine="fast"),
                     FAST_ROUNDS, mm10_inputs.customers)
    events = run_replication(model, seed=0, engine="events")
    assert result.kpis["stations"]["s1"]["wait_mean"] == pytest.approx(
        events.kpis["stations"]["s1"]["wait_mean"], rel=1e-9)


def test_mm10_minimal_simpy(measure, mm10_inputs):
    totals = measure("mm10.simpy", lambda: minimal_simpy(mm10_inputs), ROUNDS,
                     mm10_inputs.customers)
    assert totals.completed == mm10_inputs.customers


def test_mm10_ciw(measure, mm10_inputs):
    simulation = measure("mm10.ciw", lambda: run_ciw(mm10_inputs), CIW_ROUNDS,
                         mm10_inputs.customers)
    assert ciw_wait_mean(simulation) == pytest.approx(_expected_wait(mm10_inputs), rel=1e-9)


def test_mm10_kiefer_wolfowitz(measure, mm10_inputs):
    """The floor: the recursion in plain Python, no simulation at all."""
    waits = measure("mm10.kiefer_wolfowitz",
                    lambda: kiefer_wolfowitz_waits(mm10_inputs.arrivals,
                                                   mm10_inputs.services[0], mm10_inputs.servers),
                    ROUNDS, mm10_inputs.customers)
    assert sum(waits) / len(waits) == pytest.approx(_expected_wait(mm10_inputs), rel=1e-9)


# ----------------------------------------------------------------------------- tandem


def test_tandem_portsim(measure, tandem_inputs):
    model = portsim_model(tandem_inputs)
    result = measure("tandem.portsim", lambda: run_replication(model, seed=0, engine="events"),
                     ROUNDS, tandem_inputs.customers)
    stations = result.kpis["stations"]
    visits = stations["s1"]["completions"] + stations["s2"]["completions"]
    assert visits == 2 * tandem_inputs.customers
    mean = (stations["s1"]["wait_mean"] + stations["s2"]["wait_mean"]) / 2
    assert mean == pytest.approx(_expected_wait(tandem_inputs), rel=1e-9)


def test_tandem_fast_path(measure, tandem_inputs):
    model = portsim_model(tandem_inputs)
    result = measure("tandem.fast", lambda: run_replication(model, seed=0, engine="fast"),
                     FAST_ROUNDS, tandem_inputs.customers)
    stations = result.kpis["stations"]
    mean = (stations["s1"]["wait_mean"] + stations["s2"]["wait_mean"]) / 2
    assert mean == pytest.approx(_expected_wait(tandem_inputs), rel=1e-9)


def test_tandem_minimal_simpy(measure, tandem_inputs):
    totals = measure("tandem.simpy", lambda: minimal_simpy(tandem_inputs), ROUNDS,
                     tandem_inputs.customers)
    assert totals.completed == tandem_inputs.customers


def test_tandem_ciw(measure, tandem_inputs):
    simulation = measure("tandem.ciw", lambda: run_ciw(tandem_inputs), CIW_ROUNDS,
                         tandem_inputs.customers)
    assert ciw_wait_mean(simulation) == pytest.approx(_expected_wait(tandem_inputs), rel=1e-9)


# ----------------------------------------------------------------------------- Erlang A
# portsim with patience against the minimal SimPy model with reneging, fed the same arrival,
# service and patience times: the same customers must give up and those served wait the same.


@pytest.fixture(scope="module")
def erlang_a_inputs() -> ImpatientInputs:
    return draw_impatient_inputs()


def test_erlang_a_portsim(measure, erlang_a_inputs):
    model = portsim_impatient_model(erlang_a_inputs)
    result = measure("erlang_a.portsim", lambda: run_replication(model, seed=0), ROUNDS,
                     erlang_a_inputs.queue.customers)
    station = result.kpis["stations"]["s1"]
    expected = minimal_simpy_reneging(erlang_a_inputs)
    assert station["abandoned"] == expected.abandoned > 0
    assert station["completions"] == expected.served
    assert station["wait_mean"] == pytest.approx(expected.wait_mean, rel=1e-9)


def test_erlang_a_minimal_simpy(measure, erlang_a_inputs):
    totals = measure("erlang_a.simpy", lambda: minimal_simpy_reneging(erlang_a_inputs), ROUNDS,
                     erlang_a_inputs.queue.customers)
    assert totals.served + totals.abandoned == erlang_a_inputs.queue.customers


# ----------------------------------------------------------------------------- priority


def test_priority_both_engines(measure, note):
    """Two classes served by priority at M/M/10 (utilisation 0.9), then a priority row on
    shifts, on portsim's own streams: the fast path's sweep against the event engine, the
    same KPIs from both (to 1e-9)."""
    model = priority_model(CORE_CUSTOMERS)
    events = measure("priority.portsim", lambda: run_replication(model, seed=0,
                                                                 engine="events"),
                     ROUNDS, CORE_CUSTOMERS)
    fast = run_replication(model, seed=0, engine="fast")
    for row in ("green", "ordinary"):
        assert fast.kpis["classes"][row]["wait_mean"] == pytest.approx(
            events.kpis["classes"][row]["wait_mean"], rel=1e-9)
    note("priority", "mean wait green {:.2f} min, ordinary {:.2f} min".format(
        *(events.kpis["classes"][row]["wait_mean"] for row in ("green", "ordinary"))))


def test_priority_fast_path(measure):
    model = priority_model(CORE_CUSTOMERS)
    result = measure("priority.fast", lambda: run_replication(model, seed=0, engine="fast"),
                     FAST_ROUNDS, CORE_CUSTOMERS)
    assert result.engine == "fast"
