"""Positions and the ledger through the command line: a schedule beyond its positions is refused
(file, line, field, hours, numbers; exit 2), sweeps stop at them, ``staff`` takes them as
``--most``; a comparison shows what each variant costs beside its benefit, in the terminal,
report.html, results.json and comparison.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.experiment.staffing.problem import most_within_positions
from portsim.experiment.staffing.target import StaffingError
from portsim.scenario import load_scenario

HALL = """\
name: hall
time: {horizon: 2d, warmup: 1d}
seed: 3
costs:
  currency: CNY
  per_hour: {officer: 60}
  per_position_day: 100
stations:
  desks:
    positions: 9
    servers:
      - {start: "00:00", end: "06:00", servers: 3}
      - {start: "06:00", end: "24:00", servers: SERVERS}
    service: {dist: exponential, mean: 1min}
classes:
  pax:
    arrivals: {kind: poisson, rate: 6/min}
    route: [desks]
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def hall(tmp_path: Path, servers: int = 7, extra: str = "") -> Path:
    path = tmp_path / "hall.yaml"
    path.write_text(HALL.replace("SERVERS", str(servers)) + extra, encoding="utf-8")
    return path


def test_validate_refuses_a_schedule_beyond_the_positions(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    path = hall(tmp_path, servers=11)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert (f"{path}:11: stations.desks.servers: 11 servers on duty 06:00-24:00, more than "
            "the 9 positions of station 'desks' (stations.desks.positions)") in result.output
    assert "Traceback" not in result.output


def test_validate_refuses_a_variant_beyond_the_positions(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    """A variant's own shifts (the staffing policy) and a variant that takes positions away
    are refused at the variant's lines."""
    path = hall(tmp_path, extra="""\
variants:
  night_shift:
    policies:
      staffing:
        desks:
          shifts: [{start: "00:00", end: "24:00", servers: 12}]
  fewer_desks:
    stations:
      desks: {positions: 5}
""")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert (f"{path}:24: variants.night_shift.policies.staffing.desks.shifts: 12 servers on "
            "duty all day, more than the 9 positions") in result.output
    assert (f"{path}:27: variants.fewer_desks.stations.desks.servers: 7 servers on duty "
            "06:00-24:00, more than the 5 positions") in result.output


def test_a_price_for_a_resource_no_station_has_is_refused(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    path = hall(tmp_path)
    path.write_text(path.read_text().replace("{officer: 60}", "{officer: 60, oficer: 2}"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "costs.per_hour.oficer: no station's servers are 'oficer'; did you mean " \
           "'officer'?" in result.output


def test_a_sweep_stops_at_the_positions(runner: CliRunner, tmp_path: Path) -> None:
    path = hall(tmp_path)
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", str(path), "--set",
                                 "stations.desks.servers.1.servers=8:11:1",
                                 "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "sweep.json").read_text())
    assert [point["settings"] for point in data["points"]] == [
        {"stations.desks.servers.1.servers": 8}, {"stations.desks.servers.1.servers": 9}]
    assert any("beyond a station's positions" in warning and "=10" in warning
               and "=11" in warning for warning in data["warnings"])
    nothing = runner.invoke(app, ["sweep", str(path), "--set",
                                  "stations.desks.servers.1.servers=10:11:1",
                                  "--replications", "2", "--out", str(tmp_path / "none")])
    assert nothing.exit_code == 2 and "nothing to run" in nothing.output


def test_staff_takes_the_positions_as_most(tmp_path: Path) -> None:
    model = load_scenario(hall(tmp_path)).model()
    assert most_within_positions(model, ("desks",), {}) == {"desks": 9}
    assert most_within_positions(model, ("desks",), {"desks": 8}) == {"desks": 8}
    with pytest.raises(StaffingError, match=r"--most desks=12: station 'desks' has 9 "
                                            r"positions"):
        most_within_positions(model, ("desks",), {"desks": 12})


def test_staff_refuses_most_beyond_the_positions(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["staff", str(hall(tmp_path)), "--stations", "desks",
                                 "--target", "wait_p95<=10min", "--most", "desks=12",
                                 "--out", str(tmp_path / "staff")])
    assert result.exit_code == 2, result.output
    assert "--most desks=12: station 'desks' has 9 positions" in result.output
    assert not (tmp_path / "staff").exists()


def test_the_headline_shows_what_a_variant_costs(runner: CliRunner, tmp_path: Path) -> None:
    """Two more officers 06:00-24:00 (36 officer-hours a day) and two more desks: the
    terminal, report.html, results.json and comparison.csv show the cost beside the benefit."""
    path = hall(tmp_path, extra="""\
variants:
  more_officers:
    stations:
      desks:
        positions: 11
        servers:
          - {start: "00:00", end: "06:00", servers: 3}
          - {start: "06:00", end: "24:00", servers: 9}
""")
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(path), "--replications", "4", "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    # 3 x 6 + 7 x 18 = 144 officer-hours a day against 3 x 6 + 9 x 18 = 180
    for text in ("more_officers costs: +36.0 officer-hours a day, +2 officer positions, "
                 "+2,360 CNY a day", "officer positions — a capital change",
                 "waiting-hours saved per extra officer-hour", "cost a day (CNY)"):
        assert text in result.output, text
    html = (out / "report.html").read_text()
    assert "more_officers costs: +36.0 officer-hours a day" in html
    assert "waiting-hours saved per CNY spent" in html
    data = json.loads((out / "results.json").read_text())
    costs = {pick["kpi"] for pick in data["headline"]["more_officers"] if pick["why"] == "cost"}
    assert {"system.all.officer_hours", "system.all.officer_positions", "system.all.cost",
            "system.all.waiting_hours"} <= costs
    cost = data["differences"]["more_officers"]["system"]["all"]["cost"]
    assert cost["mean"] == pytest.approx(36 * 60 + 2 * 100) and cost["half_width"] == 0
    hours = data["differences"]["more_officers"]["system"]["all"]["officer_hours"]
    assert hours["mean"] == pytest.approx(36.0)
    [per_officer_hour, *_] = data["ledger"]["more_officers"]["per_unit"]
    assert per_officer_hour["per"] == "system.all.officer_hours"
    saved = per_officer_hour["saved"]["mean"]
    assert saved > 0 and per_officer_hour["mean"] == pytest.approx(saved / 36.0)
    with (out / "comparison.csv").open() as handle:
        rows = {(row["variant"], row["kpi"]): row for row in csv.DictReader(handle)}
    assert float(rows[("more_officers", "cost")]["diff_mean"]) == pytest.approx(2360.0)
    ratio = rows[("more_officers", "waiting_hours_saved_per_extra_officer_hours")]
    assert float(ratio["mean"]) == pytest.approx(per_officer_hour["mean"])
    assert ratio["diff_mean"] == ""


def test_a_resource_only_the_variant_has_is_its_cost(runner: CliRunner, tmp_path: Path) -> None:
    """The baseline has no kiosks: it uses 0 kiosk-hours and 0 kiosk positions, so the
    variant's kiosks (2 all day: 48 kiosk-hours) are a cost in its sentence and its paired
    difference, not an item one side lacks."""
    path = hall(tmp_path, extra="""\
variants:
  kiosks:
    stations:
      kiosk:
        resource: kiosk
        servers: 2
        service: {dist: exponential, mean: 0.2min}
    classes:
      pax:
        route: [kiosk, desks]
""")
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(path), "--replications", "3", "--out",
                                 str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    assert "+48.0 kiosk-hours a day, +2 kiosk positions" in " ".join(result.output.split())
    data = json.loads((out / "results.json").read_text())
    difference = data["differences"]["kiosks"]["system"]["all"]
    assert difference["kiosk_hours"]["mean"] == pytest.approx(48.0)
    assert difference["kiosk_positions"]["mean"] == pytest.approx(2.0)


def test_a_bundled_variant_says_its_saving_per_unit_is_the_whole_bundles(
        runner: CliRunner, tmp_path: Path) -> None:
    """Officers and desks added by one variant (two changes): the saving per officer-hour is
    that of both, and the cost line says so and how to split it; a single change does not."""
    path = hall(tmp_path, extra="""\
variants:
  bundle:
    stations:
      desks:
        positions: 11
        servers:
          - {start: "00:00", end: "06:00", servers: 3}
          - {start: "06:00", end: "24:00", servers: 9}
  single:
    stations:
      desks:
        servers:
          - {start: "00:00", end: "06:00", servers: 3}
          - {start: "06:00", end: "24:00", servers: 9}
""")
    result = runner.invoke(app, ["compare", str(path), "--replications", "3", "--out",
                                 str(tmp_path / "cmp"), "--no-plots"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("(that figure is for all 2 changes the variant makes together; compare --decompose "
            "bundle shows each one's share)") in text
    assert "--decompose single" not in text
    sentence = text[text.index("bundle buys"):]
    assert "compare --decompose bundle shows each one's share" in sentence.split("bundle costs")[0]
