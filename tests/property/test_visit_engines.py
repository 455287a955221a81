"""Property: on any small feed-forward model where classes give up over their whole visit
(``visit_patience``), the fast path gives the event engine's visits customer by customer and
every KPI to 1e-9.

Both engines draw a member's deadline as it enters the system, the class's n-th number to its
n-th member to enter (own arrivals and spawned members interleaved by time and turn); at every
station the class visits, one who must queue gives up at the earlier of its station patience
and its deadline. Times are whole or quarter minutes and patiences often deterministic, so that
deadlines fall on arrivals, service ends, shift changes and on other customers' deadlines, and
expire while a customer is in service or walking between stations (it then gives up at once at
the next queue). Routes are tandems with delays, branches, and a spawn whose members (a class
with arrivals of its own too) go on to later stations; stations serve first come first served
or by priority, with shifts, station patience and balking, or servers reacting to the queue.
"""

from __future__ import annotations

from typing import Any

from engine_kpis import assert_same_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_engines import arrivals as batches
from test_sweep_engines import impatience, quarter, reacting, schedules, services

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic, Uniform
from portsim.engine.fast import why_not_fast
from portsim.engine.model import (
    Branch,
    ClassSpec,
    Delay,
    Impatience,
    Model,
    ShiftSchedule,
    Spawn,
    StationSpec,
    Timetable,
    Trace,
    Visit,
)

HORIZON = 400.0


@st.composite
def patiences(draw: st.DrawFn, spread: bool = False) -> Any:
    """A visit patience on the quarter-minute grid, short enough to run out often: mostly
    deterministic (deadlines tie with other events), sometimes uniform (mostly, where
    ``spread``: which member gets which number matters then); or none."""
    kind = draw(st.sampled_from(["deterministic", "uniform", "uniform", "none"] if spread
                                else ["deterministic", "deterministic", "uniform", "none"]))
    if kind == "none":
        return None
    low = draw(st.integers(min_value=0, max_value=40)) / 4
    return Deterministic(low) if kind == "deterministic" else Uniform(low, low + draw(quarter))


@st.composite
def arrivals(draw: st.DrawFn, none: bool = False) -> Any:
    """Batches every few whole minutes (or, where ``none``, maybe no arrivals of its own)."""
    if none and draw(st.booleans()):
        return Trace(times=())
    return draw(batches())


@st.composite
def between(draw: st.DrawFn) -> list[Any]:
    """Nothing or a walk (deterministic or uniform, on the grid) between two visits."""
    if draw(st.booleans()):
        return []
    low = draw(st.integers(min_value=0, max_value=8)) / 4
    return [Delay(Deterministic(low) if draw(st.booleans()) else Uniform(low, low + 1.0))]


@st.composite
def later(draw: st.DrawFn, names: list[str]) -> list[Any]:
    """A route through some of ``names`` in their order: a tandem with walks, or a branch."""
    if len(names) > 1 and draw(st.booleans()):
        share = draw(st.sampled_from([0.3, 0.5, 0.8]))
        return [Branch(((share, (Visit(names[0]),)),
                        (1.0 - share, (*draw(between()), Visit(names[-1])))))]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names),
                           unique=True))
    route: list[Any] = []
    for name in sorted(chosen):
        route.extend([*draw(between()), Visit(name)])
    return route


@st.composite
def stations(draw: st.DrawFn, count: int) -> tuple[StationSpec, ...]:
    made = []
    for k in range(count):
        servers = draw(schedules())
        rule, positions = draw(reacting(servers)) if draw(st.booleans()) else (None, None)
        own = draw(st.dictionaries(st.sampled_from(["c0", "c1", "member"]), impatience(),
                                   max_size=2))
        made.append(StationSpec(f"s{k}", servers, draw(services()),
                                discipline=draw(st.sampled_from(["fifo", "priority"])),
                                impatience_by_class=own, reactive=rule, positions=positions))
    return tuple(made)


@st.composite
def visit_models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(min_value=2, max_value=3))
    names = [f"s{k}" for k in range(count)]
    first: list[Any] = [Visit("s0")]
    if draw(st.booleans()):  # members spawned after the first station, on to later ones
        first.append(Spawn("member", Deterministic(draw(st.sampled_from([1, 2]))),
                           draw(st.sampled_from([0.0, 0.0, 1.5]))))
    classes = [
        ClassSpec("c0", draw(arrivals()), (*first, *draw(between()), *draw(later(names[1:]))),
                  priority=draw(st.integers(0, 1)), visit_patience=draw(patiences())),
        ClassSpec("c1", draw(arrivals()), tuple(draw(later(names))),
                  priority=draw(st.integers(0, 1)), visit_patience=draw(patiences())),
        ClassSpec("member", draw(arrivals(none=True)), tuple(draw(later(names[1:]))),
                  priority=draw(st.integers(0, 1)), visit_patience=draw(patiences(True)))]
    return Model(stations=draw(stations(count)), classes=tuple(classes), horizon=HORIZON,
                 warmup=draw(st.sampled_from([0.0, 60.0])))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(visit_models())
def test_visit_patience_on_the_fast_path_is_the_event_engine(model: Model) -> None:
    assert why_not_fast(model) is None
    assert_same_run(model, seed=2)


def test_spawned_members_and_arrivals_share_one_order_of_deadlines() -> None:
    """Not vacuous: a class whose members both arrive on their own and are spawned at the same
    whole minutes, with uniform visit patiences (so which number each member gets matters),
    gives up at both stations, on both engines alike, before and after walks."""
    desk = StationSpec("desk", ShiftSchedule.constant(1), Deterministic(1.0))
    hall = StationSpec("hall", ShiftSchedule.constant(1), Uniform(0.5, 1.5),
                       impatience_by_class={"member": Impatience(patience=Deterministic(4.0))})
    bus = ClassSpec("bus", Timetable(tuple(float(t) for t in range(0, 300, 6)), (1,) * 50,
                                     (0.0,) * 50),
                    (Visit("desk"), Spawn("member", Deterministic(3.0)), Visit("hall")),
                    visit_patience=Uniform(1.0, 6.0))
    walker = ClassSpec("member", Timetable(tuple(float(t) for t in range(1, 300, 3)),
                                           (1,) * 100, (0.0,) * 100),
                       (Delay(Deterministic(0.75)), Visit("hall")),
                       visit_patience=Uniform(0.0, 5.0))
    model = Model(stations=(desk, hall), classes=(bus, walker), horizon=300.0)
    assert why_not_fast(model) is None
    kpis = run_replication(model, seed=5, engine="fast").kpis
    assert kpis["stations"]["hall"]["abandoned"] > 20
    assert kpis["classes"]["bus"]["abandoned"] > 0
    assert_same_run(model, seed=5)
