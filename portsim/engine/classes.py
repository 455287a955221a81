"""The runtime state of one entity class in one replication: its counters, tallies and series."""

from __future__ import annotations

from typing import Any

import numpy as np

from portsim.stats.accumulators import Tally
from portsim.stats.slots import SlotTally


class ClassState:
    """Runtime state of one entity class in one replication."""

    __slots__ = ("name", "priority", "waits", "sojourns", "arrivals", "completions",
                 "arrival_series", "completion_series", "first_node", "due_after", "lateness",
                 "milestones", "slots", "abandoned", "balked", "abandon_waits",
                 "add_wait", "add_sojourn", "add_arrived", "counted_waits", "monitor")

    def __init__(self, name: str, priority: int, sla: float, bins: int,
                 due_after: float | None = None, slots: SlotTally | None = None) -> None:
        self.name = name
        self.priority = priority
        self.due_after = due_after
        self.lateness = Tally(0.0) if due_after is not None else None
        self.milestones: dict[str, Tally] = {}
        # Waits filed by the clock slot of arrival too: each wait recorded is paired with its
        # member's arrival time (add_arrived), folded together when the tally folds.
        self.slots = slots if slots is not None else SlotTally(1.0, sla)
        self.waits = Tally(sla, on_flush=self.slots.fold_pending)
        self.sojourns = Tally(sla)  # its share within the standard is a KPI too
        # Members who left from a station's queue without finishing their route (see
        # portsim.engine.impatience), and the total waits of those who gave up waiting.
        self.abandoned = 0
        self.balked = 0
        self.abandon_waits = Tally(sla)
        self.arrivals = 0
        self.completions = 0
        self.arrival_series = [0] * bins
        self.completion_series = [0] * bins
        self.first_node: Any = None
        # NOTE: the tallies' appends bound here for performance reasons; rebound on reset.
        self.add_wait = self.waits.add
        self.add_sojourn = self.sojourns.add
        self.add_arrived = self.slots.times.append
        # The waits the slots file when only some stations' waits count there (see
        # count_some_stations); None: the slots file the whole waits the tally takes.
        self.counted_waits: list[float] | None = None
        # The monitor's longest reading per clock slot of the run (see engine.monitor).
        self.monitor: np.ndarray | None = None

    def count_some_stations(self) -> None:
        """File in the slots, instead of each member's whole wait, the wait it had at the
        stations that count (``Model.slot_stations``), appended to :attr:`counted_waits` at
        each departure alongside the tally's own wait: NaN for a member who visited none of
        them, who is not filed at all (it never queued where the slots look)."""
        counted: list[float] = []
        self.counted_waits = counted
        slots = self.slots

        def fold(_whole: np.ndarray) -> None:
            waits = np.asarray(counted, dtype=float)
            times = np.asarray(slots.times, dtype=float)
            counted.clear()
            slots.times.clear()
            visited = ~np.isnan(waits)
            slots.add_many(waits[visited], times[visited])

        self.waits.on_flush = fold

    def reset(self) -> None:
        self.waits.reset()
        self.slots.drop_pending()
        if self.counted_waits is not None:
            self.counted_waits.clear()
        self.sojourns.reset()
        if self.lateness is not None:
            self.lateness.reset()
        for tally in self.milestones.values():
            tally.reset()
        self.add_wait = self.waits.add
        self.add_sojourn = self.sojourns.add
        self.abandon_waits.reset()
        self.arrivals = 0
        self.completions = 0
        self.abandoned = 0
        self.balked = 0
