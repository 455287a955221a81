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


class _Variates:
    """Variates from batches drawn lazily, handed out one by one (``draw()``) or many at once
    (``take(count)``), in one order whichever way they are asked for.

    ``draw()`` is the event engine's hot call. NOTE: from the first call on it is the bound
    ``__next__`` of an ``itertools.chain`` over the batches as lists, for performance reasons:
    one C call per variate, no Python frame. Until then ``take`` slices the batches' arrays
    themselves (the fast path asks for a station's services at once), with no Python float
    per variate; after it, ``take`` slices that iterator in C. Batches are drawn when the
    previous one runs out, with the same sizes as ever (64, doubling to 8192), so streams that
    share a generator interleave their draws exactly as they would one by one.
    """

    __slots__ = ("_batches", "_pending", "draw")

    def __init__(self, batches: Iterator[np.ndarray]) -> None:
        self._batches = batches
        #: What is left of the batch ``take`` reached into; None once ``draw`` took over.
        self._pending: np.ndarray | None = _NONE_LEFT
        self.draw: Callable[[], float] = self._first_draw

    def _first_draw(self) -> float:
        if self._pending is None:  # a reference to draw kept from before the first call
            return self.draw()
        rest = self._pending.tolist()
        self._pending = None
        self.draw = itertools.chain(rest, itertools.chain.from_iterable(
            batch.tolist() for batch in self._batches)).__next__
        return self.draw()

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` variates at once: exactly those ``count`` calls of ``draw`` give
        (as floats), in a new array."""
        if self._pending is None:
            return _take(self.draw, count)
        parts = []
        pending = self._pending
        while pending.size < count:
            parts.append(pending)
            count -= pending.size
            pending = next(self._batches)
        parts.append(pending[:count])
        self._pending = pending[count:]
        return np.concatenate(parts, dtype=float, casting="unsafe")


_NONE_LEFT = np.empty(0)


class Stream(_Variates):
    """Variates of one distribution from one generator, drawn in batches (see
    :class:`_Variates`); a :class:`Sequence` hands out its values in order, cycling."""

    __slots__ = ()

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        if isinstance(distribution, Sequence):
            values = np.asarray(distribution.values)
            values.flags.writeable = False  # shared by every take of every replication
            super().__init__(itertools.repeat(values))
        else:
            super().__init__(_batches(distribution.sample, rng))


class Uniforms(_Variates):
    """Uniform(0, 1) variates in batches, for routing decisions and thinning (see
    :class:`_Variates`)."""

    __slots__ = ()

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__(_batches(_uniform, rng))


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
             rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Arrays of variates of growing size, each drawn only when it is needed."""
    for size in batch_sizes():
        yield sample(rng, size)
