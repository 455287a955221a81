"""The search for the free parameters' values that bring the model closest to the targets.

Two stages, on the distance of :mod:`.objective` (deterministic: common random numbers):

1. a space-filling design: a scrambled Latin hypercube (``scipy.stats.qmc``) of
   ``max(8, 4 × parameters)`` points over the ranges, plus the scenario as written; a simulated
   distance is rugged (each candidate is a different sample path, however closely tied), and a
   design finds the right basin where a local search from one start could stall in a dent;
2. a bounded Nelder–Mead search (``scipy.optimize.minimize``) from the design's best point,
   in coordinates scaled to [0, 1] per parameter: it uses only comparisons of distances, no
   gradients, so the small jumps a discrete-event model makes as a parameter moves do not
   mislead it as they would a finite-difference gradient.

Each parameter's 95 % interval is where the fit targets' squared errors, each over its spread
at the fit (``u² + s²``, held fixed), stay within 3.84 (the 95 % point of chi-square with one
degree of freedom) of their sum at the fit, the other parameters held at their fitted values.
The fitted value misses the truth by the observations' errors and, on common random numbers, by
the model's own sampling error, the same for every candidate near the fit; both are in the
spread, so a target observed almost exactly pins the parameter only as closely as the
replications resolve the model's mean. The spreads are frozen at the fit so that the interval
measures how fast the model's *mean* moves away from the targets, not how its noise changes.
It is the likelihood-ratio interval of a Gaussian model of those errors (for one parameter,
exactly its profile; for several, conditional on the others, so narrower than a joint region).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from portsim.calibration.free import Free
from portsim.calibration.objective import Evaluation, Objective

#: chi-square(1)'s 95 % point: the rise in distance that bounds a parameter's interval.
CHI2_95 = 3.841458820694124
#: The most candidates the local search may run, per free parameter.
LOCAL_PER_PARAMETER = 30
#: How closely (as a share of its range) the interval's ends and the optimum are found.
TOLERANCE = 1e-3


@dataclass(frozen=True)
class ParameterFit:
    """A free parameter's fitted value and its interval (``at_bound``: an end of the interval
    is the end of the range, where the distance never rose enough)."""

    free: Free
    value: float
    low: float
    high: float
    low_at_bound: bool
    high_at_bound: bool


@dataclass(frozen=True)
class Search:
    """The search's result: the best candidate, each parameter's fit and the scenario as
    written (when it lies inside the ranges)."""

    best: Evaluation
    parameters: tuple[ParameterFit, ...]
    written: Evaluation | None
    candidates: int
    design_points: int


def _finite(distance: float) -> float:
    # A candidate whose KPI is missing (nobody finished) is as far as can be, not a NaN that
    # would stop the comparisons.
    return distance if math.isfinite(distance) else 1e300


def search(objective: Objective, seed: int) -> Search:
    """Run both stages and the intervals (see the module docstring)."""
    from scipy.optimize import minimize
    from scipy.stats import qmc

    free = objective.free
    low = np.array([f.low for f in free])
    span = np.array([f.high - f.low for f in free])

    def real(unit: Any) -> tuple[float, ...]:
        return tuple(float(v) for v in low + span * np.clip(np.asarray(unit), 0.0, 1.0))

    def distance(unit: Any) -> float:
        return _finite(objective.distance(real(unit)))

    written = None
    start = np.array([(f.written - f.low) / s for f, s in zip(free, span, strict=True)])
    if np.all((start >= 0) & (start <= 1)):
        written = objective(real(start))
    points = max(8, 4 * len(free))
    design = qmc.LatinHypercube(d=len(free), seed=seed).random(points)
    scores = [distance(point) for point in design]
    best = design[int(np.argmin(scores))]
    if written is not None and _finite(written.distance) < min(scores):
        best = start
    step = np.where(best > 0.5, -0.1, 0.1)
    simplex = np.vstack([best, *(best + np.eye(len(free))[i] * step[i]
                                 for i in range(len(free)))])
    found = minimize(distance, best, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(free),
                     options={"initial_simplex": simplex, "xatol": TOLERANCE, "fatol": 1e-3,
                              "maxfev": LOCAL_PER_PARAMETER * len(free)})
    unit = np.clip(found.x, 0.0, 1.0) if found.fun <= distance(best) else best
    fitted = objective(real(unit))
    spreads = {c.name: c.spread for c in fitted.used("fit")}

    def spread_distance(unit: Any) -> float:
        return _finite(objective(real(unit)).distance_over(spreads))

    least = spread_distance(unit)
    parameters = tuple(_interval(spread_distance, real, free[index], unit, index, least)
                       for index in range(len(free)))
    return Search(fitted, parameters, written, len(objective.seen), points)


def _interval(distance: Callable[[Any], float],
              real: Callable[[Any], tuple[float, ...]], free: Free,
              unit: np.ndarray, index: int, least: float) -> ParameterFit:
    """One parameter's interval: from the optimum along its axis to where ``distance`` (the
    errors over the spreads at the fit) has risen by :data:`CHI2_95`, found by Brent's method
    (or the range's end)."""
    from scipy.optimize import brentq

    threshold = least + CHI2_95

    def along(x: float) -> float:
        point = unit.copy()
        point[index] = x
        return distance(point) - threshold

    ends: list[tuple[float, bool]] = []
    for bound in (0.0, 1.0):
        if along(bound) <= 0:
            ends.append((bound, True))
        else:
            ends.append((float(brentq(along, unit[index], bound, xtol=TOLERANCE)), False))
    points = []
    for end, _ in ends:
        point = unit.copy()
        point[index] = end
        points.append(real(point)[index])
    return ParameterFit(free, real(unit)[index], points[0], points[1], ends[0][1], ends[1][1])


__all__ = ["CHI2_95", "ParameterFit", "Search", "search"]
