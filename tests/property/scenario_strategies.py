"""Hypothesis strategies of scenario documents: valid ones built from the format's rules, and
invalid ones made by mutating valid ones (values of the wrong type or size, missing and unknown
keys, hostile numbers and strings).

Valid documents are small and short (minutes to hours of simulated time, at most a few
thousand entities) so that each one also simulates in milliseconds.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import strategies as st

STATIONS = ("s0", "s1", "s2")
CLASSES = ("c0", "c1", "c2")


# ----------------------------------------------------------------------------- values


def minutes(low: float, high: float) -> st.SearchStrategy[Any]:
    """A duration written as a number of minutes or with a unit."""
    number = st.floats(low, high, allow_nan=False, allow_infinity=False).map(
        lambda x: round(x, 3))
    return st.one_of(
        number,
        number.map(lambda x: f"{x}min"),
        number.map(lambda x: f"{round(x * 60, 3)}s"),
        st.integers(int(low) + 1, max(int(low) + 1, int(high))).map(lambda x: x),
    )


def rate(low: float, high: float) -> st.SearchStrategy[Any]:
    """A rate per minute, as a number or per hour."""
    number = st.floats(low, high, allow_nan=False, allow_infinity=False).map(
        lambda x: round(x, 4))
    return st.one_of(number, number.map(lambda x: f"{round(x * 60, 3)}/h"))


@st.composite
def distribution(draw: st.DrawFn, mean_high: float = 3.0) -> dict[str, Any]:
    kind = draw(st.sampled_from(["exponential", "deterministic", "uniform", "triangular",
                                 "lognormal", "gamma", "empirical"]))
    if kind == "exponential":
        return {"dist": kind, "mean": draw(minutes(0.05, mean_high))}
    if kind == "deterministic":
        return {"dist": kind, "value": draw(minutes(0, mean_high))}
    if kind in ("uniform", "triangular"):
        values = sorted(draw(st.lists(st.floats(0, mean_high * 2).map(lambda x: round(x, 3)),
                                      min_size=3, max_size=3)))
        if kind == "uniform":
            return {"dist": kind, "low": values[0], "high": values[2]}
        return {"dist": kind, "low": values[0], "mode": values[1], "high": values[2]}
    if kind in ("lognormal", "gamma"):
        return {"dist": kind, "mean": draw(minutes(0.05, mean_high)),
                "cv": draw(st.floats(0.0 if kind == "lognormal" else 0.05, 2.5).map(
                    lambda x: round(x, 3)))}
    return {"dist": kind, "values": draw(st.lists(minutes(0, mean_high * 2), min_size=1,
                                                  max_size=5))}


@st.composite
def shift_windows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to three non-overlapping windows within the day, not all with zero servers."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 24 * 4), min_size=2, max_size=6))))
    if len(cuts) < 2:
        cuts = [0, 96]
    windows = []
    for start, end in itertools.pairwise(cuts):
        if draw(st.booleans()) or not windows:
            windows.append({"start": f"{start // 4:02d}:{start % 4 * 15:02d}",
                            "end": f"{end // 4:02d}:{end % 4 * 15:02d}",
                            "servers": draw(st.integers(0, 3))})
    windows = windows[:3]
    if all(window["servers"] == 0 for window in windows):
        windows[0]["servers"] = 1
    return windows


@st.composite
def station(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "servers": draw(st.one_of(st.integers(1, 4), shift_windows())),
        "service": draw(distribution()),
    }
    if draw(st.booleans()):
        spec["discipline"] = draw(st.sampled_from(["fifo", "priority"]))
    if draw(st.integers(0, 4)) == 0:
        spec["opening_hours"] = {"start": "00:00", "end": draw(st.sampled_from(
            ["06:00", "12:00", "24:00"]))}
    return spec


@st.composite
def arrivals(draw: st.DrawFn, horizon: float) -> dict[str, Any]:
    kind = draw(st.sampled_from(["poisson", "profile", "timetable", "trace"]))
    if kind == "poisson":
        return {"kind": kind, "rate": draw(rate(0.01, 2.0))}
    if kind == "profile":
        rates = draw(st.lists(rate(0.0, 2.0), min_size=1, max_size=4))
        rates[0] = draw(rate(0.01, 2.0))  # at least one positive rate
        return {"kind": kind, "rates": rates, "bin": draw(minutes(5, 120))}
    if kind == "timetable":
        batch = st.fixed_dictionaries(
            {"time": st.floats(0, horizon * 1.2).map(lambda x: round(x, 2)),
             "count": st.integers(1, 30)},
            optional={"spread": minutes(0, 20)})
        return {"kind": kind, "batches": draw(st.lists(batch, min_size=1, max_size=6))}
    times = draw(st.lists(st.floats(0, horizon * 1.2).map(lambda x: round(x, 2)), min_size=1,
                          max_size=40))
    return {"kind": kind, "times": times}


@st.composite
def route(draw: st.DrawFn, stations: list[str], depth: int = 0) -> list[Any]:
    steps: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        kinds = ["name", "station", "shortest_queue", "delay"]
        if depth < 2:
            kinds += ["branch", "optional"]
        kind = draw(st.sampled_from(kinds))
        name = draw(st.sampled_from(stations))
        if kind == "name":
            steps.append(name)
        elif kind == "station":
            steps.append({"station": name})
        elif kind == "shortest_queue":
            steps.append({"shortest_queue": draw(st.lists(st.sampled_from(stations), min_size=1,
                                                          max_size=3, unique=True))})
        elif kind == "delay":
            steps.append({"delay": draw(distribution(mean_high=2.0))})
        elif kind == "branch":
            p = draw(st.floats(0, 1).map(lambda x: round(x, 3)))
            steps.append({"branch": [{"p": p, "route": draw(route(stations, depth + 1))},
                                     {"p": 1 - p, "route": draw(route(stations, depth + 1))}]})
        else:
            steps.append({"optional": {"p": draw(st.floats(0, 1).map(lambda x: round(x, 3))),
                                       "route": draw(route(stations, depth + 1))}})
    return steps


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario document (a plain mapping, as YAML would give)."""
    horizon = draw(st.floats(30, 480).map(lambda x: round(x, 1)))
    time: dict[str, Any] = {"horizon": horizon}
    if draw(st.booleans()):
        time["warmup"] = round(draw(st.floats(0, 0.5)) * horizon, 1)
    stations = list(STATIONS[: draw(st.integers(1, 3))])
    classes = list(CLASSES[: draw(st.integers(1, 3))])
    doc: dict[str, Any] = {
        "name": draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        "time": time,
        "stations": {name: draw(station()) for name in stations},
        "classes": {},
    }
    # The last class is sometimes brought only by a spawn step of the first (a bus's passengers).
    spawned = len(classes) > 1 and draw(st.booleans())
    for index, name in enumerate(classes):
        entity: dict[str, Any] = {"route": draw(route(stations))}
        if not (spawned and index == len(classes) - 1):
            entity["arrivals"] = draw(arrivals(horizon))
        if draw(st.booleans()):
            entity["priority"] = draw(st.integers(-3, 3))
        doc["classes"][name] = entity
    if spawned:
        spawn = {"spawn": {"class": classes[-1], "count": draw(st.integers(1, 4))}}
        if draw(st.booleans()):
            spawn["spawn"]["spread"] = draw(minutes(0, 10))
        doc["classes"][classes[0]]["route"].insert(0, spawn)
    for key, strategy in (("replications", st.integers(1, 5)), ("seed", st.integers(0, 2**32)),
                          ("sla", minutes(1, 60)), ("description", st.text(max_size=20))):
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    if draw(st.integers(0, 3)) == 0:
        target = draw(st.sampled_from(stations))
        doc["policies"] = {"staffing": {target: {"reactive": {
            "open_above": draw(minutes(1, 20)), "close_below": 0.5,
            "max_extra": draw(st.integers(1, 3))}}}}
    if draw(st.booleans()):
        doc["variants"] = {"more": {"stations": {stations[0]: {"servers": 5}}}}
    return doc


