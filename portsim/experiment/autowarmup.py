"""``warmup: auto``: the warm-up chosen from the run's own output by MSER-5.

A pilot round of replications runs first (with no warm-up; the per-bin series cover the whole
run whatever the warm-up). Their mean queue length over all stations, bin by bin and averaged
over the pilot replications, is the series MSER-5 cuts (:func:`portsim.stats.warmup.mser`).
In a scenario whose arrivals or staffing repeat daily the cut rounds up to whole days, so that
every measured day is a whole day. Every model of a comparison gets the longest warm-up any of
them needs: variants compared on common random numbers are measured over the same span.

The pilot replications use the same streams as the real run (replication ``i`` of seed ``s``),
so the choice is as reproducible as the run; they are not reused for the KPIs, which depend on
the warm-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from portsim.engine.model import (
    MINUTES_PER_DAY,
    Appointments,
    Model,
    RateProfile,
    Timetable,
)
from portsim.errors import PortsimError
from portsim.stats.warmup import mser

#: Pilot replications: enough for a smooth mean series, few enough to cost little.
PILOT = 10
#: The pilot's bins (minutes) at most: fine enough that MSER's batches of five resolve a
#: transient of a few hours.
PILOT_BIN = 10.0
SERIES = "mean queue length over all stations per bin, mean of the pilot replications"


class WarmupError(PortsimError):
    """``warmup: auto`` cannot choose a warm-up for this scenario."""


def repeats_daily(model: Model) -> bool:
    """Whether arrivals or staffing follow the clock, repeating every day."""
    for cls in model.classes:
        arrivals = cls.arrivals
        if isinstance(arrivals, RateProfile) and arrivals.period == MINUTES_PER_DAY:
            return True
        if isinstance(arrivals, Timetable) and arrivals.repeat_every == MINUTES_PER_DAY:
            return True
        if isinstance(arrivals, Appointments) and arrivals.period == MINUTES_PER_DAY:
            return True
    return any(not spec.servers.is_constant and spec.servers.period == MINUTES_PER_DAY
               for spec in model.stations)


def queue_series(runs: Sequence[Any], horizon: float) -> tuple[np.ndarray, float]:
    """The pilot's mean total queue length per whole bin before ``horizon`` (and the bin
    width in minutes)."""
    totals = [np.sum([np.asarray(values, dtype=float)
                      for values in run.series.queue_mean.values()], axis=0)
              for run in runs]
    whole = int(horizon // runs[0].series.bin_minutes + 1e-9)
    length = min(whole, *(len(total) for total in totals))
    return np.mean([total[:length] for total in totals], axis=0), runs[0].series.bin_minutes


def pilot_model(model: Model) -> Model:
    """The model a pilot replication runs: no warm-up, fine bins."""
    return replace(model, warmup=0.0, series_bin=min(model.series_bin, PILOT_BIN))


def pilot_count(replications: int) -> int:
    return max(2, min(PILOT, replications))


def decide(models: Mapping[str, Model], pilots: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """The warm-up for every model (the longest any of them needs) from their pilot runs, as
    results.json records it (``minutes`` is the choice)."""
    chosen: dict[str, float] = {}
    series: dict[str, list[float]] = {}
    daily = any(repeats_daily(model) for model in models.values())
    bin_minutes = PILOT_BIN
    for label, model in models.items():
        values, bin_minutes = queue_series(pilots[label], model.horizon)
        cut = mser(values).observations * bin_minutes
        if daily and cut > 0:
            cut = float(np.ceil(cut / MINUTES_PER_DAY - 1e-9) * MINUTES_PER_DAY)
        chosen[label] = cut
        series[label] = [round(float(v), 6) for v in values]
    warmup = max(chosen.values())
    horizon = min(model.horizon for model in models.values())
    if warmup >= horizon:
        raise WarmupError(
            f"warmup: auto chose {warmup / 60:g} h (MSER-5, rounded to whole days for a "
            f"scenario that repeats daily), not shorter than the horizon ({horizon / 60:g} h); "
            "lengthen time.horizon or give time.warmup")
    return {
        "method": "MSER-5",
        "minutes": warmup,
        "rounded_to_days": daily,
        "pilot_replications": len(next(iter(pilots.values()))),
        "series": SERIES,
        "bin_minutes": bin_minutes,
        "by_model": chosen,
        "values": series,
    }


__all__ = ["PILOT", "PILOT_BIN", "WarmupError", "decide", "pilot_count", "pilot_model",
           "queue_series", "repeats_daily"]
