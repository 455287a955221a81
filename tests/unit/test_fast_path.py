"""The fast path against the event engine: the same waits customer by customer, the same
KPIs, on the same random streams, for every mechanism it runs; and the choice between them."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace

import pytest

from portsim.engine import run_replication
from portsim.engine.distributions import Deterministic, Exponential, Lognormal, Uniform
from portsim.engine.fast import choose_engine, why_not_fast
from portsim.engine.fast_plan import FastPathUnavailable
from portsim.engine.model import (
    Branch,
    ClassSpec,
    Delay,
    Impatience,
    Milestone,
    Model,
    OptionalStep,
    Poisson,
    RateProfile,
    ReactiveStaffing,
    ShiftSchedule,
    ShortestQueue,
    Spawn,
    StationSpec,
    Timetable,
    Visit,
)

TOLERANCE = 1e-9


def _single(servers: ShiftSchedule, **changes: object) -> Model:
    return Model(stations=(StationSpec("s", servers, Exponential(1.0)),),
                 classes=(ClassSpec("c", Poisson(2.7), (Visit("s"),)),), horizon=3000.0,
                 **changes)  # type: ignore[arg-type]


def constant_servers() -> Model:
    return _single(ShiftSchedule.constant(3), warmup=300.0, queue_at=(600.0,))


def shifts() -> Model:
    """A daily schedule that cuts servers while many are busy (services run on past the cut),
    an hourly profile, a warm-up, lateness and queue samples at clock times."""
    schedule = ShiftSchedule(((0.0, 2), (300.0, 5), (700.0, 1), (1100.0, 3)))
    return Model(stations=(StationSpec("s", schedule, Lognormal(1.0, 0.6)),),
                 classes=(ClassSpec("c", RateProfile(tuple([1.0, 2.5, 4.0, 1.0] * 6)),
                                    (Visit("s"),), due_after=20.0),),
                 horizon=2880.0, warmup=100.0, queue_at=(480.0, 1000.0))


def network() -> Model:
    """Delays, milestones, branches, an optional step, shifts, two classes over shared
    stations in a feed-forward network."""
    stations = (
        StationSpec("a", ShiftSchedule.constant(4), Lognormal(1.0, 0.5)),
        StationSpec("b", ShiftSchedule(((0.0, 2), (600.0, 3))), Exponential(1.2)),
        StationSpec("c", ShiftSchedule.constant(2), Uniform(0.5, 1.5)),
        StationSpec("d", ShiftSchedule.constant(1), Exponential(0.5)),
    )
    first = ClassSpec("x", Poisson(2.0), (
        Delay(Uniform(1.0, 5.0)), Milestone("hall"), Visit("a"),
        Branch(((0.6, (Visit("b"),)), (0.4, (Visit("c"),)))),
        OptionalStep(0.3, (Delay(Exponential(2.0)), Visit("d")))))
    second = ClassSpec("y", Poisson(0.8), (Visit("b"), Milestone("after_b"), Visit("c")))
    return Model(stations=stations, classes=(first, second), horizon=3000.0, warmup=200.0)


def waiting_spawn() -> Model:
    """Trains that spawn their passengers and wait until the last one has left."""
    stations = (StationSpec("hall", ShiftSchedule.constant(6), Exponential(1.0)),
                StationSpec("dock", ShiftSchedule.constant(1), Exponential(20.0)))
    train = ClassSpec("train", Timetable((60.0, 400.0, 700.0), (1, 1, 1), (0.0, 0.0, 0.0),
                                         repeat_every=1440.0),
                      (Visit("dock"), Spawn("pax", Uniform(100, 300), 20.0, wait=True),
                       Delay(Deterministic(5.0)), Milestone("gone")))
    pax = ClassSpec("pax", Poisson(0.0), (Delay(Uniform(1, 3)), Visit("hall")))
    return Model(stations=stations, classes=(train, pax), horizon=2880.0)


def spawn() -> Model:
    """Buses dropping batches (no wait) among passengers who come on their own."""
    bus = ClassSpec("bus", Poisson(0.05), (Spawn("pax", Uniform(10, 60), 5.0),))
    pax = ClassSpec("pax", Poisson(1.0), (Visit("hall"),))
    return Model(stations=(StationSpec("hall", ShiftSchedule.constant(6), Exponential(1.0)),),
                 classes=(bus, pax), horizon=2880.0, warmup=60.0)


def appointments() -> Model:
    """Booked slots with no-shows and early and late comers into two counters."""
    from portsim.engine.model import Appointments

    booked = Appointments(slots=tuple(540.0 + 10 * k for k in range(48)), per_slot=(3,) * 48,
                          no_show=0.1, early_share=0.6, early=Exponential(8.0),
                          late=Exponential(5.0))
    return Model(stations=(StationSpec("s", ShiftSchedule.constant(3), Exponential(9.0)),),
                 classes=(ClassSpec("c", booked, (Visit("s"),)),), horizon=3 * 1440.0,
                 warmup=1440.0)


def shortest_queue() -> Model:
    """Two desk rows chosen by the fewest customers per open server: one row's servers follow
    a schedule (the choice reads the servers on duty), and a second class walks to the other
    row directly, so both feed the choice's view of that queue."""
    stations = (StationSpec("row_a", ShiftSchedule(((0.0, 2), (400.0, 4), (900.0, 1))),
                            Exponential(1.5)),
                StationSpec("row_b", ShiftSchedule.constant(3), Lognormal(1.2, 0.5)),
                StationSpec("exit", ShiftSchedule.constant(4), Exponential(0.8)))
    chooser = ClassSpec("chooser", RateProfile(tuple([3.0, 4.5, 2.0, 5.0] * 6)),
                        (Delay(Uniform(1.0, 4.0)), ShortestQueue(("row_a", "row_b")),
                         Milestone("cleared"), Visit("exit")))
    direct = ClassSpec("direct", Poisson(0.6), (Visit("row_b"),))
    return Model(stations=stations, classes=(chooser, direct), horizon=2880.0, warmup=120.0,
                 queue_at=(600.0,))


