"""The event engine's replication as the parts that act on it while it runs see it.

The arrival sources (:mod:`portsim.engine.sources`) and warm starts (:mod:`portsim.engine.warm`)
create entities, schedule them and move them along their routes inside a running
:class:`~portsim.engine.simulation.Replication`. They are written against this protocol, not the
class, so that they sit below the replication that calls them and no import runs back up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from portsim.engine.classes import ClassState
    from portsim.engine.entity import Entity
    from portsim.engine.impatience import VisitClock
    from portsim.engine.kernel import Environment
    from portsim.engine.model import Model
    from portsim.engine.setup import TraceSink
    from portsim.engine.station import Station

__all__ = ["RunningReplication"]


class RunningReplication(Protocol):
    """What a running event-engine replication offers: its model and streams' keys, its clock
    and schedule, its classes and stations, and the entity flow's entry points."""

    model: Model
    seed: int
    replication: int
    #: The clock time the run starts at (a warm start's; else 0).
    clock: float
    env: Environment
    #: SimPy's heap and event-id counter, for scheduling inline (see kernel.scheduler).
    heap: list[Any]
    ids: Iterator[int]
    classes: dict[str, ClassState]
    stations: dict[str, Station]
    #: Classes that give up over their whole visit: one clock each, shared by the stations.
    visit_clocks: dict[str, VisitClock]
    #: Entities parked after a waiting spawn -> members of their batches still in the system.
    awaiting: dict[Entity, int]
    #: The callbacks of an entity in a delay: it goes on at its ``node`` when the delay ends.
    after_delay_callbacks: list[Callable[[Entity], None]]
    trace: TraceSink | None
    max_entities: int | None
    #: The last entity id given out (ids count from 1 in order of creation).
    next_id: int
    #: The number in system integrated by parts (see Replication): an arrival subtracts its
    #: time, a departure adds its own.
    in_area: float
    #: 1 / the width of the per-bin series.
    inv_bin: float

    def enter(self, entity: Entity) -> None:
        """An entity arrives in the system now and starts its route."""

    def count_arrival(self, entity: Entity) -> None:
        """Count an entity that arrives now in the system (it has not started its route); a
        member of a class with visit patience draws its deadline."""

    def advance_from(self, entity: Entity, node: Any) -> None:
        """Move ``entity`` along its route from ``node``."""

    def end_warmup(self, event: Any) -> None:
        """Start the statistics afresh now."""

    def spawn_later(self, event: Any) -> None:
        """Members of a batch arrive now (``event.value``: their class, parent, the entity that
        brought them, how many)."""
