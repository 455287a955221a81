"""Named random streams: one independent numpy generator per (replication, purpose, names...).

Streams are keyed by names, not by the order they are created in, so the same stream serves the
same purpose in every variant of a scenario (common random numbers) and in every worker process.
Each stream draws its variates in growing numpy batches and hands them out one at a time.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Iterator

import numpy as np

from portsim.engine.distributions import Distribution, Sequence

_FIRST_BATCH = 64
_MAX_BATCH = 8192


def stream_key(*names: str) -> tuple[int, ...]:
    """A stable integer key for a tuple of names (crc32: the same in every process)."""
    return tuple(zlib.crc32(name.encode("utf-8")) for name in names)


def generator(seed: int, replication: int, *names: str) -> np.random.Generator:
    """The generator for one purpose in one replication of a run seeded with ``seed``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, *stream_key(*names)))
    return np.random.Generator(np.random.PCG64(sequence))


class Stream:
    """Variates of one distribution from one generator, drawn in batches.

    ``draw()`` is the hot call. NOTE: it is the bound ``__next__`` of an
    ``itertools.chain`` over the batches (of ``itertools.cycle`` for a :class:`Sequence`), for
    performance reasons: one C call per variate, no Python frame. Batches are drawn lazily, when
    the previous one runs out, with the same sizes as ever (64, doubling to 8192), so streams
    that share a generator interleave their draws exactly as they would one by one.
    """

    __slots__ = ("_distribution", "_rng", "draw")

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self._distribution = distribution
        self._rng = rng
        self.draw: Callable[[], float]
        if isinstance(distribution, Sequence):
            self.draw = itertools.cycle(distribution.values).__next__
        else:
            self.draw = itertools.chain.from_iterable(
                _batches(distribution.sample, rng)).__next__

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` variates at once: exactly those ``count`` calls of ``draw`` give."""
        return _take(self.draw, count)


class Uniforms:
    """Uniform(0, 1) variates in batches, for routing decisions and thinning.

    ``draw()``: see :class:`Stream`.
    """

    __slots__ = ("_rng", "draw")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self.draw: Callable[[], float] = itertools.chain.from_iterable(
            _batches(_uniform, rng)).__next__

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` uniforms at once: exactly those ``count`` calls of ``draw`` give."""
        return _take(self.draw, count)


def _take(draw: Callable[[], float], count: int) -> np.ndarray:
    # NOTE: the iterator behind ``draw`` (its ``__self__``) is sliced by numpy in C rather than
    # called once per variate, for performance reasons; it is the same iterator, so the
    # variates and the stream's later draws are those of ``count`` calls.
    source = draw.__self__  # type: ignore[attr-defined]
    return np.fromiter(itertools.islice(source, count), dtype=float, count=count)


def _uniform(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size)


def batch_sizes() -> Iterator[int]:
    """The sizes in which every stream draws its variates: 64, doubling up to 8192, then 8192."""
    size = _FIRST_BATCH
    while True:
        yield size
        size = min(size * 2, _MAX_BATCH)


def _batches(sample: Callable[[np.random.Generator, int], np.ndarray],
             rng: np.random.Generator) -> Iterator[list[float]]:
    """Lists of variates of growing size, each drawn only when it is needed."""
    for size in batch_sizes():
        yield sample(rng, size).tolist()
