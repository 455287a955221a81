"""Every sampler against its own stated mean and variance (one generic test, as in Ciw)."""

import numpy as np
import pytest

from portsim.engine import distributions as d
from portsim.engine.streams import Stream, generator

CASES = [
    d.Exponential(2.0),
    d.Deterministic(1.5),
    d.Uniform(5.0, 15.0),
    d.Triangular(1.0, 2.0, 5.0),
    d.Lognormal(0.75, 0.5),
    d.Weibull(1.6, 0.9),
    d.Binomial(300, 0.85),
    d.Gamma(0.75, 0.5),
    d.Gamma(3.0, 2.0),
    d.Empirical((0.5, 0.7, 1.0, 1.25)),
]


@pytest.mark.parametrize("dist", CASES, ids=lambda x: type(x).__name__)
def test_sample_mean_and_variance_match_theory(dist):
    n = 400_000
    sample = dist.sample(np.random.default_rng(11), n)
    assert sample.shape == (n,)
    assert (sample >= 0).all()
    # Five standard errors: fails on a wrong parameterisation, not by chance.
    se_mean = np.sqrt(dist.variance / n)
    assert abs(sample.mean() - dist.mean) <= 5 * se_mean + 1e-12
    if dist.variance > 0:
        assert sample.var() == pytest.approx(dist.variance, rel=0.03)


def test_binomial_never_exceeds_its_trials():
    sample = d.Binomial(180, 0.97).sample(np.random.default_rng(3), 100_000)
    assert sample.max() <= 180 and (sample == np.round(sample)).all()


def test_a_binomial_split_by_scaling_keeps_its_cap():
    seats = d.Binomial(210, 0.92)
    parts = [seats.scaled(0.7), seats.scaled(0.1)]
    assert parts == [d.Binomial(147, 0.92), d.Binomial(21, 0.92)]
    assert parts[0].n + 3 * parts[1].n == seats.n   # singles, and families of 3


def test_lognormal_cv_is_the_stated_cv():
    sample = d.Lognormal(45 / 60, 0.5).sample(np.random.default_rng(1), 400_000)
    assert sample.std() / sample.mean() == pytest.approx(0.5, rel=0.02)


def test_stream_is_reproducible_and_independent_of_batching():
    a = Stream(d.Exponential(1.0), generator(7, 0, "service", "x", "y"))
    b = Stream(d.Exponential(1.0), generator(7, 0, "service", "x", "y"))
    c = Stream(d.Exponential(1.0), generator(7, 1, "service", "x", "y"))
    first = [a.draw() for _ in range(10_000)]
    assert first == [b.draw() for _ in range(10_000)]
    assert first != [c.draw() for _ in range(10_000)]


def test_sequence_stream_cycles_in_order():
    stream = Stream(d.Sequence((1.0, 2.0, 3.0)), generator(0, 0, "x"))
    assert [stream.draw() for _ in range(7)] == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]


@pytest.mark.parametrize("kind", [d.Gamma, d.Lognormal])
def test_a_cv_whose_square_underflows_is_the_deterministic_limit(kind) -> None:
    """Found by the property tests: cv = 1e-300 made Gamma divide by zero (cv² is 0.0)."""
    values = kind(mean=2.0, cv=1e-300).sample(np.random.default_rng(1), 5)
    assert values.tolist() == [2.0] * 5
