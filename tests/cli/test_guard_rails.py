"""Guard-rails through the command line: fewer than 5 replications is warned by ``run`` and
``compare`` (terminal and report.html; ``study``: tests/experiment/test_study.py); a mean whose
half-width exceeds 25 % of it is marked † with a note; written intervals stay within the KPI's
physical range (shares in [0, 1], waits >= 0) and the report says how they are made."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.cli.main import app
from portsim.report.kpis import IMPRECISE, IMPRECISE_NOTE

DATA = Path(__file__).parents[1] / "experiment" / "data"
MINI = DATA / "mini_port.yaml"
FEW = "only 2 replications: intervals from fewer than 5 rest on too rough a spread to act on"


def said(output: str) -> str:
    """The output with its line breaks and table padding folded to single spaces."""
    return " ".join(output.split())


@pytest.mark.slow
def test_a_two_replication_comparison_warns_and_marks_what_it_cannot_read(
        tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(MINI), "--replications", "2", "--out",
                                      str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert FEW in said(result.output)
    assert f" {IMPRECISE} " in result.output and IMPRECISE_NOTE in said(result.output)
    html = (out / "report.html").read_text(encoding="utf-8")
    first_screen = html.split("<details>")[0]
    assert "Only 2 replications: intervals from fewer than 5" in first_screen
    assert IMPRECISE_NOTE in first_screen
    assert "Student-t" in html and "a share never outside 0–100 %" in html
    with (out / "comparison.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["ci_low"]]
    shares = [row for row in rows if row["kpi"].endswith("_share")]
    assert shares and all(0.0 <= float(row["ci_low"]) <= float(row["ci_high"]) <= 1.0
                          for row in shares)
    waits = [row for row in rows if row["kpi"].startswith("wait_")]
    assert all(float(row["ci_low"]) >= 0.0 for row in waits)
    # the t half-width stays the measure of precision: the interval was cut, not narrowed
    assert any(float(row["mean"]) + float(row["half_width"]) > 1.0 for row in shares)


def test_five_replications_are_not_warned(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(MINI), "--replications", "5", "--out",
                                      str(tmp_path / "run"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "only 5 replications" not in result.output and "fewer than 5" not in result.output


def test_a_two_replication_run_warns(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(MINI), "--replications", "2", "--out",
                                      str(tmp_path / "run"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert FEW in said(result.output)