def shortest_queue_batches() -> Model:
    """Coaches dropping their passengers at once (no spread: choices at the same instant,
    each seeing the one before it), three rows in two overlapping choices."""
    stations = tuple(StationSpec(name, ShiftSchedule.constant(servers), Exponential(1.0))
                     for name, servers in (("a", 2), ("b", 3), ("c", 1)))
    coach = ClassSpec("coach", Poisson(0.08), (Spawn("pax", Uniform(10, 40), 0.0),))
    pax = ClassSpec("pax", Poisson(0.0), (ShortestQueue(("a", "b")),))
    walker = ClassSpec("walker", Poisson(0.7), (Delay(Exponential(2.0)),
                                                ShortestQueue(("c", "b")),))
    return Model(stations=stations, classes=(coach, pax, walker), horizon=2880.0)


def late_batches() -> Model:
    """Flights that land late (a drawn delay) or not at all (a cancelled share), their
    passengers spread over the minutes after landing."""
    flights = Timetable(tuple(60.0 * k for k in range(6, 22)), (120,) * 16, (15.0,) * 16,
                        repeat_every=1440.0, delay=Exponential(25.0), cancelled=0.1)
    return Model(stations=(StationSpec("desks", ShiftSchedule(((0.0, 3), (600.0, 6))),
                                       Exponential(1.2)),),
                 classes=(ClassSpec("pax", flights, (Delay(Uniform(2.0, 6.0)),
                                                     Visit("desks"))),),
                 horizon=2880.0, warmup=60.0)


def priority() -> Model:
    """Three classes at two stations that serve by priority (two share a priority), one of
    them on shifts that cut servers while the queue is long, a warm-up and queue samples: the
    lower class waits far longer, and later arrivals overtake earlier ones."""
    stations = (StationSpec("desk", ShiftSchedule(((0.0, 2), (300.0, 4), (700.0, 1),
                                                   (1100.0, 3))), Lognormal(1.0, 0.6),
                            discipline="priority"),
                StationSpec("exit", ShiftSchedule.constant(2), Exponential(0.7),
                            discipline="priority"))
    classes = (ClassSpec("low", Poisson(1.2), (Visit("desk"), Visit("exit")), priority=2),
               ClassSpec("high", Poisson(0.6), (Delay(Uniform(1.0, 3.0)), Visit("desk"),
                                                Visit("exit")), priority=0),
               ClassSpec("mid", Poisson(0.5), (Visit("desk"),), priority=2))
    return Model(stations=stations, classes=classes, horizon=2880.0, warmup=100.0,
                 queue_at=(480.0, 1000.0))


