"""Property: on any small model with a station of skilled server pools (each pool with its own
shifts) or whose customers give up and try again (retrials), or both, the fast path gives the
event engine's visits customer by customer (retries included) and every KPI to 1e-9.

Times are whole or quarter minutes, so that services end, customers move, callers come back,
patience runs out and pools change shifts at the same instants often: the ties the one rule of
simultaneous events settles, and heads of two skill lines that joined at the same instant.
Classes need one of two skills; pools have one skill or both, cut while busy; some classes
balk (by queue length, by chance) or renege, and a share of them come back later; a plain
station may follow the pooled one, so that retried customers go on along their routes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import (
    HORIZON,
    arrivals,
    impatience,
    quarter,
    schedules,
    services,
)

from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    ClassSpec,
    Delay,
    Impatience,
    Model,
    ServerPool,
    StationSpec,
    Visit,
    pooled_servers,
)

SKILLS = ("a", "b")


@st.composite
def trying(draw: st.DrawFn) -> Impatience:
    """A rule of giving up with, mostly, a share who come back after a quarter-minute time."""
    retry = draw(st.sampled_from([0.0, 0.5, 1.0, 1.0]))
    # at least a minute away: a caller who balks at every try comes back a few hundred times
    after = draw(st.one_of(st.builds(Deterministic, quarter.map(lambda q: q + 1.0)),
                           st.builds(Uniform, st.just(1.0), quarter.map(lambda q: q + 1.0))))
    return replace(draw(impatience()), retry=retry, retry_after=after if retry > 0 else None)


@st.composite
def pooled_station(draw: st.DrawFn) -> StationSpec:
    """Pools of one skill or both (each its own shifts, one period), or a plain station
    (servers constant or by shift) whose customers retry."""
    giving_up = draw(st.dictionaries(st.sampled_from(["c0", "c1", "c2"]), trying(),
                                     min_size=0, max_size=3))
    if draw(st.booleans()):
        return StationSpec("desk", draw(schedules()), draw(services()),
                           impatience_by_class=giving_up)
    skills = draw(st.lists(st.sampled_from([("a",), ("b",), ("a", "b"), ("b", "a")]),
                           min_size=1, max_size=3))
    pools = []
    for index, pool_skills in enumerate(skills):
        pools.append(ServerPool(f"p{index}", pool_skills, draw(schedules())))
    served = {skill for pool in pools for skill in pool.skills}
    need = {f"c{k}": draw(st.sampled_from(sorted(served))) for k in range(3)}
    return StationSpec("desk", pooled_servers(tuple(pools)), draw(services()),
                       pools=tuple(pools), skill_by_class=need,
                       impatience_by_class=giving_up)


@st.composite
def pool_models(draw: st.DrawFn) -> Model:
    desk = draw(pooled_station())
    after = StationSpec("after", draw(schedules()), draw(services()))
    classes = []
    for k in range(3):
        route: list[Any] = []
        if draw(st.booleans()):
            route.append(Delay(Deterministic(draw(quarter))))
        route.append(Visit("desk"))
        if draw(st.booleans()):
            route.append(Visit("after"))
        classes.append(ClassSpec(f"c{k}", draw(arrivals()), tuple(route)))
    return Model(stations=(desk, after), classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pool_models())
def test_pools_and_retrials_on_the_fast_path_are_the_event_engine(model: Model) -> None:
    assert why_not_fast(model) is None
    assert_same_run(model, seed=2)
