"""Ties at a station of skilled pools and at one whose callers try again, worked out by hand
and checked on both engines, customer by customer: a caller who comes back at the very instant
a service ends (who goes first is who entered the system first), and two skill lines whose
heads joined at the same instant (the one who joined first is taken first)."""

from __future__ import annotations

import pytest

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ClassSpec,
    Impatience,
    Model,
    ServerPool,
    ShiftSchedule,
    StationSpec,
    Timetable,
    Visit,
    pooled_servers,
)


def _one(at: float) -> Timetable:
    return Timetable((at,), (1,), (0.0,))


def _events(model: Model, engine: str) -> list[tuple[str, str, float]]:
    """(class, event, time) at the station, in time order."""
    seen: list[tuple[float, str, str]] = []

    def trace(time: float, entity: int, kind: str, station: str | None, event: str) -> None:
        if station is not None:
            seen.append((time, kind, event))

    run_replication(model, seed=1, engine=engine, trace=trace)
    return [(kind, event, time) for time, kind, event in sorted(seen)]


#: One desk; ``r`` balks whenever it would wait and calls again 2 minutes later.
CALLBACK = Model(
    stations=(StationSpec(
        "desk", ShiftSchedule.constant(1), Deterministic(1.0),
        service_by_class={"e": Deterministic(1.5)},
        impatience_by_class={"r": Impatience(balk_at=0, retry=1.0,
                                             retry_after=Deterministic(2.0))}),),
    classes=(ClassSpec("s", _one(0.0), (Visit("desk"),)),
             ClassSpec("r", _one(0.5), (Visit("desk"),)),
             ClassSpec("e", _one(0.75), (Visit("desk"),))),
    horizon=20.0)


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_a_caller_back_as_a_service_ends_goes_first_if_it_entered_first(engine: str) -> None:
    """s is served 0-1; r balks at 0.5 (back at 2.5); e waits from 0.75 and is served 1-2.5.
    At 2.5 r comes back in its own turn, before e's service ends in e's (r entered the system
    first): the desk is still busy, r balks again and is served at 4.5 at last."""
    assert why_not_fast(CALLBACK) is None
    assert [event for event in _events(CALLBACK, engine) if event[0] == "r"] == [
        ("r", "balk", 0.5), ("r", "balk", 2.5), ("r", "retry", 2.5), ("r", "queue", 4.5),
        ("r", "retry", 4.5), ("r", "start", 4.5), ("r", "finish", 5.5)]
    desk = run_replication(CALLBACK, seed=1, engine=engine).kpis["stations"]["desk"]
    assert (desk["arrivals"], desk["balked"], desk["retried"], desk["abandoned"]) == (
        5.0, 2.0, 2.0, 0.0)
    caller = run_replication(CALLBACK, seed=1, engine=engine).kpis["classes"]["r"]
    assert (caller["completions"], caller["balked"], caller["wait_mean"]) == (1.0, 0.0, 0.0)


def _skilled() -> Model:
    pools = (ServerPool("a_only", ("a",), ShiftSchedule.constant(1)),
             ServerPool("both", ("a", "b"), ShiftSchedule.constant(1)))
    return Model(
        stations=(StationSpec(
            "agents", pooled_servers(pools), Deterministic(4.0),
            service_by_class={"p": Deterministic(3.0), "q": Deterministic(2.0)},
            pools=pools, skill_by_class={"p": "a", "q": "b", "b2": "b", "a2": "a"}),),
        classes=(ClassSpec("p", _one(0.0), (Visit("agents"),)),
                 ClassSpec("q", _one(0.0), (Visit("agents"),)),
                 ClassSpec("b2", _one(1.0), (Visit("agents"),)),
                 ClassSpec("a2", _one(1.0), (Visit("agents"),))),
        horizon=20.0)


@pytest.mark.parametrize("engine", ["events", "fast"])
def test_heads_that_joined_together_go_in_the_order_they_joined(engine: str) -> None:
    """p (skill a) takes the a-only agent 0-3, q (skill b) the bilingual one 0-2. At 1, b2 and
    a2 join their skill lines together, b2 first (its class comes first). At 2 the bilingual
    agent frees and takes b2, the head that joined first though a2 joined at the same
    instant; a2 waits for the a-only agent, free at 3."""
    model = _skilled()
    assert why_not_fast(model) is None
    starts = {kind: time for kind, event, time in _events(model, engine) if event == "start"}
    assert starts == {"p": 0.0, "q": 0.0, "b2": 2.0, "a2": 3.0}