def priority_ties() -> Model:
    """Whole minutes everywhere: batches at one instant, services ending as others arrive
    and as shifts change, at a station that serves by priority after a FIFO one."""
    # servers open at multiples of 13 minutes, as direct vips arrive
    schedule = ShiftSchedule(((0.0, 1), (117.0, 3), (234.0, 0), (299.0, 2)), period=468.0)
    stations = (StationSpec("hall", ShiftSchedule.constant(2), Deterministic(5.0)),
                StationSpec("desk", schedule, Deterministic(3.0), discipline="priority"))
    def every(minutes: int, batch: int) -> Timetable:
        times = tuple(float(t) for t in range(0, 1440, minutes))
        return Timetable(times, (batch,) * len(times), (0.0,) * len(times))

    # vips reach the desk from the hall (in their own turns) or straight from outside (in
    # their class's turn), often as a service there ends with walk-ins waiting
    classes = (ClassSpec("walk", every(7, 3), (Visit("desk"),), priority=1),
               ClassSpec("vip", every(11, 1), (Visit("hall"), Visit("desk")), priority=0),
               ClassSpec("vip_direct", every(13, 1), (Visit("desk"),), priority=0))
    return Model(stations=stations, classes=classes, horizon=1440.0)


def priority_monitored() -> Model:
    """The ties above read by a monitor every half hour at the desk, whose waits alone count
    in the slots: at a priority line the member read is the last of its class to join, even
    among a batch that joined at one instant."""
    return replace(priority_ties(), monitor_every=30.0, slot_stations=("desk",))


def priority_choice() -> Model:
    """A shortest-queue choice between a FIFO row and a row that serves by priority, which a
    second class also walks to directly."""
    stations = (StationSpec("row_a", ShiftSchedule.constant(2), Exponential(1.5)),
                StationSpec("row_b", ShiftSchedule(((0.0, 1), (500.0, 3))), Exponential(1.2),
                            discipline="priority"))
    chooser = ClassSpec("chooser", Poisson(2.0), (ShortestQueue(("row_a", "row_b")),),
                        priority=1)
    direct = ClassSpec("direct", Poisson(0.5), (Visit("row_b"),), priority=0)
    return Model(stations=stations, classes=(chooser, direct), horizon=2000.0, warmup=60.0)


def giving_up() -> Model:
    """Customers who give up at a FIFO hall on shifts that close it for a while: callers who
    hang up after an exponential patience, walk-ins who balk by queue length (a chance that
    grows with it) and coaches' passengers who find the road full (a queue limit), spawned by
    coaches that wait for them all to leave (those who give up leave too); then a desk that
    serves by priority, where one class gives up as well."""
    from portsim.engine.model import Impatience

    hall = StationSpec("hall", ShiftSchedule(((0.0, 3), (300.0, 1), (420.0, 0), (480.0, 4)),
                                             period=720.0), Lognormal(1.0, 0.5),
                       impatience_by_class={
                           "caller": Impatience(patience=Exponential(4.0)),
                           "walkin": Impatience(balk_probabilities=(0.0, 0.1, 0.3, 0.6)),
                           "pax": Impatience(balk_at=12)})
    desk = StationSpec("desk", ShiftSchedule.constant(1), Exponential(0.8), discipline="priority",
                       impatience_by_class={"walkin": Impatience(patience=Uniform(0.5, 3.0),
                                                                 balk_at=6)})
    classes = (ClassSpec("caller", Poisson(1.2), (Visit("hall"),), priority=1),
               ClassSpec("walkin", Poisson(0.9), (Delay(Uniform(1.0, 2.0)), Visit("hall"),
                                                  Visit("desk")), priority=1),
               ClassSpec("coach", Poisson(0.02), (Spawn("pax", Uniform(5, 25), 0.0, wait=True),
                                                  Milestone("all_gone"))),
               ClassSpec("pax", Poisson(0.0), (Visit("hall"),)),
               ClassSpec("vip", Poisson(0.3), (Visit("desk"),), priority=0))
    return Model(stations=(hall, desk), classes=classes, horizon=2880.0, warmup=120.0,
                 queue_at=(400.0, 900.0))


