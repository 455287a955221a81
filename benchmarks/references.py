"""The references every core benchmark is compared with, fed one set of pre-drawn inputs.

A ratio is only honest when both sides simulate the same thing. So inter-arrival and service
times are drawn once with numpy (:func:`draw_inputs`) and fed, unchanged, to

* portsim (:func:`portsim_model`): a ``Trace`` of arrival times and a ``Sequence`` of service
  times per station, run with its full statistics (waits, quantile histograms, queue lengths,
  utilisation, throughput, series);
* the minimal process-per-customer SimPy model (:func:`minimal_simpy`): one process per
  customer, a ``simpy.Resource`` per station, the bulk draws handed out by list iterators,
  running sums -- the best plain SimPy a user would write;
* Ciw (:func:`run_ciw`), with ``Sequential`` distributions over the same times;
* the Kiefer-Wolfowitz recursion for a FIFO c-server queue (:func:`kiefer_wolfowitz_waits`).

Each station takes its next service time when a service starts, as portsim's streams do; in a
FIFO queue starts follow arrivals, so customer *i* of a single station gets ``services[0][i]``
everywhere and the waits agree customer by customer.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

import ciw
import numpy as np
import simpy

from benchmarks.models import trace_model
from benchmarks.simpy_minimal import (
    INPUT_SEED,
    SERVERS,
    QueueInputs,
    SimpyTotals,
    draw_inputs,
    minimal_simpy,
)
from benchmarks.summary import fast_mode
from portsim.engine.distributions import Sequence
from portsim.engine.model import Impatience, Model

__all__ = ["CORE_CUSTOMERS", "QueueInputs", "SimpyTotals", "ciw_network", "ciw_wait_mean",
           "draw_inputs", "kiefer_wolfowitz_waits", "minimal_simpy", "portsim_model",
           "run_ciw"]

CORE_CUSTOMERS = 50_000 if fast_mode() else 200_000


def portsim_model(inputs: QueueInputs) -> Model:
    return trace_model(inputs.arrivals, inputs.services, inputs.servers, inputs.horizon)


# ----------------------------------------------------------------------------- minimal SimPy


# ----------------------------------------------------------------------------- Ciw


def ciw_network(inputs: QueueInputs) -> ciw.network.Network:
    """The same queue or tandem in Ciw, over ``Sequential`` distributions of the same times.

    A final huge gap stops Ciw's cyclic arrival sequence from starting over within the horizon.
    """
    stations = len(inputs.services)
    arrivals = [ciw.dists.Sequential([*inputs.gaps(), 1e12])] + [None] * (stations - 1)
    routing = [[1.0 if j == i + 1 else 0.0 for j in range(stations)] for i in range(stations)]
    return ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions=[ciw.dists.Sequential(times) for times in inputs.services],
        number_of_servers=[inputs.servers] * stations,
        routing=routing,
    )


def run_ciw(inputs: QueueInputs) -> ciw.Simulation:
    ciw.seed(0)  # nothing random is drawn (Sequential only); Ciw's global state is seeded anyway
    simulation = ciw.Simulation(ciw_network(inputs))
    simulation.simulate_until_max_time(inputs.horizon)
    return simulation


def ciw_wait_mean(simulation: ciw.Simulation) -> float:
    """Mean wait per station visit, from Ciw's records (read after the timed run)."""
    return float(np.mean([record.waiting_time for record in simulation.get_all_records()]))


# ----------------------------------------------------------------------------- recursion


def kiefer_wolfowitz_waits(arrivals: list[float], services: list[float],
                           servers: int) -> list[float]:
    """Waits in a FIFO c-server queue: each customer takes the server that frees first.

    Equivalent to the Kiefer-Wolfowitz workload-vector recursion; a heap of the times the
    servers next become free.
    """
    free = [0.0] * servers
    waits = []
    for at, service in zip(arrivals, services, strict=True):
        soonest = free[0]
        start = at if at >= soonest else soonest
        waits.append(start - at)
        heapq.heapreplace(free, start + service)
    return waits


# ----------------------------------------------------------------------------- Erlang A

PATIENCE_MEAN = 2.0  # minutes: at utilisation 1, about 9 % of M/M/10+M callers give up


@dataclass(frozen=True)
class ImpatientInputs:
    """An M/M/c queue's pre-drawn times plus one patience per customer, handed out in the order
    customers have to join the queue (those who find a free server draw none)."""

    queue: QueueInputs
    patience: list[float]


def draw_impatient_inputs(customers: int = CORE_CUSTOMERS, servers: int = SERVERS,
                          seed: int = INPUT_SEED + 1) -> ImpatientInputs:
    """Erlang A at utilisation 1: only customers giving up keep the queue bounded."""
    queue = draw_inputs(customers, servers, utilisation=1.0, seed=seed)
    patience = np.random.default_rng(seed + 1).exponential(PATIENCE_MEAN, customers).tolist()
    return ImpatientInputs(queue, patience)


def portsim_impatient_model(inputs: ImpatientInputs) -> Model:
    queue = inputs.queue
    model = trace_model(queue.arrivals, queue.services, queue.servers, queue.horizon)
    station = replace(model.stations[0],
                      impatience=Impatience(patience=Sequence(tuple(inputs.patience))))
    return replace(model, stations=(station,), name="erlang-a-trace")


@dataclass
class RenegingTotals:
    """Running sums of the minimal SimPy model with reneging."""

    served: int = 0
    abandoned: int = 0
    wait_sum: float = 0.0  # of those served

    @property
    def wait_mean(self) -> float:
        return self.wait_sum / self.served


def minimal_simpy_reneging(inputs: ImpatientInputs) -> RenegingTotals:
    """The minimal SimPy model of Erlang A, as the SimPy documentation's bank example writes
    reneging: a customer who must wait yields ``request | timeout(patience)`` and leaves if its
    patience came first (the request is cancelled when the ``with`` block ends)."""
    queue = inputs.queue
    env = simpy.Environment()
    resource = simpy.Resource(env, capacity=queue.servers)
    service = iter(queue.services[0]).__next__
    patience = iter(inputs.patience).__next__
    totals = RenegingTotals()

    def customer(env: simpy.Environment):
        queued = env.now
        with resource.request() as request:
            if request.triggered:
                yield request
            else:
                yield request | env.timeout(patience())
                if not request.triggered:
                    totals.abandoned += 1
                    return
            totals.wait_sum += env.now - queued
            totals.served += 1
            yield env.timeout(service())

    def source(env: simpy.Environment):
        for at in queue.arrivals:
            yield env.timeout(at - env.now)
            env.process(customer(env))

    env.process(source(env))
    env.run(until=queue.horizon)
    return totals
