"""``portsim fit``: the minimal log form, --scenario and --slot, the write rule, and bad logs
(one message naming the file, the row and the column; exit code 2; nothing written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.fitting.arrivals import fit_arrivals
from portsim.fitting.routes import servers_on_duty
from portsim.fitting.services import MIN_SERVICES, FitError, fit_service
from portsim.scenario import load_scenario

TRACE_HEADER = "time,entity,class,station,event\n"


def minimal_log(path: Path, visits: int = 60, seed: int = 3) -> Path:
    """One row per visit: cars at a lane (exponential services, one server), a fifth of them
    on to an inspection; one car gives up at the lane."""
    rng = np.random.default_rng(seed)
    rows = ["entity,class,station,arrival,start,end"]
    clock, free = 0.0, 0.0
    for number in range(visits):
        clock += rng.exponential(4.0)
        start = max(clock, free)
        free = start + rng.exponential(3.0)
        rows.append(f"c{number},car,lane,{clock:.4f},{start:.4f},{free:.4f}")
        if number % 5 == 0:
            rows.append(f"c{number},car,inspection,{free:.4f},{free:.4f},"
                        f"{free + 5 + number % 7:.4f}")
    rows.append(f"q,car,lane,{clock + 1:.4f},,{clock + 2:.4f}")  # gave up after a minute
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def fit(runner: CliRunner, *args: str):
    return runner.invoke(app, ["fit", *args])


def test_the_minimal_form_gives_a_scenario_that_validates_and_a_page(
        runner: CliRunner, tmp_path: Path) -> None:
    log = minimal_log(tmp_path / "visits.csv")
    done = fit(runner, str(log), "--out", str(tmp_path / "fitted.yaml"))
    assert done.exit_code == 0, done.output
    scenario = load_scenario(tmp_path / "fitted.yaml")  # what portsim validate checks
    document = yaml.safe_load((tmp_path / "fitted.yaml").read_text())
    assert set(document["stations"]) == {"lane", "inspection"}
    assert document["stations"]["lane"]["servers"] == 1  # never two services at once
    assert "patience" in document["stations"]["lane"]["impatience_by_class"]["car"]
    assert scenario.model() is not None
    text = (tmp_path / "fitted.yaml").read_text()
    assert "by AIC" in text or "the data do not choose" in text
    assert "Wilson" in text and "exact Poisson" in text
    page = (tmp_path / "fit.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # a Q-Q plot per station


def test_an_existing_output_is_kept_without_force_and_replaced_with_it(
        runner: CliRunner, tmp_path: Path) -> None:
    log = minimal_log(tmp_path / "visits.csv")
    out = tmp_path / "fitted.yaml"
    out.write_text("mine\n")
    done = fit(runner, str(log), "--out", str(out))
    assert done.exit_code == 2 and "exists" in done.output
    assert out.read_text() == "mine\n" and not (tmp_path / "fit.html").exists()
    assert fit(runner, str(log), "--out", str(out), "--force").exit_code == 0
    assert out.read_text() != "mine\n"
    refused = fit(runner, str(log), "--out", str(log), "--force")
    assert refused.exit_code == 2 and "never writes over its own inputs" in refused.output


def test_servers_come_from_the_scenario_given(runner: CliRunner, tmp_path: Path) -> None:
    log = minimal_log(tmp_path / "visits.csv")
    given = tmp_path / "given.yaml"
    given.write_text("name: given\ntime: {horizon: 2d}\nreplications: 3\nseed: 5\n"
                     "stations:\n  lane:\n    servers: [{start: '00:00', end: '12:00', "
                     "servers: 2}, {start: '12:00', end: '24:00', servers: 3}]\n"
                     "    service: {dist: exponential, mean: 1}\n"
                     "classes:\n  car: {arrivals: {kind: poisson, rate: 1}, route: [lane]}\n")
    done = fit(runner, str(log), "--out", str(tmp_path / "fitted.yaml"), "--scenario",
               str(given), "--slot", "6h")
    assert done.exit_code == 0, done.output
    document = yaml.safe_load((tmp_path / "fitted.yaml").read_text())
    assert document["stations"]["lane"]["servers"][1] == {"start": "12:00", "end": "24:00",
                                                          "servers": 3}
    assert document["time"]["horizon"] == 2880 and document["seed"] == 5
    assert "slots of 360 min (given (--slot))" in (tmp_path / "fitted.yaml").read_text()


@pytest.mark.parametrize(("text", "said"), [
    ("time,entity,class,event\n1,1,a,arrive\n",
     "row 1: a log to fit needs the columns of a trace (time, entity, class, station, event; "
     "missing: station)"),
    (TRACE_HEADER + "-1,1,a,,arrive\n", "row 2, column 'time': a negative time"),
    (TRACE_HEADER + "1,1,a,,arrive\n1,1,a,s,queue\n3,1,a,s,start\n2,1,a,s,finish\n",
     "row 5, column 'time': earlier than entity 1's previous event (3)"),
    (TRACE_HEADER + "1,1,a,,arrive\n1,1,a,s,start\n",
     "row 3, column 'event': a start at 's' without a queue event there before it"),
    (TRACE_HEADER + "x,1,a,,arrive\n", "row 2, column 'time': not a finite number of minutes"),
    (TRACE_HEADER + "1,1,a,,arrive\n1,1,a,s,queue\n1,1,a,s,start\n2,1,a,s,finish\n",
     "class 'a': 1 arrival(s); fitting arrivals needs at least 10"),
    ("entity,class,station,arrival,start,end\n1,a,s,5,4,6\n",
     "row 2, column 'start': earlier than entity 1's previous event (5)"),
    ("entity,class,station,arrival,start,end\n1,a,s,,4,6\n", "row 2, column 'arrival': missing"),
    ("", "the file is empty"),
])
def test_a_bad_log_is_one_message_naming_the_row_and_column(
        runner: CliRunner, tmp_path: Path, text: str, said: str) -> None:
    log = tmp_path / "log.csv"
    log.write_text(text, encoding="utf-8")
    done = fit(runner, str(log), "--out", str(tmp_path / "fitted.yaml"))
    assert done.exit_code == 2, done.output
    assert str(log) in done.output and said in " ".join(done.output.split())
    assert "Traceback" not in done.output
    assert not (tmp_path / "fitted.yaml").exists() and not (tmp_path / "fit.html").exists()


def test_too_few_services_say_how_many_are_needed(runner: CliRunner, tmp_path: Path) -> None:
    rows = [f"{i},{i},a,,arrive\n{i},{i},a,s,queue\n{i},{i},a,s,start\n{i + 0.5},{i},a,s,finish"
            f"\n{i + 0.5},{i},a,,depart\n" for i in range(12)]
    rows[-1] = "11,11,a,,arrive\n11,11,a,t,queue\n11,11,a,t,start\n12,11,a,t,finish\n"
    log = tmp_path / "log.csv"
    log.write_text(TRACE_HEADER + "".join(rows), encoding="utf-8")
    done = fit(runner, str(log), "--out", str(tmp_path / "fitted.yaml"))
    assert done.exit_code == 2
    assert (f"station 't': 1 completed service(s); fitting a distribution needs at least "
            f"{MIN_SERVICES}") in " ".join(done.output.split())


def test_a_slot_that_does_not_divide_a_day_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    done = fit(runner, str(minimal_log(tmp_path / "v.csv")), "--out", str(tmp_path / "f.yaml"),
               "--slot", "7h")
    assert done.exit_code == 2 and "--slot 7h: the slot must divide a day" in done.output


def test_aic_names_a_clear_family_and_says_when_the_data_do_not_choose() -> None:
    rng = np.random.default_rng(11)
    clear = fit_service(rng.gamma(4.0, 0.5, 3000), "gamma")
    assert (clear.chosen.family, clear.decided) == ("gamma", True)
    assert clear.spec["dist"] == "gamma"
    assert (clear.spec["mean"], clear.spec["cv"]) == pytest.approx((2.0, 0.5), rel=0.05)
    small = fit_service(rng.exponential(2.0, 15), "few")
    if not small.decided:
        assert small.verdict.startswith("the data do not choose")
        assert small.chosen.family == "exponential"  # the simplest of those tied
    weibull = fit_service(rng.weibull(3.0, 4000) * 2.0, "weibull")
    assert weibull.spec["dist"] == "weibull" and weibull.spec["shape"] == pytest.approx(3, 0.05)
    same = fit_service([1.5] * 12, "constant")
    assert same.spec == {"dist": "deterministic", "value": 1.5}
    with pytest.raises(FitError, match="needs at least 10"):
        fit_service([1.0, 2.0], "two")


def test_same_instant_arrivals_are_written_as_batches() -> None:
    times = [10.0] * 30 + [70.0] * 25 + [71.5]
    fitted = fit_arrivals(times, 120.0, "bus passengers")
    assert fitted.form == "timetable"
    assert fitted.batches == ((10.0, 30), (70.0, 25), (71.5, 1))


def test_servers_on_duty_is_the_most_services_at_once_by_hour() -> None:
    services = [(10, 70), (20, 30), (30, 40), (65, 200), (1440 + 65, 1440 + 66)]
    by_hour = servers_on_duty(services, 2 * 1440.0)
    assert by_hour[0] == 2  # (10, 70) with (20, 30), then with (30, 40): a finish first
    assert by_hour[1] == 2 and by_hour[2] == 1 and by_hour[3] == 1 and by_hour[4] == 0


def test_a_parquet_trace_fits_as_its_csv_does(runner: CliRunner, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = []
    for i in range(15):
        start = 10.0 * i
        rows += [(start, i, "a", "", "arrive"), (start, i, "a", "s", "queue"),
                 (start, i, "a", "s", "start"), (start + 1 + i % 4, i, "a", "s", "finish"),
                 (start + 1 + i % 4, i, "a", "", "depart")]
    (tmp_path / "log.csv").write_text(
        TRACE_HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in rows))
    columns = list(zip(*rows, strict=True))
    pq.write_table(pa.table({name: list(values) for name, values in zip(
        ("time", "entity", "class", "station", "event"), columns, strict=True)}),
        tmp_path / "log.parquet")
    for name in ("csv", "parquet"):
        (tmp_path / name).mkdir()
        done = fit(runner, str(tmp_path / f"log.{name}"), "--out",
                   str(tmp_path / name / "fitted.yaml"))
        assert done.exit_code == 0, done.output
    texts = [(tmp_path / name / "fitted.yaml").read_text().splitlines()[3:]
             for name in ("csv", "parquet")]
    assert texts[0] == texts[1] and "horizon: 180" in texts[0][1]


def test_an_xes_trace_fits_as_its_csv_does(runner: CliRunner, tmp_path: Path) -> None:
    pytest.importorskip("pm4py")
    scenario = tmp_path / "small.yaml"
    scenario.write_text("name: small\ntime: {horizon: 6h}\nstations:\n  s: {servers: 2, "
                        "service: {dist: exponential, mean: 3min}}\nclasses:\n  c: {arrivals: "
                        "{kind: poisson, rate: 30/h}, route: [s]}\n")
    texts = []
    for suffix in ("csv", "xes"):
        trace = tmp_path / f"trace.{suffix}"
        done = runner.invoke(app, ["run", str(scenario), "--replications", "1", "--workers",
                                   "1", "--out", str(tmp_path / suffix), "--trace", str(trace)])
        assert done.exit_code == 0, done.output
        assert fit(runner, str(trace), "--out", str(tmp_path / suffix / "f.yaml")).exit_code == 0
        texts.append((tmp_path / suffix / "f.yaml").read_text().splitlines()[3:])
    assert texts[0] == texts[1]
