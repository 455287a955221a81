"""Bad scenario files through the command line: exit code 2, one clear message, no traceback,
and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from portsim.cli.main import app

DATA = Path(__file__).parent / "data"

# file, expected line, field path, a fragment of the message
CASES = [
    ("syntax_error.yaml", 4, None, "flow sequence on line 3"),
    ("unknown_key.yaml", 10, "stations.egates.discipine", "did you mean 'discipline'?"),
    ("wrong_type.yaml", 6, "stations.counters.servers", "valid integer (got 'four')"),
    ("zero_rate.yaml", 13, "classes.pax.arrivals.rate", "greater than 0 (got '0/h')"),
    ("negative_servers.yaml", 9, "stations.egates.servers", "greater than or equal to 1 (got -1)"),
    ("branch_sum.yaml", 15, "classes.pax.route.0.branch", "must sum to 1 (got 0.9)"),
    ("missing_station.yaml", 17, "classes.pax.route.0.branch.1.route.0",
     "no station named 'counter'; did you mean 'counters'?"),
    ("missing_csv.yaml", 13, "classes.pax.arrivals.file",
     "timetable file 'no_such_flights.csv' not found"),
    ("bad_csv_row.yaml", 13, "classes.pax.arrivals.file",
     "bad_rows.csv row 3, column 'count': Input should be a valid integer"),
    ("python_tag.yaml", 1, None, "YAML tag '!!python/object/apply:os.system' is not allowed"),
    ("bad_variant.yaml", 20, "variants.more.stations.counters.servers",
     "greater than or equal to 1 (got 0)"),
    ("bad_patience.yaml", 8, "stations.hotline.patience.mean",
     "a duration cannot be negative (got '-5min')"),
    ("bad_balk.yaml", 8, "stations.lanes.balk.probabilities.2",
     "less than or equal to 1 (got 1.5)"),
    ("empty_balk.yaml", 8, "stations.lanes.balk", "give queue_limit, probabilities or both"),
    ("bad_impatience_class.yaml", 9, "stations.lanes.impatience_by_class.trucks",
     "no class named 'trucks'; did you mean 'truck'?"),
    ("bad_visit_patience.yaml", 12, "classes.truck.visit_patience.mean",
     "a duration cannot be negative (got '-2h')"),
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def check(result: Result, file: Path, line: int, path: str | None, fragment: str) -> None:
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr
    assert f"{file}:{line}:" in message
    if path is not None:
        assert f":{line}: {path}: " in message
    assert fragment in message


@pytest.mark.parametrize(("name", "line", "path", "fragment"), CASES)
def test_validate_reports_bad_input(runner: CliRunner, name: str, line: int, path: str | None,
                                    fragment: str) -> None:
    file = DATA / name
    check(runner.invoke(app, ["validate", str(file)]), file, line, path, fragment)


@pytest.mark.parametrize(("name", "line", "path", "fragment"), CASES)
def test_run_reports_bad_input_and_writes_nothing(runner: CliRunner, tmp_path: Path, name: str,
                                                  line: int, path: str | None,
                                                  fragment: str) -> None:
    file = DATA / name
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(file), "--out", str(out)])
    check(result, file, line, path, fragment)
    assert not out.exists()


def test_python_tag_is_not_executed(runner: CliRunner, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    file = tmp_path / "tag.yaml"
    file.write_text(f'name: !!python/object/apply:pathlib.Path.touch ["{marker}"]\n')
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 2
    assert not marker.exists()


def test_missing_scenario_file(runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 2
    assert f"{file}: file not found" in result.stderr
    assert "Traceback" not in result.output


def test_every_fixture_is_covered() -> None:
    assert {p.name for p in DATA.glob("*.yaml")} == {name for name, *_ in CASES}


TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"
_AXES = ["--vary", "stations.hall_a.servers=4:6:1", "--vary", "stations.hall_b.servers=3:5:1"]

# portsim optimise: arguments, a fragment of the one message
OPTIMISE_CASES = [
    (["--vary", "stations.hall_z.servers=4,5", "--minimise", "wait_mean"],
     "--vary stations.hall_z.servers: stations has no 'hall_z'; did you mean 'hall_b'?"),
    ([*_AXES, "--minimise", "wait_meen"], "--minimise system.all.wait_meen: no KPI 'wait_meen'; "
                                          "did you mean 'wait_mean'?"),
    ([*_AXES, "--minimise", "cost"], "the scenario has no costs: block"),
    ([*_AXES], "give one of --minimise KPI and --maximise KPI"),
    (["--vary", "stations.hall_a.servers=", "--minimise", "wait_mean"],
     "--vary 'stations.hall_a.servers=': no value given"),
    (["--vary", "stations.hall_a.servers=40:60:1", "--vary", "stations.hall_b.servers=1:9:1",
      "--minimise", "wait_mean"],
     "the design space has 189 designs; KN++ is offered for at most 50"),
    ([*_AXES, "--minimise", "wait_mean", "--subject-to", "wait_p95<30min"],
     "--subject-to 'wait_p95<30min': expected pledge, KPI<=VALUE or KPI>=VALUE"),
    ([*_AXES, "--minimise", "wait_mean", "--subject-to", "officer_hours<=lots"],
     "--subject-to 'officer_hours<=lots': expected a share (95%), a time (30min) or a "
     "number, not 'lots'"),
    ([*_AXES, "--minimise", "wait_mean", "--subject-to", "classes.pax_c.wait_p95<=5min"],
     "--subject-to classes.pax_c.wait_p95: no classes named 'pax_c'"),
    ([*_AXES, "--minimise", "wait_mean", "--delta", "-1"], "--delta '-1': must be positive"),
    ([*_AXES, "--minimise", "wait_mean", "--price", "per_day=3"],
     "--price 'per_day=3': expected KEY=VALUE with KEY one of per_hour"),
    ([*_AXES, "--minimise", "wait_mean", "--budget", "10"],
     "--budget 10: the first stage alone takes 90 replications"),
]


@pytest.mark.parametrize(("arguments", "fragment"), OPTIMISE_CASES)
def test_optimise_reports_bad_input_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                      arguments: list[str],
                                                      fragment: str) -> None:
    out = tmp_path / "results"
    before = TWO_HALLS.read_bytes()
    result = runner.invoke(app, ["optimise", str(TWO_HALLS), *arguments, "--out", str(out),
                                 "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert fragment in " ".join(result.stderr.split()), result.stderr
    assert result.stderr.count("error:") == 1
    assert not out.exists()
    assert TWO_HALLS.read_bytes() == before
