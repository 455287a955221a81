"""Loading YAML files: lines in errors, safe loading, timetable CSVs, variants, provenance."""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path

import pytest

from portsim.errors import PortsimError, Problem, ScenarioError
from portsim.scenario import Scenario, load_scenario
from portsim.scenario.loader import merge

BASE = """\
name: airport
time:
  horizon: 2d
  warmup: 6h
replications: 4
seed: 99
sla: 20min
stations:
  counters:
    servers: 4
    service: {dist: lognormal, mean: 45s, cv: 0.5}
  egates:
    servers: 6
    service: {dist: deterministic, value: 20s}
classes:
  pax:
    arrivals: {kind: poisson, rate: 120/h}
    route:
      - branch:
          - {p: 0.3, route: [egates]}
          - {p: 0.7, route: [counters]}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def test_scenario_properties(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert (scenario.name, scenario.replications, scenario.seed, scenario.sla) == (
        "airport", 4, 99, 20.0)
    assert scenario.variant_names == []
    assert scenario.source_file == path
    assert load_scenario(str(path)).name == "airport"


def test_resolved_is_json_in_minutes(tmp_path: Path) -> None:
    resolved = load_scenario(write(tmp_path, BASE)).resolved()
    json.dumps(resolved)
    assert resolved["time"] == {"horizon": 2880.0, "warmup": 360.0}
    assert resolved["stations"]["counters"]["service"] == {
        "dist": "lognormal", "mean": 0.75, "cv": 0.5}
    assert resolved["classes"]["pax"]["arrivals"] == {"kind": "poisson", "rate": 2.0}
    assert "variants" not in resolved
    # The resolved document is itself a valid scenario that resolves to the same thing.
    assert load_scenario(resolved).resolved() == resolved


# ----------------------------------------------------------------------------- error locations


def test_error_names_file_line_and_path(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("servers: 4", "servers: -1"))
    error = error_of(path)
    assert error.file == str(path)
    assert error.problems == [Problem(("stations", "counters", "servers"), 10,
                                      "Input should be greater than or equal to 1 (got -1)")]
    assert str(error) == (f"{path}:10: stations.counters.servers: "
                          "Input should be greater than or equal to 1 (got -1)")


def test_unknown_key_line_and_suggestion(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, BASE.replace("    servers: 6", "    servrs: 6")))
    # servers may be left out for pools; the misspelt key says what was meant.
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (13, "stations.egates.servrs")]
    assert "did you mean 'servers'?" in error.problems[0].message


def test_missing_key_points_at_the_parent(tmp_path: Path) -> None:
    text = BASE.replace("    service: {dist: deterministic, value: 20s}\n", "")
    error = error_of(write(tmp_path, text))
    assert error.problems == [Problem(("stations", "egates", "service"), 12,
                                      "required key is missing")]


def test_union_tags_are_not_shown_and_lines_found_inside_flow_mappings(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, BASE.replace("cv: 0.5", "cv: -0.5")))
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (11, "stations.counters.service.cv")]


def test_route_step_lines(tmp_path: Path) -> None:
    text = BASE.replace("route: [counters]", "route: [counter]")
    error = error_of(write(tmp_path, text))
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (21, "classes.pax.route.0.branch.1.route.0")]
    assert "did you mean 'counters'?" in error.problems[0].message


def test_branch_sum_error_line(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, BASE.replace("p: 0.7", "p: 0.6")))
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (19, "classes.pax.route.0.branch")]


def test_problems_sorted_by_line_and_capped(tmp_path: Path) -> None:
    stations = "".join(f"  s{i}:\n    servers: 0\n    service: {{dist: exponential, mean: 1}}\n"
                       for i in range(12))
    text = BASE.replace("stations:\n", "stations:\n" + stations)
    error = error_of(write(tmp_path, text))
    assert len(error.problems) == 12
    assert [p.line for p in error.problems] == sorted(p.line or 0 for p in error.problems)
    lines = str(error).splitlines()
    assert len(lines) == 11 and lines[-1] == "... and 2 more"


def test_scenario_error_is_a_portsim_error_and_pickles() -> None:
    error = ScenarioError([Problem(("a", 0), 3, "bad")], file="x.yaml")
    assert isinstance(error, PortsimError)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == "x.yaml:3: a.0: bad"


# ----------------------------------------------------------------------------- reading YAML


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("  warmup: 6h", "  warmup: [6h"))
    error = error_of(path)
    assert error.problems[0].line == 5
    assert str(error).startswith(f"{path}:5: YAML syntax error:")


def test_bad_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, "name: x\n  time: 1\n bad"))
    assert "YAML syntax error" in str(error)
    assert error.problems[0].line is not None


def test_python_tag_is_refused_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    tag = f'!!python/object/apply:pathlib.Path.touch ["{marker}"]'
    text = BASE.replace("name: airport", f"name: {tag}")
    error = error_of(write(tmp_path, text))
    assert not marker.exists()
    assert error.problems[0].line == 1
    assert "YAML tag '!!python/object/apply:pathlib.Path.touch' is not allowed" in str(error)


def test_custom_tags_are_refused(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, BASE.replace("seed: 99", "seed: !env SEED")))
    assert error.problems[0].path == ("seed",)
    assert "'!env' is not allowed" in error.problems[0].message


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, BASE.replace("seed: 99", "seed: 99\nseed: 98")))
    assert error.problems == [Problem(("seed",), 7, "duplicate key 'seed' (first given on line 6)")]


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    text = BASE.replace("  egates:\n    servers: 6\n", "  egates:\n    <<: *desk\n    servers: 6\n")
    text = text.replace("  counters:\n", "  counters: &desk\n")
    text = text.replace("    service: {dist: deterministic, value: 20s}\n", "")
    scenario = load_scenario(write(tmp_path, text))
    egates = scenario.document().stations["egates"]
    assert egates.servers == 6 and egates.service.dist == "lognormal"


def test_unquoted_clock_times_are_times_of_day(tmp_path: Path) -> None:
    text = BASE.replace("    servers: 4\n", "    servers:\n      - {start: 6:30, end: 22:00, "
                        "servers: 4}\n")
    windows = load_scenario(write(tmp_path, text)).document().stations["counters"].servers
    assert (windows[0].start, windows[0].end) == (390.0, 1320.0)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "the file is empty"),
        (b"- a\n- b\n", "a scenario must be a mapping"),
        (b"name: caf\xe9\n", "not UTF-8 text"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    error = error_of(path)
    assert error.file == str(path)
    assert fragment in str(error)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert str(error_of(tmp_path / "nope.yaml")) == f"{tmp_path / 'nope.yaml'}: file not found"
    assert "is a folder" in str(error_of(tmp_path))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_scenario(path).name == "airport"


# ----------------------------------------------------------------------------- timetable CSV


TIMETABLE = BASE.replace("{kind: poisson, rate: 120/h}",
                         "{kind: timetable, file: flights.csv, repeat: 1d}")


def test_timetable_csv_is_read_next_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "flights.csv").write_text("time,count,spread\n06:30,180,5min\n14:00,200,\n")
    scenario = load_scenario(write(tmp_path, TIMETABLE))
    arrivals = scenario.resolved()["classes"]["pax"]["arrivals"]
    assert arrivals == {"kind": "timetable", "repeat": 1440.0, "file": None, "batches": [
        {"time": 390.0, "count": 180, "spread": 5.0},
        {"time": 840.0, "count": 200, "spread": 0.0}]}


def test_timetable_csv_relative_to_base_dir_for_mappings(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("count,time\n3,10\n")
    doc = {
        "name": "x", "time": {"horizon": "1d"},
        "stations": {"d": {"servers": 1, "service": {"dist": "exponential", "mean": 1}}},
        "classes": {"p": {"arrivals": {"kind": "timetable", "file": "t.csv"}, "route": ["d"]}},
    }
    batches = load_scenario(doc, base_dir=tmp_path).document().classes["p"].arrivals.batches
    assert [(b.time, b.count, b.spread) for b in batches] == [(10.0, 3, 0.0)]


def test_missing_csv_names_the_csv_and_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, TIMETABLE)
    error = error_of(path)
    assert error.problems[0].path == ("classes", "pax", "arrivals", "file")
    assert error.problems[0].line == 17
    assert str(error).startswith(f"{path}:17: classes.pax.arrivals.file: timetable file "
                                 "'flights.csv' not found")


@pytest.mark.parametrize(
    ("csv", "fragment"),
    [
        ("time,count\n06:30,180\n07:00,lots\n", "flights.csv row 3, column 'count': "
         "Input should be a valid integer"),
        ("time,count\n06:30,0\n", "flights.csv row 2, column 'count': Input should be greater"),
        ("time,count\nsoon,3\n", "flights.csv row 2, column 'time': invalid duration 'soon'"),
        ("time,count,spread\n06:30,3,-1min\n", "row 2, column 'spread': a duration cannot be "
         "negative"),
        ("time,count\n06:30,3,4\n", "flights.csv row 2: expected 2 values (time,count), got 3"),
        ("when,count\n06:30,3\n", "flights.csv row 1: the header must name the columns"),
        ("06:30,180\n", "flights.csv row 1: the header must name the columns"),
        ("time,count\n", "flights.csv: no batches"),
        ("\n\n", "flights.csv: the file is empty"),
        ("time,count\n\n25:00,3\n", "batch time 25h is not within the repeat period (1d)"),
    ],
)
def test_bad_csv_rows(tmp_path: Path, csv: str, fragment: str) -> None:
    (tmp_path / "flights.csv").write_text(csv)
    error = error_of(write(tmp_path, TIMETABLE))
    assert len(error.problems) == 1
    assert fragment in error.problems[0].message
    assert error.problems[0].line == 17


# ----------------------------------------------------------------------------- variants


VARIANTS = BASE + """\
variants:
  more_counters:
    description: ten more desks
    stations: {counters: {servers: 14}}
  fast_desks:
    stations:
      counters:
        service: {dist: exponential, mean: 30s}
  slower:
    stations:
      counters:
        service: {mean: 1min}
    classes:
      pax:
        route: [counters]