# ----------------------------------------------------------------------------- mutations


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


JUNK = st.one_of(
    st.none(), st.booleans(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, -1, 10**400, 2**63, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, -0.0, float("nan"), float("inf"), float("-inf")]),
    st.text(max_size=12),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "-5min", "24:61", "99:99", "1e308",
                     "5min", "2h", "3/h", "0/h", "1/0", "exponential", "s0", "c0", "fifo",
                     "poisson", "timetable", "!!python/object:os.system", "*alias", "{", "\x00",
                     "1" * 5000, "/etc/passwd", "/dev/zero", "../outside.yaml", "x" * 300]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.sampled_from(["a", "dist", "kind", "mean", "p", "route"]),
                    st.integers(-2, 2), max_size=3),
)


#: Plausible or extreme numbers in place of a number: most keep the document valid.
NUMBERS = st.one_of(
    st.just(0), st.just(1),
    st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 3)),
    st.integers(0, 20),
    st.sampled_from([1e-9, 1e-300, 0.5, 0.999999, 1.000001, 1e6, 1e9, 2**31, -1, -1e-9]),
)


def _containers(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list inside ``data`` (the root included)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        found.append(path)
        for key, value in data.items():
            found.extend(_containers(value, (*path, key)))
    elif isinstance(data, list):
        found.append(path)
        for index, value in enumerate(data):
            found.extend(_containers(value, (*path, index)))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _numbers(container: Any) -> list[Any]:
    """Keys (or indices) of the numbers directly inside a dict or list."""
    items = container.items() if isinstance(container, dict) else enumerate(container)
    return [key for key, value in items
            if isinstance(value, int | float) and not isinstance(value, bool)]


@st.composite
def mutated_documents(draw: st.DrawFn, gentle: bool = False) -> dict[str, Any]:
    """A valid document with one to three random mutations (it may still be valid); ``gentle``
    mutations only change one or two numbers, so that many documents stay valid."""
    return mutate(draw, draw(valid_documents()), gentle)


def mutate(draw: st.DrawFn, document: Any, gentle: bool = False) -> Any:
    """``document`` (any plain data: a scenario, a state file, a study file, the rows of an
    event log) with one to three random mutations, as :func:`mutated_documents` makes them."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 2 if gentle else 3))):
        paths = _containers(doc)
        if gentle:
            paths = [path for path in paths if _numbers(_at(doc, path))]
            if not paths:
                return doc
        container = _at(doc, draw(st.sampled_from(paths)))
        operation = "tweak" if gentle else draw(st.sampled_from(
            ["replace", "replace", "tweak", "tweak", "tweak", "delete", "add", "rename", "wrap"]))
        if operation == "tweak":
            numbers = _numbers(container)
            if numbers:
                key = draw(st.sampled_from(numbers))
                container[key] = draw(NUMBERS)
                continue
            operation = "replace"
        if isinstance(container, dict):
            keys = list(container)
            if not keys or operation == "add":
                container[draw(st.sampled_from(["extra", "mean", "p", "servers", "route",
                                                "kind", "dist", "time", "<<"]))] = draw(JUNK)
                continue
            key = draw(st.sampled_from(keys))
            if operation == "delete":
                del container[key]
            elif operation == "rename":
                container[key + draw(st.sampled_from(["_", "s", "x"]))] = container.pop(key)
            elif operation == "wrap":
                container[key] = [container[key]]
            else:
                container[key] = draw(JUNK)
        elif container:
            index = draw(st.integers(0, len(container) - 1))
            if operation == "delete":
                del container[index]
            elif operation == "wrap":
                container[index] = {"value": container[index]}
            else:
                container[index] = draw(JUNK)
        else:
            container.append(draw(JUNK))
    return doc