def giving_up_ties() -> Model:
    """Whole minutes: patience that runs out as services end and as a server opens, a queue
    limit met by batches at one instant."""
    from portsim.engine.model import Impatience

    def every(minutes: int, batch: int) -> Timetable:
        times = tuple(float(t) for t in range(0, 1440, minutes))
        return Timetable(times, (batch,) * len(times), (0.0,) * len(times))

    desk = StationSpec("desk", ShiftSchedule(((0.0, 1), (117.0, 2), (234.0, 0), (299.0, 1)),
                                             period=468.0), Deterministic(3.0),
                       impatience_by_class={"walk": Impatience(patience=Deterministic(4.0),
                                                               balk_at=4),
                                            "late": Impatience(patience=Deterministic(2.0))})
    hall = StationSpec("hall", ShiftSchedule.constant(2), Deterministic(5.0))
    classes = (ClassSpec("walk", every(7, 3), (Visit("desk"),)),
               ClassSpec("late", every(11, 1), (Visit("hall"), Visit("desk"))),
               ClassSpec("direct", every(13, 1), (Visit("desk"),)))
    return Model(stations=(desk, hall), classes=classes, horizon=1440.0)


def visit_patience() -> Model:
    """Travellers who give up over their whole visit: coaches' passengers (spawned, and some
    walking in on their own) who wait at a hall on shifts, walk on to a desk that serves by
    priority and reacts to its queue, where walk-ins also have a patience of the desk's own;
    callers at the hall alone without patience of any kind."""
    from portsim.engine.model import Impatience

    hall = StationSpec("hall", ShiftSchedule(((0.0, 3), (300.0, 1), (480.0, 4)), period=720.0),
                       Lognormal(1.0, 0.5))
    desk = StationSpec("desk", ShiftSchedule.constant(1), Exponential(0.8), discipline="priority",
                       reactive=ReactiveStaffing(3.0, 0.5, 1, check_every=2.0),
                       impatience_by_class={"pax": Impatience(patience=Uniform(0.5, 4.0))})
    classes = (ClassSpec("coach", Poisson(0.02), (Spawn("pax", Uniform(5, 25), 2.0),)),
               ClassSpec("pax", Poisson(0.5), (Visit("hall"), Delay(Uniform(1.0, 2.0)),
                                               Visit("desk")),
                         priority=1, visit_patience=Exponential(6.0)),
               ClassSpec("caller", Poisson(1.4), (Visit("hall"),)),
               ClassSpec("vip", Poisson(0.2), (Visit("desk"),), priority=0,
                         visit_patience=Deterministic(2.0)))
    return Model(stations=(hall, desk), classes=classes, horizon=2880.0, warmup=120.0,
                 queue_at=(400.0, 900.0))


def reactive() -> Model:
    """Servers that open and close as the queue's head waits: a hall on shifts whose
    positions shrink for a while (extras beyond them close at once), some of its callers
    giving up and walk-ins balking; a desk that serves by priority on constant servers; two
    rows joined by a shortest-queue choice, one of them reactive on shifts."""
    from portsim.engine.model import Impatience

    hall = StationSpec("hall", ShiftSchedule(((0.0, 2), (300.0, 1), (480.0, 3)), period=720.0),
                       Lognormal(1.5, 0.5), positions=ShiftSchedule(
                           ((0.0, 6), (200.0, 3), (420.0, 5)), period=720.0),
                       reactive=ReactiveStaffing(4.0, 1.0, 3, check_every=2.5),
                       impatience_by_class={
                           "caller": Impatience(patience=Exponential(6.0)),
                           "walkin": Impatience(balk_at=15)})
    desk = StationSpec("desk", ShiftSchedule.constant(1), Exponential(1.0), discipline="priority",
                       reactive=ReactiveStaffing(3.0, 0.5, 2))
    row_a = StationSpec("row_a", ShiftSchedule(((0.0, 1), (600.0, 2)), period=1200.0),
                        Exponential(1.8), reactive=ReactiveStaffing(2.0, 0.5, 2, check_every=3.0),
                        positions=ShiftSchedule.constant(4))
    row_b = StationSpec("row_b", ShiftSchedule.constant(1), Exponential(1.5))
    classes = (ClassSpec("caller", Poisson(1.3), (Visit("hall"),), priority=1),
               ClassSpec("walkin", Poisson(0.8), (Visit("hall"), Visit("desk")), priority=1),
               ClassSpec("vip", Poisson(0.2), (Visit("desk"),), priority=0),
               ClassSpec("chooser", Poisson(1.6), (ShortestQueue(("row_a", "row_b")),)))
    return Model(stations=(hall, desk, row_a, row_b), classes=classes, horizon=2880.0,
                 warmup=120.0, queue_at=(400.0, 900.0))


