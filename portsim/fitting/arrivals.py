"""A class's arrivals: a Poisson rate, a daily rate profile, or a timetable of batches.

- **Batches**: when at least :data:`BATCH_SHARE` of a class's arrivals share their instant with
  another arrival of the class (a flight's passengers, a bus's), the arrivals are written as a
  timetable of those batches, as observed (time and size; no repeat).
- **Slots**: otherwise the day is cut into slots (the log's time from 0 to its last event, a
  day long or less), the rate of each the arrivals in it over the time observed in it, with
  the exact (Garwood) 95 % Poisson interval. The width is ``--slot`` or, by rule, the narrowest
  of :data:`WIDTHS` whose median slot holds at least :data:`SLOT_COUNT` arrivals (each rate
  then known to about ±20 %); if no width does, one slot a day.
- **Tests**: within each slot a homogeneous Poisson process puts its arrivals uniformly; the
  Kolmogorov–Smirnov test of their places in the slot against the uniform says whether it does.
  Over two or more whole days, the index of dispersion of the slot's daily counts (chi-square,
  days − 1 degrees of freedom) tests for more spread than Poisson. Across slots, a chi-square
  test of the counts against the exposure: when it does not reject one rate (p ≥ 0.05) the
  class is written as Poisson at its overall rate, else as the profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from portsim.fitting.services import FitError

#: Slot widths tried by the rule, minutes (each divides a day).
WIDTHS = (15, 30, 60, 120, 180, 240, 360, 720, 1440)
#: Arrivals the median slot must hold for the rule to take a width.
SLOT_COUNT = 100
#: Share of arrivals at a shared instant from which a class arrives in batches.
BATCH_SHARE = 0.5
#: Fewest arrivals of a class fitted.
MIN_ARRIVALS = 10
DAY = 1440.0
#: Tests at this level reject.
LEVEL = 0.05


@dataclass(frozen=True)
class Slot:
    """One slot of the day: its arrivals, the time observed, the rate and its interval (per
    minute), and its Poisson tests' p-values (None: too few to test)."""

    start: float
    width: float
    count: int
    exposure: float
    rate: float
    low: float
    high: float
    uniform_p: float | None
    dispersion_p: float | None


@dataclass(frozen=True)
class ArrivalFit:
    """The arrivals of one class and the form written for them."""

    count: int
    form: str  # "poisson", "profile" or "timetable"
    width: float
    rule: str
    slots: tuple[Slot, ...]
    rate: float
    low: float
    high: float
    same_rate_p: float | None
    batched_share: float
    batches: tuple[tuple[float, int], ...]


def poisson_interval(count: int, exposure: float) -> tuple[float, float]:
    """The exact (Garwood) 95 % interval of a Poisson rate: ``count`` events in ``exposure``."""
    from scipy import stats

    low = stats.gamma.ppf(0.025, count) / exposure if count > 0 else 0.0
    return float(low), float(stats.gamma.ppf(0.975, count + 1) / exposure)


def fit_arrivals(times: Any, end: float, what: str, slot: float | None = None) -> ArrivalFit:
    """The arrivals at ``times`` (minutes) in a log covering 0 to ``end``."""
    import numpy as np

    data = np.sort(np.asarray(times, dtype=float))
    if len(data) < MIN_ARRIVALS:
        raise FitError(f"{what}: {len(data)} arrival(s); fitting arrivals needs at least "
                       f"{MIN_ARRIVALS}")
    end = max(end, float(data[-1]), 1e-9)
    instants, sizes = np.unique(data, return_counts=True)
    batched = float(sizes[sizes > 1].sum() / len(data))
    rate, low, high = len(data) / end, *poisson_interval(len(data), end)
    if batched >= BATCH_SHARE:
        batches = tuple((float(t), int(n)) for t, n in zip(instants, sizes, strict=True))
        return ArrivalFit(len(data), "timetable", 0.0, "", (), rate, low, high, None, batched,
                          batches)
    width, rule = _width(data, end, slot)
    slots = _slots(data, end, width)
    same = _same_rate(slots)
    form = "poisson" if len(slots) == 1 or (same is not None and same >= LEVEL) else "profile"
    return ArrivalFit(len(data), form, width, rule, slots, rate, low, high, same, batched, ())


def _period(end: float, width: float) -> float:
    """The profile's period: a day, or the log's length in whole slots if shorter."""
    return DAY if end >= DAY else min(DAY, math.ceil(end / width) * width)


def _width(data: Any, end: float, slot: float | None) -> tuple[float, str]:
    """The slot width and the rule that chose it."""
    import numpy as np

    if slot is not None:
        return slot, "given (--slot)"
    for width in WIDTHS:
        period = _period(end, width)
        counts = np.bincount(((data % period) // width).astype(int),
                             minlength=round(period / width))
        if np.median(counts) >= SLOT_COUNT:
            return float(width), (f"the narrowest slot whose median holds at least "
                                  f"{SLOT_COUNT} arrivals")
    return DAY, f"one slot a day: no narrower slot's median holds {SLOT_COUNT} arrivals"


def _slots(data: Any, end: float, width: float) -> tuple[Slot, ...]:
    from scipy import stats

    period = _period(end, width)
    full = math.floor(end / period)
    slots = []
    for index in range(round(period / width)):
        start = index * width
        exposure = full * width + min(max(end - full * period - start, 0.0), width)
        inside = data[((data % period) >= start) & ((data % period) < start + width)]
        places = ((inside % period) - start) / width
        uniform = (float(stats.kstest(places, "uniform").pvalue) if len(inside) >= 5
                   else None)
        rate = len(inside) / exposure if exposure > 0 else 0.0
        low, high = (poisson_interval(len(inside), exposure) if exposure > 0
                     else (0.0, math.inf))
        slots.append(Slot(start, width, len(inside), exposure, rate, low, high, uniform,
                          _dispersion(inside, period, full)))
    return tuple(slots)


def _dispersion(inside: Any, period: float, full: int) -> float | None:
    """p-value of the index of dispersion of a slot's counts over the whole days observed."""
    import numpy as np
    from scipy import stats

    if full < 2:
        return None
    counts = np.bincount((inside // period).astype(int), minlength=full)[:full]
    mean = counts.mean()
    if mean <= 0:
        return None
    index = (full - 1) * counts.var(ddof=1) / mean
    return float(stats.chi2.sf(index, full - 1))


def _same_rate(slots: tuple[Slot, ...]) -> float | None:
    """p-value of one rate for every slot (chi-square of counts against exposure)."""
    import numpy as np
    from scipy import stats

    observed = [s for s in slots if s.exposure > 0]
    if len(observed) < 2:
        return None
    counts = np.array([s.count for s in observed], dtype=float)
    exposure = np.array([s.exposure for s in observed])
    expected = counts.sum() * exposure / exposure.sum()
    return float(stats.chisquare(counts, expected).pvalue)


__all__ = ["BATCH_SHARE", "MIN_ARRIVALS", "SLOT_COUNT", "WIDTHS", "ArrivalFit", "Slot",
           "fit_arrivals", "poisson_interval"]
