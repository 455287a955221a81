"""Hypothesis strategies for the side inputs: state files, study files and event logs, valid and
mutated with the scenario fuzzing's own mutations (:func:`scenario_strategies.mutate`)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from scenario_strategies import JUNK, minutes, mutate

#: The scenario the generated states, studies and logs are for: two stations, two classes.
SCENARIO = """\
name: side
time: {horizon: 8h, warmup: 1h}
replications: 2
seed: 3
stations:
  s0: {servers: 2, service: {dist: exponential, mean: 1min}}
  s1: {servers: 1, service: {dist: exponential, mean: 0.5min}}
classes:
  c0: {arrivals: {kind: poisson, rate: 0.5/min}, route: [s0, s1]}
  c1: {arrivals: {kind: poisson, rate: 0.2/min}, route: [s1]}
"""
VISITS = {"c0": ("s0", "s1"), "c1": ("s1",)}
EVENTS = ("arrive", "queue", "start", "finish", "depart", "interrupt", "divert", "balk",
          "abandon", "retry")


def _customers(draw: st.DrawFn, served: bool) -> Any:
    """A count, or a list of customers (a wait, or a mapping of details)."""
    if draw(st.booleans()):
        return draw(st.integers(0, 5))
    fields = ("elapsed", "remaining", "waited", "in_system") if served else (
        "waited", "waited_before", "in_system")
    one = st.one_of(minutes(0, 3000), st.fixed_dictionaries(
        {}, optional={name: minutes(0, 3000) for name in fields})) if not served else \
        st.fixed_dictionaries({}, optional={name: minutes(0, 3000) for name in fields})
    return draw(st.lists(one, max_size=4))


@st.composite
def valid_states(draw: st.DrawFn) -> dict[str, Any]:
    """A state file's data for :data:`SCENARIO`."""
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    doc: dict[str, Any] = {"clock": f"{hour:02d}:{minute:02d}"}
    if draw(st.booleans()):
        doc["day"] = draw(st.integers(1, 3))
    stations: dict[str, Any] = {}
    for station in draw(st.lists(st.sampled_from(["s0", "s1"]), unique=True)):
        entry: dict[str, Any] = {}
        for part in ("waiting", "in_service"):
            classes = [name for name, visits in VISITS.items() if station in visits]
            chosen = draw(st.lists(st.sampled_from(classes), unique=True))
            if chosen:
                entry[part] = {name: _customers(draw, part == "in_service") for name in chosen}
        stations[station] = entry
    if stations:
        doc["stations"] = stations
    if draw(st.booleans()):
        doc["announced"] = draw(st.lists(st.fixed_dictionaries(
            {"class": st.sampled_from(list(VISITS)), "after": minutes(0, 300),
             "count": st.integers(0, 20)}, optional={"spread": minutes(0, 30)}), max_size=3))
    if draw(st.booleans()):
        doc["replace_arrivals"] = draw(st.lists(st.sampled_from(list(VISITS)), unique=True))
    return doc


@st.composite
def mutated_states(draw: st.DrawFn) -> dict[str, Any]:
    return mutate(draw, draw(valid_states()))


@st.composite
def valid_studies(draw: st.DrawFn) -> dict[str, Any]:
    """A study file's data whose ports are ``port.yaml`` (:data:`SCENARIO`) beside it."""
    ports = []
    for index in range(draw(st.integers(1, 3))):
        port: dict[str, Any] = {"name": f"P{index}", "kind": draw(st.sampled_from(
            ["airport", "land", "water", "railway"])), "file": "port.yaml"}
        if draw(st.booleans()):
            port["copies"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            port["travellers"] = draw(st.lists(st.sampled_from(list(VISITS)), min_size=1,
                                               unique=True))
        if draw(st.booleans()):
            port["seed"] = draw(st.integers(0, 100))
        ports.append(port)
    doc: dict[str, Any] = {"name": "study", "ports": ports}
    if draw(st.booleans()):
        doc["replications"] = draw(st.integers(1, 5))
    return doc


@st.composite
def mutated_studies(draw: st.DrawFn) -> dict[str, Any]:
    return mutate(draw, draw(valid_studies()))


@st.composite
def valid_logs(draw: st.DrawFn) -> list[list[Any]]:
    """An event log's rows (header first) as a trace writes them: each entity arrives, then
    queues, starts and finishes at the stations of its class, then departs."""
    rows: list[list[Any]] = [["time", "entity", "class", "station", "event"]]
    for entity in range(1, draw(st.integers(1, 6)) + 1):
        kind = draw(st.sampled_from(list(VISITS)))
        time = draw(st.floats(0, 600).map(lambda x: round(x, 3)))
        rows.append([time, entity, kind, "", "arrive"])
        for station in VISITS[kind]:
            for event in draw(st.lists(st.sampled_from(["queue", "start", "finish"]),
                                       min_size=1, max_size=3)):
                time = round(time + draw(st.floats(0, 30)), 3)
                rows.append([time, entity, kind, station, event])
        if draw(st.booleans()):
            rows.append([round(time + 1, 3), entity, kind, "", "depart"])
    return rows


@st.composite
def mutated_logs(draw: st.DrawFn) -> list[list[Any]]:
    return mutate(draw, draw(valid_logs()))


#: Option texts: the scenario fuzzing's junk written as text, and near misses of valid values.
OPTION_TEXTS = st.one_of(
    JUNK.map(str), st.text(max_size=20),
    st.sampled_from(["5%", "0%", "100%", "1e-200%", "-5%", "nan%", "0.05", "1s", "1e-300",
                     "1e300", "30min", "1h", "2d", "24:00", "00:00", "wait_p95<=30min",
                     "wait_mean<=0min", "wait_sla_share>=1.5", "c0,c1:wait_mean<=5min",
                     "8h@1h", "8h@0h", "25h@1h", "1e300h@1h", "classes.c0.wait_mean",
                     "classes.c9.wait_mean", "a.b", "stations.s0.servers=1:10000:1",
                     "stations.s0.servers=1:3:0", "x=", "=1", "tcp://" + "a" * 64 + ":8786",
                     "tcp://[::1]:0", "tcp://host:99999", "inproc://x", "a:b:c:d"]),
)
