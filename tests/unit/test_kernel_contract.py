"""What portsim.engine.kernel assumes of SimPy's private state, pinned against the installed SimPy.

The kernel pushes its own objects on SimPy's heap and reads the clock from a slot; these tests
fail if a SimPy release changes what ``Environment.step`` and ``run`` read or write. pyproject
bounds SimPy to the versions this file passed on.
"""

from __future__ import annotations

import itertools
from heapq import heappush
from typing import Any

import pytest
import simpy
from simpy.events import NORMAL, URGENT, Timeout

from portsim.engine.kernel import (
    Activity,
    Environment,
    Wake,
    events_scheduled,
    scheduled_events,
    scheduler,
)


class _Probe(Activity):
    """An activity that records every attribute SimPy reads from it."""

    __slots__ = ("reads",)

    def __getattribute__(self, name: str) -> Any:
        if name != "reads":
            object.__getattribute__(self, "reads").append(name)
        return object.__getattribute__(self, name)


def schedule(env: simpy.Environment, event: Any, at: float) -> None:
    """As portsim's hot path schedules: pushed on the heap, no Environment.schedule call."""
    heap, ids = scheduler(env)
    heappush(heap, (at, NORMAL, next(ids), event))


def _probe(callback: Any) -> _Probe:
    probe = _Probe()
    object.__setattr__(probe, "reads", [])
    probe.callbacks = [callback]
    probe.reads.clear()
    return probe


def test_environment_state_is_a_heap_an_id_counter_and_a_time():
    env = simpy.Environment(3.5)
    heap, ids = scheduler(env)
    assert isinstance(heap, list) and heap == []
    assert isinstance(ids, itertools.count)
    assert env._now == 3.5 and env.now == 3.5  # type: ignore[attr-defined]
    assert "__slots__" not in vars(simpy.Environment)  # the kernel adds the slot for _now


def test_schedule_pushes_time_priority_id_event_like_environment_schedule():
    env = simpy.Environment()
    timeout = Timeout(env, 2.0)
    heap, ids = scheduler(env)
    assert heap == [(2.0, NORMAL, 0, timeout)]
    assert NORMAL == 1 and URGENT == 0
    probe = _probe(lambda event: None)
    schedule(env, probe, 2.0)
    assert heap[1] == (2.0, NORMAL, 1, probe)
    assert next(ids) == 2  # the counter is shared: the next id follows


def test_step_reads_only_callbacks_and_ok_of_a_successful_event():
    env = Environment()
    seen: list[Any] = []
    probe = _probe(seen.append)
    schedule(env, probe, 4.0)
    env.step()
    assert seen == [probe]
    assert object.__getattribute__(probe, "callbacks") is None  # set before the callbacks run
    assert sorted(set(object.__getattribute__(probe, "reads"))) == ["_ok", "callbacks"]


def test_step_stores_the_entry_time_as_now_in_the_kernel_slot():
    env = Environment(1.0)
    assert env.now == 1.0
    schedule(env, _probe(lambda event: None), 7.25)
    env.step()
    assert env.now == 7.25 and simpy.Environment.now.fget(env) == 7.25  # type: ignore[attr-defined]
    assert "_now" not in vars(env)  # in the slot, which ``now`` reads


def test_ties_run_in_id_order_between_inline_events_and_simpy_timeouts():
    env = Environment()
    order: list[str] = []

    def process() -> Any:
        yield env.timeout(1.0)
        order.append("process")

    Wake(env, 1.0, None, lambda event: order.append("first"))
    env.process(process())  # its Initialize event is URGENT: it runs at 0 and sets a timeout
    Wake(env, 1.0, None, lambda event: order.append("last"))
    env.run()
    assert order == ["first", "last", "process"]  # the process's timeout got a later id


def test_run_until_stops_before_the_events_at_the_horizon():
    env = Environment()
    fired: list[float] = []
    Wake(env, 5.0, None, lambda event: fired.append(env.now))
    Wake(env, 10.0, None, lambda event: fired.append(env.now))
    env.run(until=10.0)
    assert fired == [5.0] and env.now == 10.0
    heap, _ = scheduler(env)
    left = [entry for entry in heap if entry[1] == NORMAL]
    assert [entry[0] for entry in left] == [10.0]  # left in the heap, never processed
    # two wakes, the URGENT "until" event and its rescheduling when the run stops
    assert events_scheduled(env) == 4


def test_scheduled_events_lists_what_is_on_the_heap_with_its_time_until_it_runs():
    env = Environment()
    probe = _probe(lambda event: None)
    wake = Wake(env, 2.0, "later", lambda event: None)
    schedule(env, probe, 1.0)  # an activity pushed inline, as a service completion is
    timeout = env.timeout(3.0)  # and SimPy's own events alike
    heap, _ = scheduler(env)
    listed = scheduled_events(env)
    assert listed == [(entry[0], entry[3]) for entry in heap]  # in the heap's own order
    assert sorted(listed, key=lambda pair: pair[0]) == [(1.0, probe), (2.0, wake), (3.0, timeout)]
    env.step()
    assert sorted(scheduled_events(env), key=lambda pair: pair[0]) == [(2.0, wake),
                                                                       (3.0, timeout)]
    env.run()
    assert scheduled_events(env) == []


def test_wake_value_is_the_public_value():
    env = Environment()
    values: list[Any] = []
    Wake(env, 0.0, ("a", 1), lambda event: values.append(event.value))
    env.run()
    assert values == [("a", 1)]


def test_a_failed_event_is_raised_unless_defused():
    env = simpy.Environment()
    failed = env.event()
    failed.fail(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        env.step()
    defused = env.event()
    defused.fail(ValueError("quiet"))
    defused.defused = True
    env.step()  # no exception: step checks _defused only for a failed event


