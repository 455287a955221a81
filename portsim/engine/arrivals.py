"""Arrival times of one entity class: increasing, lazy, and from the class's own random stream.

Poisson, rate profile (thinning), timetable (batches, possibly spread and repeated), booked
appointments (no-shows, early and late comers) and a fixed trace of times; all stop before the
horizon.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator

import numpy as np

from portsim.engine import model as m
from portsim.engine.distributions import Exponential
from portsim.engine.streams import batch_sizes


def arrival_times(arrivals: m.Arrivals, rng: np.random.Generator, horizon: float,
                  disruptions: np.random.Generator | None = None) -> Iterator[float]:
    """The increasing arrival times of one class, drawn lazily from ``rng``.

    A timetable's late and cancelled batches (``Timetable.disrupted``) are drawn from
    ``disruptions``, a stream of their own: the spreads drawn from ``rng`` stay the same
    whatever the delays, so a run with and without them differs only by them.
    """
    if isinstance(arrivals, m.Poisson):
        return _poisson_times(arrivals.rate, rng, horizon)
    if isinstance(arrivals, m.RateProfile):
        return _profile_times(arrivals, rng, horizon)
    if isinstance(arrivals, m.Timetable):
        return _timetable_times(arrivals, rng, horizon, disruptions)
    if isinstance(arrivals, m.Trace):
        recorded = arrivals.sorted_array()
        return iter(recorded[:np.searchsorted(recorded, horizon, side="left")].tolist())
    if isinstance(arrivals, m.Appointments):
        return iter(_appointment_times(arrivals, rng, horizon))
    raise TypeError(f"unknown arrivals {arrivals!r}")  # pragma: no cover


# NOTE: Poisson and thinned arrival times are cumulated by numpy a batch at a time, for
# performance reasons (a generator resumed per arrival cost more than the arrival's own event).
# The variates are the streams' own, in the same batch sizes and the same order (batch_sizes);
# np.cumsum adds strictly in sequence, so every time is the float the one-by-one loop
# ``t += gap`` gives, and the thinning test is the same arithmetic, element by element.


def arrival_array(arrivals: m.Arrivals, rng: np.random.Generator, horizon: float,
                  disruptions: np.random.Generator | None = None,
                  limit: int | None = None) -> np.ndarray:
    """:func:`arrival_times` as one array (the first ``limit`` of them, with a limit): the same
    floats. NOTE: Poisson and thinned times are joined from their batches' arrays, never made
    Python floats, for performance reasons (the fast path reads them as an array)."""
    batches = _time_batches(arrivals, rng, horizon)
    if batches is None:
        times = arrival_times(arrivals, rng, horizon, disruptions)
        return np.fromiter(times if limit is None else itertools.islice(times, limit),
                           dtype=float)
    parts: list[np.ndarray] = []
    count = 0
    for batch in batches:
        parts.append(batch)
        count += batch.size
        if limit is not None and count >= limit:
            break
    return np.concatenate(parts)[:limit] if parts else np.empty(0)


def _time_batches(arrivals: m.Arrivals, rng: np.random.Generator,
                  horizon: float) -> Iterator[np.ndarray] | None:
    """Poisson and thinned arrival times as the arrays of their batches; None for others."""
    if isinstance(arrivals, m.Poisson):
        rate = arrivals.rate
        return _poisson_batches(1.0 / rate, rng, horizon) if rate > 0 else iter(())
    if isinstance(arrivals, m.RateProfile):
        peak = max(arrivals.rates)
        return _profile_batches(arrivals, peak, rng, horizon) if peak > 0 else iter(())
    return None


def _as_floats(batches: Iterator[np.ndarray]) -> Iterator[float]:
    return itertools.chain.from_iterable(batch.tolist() for batch in batches)


def _poisson_times(rate: float, rng: np.random.Generator, horizon: float) -> Iterator[float]:
    if rate <= 0:
        return iter(())
    return _as_floats(_poisson_batches(1.0 / rate, rng, horizon))


def _poisson_batches(mean: float, rng: np.random.Generator,
                     horizon: float) -> Iterator[np.ndarray]:
    t = 0.0
    for size in batch_sizes():
        times = Exponential(mean).sample(rng, size)
        times[0] += t
        np.cumsum(times, out=times)
        if times[-1] >= horizon:
            yield times[:int(np.searchsorted(times, horizon))]
            return
        yield times
        t = float(times[-1])


def _profile_times(profile: m.RateProfile, rng: np.random.Generator,
                   horizon: float) -> Iterator[float]:
    # Thinning (Lewis & Shedler): candidates at the peak rate, each kept with probability
    # rate(t)/peak; rejected candidates cost no SimPy event.
    peak = max(profile.rates)
    if peak <= 0:
        return iter(())
    return _as_floats(_profile_batches(profile, peak, rng, horizon))


def _profile_batches(profile: m.RateProfile, peak: float, rng: np.random.Generator,
                     horizon: float) -> Iterator[np.ndarray]:
    gaps = Exponential(1.0 / peak)
    rates = np.asarray(profile.rates, dtype=float)
    width, period = profile.bin_width, profile.period
    t = 0.0
    for size in batch_sizes():
        times = gaps.sample(rng, size)
        times[0] += t
        np.cumsum(times, out=times)
        below = int(np.searchsorted(times, horizon))  # candidates before the horizon
        if below == 0:
            return
        uniforms = rng.random(size)  # drawn after the gaps, as the one-by-one streams did
        candidates = times[:below]
        index = np.floor_divide(np.remainder(candidates, period), width).astype(np.int64)
        keep = uniforms[:below] * peak < rates[index % len(rates)]
        yield candidates[keep]
        if below < size:
            return
        t = float(times[-1])


def _appointment_times(booked: m.Appointments, rng: np.random.Generator,
                       horizon: float) -> list[float]:
    """Every period's booked slots, with no-shows removed and punctuality drawn, sorted.

    A late customer of one day may come after an early one of the next, so the times are
    drawn for the whole run and sorted (a day's bookings are few; memory is no concern). The
    draws for a period are, in this order: who shows, who is early, how early, how late.
    """
    slots = np.repeat(np.asarray(booked.slots, dtype=float),
                      np.asarray(booked.per_slot, dtype=np.int64))
    count = slots.size
    times: list[np.ndarray] = []
    start = 0.0
    while start < horizon and count:
        shows = rng.random(count) >= booked.no_show
        early = rng.random(count) < booked.early_share
        ahead = booked.early.sample(rng, count) if booked.early is not None else np.zeros(count)
        behind = booked.late.sample(rng, count) if booked.late is not None else np.zeros(count)
        when = start + slots + np.where(early, -ahead, behind)
        times.append(np.maximum(when[shows], 0.0))
        start += booked.period
    if not times:
        return []
    every = np.sort(np.concatenate(times))
    return every[every < horizon].tolist()


def _timetable_times(table: m.Timetable, rng: np.random.Generator, horizon: float,
                     disruptions: np.random.Generator | None) -> Iterator[float]:
    # Batches may overlap (a spread longer than the gap to the next batch, or a late batch):
    # members wait in a heap until no earlier member can still come. A batch is never early,
    # so nothing after the scheduled time of the next batch can be overtaken.
    rows = sorted(zip(table.times, table.counts, table.spreads, strict=True))
    if not rows:
        return
    if table.disrupted and disruptions is None:
        raise ValueError("a timetable with delays or cancellations needs a disruptions stream")
    pending: list[float] = []
    cycle = 0.0
    while True:
        for at, count, spread in rows:
            when = cycle + at
            if when >= horizon:
                while pending:
                    yield heapq.heappop(pending)
                return
            while pending and pending[0] <= when:
                yield heapq.heappop(pending)
            start, cancelled = when, False
            if disruptions is not None and table.disrupted:
                # Both variates are drawn for every batch, so that a batch's delay does not
                # depend on the cancelled share (common random numbers across variants).
                cancelled = disruptions.random() < table.cancelled
                if table.delay is not None:
                    start += max(0.0, float(table.delay.sample(disruptions, 1)[0]))
            if spread > 0:
                members = (start + rng.uniform(0.0, spread, count)).tolist()
            else:
                members = [start] * count
            if cancelled:
                continue  # its spread was drawn all the same: later batches keep theirs
            for member in members:
                heapq.heappush(pending, member)
        if table.repeat_every is None:
            while pending:
                yield heapq.heappop(pending)
            return
        cycle += table.repeat_every
