"""The stations' waiting lines: order of service, head, who waits, and removal of one customer."""

from __future__ import annotations

import pytest

from portsim.engine.entity import Entity
from portsim.engine.queues import FifoLine, PriorityLine


def _entities(*priorities: int) -> list[Entity]:
    return [Entity(ident, None, 0.0, priority) for ident, priority in enumerate(priorities)]


def test_fifo_serves_in_order_of_arrival():
    line = FifoLine()
    people = _entities(2, 0, 1)
    for entity in people:
        line.push(entity)
    assert line.head() is people[0] and line.entities() == people
    assert [line.take() for _ in people] == people
    assert not line


def test_priority_serves_lowest_priority_first_then_in_order_of_arrival():
    line = PriorityLine()
    people = _entities(1, 0, 1, 0)
    for entity in people:
        line.push(entity)
    assert len(line) == 4 and line.head() is people[1]
    assert sorted(e.id for e in line.entities()) == [0, 1, 2, 3]
    assert [line.take().id for _ in people] == [1, 3, 0, 2]


@pytest.mark.parametrize("line_type", [FifoLine, PriorityLine])
def test_remove_takes_one_waiting_customer_out_and_keeps_the_order(line_type):
    line = line_type()
    people = _entities(0, 1, 0, 1, 0)
    for entity in people:
        line.push(entity)
    line.remove(people[2])
    served = [line.take().id for _ in range(len(line))]
    expected = [0, 1, 3, 4] if line_type is FifoLine else [0, 4, 1, 3]
    assert served == expected
    with pytest.raises(ValueError):
        line.remove(people[2])
