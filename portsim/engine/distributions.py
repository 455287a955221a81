"""Random variates for service times, delays and spreads.

Every distribution knows its own mean and variance, so one generic test checks every sampler
against theory (an idea taken from Ciw). Samplers draw in vectorised batches from a numpy
``Generator`` that is passed in; none keeps random state of its own. Times are in minutes.

NOTE: numpy is imported where a value is drawn or a recorded sequence summarised, not with the
module, for performance reasons: checking a scenario file (``portsim validate``) builds these
objects and reads their means without ever loading numpy (about a quarter of its start-up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np


@runtime_checkable
class Distribution(Protocol):
    """A non-negative random variate with a known mean and variance."""

    @property
    def mean(self) -> float: ...

    @property
    def variance(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class Exponential:
    mean: float

    @property
    def variance(self) -> float:
        return self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)


@dataclass(frozen=True, slots=True)
class Deterministic:
    value: float

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return np.full(size, self.value, dtype=float)


@dataclass(frozen=True, slots=True)
class Uniform:
    low: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True, slots=True)
class Triangular:
    low: float
    mode: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.low == self.high:
            import numpy as np

            return np.full(size, self.low, dtype=float)
        return rng.triangular(self.low, self.mode, self.high, size)


@dataclass(frozen=True, slots=True)
class _ByMeanAndCV:
    """A distribution given by its own mean and coefficient of variation; cv = 0 is the
    deterministic limit, and so is a cv whose square underflows to 0 (below about 1e-154),
    where the shaped distributions would divide by zero."""

    mean: float
    cv: float

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.cv * self.cv == 0.0:
            import numpy as np

            return np.full(size, self.mean, dtype=float)
        return self._shaped(rng, size)

    def _shaped(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Lognormal(_ByMeanAndCV):
    """Lognormal by mean and CV (not by mu and sigma): sigma² = ln(1 + cv²)."""

    def _shaped(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)


@dataclass(frozen=True, slots=True)
class Gamma(_ByMeanAndCV):
    """Gamma by mean and CV: shape = 1/cv², scale = mean·cv²."""

    def _shaped(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True, slots=True)
class Weibull:
    """Weibull by its shape k and scale: mean = scale·Γ(1 + 1/k)."""

    shape: float
    scale: float

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    @property
    def variance(self) -> float:
        first = math.gamma(1 + 1 / self.shape)
        return self.scale**2 * (math.gamma(1 + 2 / self.shape) - first * first)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.scale * rng.weibull(self.shape, size)


@dataclass(frozen=True, slots=True)
class Binomial:
    """The number of ``n`` trials that succeed, each with probability ``p``: a count that never
    exceeds ``n`` (places each taken with chance ``p``, so never more than there are)."""

    n: int
    p: float

    @property
    def mean(self) -> float:
        return self.n * self.p

    @property
    def variance(self) -> float:
        return self.n * self.p * (1 - self.p)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.binomial(self.n, self.p, size).astype(float)

    def scaled(self, factor: float) -> Binomial:
        """About ``factor`` times as many: ``factor`` of the trials (rounded to whole ones),
        each with the same chance. A batch split into parts this way (the places of one batch
        shared out) keeps its cap: the parts' trials add up to the whole's."""
        return Binomial(round(self.n * factor), self.p)


@dataclass(frozen=True, slots=True)
class Empirical:
    """Observed values, resampled with replacement."""

    values: tuple[float, ...]
    _array: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import numpy as np

        object.__setattr__(self, "_array", np.asarray(self.values, dtype=float))

    @property
    def mean(self) -> float:
        return float(self._array.mean())

    @property
    def variance(self) -> float:
        return float(self._array.var())

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self._array, size)


@dataclass(frozen=True, slots=True)
class Sequence:
    """Fixed values returned in order, cycling: feeds recorded times into a run (e.g. to check
    the engine against the Kiefer–Wolfowitz recursion). Ignores the random stream."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        import numpy as np

        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        import numpy as np

        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise TypeError("Sequence is consumed in order by the stream, not sampled")


def can_be_zero(law: Distribution) -> bool:
    """Whether a draw of ``law`` is exactly 0 with a positive probability: a service that may
    take no time at all (a continuous law gives 0 with probability 0)."""
    if isinstance(law, Deterministic):
        return law.value == 0
    if isinstance(law, Empirical | Sequence):
        return 0 in law.values
    if isinstance(law, Uniform | Triangular):
        return law.high == 0
    return law.mean == 0
