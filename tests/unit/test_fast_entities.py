"""The fast path's entity columns and gathered flows keep what a unit needs and no more
(issue 24: the national day's peak memory), with the same values as the whole columns would."""

from __future__ import annotations

import numpy as np

from portsim.engine.fast_entities import Entities, gather


def test_columns_only_where_the_model_needs_them():
    plain = Entities(classes=3)
    plain.add(np.array([0.0, 1.0, 2.0]), kind=2)
    assert plain.kind.itemsize == 1 and plain.kind[:3].tolist() == [2, 2, 2]
    assert plain.parent is None and plain.left_by is None
    assert plain.spawned_at is None and plain.spawned_by is None
    joined = Entities(classes=300, joins=True)
    assert joined.kind.itemsize == 2
    assert joined.parent is not None and joined.left_by is not None


def test_spawn_columns_appear_at_the_first_spawn_and_keep_the_entry_order():
    entities = Entities(classes=2)
    arrivals = entities.add(np.array([5.0, 5.0, 7.0]), kind=1)
    before = entities.entry_order(arrivals).tolist()
    members = entities.add(np.array([5.0, 5.0]), kind=0,
                           spawned=(np.array([5.0, 5.0]), np.array([2, 0])))
    assert entities.spawned_by is not None and entities.spawned_at is not None
    # the arrivals read as never spawned; members at 5.0 enter after the arrivals at 5.0,
    # in the order their spawners entered (the spawner keyed 0 entered first)
    assert entities.spawned_by[arrivals].tolist() == [-1, -1, -1]
    assert entities.entry_order(arrivals).tolist() == before
    everyone = np.concatenate((arrivals, members))
    assert everyone[entities.entry_order(everyone)].tolist() == [0, 1, 4, 3, 2]
    grown = entities.add(np.arange(2000, dtype=float), kind=0)
    assert entities.spawned_by[grown].tolist() == [-1] * 2000


def test_gather_keeps_one_array_for_ids_moving_in_their_own_turn():
    entities = Entities(classes=1)
    ids = entities.add(np.array([3.0, 1.0, 2.0, 9.0]), kind=0)
    flows = [("node", ids, np.array([3.0, 1.0, 2.0, 9.0]), ids)]
    got, times, keys, source = gather(flows, entities, horizon=5.0)
    assert got.tolist() == [1, 2, 0] and times.tolist() == [1.0, 2.0, 3.0]
    assert keys is got and source.tolist() == [0, 0, 0]
    assert flows[0][0] == "node" and flows[0][1].size == 0  # the flow gave its arrays up


def test_gather_joins_flows_in_turn_with_their_own_keys():
    entities = Entities(classes=1)
    ids = entities.add(np.array([0.0, 0.0, 0.0, 0.0]), kind=0)
    first = ("a", ids[:2], np.array([4.0, 2.0]), np.array([3, 1]))
    second = ("b", ids[2:], np.array([2.0, 1.0]), ids[2:])
    got, times, keys, source = gather([first, second], entities, horizon=10.0)
    # at 2.0 the move in entity 1's turn comes before the one in entity 2's
    assert got.tolist() == [3, 1, 2, 0] and times.tolist() == [1.0, 2.0, 2.0, 4.0]
    assert keys.tolist() == [3, 1, 2, 3] and source.tolist() == [1, 0, 1, 0]
    unordered = gather([("a", ids[:2], np.array([4.0, 2.0]), ids[:2])], entities, 10.0,
                       ordered=False)
    assert unordered[0].tolist() == [0, 1]
