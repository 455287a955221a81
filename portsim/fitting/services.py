"""A service-time distribution chosen by AIC among exponential, gamma, lognormal, Weibull and
deterministic, each fitted by maximum likelihood (``scipy.stats``, location fixed at 0).

The family with the least AIC (2·parameters − 2·log-likelihood) is written, unless another is
within 2 of it: then the data do not choose, and the simplest of those within 2 is written (in
the order of :data:`FAMILIES`), saying so. Deterministic is chosen only when every value is the
same (its likelihood is zero otherwise). The goodness of fit is the Kolmogorov–Smirnov
statistic of the chosen family; its p-value is optimistic, as the parameters were fitted to the
same data. The mean's 95 % interval is Student's t on the sample mean, whatever the family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from portsim.errors import PortsimError

#: Candidate families, simplest first (the order a tie is broken in), with their scipy names.
FAMILIES = {"exponential": "expon", "gamma": "gamma", "lognormal": "lognorm",
            "weibull": "weibull_min"}
#: Fewest services a distribution is fitted to.
MIN_SERVICES = 10
#: AIC differences below this do not choose between families (Burnham & Anderson).
AIC_TIE = 2.0
#: Relative spread below which every value is taken as the same (deterministic).
SAME = 1e-9


class FitError(PortsimError):
    """Too few observations to fit, or data that no family can describe."""


@dataclass(frozen=True)
class Candidate:
    """One family fitted: its scipy parameters, AIC and Kolmogorov–Smirnov statistic."""

    family: str
    parameters: tuple[float, ...]
    aic: float
    ks: float
    ks_p: float


@dataclass(frozen=True)
class ServiceFit:
    """The service times of one station (and class), and the family written for them."""

    values: Any  # numpy array of minutes
    mean: float
    mean_low: float
    mean_high: float
    cv: float
    chosen: Candidate
    candidates: tuple[Candidate, ...]
    decided: bool

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def spec(self) -> dict[str, Any]:
        """The scenario file's ``dist`` mapping of the chosen family (minutes)."""
        return spec_of(self.chosen)

    @property
    def verdict(self) -> str:
        """How the family was chosen, in words."""
        if self.chosen.family == "deterministic":
            return "deterministic: every value is the same"
        if self.decided:
            return f"{self.chosen.family} by AIC"
        tied = [c.family for c in self.candidates if c.aic - self.best.aic < AIC_TIE]
        return (f"the data do not choose between {', '.join(tied)} (AIC within {AIC_TIE:g}); "
                f"the simplest, {self.chosen.family}, is written")

    @property
    def best(self) -> Candidate:
        return min(self.candidates, key=lambda c: c.aic)


def spec_of(candidate: Candidate) -> dict[str, Any]:
    """A fitted family as a scenario distribution (location 0, times in minutes)."""
    family, values = candidate.family, candidate.parameters
    if family == "deterministic":
        return {"dist": "deterministic", "value": values[0]}
    if family == "exponential":
        return {"dist": "exponential", "mean": values[-1]}
    if family == "gamma":
        shape, scale = values[0], values[-1]
        return {"dist": "gamma", "mean": shape * scale, "cv": 1 / math.sqrt(shape)}
    if family == "lognormal":
        sigma, scale = values[0], values[-1]
        return {"dist": "lognormal", "mean": scale * math.exp(sigma**2 / 2),
                "cv": math.sqrt(math.expm1(sigma**2))}
    return {"dist": "weibull", "shape": values[0], "scale": values[-1]}


def fit_service(values: Any, what: str) -> ServiceFit:
    """The distribution of the service times ``values`` (minutes); ``what`` names them in a
    message (too few, or none positive)."""
    import numpy as np
    from scipy import stats

    data = np.asarray(values, dtype=float)
    if len(data) < MIN_SERVICES:
        raise FitError(f"{what}: {len(data)} completed service(s); fitting a distribution "
                       f"needs at least {MIN_SERVICES}")
    mean = float(data.mean())
    spread = float(data.std(ddof=1))
    if spread <= SAME * max(abs(mean), 1.0):
        only = Candidate("deterministic", (mean,), -math.inf, 0.0, 1.0)
        return ServiceFit(data, mean, mean, mean, 0.0, only, (only,), True)
    low, high = stats.t.interval(0.95, len(data) - 1, loc=mean, scale=spread / np.sqrt(len(data)))
    positive = data[data > 0]
    if len(positive) < MIN_SERVICES:
        raise FitError(f"{what}: {len(positive)} service time(s) above 0; fitting a "
                       f"distribution needs at least {MIN_SERVICES}")
    candidates = tuple(_candidate(family, positive) for family in FAMILIES)
    best = min(candidates, key=lambda c: c.aic)
    tied = [c for c in candidates if c.aic - best.aic < AIC_TIE]
    return ServiceFit(data, mean, float(low), float(high), spread / mean, tied[0], candidates,
                      len(tied) == 1)


def _candidate(family: str, data: Any) -> Candidate:
    """``family`` fitted to ``data`` by maximum likelihood, location fixed at 0."""
    import numpy as np
    from scipy import stats

    law = getattr(stats, FAMILIES[family])
    with np.errstate(all="ignore"):  # the optimiser's trial steps overflow harmlessly
        parameters = tuple(float(v) for v in law.fit(data, floc=0))
        loglik = float(law.logpdf(data, *parameters).sum())
    free = len(parameters) - 1  # the location is fixed
    test = stats.kstest(data, law.cdf, args=parameters)
    return Candidate(family, parameters, 2 * free - 2 * loglik, float(test.statistic),
                     float(test.pvalue))


def frozen(candidate: Candidate) -> Any:
    """The scipy distribution of a fitted candidate (for quantiles: Q-Q plots)."""
    from scipy import stats

    if candidate.family == "deterministic":
        return stats.uniform(loc=candidate.parameters[0], scale=0.0)
    return getattr(stats, FAMILIES[candidate.family])(*candidate.parameters)


__all__ = ["AIC_TIE", "FAMILIES", "MIN_SERVICES", "Candidate", "FitError", "ServiceFit",
           "fit_service", "frozen", "spec_of"]
