"""A spawn step's members, made for every batch at once: each batch's spread offsets sorted
within the batch, the same floats as sorting batch by batch (as the event engine does)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from portsim.engine.fast_entities import sorted_batches

coarse = st.integers(min_value=0, max_value=8).map(lambda k: k / 4)  # ties within a batch


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), max_size=40), st.data(),
       st.sampled_from([0, 1, 300]))
def test_each_batch_sorted_as_one_at_a_time(counts: list[int], data, huge: int) -> None:
    # a batch of 300 among small ones makes padding costly: the other way is taken
    sizes = np.asarray([*counts, huge], dtype=np.int64)
    values = np.asarray(data.draw(st.lists(st.one_of(coarse, st.floats(0.0, 5.0)),
                                           min_size=int(sizes.sum()),
                                           max_size=int(sizes.sum()))), dtype=float)
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    expected = np.concatenate([np.sort(values[low:high])
                               for low, high in itertools.pairwise(bounds)])
    assert sorted_batches(values, sizes).tolist() == expected.tolist()


def test_no_batches() -> None:
    assert sorted_batches(np.empty(0), np.empty(0, dtype=np.int64)).size == 0
