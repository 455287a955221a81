"""Named random streams: one independent numpy generator per (replication, purpose, names...).

Streams are keyed by names, not by the order they are created in, so the same stream serves the
same purpose in every variant of a scenario (common random numbers) and in every worker process.
Each stream draws its variates in growing numpy batches and hands them out one at a time.
"""

from __future__ import annotations

import zlib

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

    ``draw()`` is the hot call: a bound ``list_iterator.__next__`` in the common case.
    """

    __slots__ = ("_distribution", "_rng", "_batch", "_next", "_cycle")

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self._distribution = distribution
        self._rng = rng
        self._batch = _FIRST_BATCH
        self._cycle: tuple[float, ...] | None = (
            distribution.values if isinstance(distribution, Sequence) else None
        )
        self._next = iter(()).__next__

    def draw(self) -> float:
        try:
            return self._next()
        except StopIteration:
            self._refill()
            return self._next()

    def _refill(self) -> None:
        if self._cycle is not None:
            self._next = iter(self._cycle).__next__
            return
        values = self._distribution.sample(self._rng, self._batch)
        self._batch = min(self._batch * 2, _MAX_BATCH)
        self._next = iter(values.tolist()).__next__


class Uniforms:
    """Uniform(0, 1) variates in batches, for routing decisions and thinning."""

    __slots__ = ("_rng", "_batch", "_next")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._batch = _FIRST_BATCH
        self._next = iter(()).__next__

    def draw(self) -> float:
        try:
            return self._next()
        except StopIteration:
            self._next = iter(self._rng.random(self._batch).tolist()).__next__
            self._batch = min(self._batch * 2, _MAX_BATCH)
            return self._next()
