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
    ("bad_inspection_station.yaml", 13, "inspection.stations.1",
     "no station named 'bording_team'; did you mean 'boarding'?"),
    ("bad_inspection_milestone.yaml", 15, "inspection.until.ships",
     "class 'ships' has no milestone 'clear' on its route (its milestones: cleared)"),
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
    # The calibrate files are good ones, broken one way per case below.
    good = {"calibrate_desk.yaml", "calibrate_targets.yaml"}
    assert {p.name for p in DATA.glob("*.yaml")} - good == {name for name, *_ in CASES}


# ------------------------------------------------------------------------ portsim calibrate

# What is changed in the test's copy of calibrate_desk.yaml / calibrate_targets.yaml, the file
# named, its line and field, a fragment of the message.
CALIBRATE_CASES = [
    ("targets", "    kpi: prob_wait\n    class: pax\n    observed: 0.6429",
     "    kpi: prob_wiat\n    class: pax\n    observed: 0.6429", 5, "targets.waiting.kpi",
     "no KPI named 'prob_wiat' of classes 'pax'; did you mean 'prob_wait'?"),
    ("targets", "    class: pax\n    observed: 0.6429", "    class: pas\n    observed: 0.6429",
     6, "targets.waiting.class", "no class named 'pas'; did you mean 'pax'?"),
    ("targets", "    variant: three", "    variant: four", 14, "targets.waiting_with_three"
     ".variant", "no variant named 'four'"),
    ("targets", "    se: 0.02\n    use: fit", "    use: fit", 4, "targets.waiting",
     "needs its uncertainty"),
    ("targets", "    source: Erlang C\n  waiting_with", "    source: [Erlang C\n  waiting_with",
     11, None, "YAML syntax error"),
    ("scenario", "stations.desks.service.mean", "stations.desk.service.mean", 16,
     "calibrate.desk_time.path", "did you mean 'desks'?"),
    ("scenario", "range: [30s, 100s]", "range: [100s, 30s]", 15, "calibrate.desk_time",
     "is empty"),
    ("scenario", "path: stations.desks.service.mean", "path: stations.desks.service.dist",
     16, "calibrate.desk_time.path", "not a number"),
]


@pytest.mark.parametrize(("which", "old", "new", "line", "path", "fragment"), CALIBRATE_CASES)
def test_calibrate_bad_input(runner: CliRunner, tmp_path: Path, which: str, old: str, new: str,
                             line: int, path: str | None, fragment: str) -> None:
    files = {"scenario": tmp_path / "desk.yaml", "targets": tmp_path / "targets.yaml"}
    for name, source in (("scenario", "calibrate_desk.yaml"),
                         ("targets", "calibrate_targets.yaml")):
        text = (DATA / source).read_text(encoding="utf-8")
        if name == which:
            assert old in text
            text = text.replace(old, new, 1)
        files[name].write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["calibrate", str(files["scenario"]), "--targets",
                                 str(files["targets"]), "--out", str(tmp_path / "out")])
    check(result, files[which], line, path, fragment)
    assert not (tmp_path / "out").exists()


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
     "the design space has 189 designs, more than 50: they are screened, then a fixed budget "
     "is allocated by OCBA; give --budget, the replications over all designs (more than the "
     "first round's 1,890, e.g. 5,670)"),
    (["--vary", "stations.hall_a.servers=40:60:1", "--vary", "stations.hall_b.servers=1:9:1",
      "--minimise", "wait_mean", "--budget", "1890"],
     "--budget 1,890: the first round alone takes 1,890 replications (189 designs × 10); "
     "OCBA needs more to allocate"),
    (["--vary", "stations.hall_a.servers=40:100:1", "--vary", "stations.hall_b.servers=1:9:1",
      "--minimise", "wait_mean", "--budget", "100000"],
     "the design space has 549 designs, more than the 500 this question takes"),
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
    ([*_AXES, "--front", "cost"], "--front 'cost': expected two objectives A,B"),
    ([*_AXES, "--front", "officer_hours,wait_mean", "--minimise", "wait_mean"],
     "give --front A,B or one of --minimise/--maximise, not both"),
    ([*_AXES, "--front", "officer_hours,wait_meen"],
     "--front system.all.wait_meen: no KPI 'wait_meen'; did you mean 'wait_mean'?"),
    ([*_AXES, "--front", "officer_hours,wait_mean", "--replications", "1"],
     "--replications 1: the front needs at least 2"),
    ([*_AXES, "--front", "officer_hours,stations.hall_a.utilisation"],
     "--front stations.hall_a.utilisation: neither lower nor higher is better"),
    ([*_AXES, "--front", "officer_hours,wait_mean", "--delta", "1min"],
     "--delta chooses one design; with --front every design runs --replications"),
    ([*_AXES, "--front", "officer_hours,wait_mean", "--subject-to", "wait_mean<=1min",
      "--tolerance", "5%"],
     "--tolerance 5%: with --front a constraint is judged on its mean over the fixed "
     "replications, with no sequential check and so no tolerance; write the bound you would "
     "accept in --subject-to instead"),
    ([*_AXES, "--minimise", "wait_mean", "--tolerance", "150%"],
     "--tolerance '150%': must lie between 0% and 100%"),
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
