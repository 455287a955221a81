"""Erlang A (M/M/10+M at utilisation 1, mean patience 2 min): portsim with reneging against the
minimal SimPy model with reneging, fed the same pre-drawn arrival, service and patience times.

After its timed rounds each benchmark checks that the two agree exactly: the same customers
give up and those served waited the same (to 1e-9), so the ratio compares the same work.
"""

from __future__ import annotations

import pytest

from benchmarks.references import (
    ImpatientInputs,
    draw_impatient_inputs,
    minimal_simpy_reneging,
    portsim_impatient_model,
)
from benchmarks.summary import fast_mode
from portsim.engine import run_replication

pytestmark = [pytest.mark.benchmark_suite, pytest.mark.benchmark(group="core")]

ROUNDS = 3 if fast_mode() else 5


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