def reactive_ties() -> Model:
    """Whole minutes: checks every minute or two that fall on arrivals, service ends and shift
    changes; a head that has waited exactly the threshold (not above it) opens nothing."""
    def every(minutes: int, batch: int) -> Timetable:
        times = tuple(float(t) for t in range(0, 1440, minutes))
        return Timetable(times, (batch,) * len(times), (0.0,) * len(times))

    desk = StationSpec("desk", ShiftSchedule(((0.0, 1), (120.0, 2), (240.0, 0), (300.0, 1)),
                                             period=480.0), Deterministic(3.0),
                       positions=ShiftSchedule(((0.0, 3), (60.0, 2), (180.0, 4)), period=480.0),
                       reactive=ReactiveStaffing(4.0, 2.0, 2, check_every=1.0))
    hall = StationSpec("hall", ShiftSchedule.constant(1), Deterministic(5.0),
                       reactive=ReactiveStaffing(5.0, 5.0, 1, check_every=2.0))
    other = StationSpec("other", ShiftSchedule.constant(1), Deterministic(4.0))
    # priorities differ, but the hall serves first come, first served
    classes = (ClassSpec("walk", every(7, 3), (Visit("desk"),)),
               ClassSpec("late", every(11, 2), (Visit("hall"), Visit("desk")), priority=1),
               ClassSpec("choose", every(3, 1), (ShortestQueue(("hall", "other")),)))
    return Model(stations=(desk, hall, other), classes=classes, horizon=1440.0)


MODELS = {"constant": constant_servers, "shifts": shifts, "network": network,
          "waiting_spawn": waiting_spawn, "spawn": spawn, "appointments": appointments,
          "shortest_queue": shortest_queue, "shortest_queue_batches": shortest_queue_batches,
          "late_batches": late_batches, "priority": priority, "priority_ties": priority_ties,
          "priority_monitored": priority_monitored, "priority_choice": priority_choice,
          "giving_up": giving_up, "giving_up_ties": giving_up_ties, "reactive": reactive,
          "reactive_ties": reactive_ties, "visit_patience": visit_patience}


def _visits(model: Model, engine: str) -> dict[tuple[int, str], tuple[float, float | None]]:
    """(entity, station) -> (time it joined the queue, time its service started)."""
    seen: dict[tuple[int, str], list[float | None]] = defaultdict(lambda: [None, None])

    def trace(time: float, entity: int, class_name: str, station: str | None,
              event: str) -> None:
        if event == "queue":
            seen[entity, station][0] = time  # type: ignore[index]
        elif event == "start":
            seen[entity, station][1] = time  # type: ignore[index]

    assert run_replication(model, seed=5, trace=trace, engine=engine).engine == engine
    return {key: (joined, started) for key, (joined, started) in seen.items()}  # type: ignore[misc]


@pytest.mark.parametrize("name", list(MODELS))
def test_every_wait_equals_the_event_engine(name: str) -> None:
    model = MODELS[name]()
    events, fast = _visits(model, "events"), _visits(model, "fast")
    assert events.keys() == fast.keys()
    waited = 0
    for key, (joined, started) in events.items():
        fast_joined, fast_started = fast[key]
        assert abs(joined - fast_joined) <= TOLERANCE, key  # type: ignore[operator]
        if started is None:
            assert fast_started is None, key  # still queueing at the horizon in both
            continue
        assert fast_started is not None, key
        assert abs(started - fast_started) <= TOLERANCE, key
        waited += started > joined  # type: ignore[operator]
    assert waited > len(events) // 20, "queues should form"


@pytest.mark.parametrize("name", list(MODELS))
def test_every_kpi_equals_the_event_engine(name: str) -> None:
    model = MODELS[name]()
    events = run_replication(model, seed=11, engine="events")
    fast = run_replication(model, seed=11, engine="fast")
    assert (events.engine, fast.engine) == ("events", "fast")
    for scope, rows in events.kpis.items():
        assert list(fast.kpis[scope]) == list(rows)
        for row_name, row in rows.items():
            assert list(fast.kpis[scope][row_name]) == list(row)
            for kpi, value in row.items():
                other = fast.kpis[scope][row_name][kpi]
                if math.isnan(value):
                    assert math.isnan(other), (scope, row_name, kpi)
                else:
                    assert other == pytest.approx(value, rel=1e-9, abs=1e-9), (
                        scope, row_name, kpi)
    assert fast.series.arrivals == events.series.arrivals
    assert fast.series.completions == events.series.completions
    for station, values in events.series.queue_mean.items():
        assert fast.series.queue_mean[station] == pytest.approx(values, abs=1e-9)
    assert fast.histograms["stations"].keys() == events.histograms["stations"].keys()
    for scope in ("classes", "stations"):
        for row_name, histogram in events.histograms[scope].items():
            assert fast.histograms[scope][row_name].counts == histogram.counts