"""


def test_variants_merge_over_the_base(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, VARIANTS))
    assert scenario.variant_names == ["more_counters", "fast_desks", "slower"]
    more = scenario.document("more_counters")
    assert more.stations["counters"].servers == 14
    assert more.stations["counters"].service.mean == 0.75  # kept from the base
    assert more.description == "ten more desks"
    assert more.seed == 99 and more.time.horizon == 2880
    # Another dist replaces the mapping; the same dist merges into it.
    assert scenario.resolved("fast_desks")["stations"]["counters"]["service"] == {
        "dist": "exponential", "mean": 0.5}
    assert scenario.resolved("slower")["stations"]["counters"]["service"] == {
        "dist": "lognormal", "mean": 1.0, "cv": 0.5}
    # Lists replace.
    assert scenario.document("slower").classes["pax"].route == ["counters"]
    assert scenario.document().stations["counters"].servers == 4


def test_merge_rules() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": {"dist": "x", "p": 1}, "t": {"file": "f.csv"}}
    over = {"a": {"c": [3]}, "d": {"dist": "y", "q": 2}, "t": {"batches": []}, "e": 5}
    assert merge(base, over) == {"a": {"b": 1, "c": [3]}, "d": {"dist": "y", "q": 2},
                                 "t": {"batches": []}, "e": 5}
    assert base["a"]["c"] == [1, 2]


def test_unknown_variant_is_a_scenario_error(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, VARIANTS))
    with pytest.raises(ScenarioError, match=r"no variant 'fast'.*did you mean 'fast_desks'"):
        scenario.document("fast")


def test_variant_errors_have_variant_paths_and_lines(tmp_path: Path) -> None:
    text = VARIANTS.replace("{counters: {servers: 14}}", "{counters: {servers: 0}}")
    text = text.replace("service: {mean: 1min}", "service: {mean: 1min, sigma: 2}")
    path = write(tmp_path, text)
    error = error_of(path)
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (25, "variants.more_counters.stations.counters.servers"),
        (33, "variants.slower.stations.counters.service.sigma"),
    ]
    assert str(error).splitlines()[0] == (
        f"{path}:25: variants.more_counters.stations.counters.servers: "
        "Input should be greater than or equal to 1 (got 0)")


def test_variant_typo_at_top_level(tmp_path: Path) -> None:
    text = VARIANTS.replace("    stations: {counters: {servers: 14}}",
                            "    statins: {counters: {servers: 14}}")
    error = error_of(write(tmp_path, text))
    assert [(p.line, p.dotted_path, p.message) for p in error.problems] == [
        (25, "variants.more_counters.statins", "unknown key 'statins'; did you mean 'stations'?")]


def test_variant_breaking_a_cross_check(tmp_path: Path) -> None:
    text = VARIANTS.replace("        route: [counters]", "        route: [desk]")
    error = error_of(write(tmp_path, text))
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (36, "variants.slower.classes.pax.route.0")]


def test_variant_may_not_change_seed(tmp_path: Path) -> None:
    text = VARIANTS.replace("    description: ten more desks", "    seed: 3")
    error = error_of(write(tmp_path, text))
    assert [(p.line, p.dotted_path) for p in error.problems] == [
        (24, "variants.more_counters.seed")]
    assert "a variant cannot change 'seed'" in error.problems[0].message


def test_base_errors_are_reported_once_not_per_variant(tmp_path: Path) -> None:
    error = error_of(write(tmp_path, VARIANTS.replace("servers: 4", "servers: 0")))
    assert [p.dotted_path for p in error.problems] == ["stations.counters.servers"]
