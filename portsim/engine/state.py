"""The state a run starts from (a warm start): plain frozen data, no YAML and no pydantic.

A :class:`StartState` says what the system holds at a clock time: per station the customers
waiting (with how long each has waited there) and those in service (with the service time
elapsed, or the time still to run), and the batches already announced to arrive. The scenario
layer reads it from a state file (:mod:`portsim.scenario.state`); a run writes one at a clock
time (:func:`portsim.engine.warm.snapshot`). All times are minutes from the start of the run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from portsim.engine.distributions import Distribution

if TYPE_CHECKING:
    import numpy as np

#: Rounds of rejection sampling for a residual service time before giving up (see residual).
RESIDUAL_ROUNDS = 64
RESIDUAL_BATCH = 256


@dataclass(frozen=True, slots=True)
class Waiting:
    """A customer in a station's queue at the clock time.

    ``waited``: minutes in this queue so far; ``waited_before``: minutes waited at earlier
    stations of the visit (they count in the class's wait); ``in_system``: minutes since the
    customer entered the system (its sojourn so far; at least ``waited``).
    """

    class_name: str
    waited: float = 0.0
    waited_before: float = 0.0
    in_system: float | None = None


@dataclass(frozen=True, slots=True)
class InService:
    """A customer in service at the clock time: ``elapsed`` minutes of service done, and, if
    known, ``remaining`` minutes still to run (else drawn, see :func:`residual`)."""

    class_name: str
    elapsed: float = 0.0
    remaining: float | None = None
    waited: float = 0.0
    in_system: float | None = None


@dataclass(frozen=True, slots=True)
class InTransit:
    """A customer between stations (in a delay: walking, deplaning) at the clock time: it goes
    on at node ``step`` of its class's compiled route (see engine.warm.route_nodes) after
    ``remaining`` minutes. Written by snapshots; the step numbers are those of the same
    scenario."""

    class_name: str
    step: int
    remaining: float
    waited: float = 0.0
    in_system: float = 0.0


@dataclass(frozen=True, slots=True)
class StationState:
    """The customers of one station at the clock time (waiting in queue order)."""

    name: str
    waiting: tuple[Waiting, ...] = ()
    in_service: tuple[InService, ...] = ()


@dataclass(frozen=True, slots=True)
class Announced:
    """A batch known to arrive: ``count`` members of ``class_name`` from ``at`` over ``spread``
    minutes (uniformly at random)."""

    class_name: str
    at: float
    count: int
    spread: float = 0.0


@dataclass(frozen=True, slots=True)
class StartState:
    """What the system holds at ``clock`` (minutes from the start of the run's day 1, 00:00).

    ``replace_arrivals``: classes whose own arrivals (timetable, profile...) are not generated
    from the clock time on; only their ``announced`` batches come.
    """

    clock: float = 0.0
    stations: tuple[StationState, ...] = ()
    announced: tuple[Announced, ...] = ()
    replace_arrivals: frozenset[str] = frozenset()
    in_transit: tuple[InTransit, ...] = ()
    #: What a snapshot could not write, by kind: (kind, how many) pairs (see engine.warm).
    not_recorded: tuple[tuple[str, int], ...] = ()

    @property
    def customers(self) -> int:
        """Customers in the system at the clock time (waiting, in service or in transit)."""
        return sum(len(s.waiting) + len(s.in_service) for s in self.stations) + len(
            self.in_transit)


def state_to_data(state: StartState) -> dict[str, Any]:
    """Plain JSON data (a replication's snapshot kept on disk)."""
    data = asdict(state)
    data["replace_arrivals"] = sorted(state.replace_arrivals)
    return data


def state_from_data(data: dict[str, Any]) -> StartState:
    """The inverse of :func:`state_to_data`."""
    return StartState(
        clock=data["clock"],
        stations=tuple(StationState(s["name"], tuple(Waiting(**w) for w in s["waiting"]),
                                    tuple(InService(**i) for i in s["in_service"]))
                       for s in data["stations"]),
        announced=tuple(Announced(**a) for a in data["announced"]),
        replace_arrivals=frozenset(data["replace_arrivals"]),
        in_transit=tuple(InTransit(**t) for t in data["in_transit"]),
        not_recorded=tuple((k, v) for k, v in data["not_recorded"]))


def residual(distribution: Distribution, elapsed: float, rng: np.random.Generator) -> float:
    """A remaining service time given ``elapsed`` minutes done: a draw from the service
    distribution conditioned on exceeding ``elapsed`` (rejection sampling), minus ``elapsed``.

    If no draw exceeds ``elapsed`` in ``RESIDUAL_ROUNDS`` batches (the elapsed time lies beyond
    what the distribution gives, e.g. a fixed time already passed), the service ends at once.
    """
    if elapsed <= 0:
        return float(distribution.sample(rng, 1)[0])
    for _ in range(RESIDUAL_ROUNDS):
        draws = distribution.sample(rng, RESIDUAL_BATCH)
        above = draws[draws > elapsed]
        if above.size:
            return float(above[0]) - elapsed
    return 0.0


__all__ = ["Announced", "InService", "InTransit", "StartState", "StationState", "Waiting",
           "residual", "state_from_data", "state_to_data"]