@pytest.mark.parametrize("name", ["reactive", "reactive_ties"])
def test_reactive_servers_open_and_close_on_the_fast_path(name: str) -> None:
    """Not vacuous: at every reactive station extras open (the servers' mean is above the
    schedule's), and the officer-hours and utilisation they make are the event engine's."""
    model = MODELS[name]()
    plain = replace(model, stations=tuple(replace(spec, reactive=None)
                                          for spec in model.stations))
    fast = run_replication(model, seed=5, engine="fast").kpis["stations"]
    events = run_replication(model, seed=5, engine="events").kpis["stations"]
    scheduled = run_replication(plain, seed=5, engine="fast").kpis["stations"]
    for spec in model.stations:
        if spec.reactive is None:
            continue
        row = fast[spec.name]
        assert row["servers_mean"] > scheduled[spec.name]["servers_mean"] + 0.01, spec.name
        for kpi in ("servers_mean", "utilisation"):
            assert row[kpi] == pytest.approx(events[spec.name][kpi], rel=1e-12), (spec.name, kpi)


def test_a_choice_nobody_reaches() -> None:
    """Stations of a shortest-queue choice that no customer reaches in the run: empty
    statistics, as on the event engine."""
    model = shortest_queue_batches()
    quiet = Model(stations=model.stations, classes=(
        ClassSpec("walker", Poisson(0.0), (ShortestQueue(("a", "b")),)),), horizon=600.0)
    events = run_replication(quiet, seed=1, engine="events").kpis
    fast = run_replication(quiet, seed=1, engine="fast").kpis
    assert fast["stations"]["a"]["arrivals"] == events["stations"]["a"]["arrivals"] == 0
    assert list(fast["stations"]) == list(events["stations"])


def test_a_shift_cut_lets_services_finish() -> None:
    """Servers drop from 5 to 1 while all five are busy: utilisation counts the servers still
    finishing, exactly as the event engine does (capacity = max(on duty, busy))."""
    model = shifts()
    events = run_replication(model, seed=2, engine="events").kpis["stations"]["s"]
    fast = run_replication(model, seed=2, engine="fast").kpis["stations"]["s"]
    assert fast["utilisation"] == pytest.approx(events["utilisation"], rel=1e-12)
    assert fast["servers_mean"] == pytest.approx(events["servers_mean"], rel=1e-12)
    assert fast["utilisation"] <= 1.0


@pytest.mark.parametrize("model, reason", [
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),
                     StationSpec("t", ShiftSchedule.constant(1), Exponential(1.0),
                                 discipline="priority")),
           classes=(ClassSpec("c", Poisson(0.5), (ShortestQueue(("s", "t"),
                                                               by_expected_wait=True),)),),
           horizon=100.0),
     "class 'c' chooses a station by its expected wait among stations where 't' serves by "
     "priority"),
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0),
                                 reactive=ReactiveStaffing(4.0, 1.0, 2)),
                     StationSpec("t", ShiftSchedule.constant(1), Exponential(1.0))),
           classes=(ClassSpec("c", Poisson(0.5), (ShortestQueue(("t",)),)),
                    ClassSpec("d", Poisson(0.5), (ShortestQueue(("s", "t"),
                                                                by_expected_wait=True),))),
           horizon=100.0),
     "class 'd' chooses a station by its expected wait among stations where 's' reacts to "
     "its queue"),
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0),
                                 discipline="priority"),),
           classes=(ClassSpec("c", Poisson(0.5), (Visit("s", reserve_ahead=30.0),)),),
           horizon=100.0),
     "station 's' takes bookings ahead of arrival and serves by priority"),
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),
                     StationSpec("t", ShiftSchedule.constant(1), Exponential(1.0),
                                 impatience=Impatience(patience=Exponential(1.0)))),
           classes=(ClassSpec("c", Poisson(0.5), (Visit("s"), Visit("t"))),
                    ClassSpec("d", Poisson(0.5), (Visit("t"), Visit("s")))),
           horizon=100.0),
     "not feed-forward: station 's' feeds station 't' (class 'c'), and station 't' feeds "
     "station 's' (class 'd'): so the arrivals at 's' depend on the queue at 't', which "
     "depends on what leaves 's', and neither can be evaluated before the other; the loop's "
     "sweep does not cover station 't', which has customers who may give up"),
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),),
           classes=(ClassSpec("c", Poisson(0.5), (Visit("s"), Delay(Exponential(1.0)),
                                                  Visit("s"))),),
           horizon=100.0),
     "not feed-forward: station 's' feeds station 's' (class 'c'): so the arrivals at 's' "
     "depend on what leaves it"),
    (Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),),
           classes=(ClassSpec("bus", Poisson(0.1), (Spawn("pax", Uniform(1, 3), 0.0, wait=True),
                                                    Visit("s"))),
                    ClassSpec("pax", Poisson(0.0), (Visit("s"),))),
           horizon=100.0),
     "not feed-forward: station 's' feeds station 's' (class 'pax'; class 'bus' waiting for "
     "its batch of 'pax')"),
])
def test_models_that_need_the_event_engine(model: Model, reason: str) -> None:
    why = why_not_fast(model)
    assert why is not None and reason in why
    assert choose_engine(model, "auto") == "events"
    assert run_replication(model, seed=0).engine == "events"
    with pytest.raises(FastPathUnavailable, match=re.escape(reason)):
        run_replication(model, seed=0, engine="fast")


