"""``portsim optimise`` end to end on two halls of M/M/c desks: the headline first, the files,
the selected design added to the scenario as a variant (and nowhere else), and the design as a
variant when its axis runs through a shift schedule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.scenario import load_scenario

TWO_HALLS = Path(__file__).parents[1] / "validation" / "data" / "two_halls.yaml"
ARGS = ["--vary", "stations.hall_a.servers=4:6:1", "--vary", "stations.hall_b.servers=3:5:1",
        "--minimise", "wait_mean", "--subject-to", "officer_hours<=216", "--delta", "0.1min",
        "--workers", "1"]


def test_selects_writes_and_adds_the_variant(tmp_path: Path) -> None:
    file = tmp_path / "halls.yaml"
    shutil.copy(TWO_HALLS, file)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["optimise", str(file), *ARGS, "--out", str(out),
                                      "--write-variant", "best"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Two halls of M/M/c desks: 9 designs, lowest")
    assert lines[1] == "selected: stations.hall_a.servers=5, stations.hall_b.servers=4"
    assert "guarantee: with probability at least 95% the selected design meets every" in \
        result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["designs.csv", "optimise.json",
                                                     "optimise.png", "report.html",
                                                     "variant.yaml"]
    data = json.loads((out / "optimise.json").read_text())
    assert data["format"] == "portsim-optimise/1"
    assert data["stopped"] == "selected"
    assert data["selected"] == {"stations.hall_a.servers": 5, "stations.hall_b.servers": 4}
    assert data["replications"] == sum(d["replications"] for d in data["designs"])
    infeasible = [d["settings"] for d in data["designs"] if d["feasibility"] == "infeasible"]
    assert len(infeasible) == 3  # 10 or 11 officers: over the 216 officer-hours
    # (5, 4) is the file's own design: the baseline, whose replications are the design's.
    assert data["against_baseline"]["changes"] == []
    assert "The selected design is the baseline itself" in (out / "report.html").read_text()
    model = load_scenario(file).model("best")
    assert {s.name: s.servers.steps for s in model.stations} == {"hall_a": ((0.0, 5),),
                                                                  "hall_b": ((0.0, 4),)}
    again = CliRunner().invoke(app, ["optimise", str(file), *ARGS, "--out",
                                     str(tmp_path / "again"), "--write-variant", "best"])
    assert again.exit_code == 2
    assert "already has a variant named 'best'" in " ".join(again.stderr.split())


def test_file_unchanged_without_write_variant(tmp_path: Path) -> None:
    file = tmp_path / "halls.yaml"
    shutil.copy(TWO_HALLS, file)
    before = file.read_bytes()
    result = CliRunner().invoke(app, ["optimise", str(file), *ARGS, "--out",
                                      str(tmp_path / "out"), "--maximise",
                                      "system.all.wait_sla_share"])
    assert result.exit_code == 2  # both --minimise and --maximise
    result = CliRunner().invoke(app, ["optimise", str(file), *ARGS[:4], "--maximise",
                                      "system.all.wait_sla_share", "--subject-to",
                                      "officer_hours<=216", "--workers", "1", "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert file.read_bytes() == before
    variant = yaml.safe_load((tmp_path / "out" / "variant.yaml").read_text())
    assert variant["variants"]["optimised"]["stations"] == {"hall_a": {"servers": 5},
                                                           "hall_b": {"servers": 4}}


def test_a_schedule_window_axis_writes_the_whole_schedule() -> None:
    from portsim.experiment.optimise.variant import design_patch
    from portsim.experiment.sweeps import parse_setting

    resolved = {"stations": {"desks": {"servers": [
        {"start": 0.0, "end": 360.0, "servers": 3},
        {"start": 360.0, "end": 1440.0, "servers": 6}]}}}
    patch = design_patch(resolved, [parse_setting("stations.desks.servers.1.servers=6")],
                         {"description": "other", "policies": {"egates": {"gates": 9}}},
                         "chosen")
    assert patch == {"description": "chosen", "policies": {"egates": {"gates": 9}},
                     "stations": {"desks": {"servers": [
                         {"start": "00:00", "end": "06:00", "servers": 3},
                         {"start": "06:00", "end": "24:00", "servers": 6}]}}}


def test_front_prints_the_front_first_and_writes_its_files(tmp_path: Path) -> None:
    out = tmp_path / "front"
    before = TWO_HALLS.read_bytes()
    result = CliRunner().invoke(app, ["optimise", str(TWO_HALLS), "--vary",
                                      "stations.hall_a.servers=4:6:1", "--vary",
                                      "stations.hall_b.servers=3:5:1", "--front",
                                      "officer_hours,wait_mean", "--subject-to",
                                      "officer_hours<=216", "--replications", "6",
                                      "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Two halls of M/M/c desks: 9 designs subject to officer_hours<=216"
    assert lines[1] == "front of officer_hours (lower better) and wait_mean (lower better)"
    assert lines[2] == "Pareto front: 3 designs; 3 dominated, 3 infeasible"
    assert lines[3] == "every design: 6 replications on common random numbers (seed 7)"
    assert sorted(p.name for p in out.iterdir()) == ["front.csv", "front.png", "optimise.json",
                                                     "report.html"]
    page = (out / "report.html").read_text()
    assert page.index("Pareto front: 3 designs") < page.index("data:image/png;base64,") \
        < page.index("Designs, the front first")
    assert page.count("<tr class=\"chosen\">") == 3 and page.count("<tr class=\"out\">") == 3
    data = json.loads((out / "optimise.json").read_text())
    assert data["format"] == "portsim-optimise-front/1"
    assert data["front"] == [{"stations.hall_a.servers": a, "stations.hall_b.servers": b}
                             for a, b in ((4, 3), (5, 3), (5, 4))]
    assert [d["status"] for d in data["designs"]][:3] == ["front"] * 3
    assert all(d["replications"] == 6 for d in data["designs"])
    rows = (out / "front.csv").read_text().splitlines()
    assert rows[0].startswith("design,stations.hall_a.servers,stations.hall_b.servers,status")
    assert len(rows) == 10
    assert TWO_HALLS.read_bytes() == before


def test_more_than_fifty_designs_go_to_ocba_and_say_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "optimise", str(TWO_HALLS), "--vary", "stations.hall_a.servers=4:12:1", "--vary",
        "stations.hall_b.servers=3:8:1", "--minimise", "wait_mean", "--subject-to",
        "officer_hours<=264", "--delta", "0.05min", "--replications", "3", "--budget", "300",
        "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert text.startswith("54 designs, more than 50 for KN++: procedure OCBA.")
    assert "guarantee: none (OCBA, unlike KN++, promises nothing); estimated probability " \
           "of correct selection" in text
    data = json.loads((out / "optimise.json").read_text())
    assert data["procedure"].startswith("screening (Nelson et al.) after a first round, then "
                                        "OCBA")
    assert data["replications"] == sum(d["replications"] for d in data["designs"]) <= 300
    assert 0 <= data["apcs"] <= 1
    # (6, 5) is the Erlang C best within 11 officers; everything over 264 officer-hours is out.
    assert data["selected"] == {"stations.hall_a.servers": 6, "stations.hall_b.servers": 5}
    statuses = {d["status"] for d in data["designs"]}
    assert {"infeasible", "screened out"} <= statuses
    chosen = next(d for d in data["designs"] if d["settings"] == data["selected"])
    assert chosen["replications"] > data["replications"] / len(data["designs"])


def test_the_report_answers_first_then_sets_the_choice_against_the_baseline(
        tmp_path: Path) -> None:
    """The file's own design is (5, 4); at most 1.5 min of mean wait, the cheapest is (4, 3):
    two officers fewer all day, paid for by both halls' travellers."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "optimise", str(TWO_HALLS), "--vary", "stations.hall_a.servers=4,5", "--vary",
        "stations.hall_b.servers=3,4", "--minimise", "cost", "--price", "per_hour=40",
        "--price", "currency=CNY", "--subject-to", "wait_mean<=1.5min", "--delta", "10",
        "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    data = json.loads((out / "optimise.json").read_text())
    chosen = next(d for d in data["designs"] if d["status"] == "selected")
    assert chosen["settings"] == {"stations.hall_a.servers": 4, "stations.hall_b.servers": 3}
    against = data["against_baseline"]
    assert against["replications"] == chosen["replications"]
    assert [c["path"] for c in against["changes"]] == ["stations.hall_a.servers",
                                                       "stations.hall_b.servers"]
    ledger = {item["kpi"]: item["difference"]["mean"] for item in against["ledger"]}
    assert ledger["officer_hours"] == -48.0 and ledger["cost"] == -1920.0
    assert ledger["officer_positions"] == -2
    worse = {(c["name"], c["kpi"]) for c in against["clear_changes"] if c["verdict"] == "worse"}
    assert {("pax_a", "wait_mean"), ("pax_b", "wait_mean")} <= worse
    assert (f"against the baseline ({chosen['replications']} replications each on the same "
            "random numbers): selected design saves 48.0 officer-hours a day, 2 officer "
            "positions, 1,920 CNY a day; who pays: ") in text
    page = (out / "report.html").read_text()
    order = [page.index(marker) for marker in (
        "<section id=\"headline\"><h2>Answer</h2>",
        "selected: stations.hall_a.servers=4, stations.hall_b.servers=3",
        "guarantee: with probability at least 95%",
        "<section id=\"against-baseline\">", "who pays: hall_a",
        "<th>resource use a day</th>", "cost a day (CNY)",
        "data:image/png;base64,", "<table id=\"designs\">", "Procedure and settings")]
    assert order == sorted(order)
    assert page.count("<tr class=\"chosen\">") == 1
    assert f"<td>{chosen['replications']}</td><td>feasible (1 constraint met)</td>" \
           "<td>selected</td>" in page
