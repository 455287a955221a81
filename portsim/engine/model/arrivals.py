"""The arrival specs of a model: how the members of a class arrive (Poisson, a rate profile, a
timetable of batches, recorded times, booked appointments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portsim.engine.distributions import Distribution
from portsim.engine.model.stations import MINUTES_PER_DAY

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Appointments", "Arrivals", "Poisson", "RateProfile", "Timetable", "Trace"]


@dataclass(frozen=True, slots=True)
class Poisson:
    """Poisson arrivals at a constant rate (per minute)."""

    rate: float


@dataclass(frozen=True, slots=True)
class RateProfile:
    """Non-homogeneous Poisson arrivals with a piecewise-constant rate (per minute).

    ``rates[i]`` holds over ``[i*bin_width, (i+1)*bin_width)``; the profile repeats every
    ``len(rates) * bin_width`` minutes (24 hourly rates repeat daily).
    """

    rates: tuple[float, ...]
    bin_width: float = 60.0

    @property
    def period(self) -> float:
        return len(self.rates) * self.bin_width


@dataclass(frozen=True, slots=True)
class Timetable:
    """Batches (flights, trains, buses): at ``times[i]``, ``counts[i]`` entities reach the station
    over ``spreads[i]`` minutes (uniformly at random). Repeats every ``repeat_every`` if set."""

    times: tuple[float, ...]
    counts: tuple[int, ...]
    spreads: tuple[float, ...]
    repeat_every: float | None = None
    #: Each batch is late by a draw of ``delay`` (minutes; a negative draw counts as on time),
    #: so that late batches bunch with later ones; its members keep their spread.
    delay: Distribution | None = None
    #: The probability that a batch does not come at all (cancelled).
    cancelled: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.cancelled <= 1.0:
            raise ValueError("the cancelled share of a timetable must lie in [0, 1]")

    @property
    def disrupted(self) -> bool:
        """Whether batches may be late or cancelled (drawn from a stream of their own)."""
        return self.delay is not None or self.cancelled > 0


@dataclass(frozen=True, slots=True)
class Trace:
    """Recorded arrival timestamps, replayed as they are."""

    times: tuple[float, ...]
    _sorted: Any = field(default=None, init=False, repr=False, compare=False)

    def sorted_array(self) -> np.ndarray:
        """The times in order as a read-only float array, made once (on first use: building
        a model needs no numpy) and shared by every replication of the model."""
        if self._sorted is None:
            import numpy as np

            array = np.fromiter(self.times, dtype=float, count=len(self.times))
            if array.size > 1 and not np.all(array[1:] >= array[:-1]):
                array = np.sort(array)
            array.flags.writeable = False
            object.__setattr__(self, "_sorted", array)
        return self._sorted


@dataclass(frozen=True, slots=True)
class Appointments:
    """Booked slots repeating every ``period``: ``per_slot[i]`` customers booked for
    ``slots[i]`` (minutes into the period).

    Each booked customer stays away with probability ``no_show``; one who comes arrives early
    by a draw of ``early`` with probability ``early_share``, else late by a draw of ``late``
    (an arrival before the start of the run arrives at its start).
    """

    slots: tuple[float, ...]
    per_slot: tuple[int, ...]
    no_show: float = 0.0
    early_share: float = 0.0
    early: Distribution | None = None
    late: Distribution | None = None
    period: float = MINUTES_PER_DAY

    def __post_init__(self) -> None:
        if len(self.slots) != len(self.per_slot):
            raise ValueError("appointments need one count per slot")
        if not 0 <= self.no_show <= 1 or not 0 <= self.early_share <= 1:
            raise ValueError("no_show and early_share are probabilities")
        if any(not 0 <= slot < self.period for slot in self.slots):
            raise ValueError("appointment slots must lie within the period")

    @property
    def booked_per_period(self) -> int:
        return sum(self.per_slot)


Arrivals = Poisson | RateProfile | Timetable | Trace | Appointments