def test_the_engine_is_chosen_automatically_and_can_be_forced() -> None:
    model = constant_servers()
    assert why_not_fast(model) is None
    assert run_replication(model, seed=0).engine == "fast"
    assert run_replication(model, seed=0, engine="events").engine == "events"
    with pytest.raises(ValueError, match="engine must be one of"):
        choose_engine(model, "quick")


def test_the_entity_limit_stops_the_fast_path_before_the_arrivals_are_drawn() -> None:
    from portsim.engine import EntityLimitExceeded

    model = Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0)),),
                  classes=(ClassSpec("c", Poisson(1e6), (Visit("s"),)),), horizon=1e6)
    with pytest.raises(EntityLimitExceeded, match="more than 1,000 entities"):
        run_replication(model, max_entities=1000, engine="fast")


@pytest.mark.parametrize("name", ["network", "waiting_spawn", "priority", "priority_ties",
                                  "priority_choice", "giving_up", "giving_up_ties",
                                  "reactive", "reactive_ties", "visit_patience"])
def test_the_event_log_is_the_event_engines(name: str) -> None:
    """Every (time, entity, class, station, event) the event engine logs, the fast path logs
    too (ids numbered alike: in order of arrival), in time order."""
    model = MODELS[name]()
    logs: dict[str, list[tuple[float, int, str, str | None, str]]] = {"events": [], "fast": []}
    for engine, log in logs.items():
        run_replication(model, seed=4, engine=engine,
                        trace=lambda *event, log=log: log.append(event))  # type: ignore[misc]
    fast_times = [event[0] for event in logs["fast"]]
    assert fast_times == sorted(fast_times)

    def key(event: tuple[float, int, str, str | None, str]) -> tuple:
        return (event[1], event[2], event[3] or "", event[4], round(event[0], 9))

    assert sorted(map(key, logs["fast"])) == sorted(map(key, logs["events"]))


def _retrying() -> Model:
    from portsim.engine.model import Impatience

    return Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0),
                                       impatience=Impatience(patience=Exponential(2.0),
                                                             retry=0.5,
                                                             retry_after=Exponential(5.0))),),
                 classes=(ClassSpec("c", Poisson(0.9), (Visit("s"),)),), horizon=100.0)


def _impatient_choice() -> Model:
    from portsim.engine.model import Impatience

    stations = tuple(StationSpec(name, ShiftSchedule.constant(1), Exponential(1.0),
                                 impatience=Impatience(balk_at=3)) for name in ("s", "t"))
    return Model(stations=stations, classes=(ClassSpec("c", Poisson(0.9), (
        ShortestQueue(("s", "t")),)),), horizon=100.0)


def _impatient_monitored() -> Model:
    from portsim.engine.model import Impatience

    return Model(stations=(StationSpec("s", ShiftSchedule.constant(1), Exponential(1.0),
                                       impatience=Impatience(balk_at=3)),),
                 classes=(ClassSpec("c", Poisson(0.9), (Visit("s"),)),), horizon=100.0,
                 monitor_every=30.0)


