"""Scenario documents: every kind loads, every rule rejects with the right path and message."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portsim.document import parts
from portsim.document.json_schema import scenario_json_schema
from portsim.errors import ScenarioError
from portsim.scenario import load_scenario


def minimal(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "mm1",
        "time": {"horizon": "1d"},
        "stations": {"desk": {"servers": 1, "service": {"dist": "exponential", "mean": "48s"}}},
        "classes": {"pax": {"arrivals": {"kind": "poisson", "rate": "60/h"}, "route": ["desk"]}},
    }
    doc.update(changes)
    return doc


def with_station(**fields: Any) -> dict[str, Any]:
    doc = minimal()
    doc["stations"]["desk"].update(fields)
    return doc


def with_class(**fields: Any) -> dict[str, Any]:
    doc = minimal()
    doc["classes"]["pax"].update(fields)
    return doc


def problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(doc)
    return [(p.dotted_path, p.message) for p in caught.value.problems]


def only_problem(doc: dict[str, Any]) -> tuple[str, str]:
    found = problems(doc)
    assert len(found) == 1, found
    return found[0]


def test_minimal_document_and_defaults() -> None:
    doc = load_scenario(minimal()).document()
    assert doc.time.horizon == 1440 and doc.time.warmup == 0
    assert (doc.replications, doc.seed, doc.sla) == (10, 0, 30.0)
    assert doc.stations["desk"].discipline == "fifo"
    assert doc.stations["desk"].service == parts.Exponential(dist="exponential", mean=0.8)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"dist": "exponential", "mean": "54s"}, parts.Exponential(dist="exponential", mean=0.9)),
        ({"dist": "deterministic", "value": "1min"},
         parts.Deterministic(dist="deterministic", value=1)),
        ({"dist": "uniform", "low": "5min", "high": "15min"},
         parts.Uniform(dist="uniform", low=5, high=15)),
        ({"dist": "triangular", "low": 1, "mode": 2, "high": "5min"},
         parts.Triangular(dist="triangular", low=1, mode=2, high=5)),
        ({"dist": "lognormal", "mean": "45s", "cv": 0.5},
         parts.Lognormal(dist="lognormal", mean=0.75, cv=0.5)),
        ({"dist": "gamma", "mean": "45s", "cv": 0.5}, parts.Gamma(dist="gamma", mean=0.75, cv=0.5)),
        ({"dist": "empirical", "values": ["30s", "42s", 1, "75s"]},
         parts.Empirical(dist="empirical", values=[0.5, 0.7, 1.0, 1.25])),
    ],
)
def test_each_distribution_loads_in_minutes(spec: dict[str, Any], expected: Any) -> None:
    assert load_scenario(with_station(service=spec)).document().stations["desk"].service == expected


@pytest.mark.parametrize(
    "arrivals",
    [
        {"kind": "poisson", "rate": "120/h"},
        {"kind": "profile", "rates": ["10/h", 0, "12/h"], "bin": "30min"},
        {"kind": "timetable", "batches": [{"time": "06:30", "count": 180, "spread": "5min"}],
         "repeat": "1d"},
        {"kind": "trace", "times": [0.5, 1.2, "3min"]},
    ],
)
def test_each_arrivals_kind_loads(arrivals: dict[str, Any]) -> None:
    doc = load_scenario(with_class(arrivals=arrivals)).document()
    assert doc.classes["pax"].arrivals.kind == arrivals["kind"]


def test_each_route_step_kind_loads() -> None:
    doc = minimal()
    doc["stations"]["gate"] = {"servers": 2, "service": {"dist": "deterministic", "value": 1}}
    doc["classes"]["pax"]["route"] = [
        "desk",
        {"station": "gate", "service": {"dist": "exponential", "mean": 2}},
        {"branch": [{"p": 0.3, "route": ["gate"]}, {"p": 0.7, "route": ["desk"]}]},
        {"shortest_queue": ["desk", "gate"]},
        {"optional": {"p": 0.05, "route": [{"delay": {"dist": "deterministic", "value": 1}}]}},
        {"delay": {"dist": "uniform", "low": "5min", "high": "15min"}},
    ]
    route = load_scenario(doc).document().classes["pax"].route
    assert [type(step).__name__ for step in route] == [
        "str", "StationStep", "BranchStep", "ShortestQueueStep", "OptionalStep", "DelayStep"]


def test_shift_windows_load() -> None:
    windows = [{"start": "00:00", "end": "06:00", "servers": 4},
               {"start": "06:00", "end": "24:00", "servers": 12}]
    servers = load_scenario(with_station(servers=windows)).document().stations["desk"].servers
    assert [(w.start, w.end, w.servers) for w in servers] == [(0, 360, 4), (360, 1440, 12)]


@pytest.mark.parametrize(
    ("doc", "path", "fragment"),
    [
        (with_station(servers=0), "stations.desk.servers", "greater than or equal to 1 (got 0)"),
        (with_station(servers=-1), "stations.desk.servers", "(got -1)"),
        (with_station(servers=2.0), "stations.desk.servers", "valid integer (got 2.0)"),
        (with_station(servers="ten"), "stations.desk.servers", "valid integer (got 'ten')"),
        (with_station(servers=True), "stations.desk.servers", "valid integer (got true)"),
        (with_class(arrivals={"kind": "poisson", "rate": 0}), "classes.pax.arrivals.rate",
         "greater than 0"),
        (with_class(arrivals={"kind": "poisson", "rate": "-3/h"}), "classes.pax.arrivals.rate",
         "cannot be negative"),
        (with_class(arrivals={"kind": "profile", "rates": [0, 0]}),
         "classes.pax.arrivals.rates", "every rate is 0"),
        (with_station(service={"dist": "exponential", "mean": 0}), "stations.desk.service.mean",
         "greater than 0"),
        (with_station(service={"dist": "uniform", "low": 5, "high": 1}), "stations.desk.service",
         "high (1min) must be at least low (5min)"),
        (with_station(service={"dist": "triangular", "low": 1, "mode": 9, "high": 5}),
         "stations.desk.service", "low <= mode <= high"),
        (with_station(service={"dist": "empirical", "values": []}),
         "stations.desk.service.values", "needs at least 1 entry"),
        (with_station(discipline="lifo"), "stations.desk.discipline", "'fifo' or 'priority'"),
        (minimal(time={"horizon": "1d", "warmup": "1d"}), "time.warmup",
         "warm-up (1d) must be shorter than the horizon (1d)"),
        (minimal(time={"horizon": 0}), "time.horizon", "greater than 0"),
        (minimal(replications=0), "replications", "greater than or equal to 1"),
        (minimal(seed=-1), "seed", "greater than or equal to 0"),
        (minimal(stations={}), "stations", "needs at least 1 entry"),
        (with_class(route=[]), "classes.pax.route", "needs at least 1 entry"),
        (minimal(name=""), "name", "needs at least 1 character"),
        (with_station(service={"dist": "exponential", "mean": float("nan")}),
         "stations.desk.service.mean", "finite"),
    ],
)
def test_bounds_and_types(doc: dict[str, Any], path: str, fragment: str) -> None:
    where, message = only_problem(doc)
    assert where == path
    assert fragment in message


def test_missing_key() -> None:
    doc = minimal()
    del doc["stations"]["desk"]["service"]
    assert only_problem(doc) == ("stations.desk.service", "required key is missing")


def test_unknown_key_suggests_the_closest_field() -> None:
    doc = with_station(servrs=3)
    assert only_problem(doc) == ("stations.desk.servrs",
                                 "unknown key 'servrs'; did you mean 'servers'?")


def test_unknown_key_in_a_union_member_lists_that_members_keys() -> None:
    path, message = only_problem(
        with_station(service={"dist": "lognormal", "mean": 1, "cv": 0.5, "sigma": 1}))
    assert path == "stations.desk.service.sigma"
    assert message == "unknown key 'sigma' (allowed: dist, mean, cv)"


def test_unknown_dist_suggests_and_points_at_dist() -> None:
    path, message = only_problem(with_station(service={"dist": "expo", "mean": 1}))
    assert path == "stations.desk.service.dist"
    assert "unknown dist 'expo'; did you mean 'exponential'?" in message


def test_missing_kind() -> None:
    path, message = only_problem(with_class(arrivals={"rate": 1}))
    assert path == "classes.pax.arrivals"
    assert "missing key 'kind'" in message and "poisson" in message


@pytest.mark.parametrize(
    ("step", "fragment"),
    [
        ({"statoin": "desk"}, "'statoin'; did you mean 'station'?"),
        ({"station": "desk", "delay": {"dist": "deterministic", "value": 1}},
         "(got 'station', 'delay')"),
        (12, "(got 12)"),
    ],
)
def test_bad_route_step_shapes(step: Any, fragment: str) -> None:
    path, message = only_problem(with_class(route=["desk", step]))
    assert path == "classes.pax.route.1"
    assert message.startswith("a route step is a station name or a mapping")
    assert fragment in message


def test_branch_probabilities_must_sum_to_one() -> None:
    route = [{"branch": [{"p": 0.5, "route": ["desk"]}, {"p": 0.4, "route": ["desk"]}]}]
    assert only_problem(with_class(route=route)) == (
        "classes.pax.route.0.branch", "branch probabilities must sum to 1 (got 0.9)")


def test_branch_sum_tolerates_rounding() -> None:
    options = [{"p": p, "route": ["desk"]} for p in (0.1, 0.2, 0.7)]
    load_scenario(with_class(route=[{"branch": options}]))


def test_route_naming_a_missing_station_points_at_the_step() -> None:
    route = ["desk", {"optional": {"p": 0.1, "route": [{"shortest_queue": ["desk", "dsk"]}]}},
             {"branch": [{"p": 1, "route": [{"station": "gate"}]}]}, "counter"]
    assert problems(with_class(route=route)) == [
        ("classes.pax.route.1.optional.route.0.shortest_queue.1",
         "no station named 'dsk'; did you mean 'desk'? (stations: desk)"),
        ("classes.pax.route.2.branch.0.route.0.station",
         "no station named 'gate' (stations: desk)"),
        ("classes.pax.route.3", "no station named 'counter' (stations: desk)"),
    ]


def test_service_by_class_naming_an_unknown_class() -> None:
    doc = with_station(service_by_class={"paxx": {"dist": "exponential", "mean": 1}})
    assert only_problem(doc) == ("stations.desk.service_by_class.paxx",
                                 "no class named 'paxx'; did you mean 'pax'? (classes: pax)")


def test_conflicting_service_times_for_one_class_at_one_station() -> None:
    fast, slow = {"dist": "exponential", "mean": 1}, {"dist": "exponential", "mean": 2}
    doc = with_class(route=[{"station": "desk", "service": fast},
                            {"station": "desk", "service": slow}])
    path, message = only_problem(doc)
    assert path == "classes.pax.route.1.service"
    assert "conflicts with the service time given at classes.pax.route.0.service" in message

    doc = with_class(route=[{"station": "desk", "service": fast}])
    doc["stations"]["desk"]["service_by_class"] = {"pax": slow}
    path, message = only_problem(doc)
    assert path == "classes.pax.route.0.service"
    assert "stations.desk.service_by_class.pax" in message

    same = with_class(route=[{"station": "desk", "service": fast}, {"station": "desk",
                                                                     "service": fast}])
    load_scenario(same)


@pytest.mark.parametrize(
    ("windows", "path", "fragment"),
    [
        ([{"start": "08:00", "end": "12:00", "servers": 2},
          {"start": "11:00", "end": "14:00", "servers": 2}],
         "stations.desk.servers", "shift windows overlap: 08:00-12:00 and 11:00-14:00"),
        ([{"start": "12:00", "end": "08:00", "servers": 2}],
         "stations.desk.servers.0", "must end after it starts (got 12:00-08:00)"),
        ([{"start": "12:00", "end": "12:00", "servers": 2}],
         "stations.desk.servers.0", "must end after it starts"),
        ([{"start": "08:00", "end": "25:00", "servers": 2}],
         "stations.desk.servers.0.end", "less than or equal to 1440"),
        ([{"start": "08:00", "end": "12:00", "servers": 0}],
         "stations.desk.servers", "every shift window has 0 servers"),
        ([], "stations.desk.servers", "needs at least 1 entry"),
    ],
)
def test_shift_window_rules(windows: list[Any], path: str, fragment: str) -> None:
    where, message = only_problem(with_station(servers=windows))
    assert where == path
    assert fragment in message


def test_opening_hours_must_close_after_opening() -> None:
    where, message = only_problem(with_station(opening_hours={"start": "20:00", "end": "08:00"}))
    assert where == "stations.desk.opening_hours"
    assert "closing time must be after opening time" in message


@pytest.mark.parametrize(
    ("arrivals", "fragment"),
    [
        ({"kind": "timetable"}, "give either batches or file"),
        ({"kind": "timetable", "batches": [{"time": 0, "count": 1}], "file": "x.csv"},
         "give either batches or file"),
        ({"kind": "timetable", "batches": [{"time": "25h", "count": 1}], "repeat": "1d"},
         "batch time 25h is not within the repeat period (1d)"),
    ],
)
def test_timetable_rules(arrivals: dict[str, Any], fragment: str) -> None:
    where, message = only_problem(with_class(arrivals=arrivals))
    assert where == "classes.pax.arrivals"
    assert fragment in message


def test_batch_count_must_be_positive() -> None:
    arrivals = {"kind": "timetable", "batches": [{"time": 0, "count": 0}]}
    where, _ = only_problem(with_class(arrivals=arrivals))
    assert where == "classes.pax.arrivals.batches.0.count"


def test_many_problems_are_all_reported() -> None:
    doc = minimal(replications=0, seed=-1, time={"horizon": -1})
    doc["stations"]["desk"]["servers"] = 0
    assert len(problems(doc)) == 4


def test_models_are_frozen() -> None:
    doc = load_scenario(minimal()).document()
    with pytest.raises(Exception, match="frozen"):
        doc.name = "other"  # type: ignore[misc]


def test_json_schema_has_descriptions_from_docstrings() -> None:
    schema = scenario_json_schema()
    assert schema["title"] == "portsim scenario"
    station = schema["$defs"]["Station"]["properties"]
    assert "shift schedule" in station["servers"]["description"]
    assert station["service"]["discriminator"]["propertyName"] == "dist"
    assert schema["$defs"]["Lognormal"]["properties"]["cv"]["description"].startswith(
        "Coefficient of variation")
    assert schema["additionalProperties"] is False


def test_mapping_source_is_not_modified() -> None:
    doc = minimal()
    before = copy.deepcopy(doc)
    load_scenario(doc)
    assert doc == before


def test_retry_needs_somebody_to_give_up(tmp_path):
    from typer.testing import CliRunner

    from portsim.cli.main import app

    path = tmp_path / "r.yaml"
    path.write_text("""\
name: r
time: {horizon: 1d}
stations:
  s:
    servers: 1
    service: {dist: exponential, mean: 1min}
    retry: {share: 0.5, after: {dist: exponential, mean: 5min}}
classes:
  c: {arrivals: {kind: poisson, rate: 0.5/min}, route: [s]}
""")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "retry needs patience or balk" in " ".join(result.output.split())
