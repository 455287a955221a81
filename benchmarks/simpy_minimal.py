"""The minimal process-per-customer SimPy model of an M/M/c queue, and the whole script around it.

``python -m benchmarks.simpy_minimal [CUSTOMERS]`` is what a user would write with SimPy alone:
import numpy and SimPy, draw the inputs, run, print the mean wait. The start-up benchmark
(benchmarks/test_startup.py) times it as a process against ``portsim run`` of the same M/M/10
model (benchmarks/mm10.yaml). Only numpy and SimPy are imported here, so that the process pays
for nothing else; the core benchmarks use the same functions in-process (benchmarks/references.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import simpy

SERVERS = 10
UTILISATION = 0.9
MEAN_SERVICE = 1.0  # minutes
CUSTOMERS = 200_000
INPUT_SEED = 20_240_501
TAIL = 1_000.0
"""Minutes simulated after the last arrival, enough for every queue here to empty."""


@dataclass(frozen=True)
class QueueInputs:
    """Pre-drawn arrival times and, per station, service times, as Python floats."""

    arrivals: list[float]
    """Absolute arrival times, increasing (the cumulative sum of exponential gaps)."""
    services: tuple[list[float], ...]
    """Service times, one list per station, handed out in the order services start."""
    servers: int

    @property
    def customers(self) -> int:
        return len(self.arrivals)

    @property
    def horizon(self) -> float:
        return self.arrivals[-1] + TAIL

    def gaps(self) -> list[float]:
        return np.diff(np.asarray(self.arrivals), prepend=0.0).tolist()


def draw_inputs(customers: int, servers: int = SERVERS, stations: int = 1,
                utilisation: float = UTILISATION, seed: int = INPUT_SEED) -> QueueInputs:
    """Poisson arrivals at ``utilisation * servers / MEAN_SERVICE``, exponential services."""
    rng = np.random.default_rng(seed)
    rate = utilisation * servers / MEAN_SERVICE
    arrivals = np.cumsum(rng.exponential(1.0 / rate, customers))
    services = tuple(rng.exponential(MEAN_SERVICE, customers).tolist() for _ in range(stations))
    return QueueInputs(arrivals.tolist(), services, servers)



# ----------------------------------------------------------------------------- minimal SimPy


@dataclass
class SimpyTotals:
    """Running sums over all visits (waits) and all customers (times in system)."""

    visits: int = 0
    completed: int = 0
    wait_sum: float = 0.0
    sojourn_sum: float = 0.0

    @property
    def wait_mean(self) -> float:
        """Mean wait per station visit."""
        return self.wait_sum / self.visits

    @property
    def sojourn_mean(self) -> float:
        return self.sojourn_sum / self.completed


def minimal_simpy(inputs: QueueInputs,
                  waits: list[dict[int, float]] | None = None) -> SimpyTotals:
    """The minimal process-per-customer SimPy model: a station is a ``simpy.Resource``.

    Keeps running sums only, unless ``waits`` is given (one dict per station): then each wait is
    also recorded under the customer's index (0-based, in order of arrival).
    """
    env = simpy.Environment()
    stations = [(simpy.Resource(env, capacity=inputs.servers), iter(times).__next__)
                for times in inputs.services]
    totals = SimpyTotals()

    def customer(env: simpy.Environment, index: int):
        arrived = env.now
        for k, (resource, service) in enumerate(stations):
            queued = env.now
            with resource.request() as request:
                yield request
                wait = env.now - queued
                totals.wait_sum += wait
                totals.visits += 1
                if waits is not None:
                    waits[k][index] = wait
                yield env.timeout(service())
        totals.sojourn_sum += env.now - arrived
        totals.completed += 1

    def source(env: simpy.Environment):
        for index, at in enumerate(inputs.arrivals):
            yield env.timeout(at - env.now)
            env.process(customer(env, index))

    env.process(source(env))
    env.run(until=inputs.horizon)
    return totals


def main(argv: list[str]) -> int:
    customers = int(argv[0]) if argv else CUSTOMERS
    totals = minimal_simpy(draw_inputs(customers))
    print(f"{totals.completed} customers, mean wait {totals.wait_mean:.4f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