def _pooled() -> Model:
    from portsim.engine.model import ServerPool, pooled_servers

    pools = (ServerPool("p", ("x",), ShiftSchedule.constant(2)),)
    return Model(stations=(StationSpec("s", pooled_servers(pools), Exponential(1.0), pools=pools,
                                       skill_by_class={"c": "x"}),),
                 classes=(ClassSpec("c", Poisson(0.9), (Visit("s"),)),), horizon=100.0)


def _retrying_by_priority() -> Model:
    model = _retrying()
    return replace(model, stations=(replace(model.stations[0], discipline="priority"),))


def _pooled_choice() -> Model:
    pooled = _pooled().stations[0]
    other = StationSpec("t", ShiftSchedule.constant(1), Exponential(1.0))
    return Model(stations=(pooled, other), classes=(ClassSpec("c", Poisson(0.9), (
        ShortestQueue(("s", "t")),)),), horizon=100.0)


@pytest.mark.parametrize("build", [_retrying, _pooled])
def test_pools_and_retrials_run_on_the_fast_path(build) -> None:
    model = build()
    assert why_not_fast(model) is None
    events = run_replication(model, seed=0, engine="events")
    fast = run_replication(model, seed=0)
    assert fast.engine == "fast"
    assert fast.kpis["stations"]["s"]["wait_mean"] == pytest.approx(
        events.kpis["stations"]["s"]["wait_mean"], rel=1e-9)


@pytest.mark.parametrize(("build", "reason"), [
    (_retrying_by_priority, "try again (retrials) and serves by priority"),
    (_impatient_choice, "shortest-queue choice"),
    (_impatient_monitored, "a monitor reads its queue"),
    (_pooled_choice, "serves by skill (server pools) and is one of a shortest-queue choice"),
])
def test_newer_mechanisms_run_on_the_event_engine(build, reason: str) -> None:
    model = build()
    why = why_not_fast(model)
    assert why is not None and reason in why
    assert run_replication(model, seed=0).engine == "events"


def _patient_over_the_visit(model: Model) -> Model:
    """``model`` with its first class giving up over its whole visit."""
    first, *others = model.classes
    return replace(model, classes=(replace(first, visit_patience=Exponential(3.0)), *others))


def _plain(stations: tuple[str, ...] = ("s",)) -> tuple[StationSpec, ...]:
    return tuple(StationSpec(name, ShiftSchedule.constant(1), Exponential(1.0))
                 for name in stations)


@pytest.mark.parametrize(("model", "reason"), [
    (_retrying(), "class 'c' may give up over its whole visit (visit patience) at station "
     "'s', which has customers who give up and try again (retrials)"),
    (_pooled(), "class 'c' may give up over its whole visit (visit patience) at station 's', "
     "which serves by skill (server pools)"),
    (Model(stations=_plain(("s", "t")), classes=(ClassSpec("c", Poisson(0.9), (
        ShortestQueue(("s", "t")),)),), horizon=100.0),
     "station 's' has customers who may give up and is one of a shortest-queue choice"),
    (Model(stations=_plain(), classes=(ClassSpec("c", Poisson(0.5), (
        Visit("s", reserve_ahead=30.0),)),), horizon=100.0),
     "station 's' takes bookings ahead of arrival and has customers who may give up"),
    (Model(stations=_plain(), classes=(ClassSpec("c", Poisson(0.9), (Visit("s"),)),),
           horizon=100.0, monitor_every=30.0),
     "station 's' has customers who may give up and a monitor reads its queue"),
    (Model(stations=_plain(("s", "t")), classes=(
        ClassSpec("c", Poisson(0.5), (Visit("s"), Visit("t"))),
        ClassSpec("d", Poisson(0.5), (Visit("t"), Visit("s")))), horizon=100.0),
     "the loop's sweep does not cover station 's', which has customers who may give up"),
])
def test_visit_patience_the_fast_path_does_not_cover(model: Model, reason: str) -> None:
    """Patience over a whole visit runs on the fast path, exactly, but not where the station
    the class visits is swept with pools or retrials, takes bookings, is one of a choice, is
    read by a monitor or is in a loop: the reason names which, and the event engine runs it."""
    assert reason not in (why_not_fast(model) or "")  # its visit patience is what declines
    model = _patient_over_the_visit(model)
    why = why_not_fast(model)
    assert why is not None and reason in why
    assert run_replication(model, seed=0).engine == "events"
