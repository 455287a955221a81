"""Who gains and who pays, on the shipped comparisons issue 22 measured: the headline a planner
reads shows the policy's purpose and the classes that pay for it, in the terminal, report.html
(its first screen), results.json and comparison.csv.

- The green channel at the cargo airport clears the key flights through border inspection ~19
  min sooner (its purpose: the time until the border has cleared them; customs' inspection after
  it is not the border's) and the ordinary flights pay: ~2.7 min more wait (the headline once
  said "0 worse").
- More bilingual agents on the 12367 hotline (same headcount): English callers' share answered
  within 20 s rises ~9 points (the headline once read "0 of 5 better"); the Chinese callers,
  whose agents were retrained, pay a little.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from shared_runs import once
from typer.testing import CliRunner

import portsim
from portsim.cli.main import app
from portsim.experiment.comparison import Comparison, compare
from portsim.experiment.headline import ALSO, PURPOSE
from portsim.report.headline import BETTER, WORSE, cost_clause, headline_rows, sentence

SCENARIOS = Path(__file__).parents[2] / "scenarios"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def green_channel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``portsim compare cargo_flights.yaml --variants green_channel`` (the file's 10
    replications) and what it wrote."""
    out = tmp_path_factory.mktemp("green") / "out"
    result = CliRunner().invoke(app, ["compare", str(SCENARIOS / "airport" / "cargo_flights.yaml"),
                                      "--variants", "green_channel", "--out", str(out),
                                      "--workers", "2"])
    assert result.exit_code == 0, result.output
    with (out / "comparison.csv").open(encoding="utf-8") as handle:
        rows = {(row["variant"], row["scope"], row["name"], row["kpi"]): row
                for row in csv.DictReader(handle)}
    return {"terminal": " ".join(result.output.split()),
            "html": (out / "report.html").read_text(encoding="utf-8"),
            "json": json.loads((out / "results.json").read_text(encoding="utf-8")),
            "csv": rows}


def test_the_ordinary_cargo_flights_pay_for_the_green_channel(green_channel) -> None:
    data = green_channel["json"]
    ordinary = data["differences"]["green_channel"]["classes"]["ordinary_cargo_flights"]
    wait = ordinary["wait_mean"]
    assert 2.0 < wait["mean"] < 3.8 and wait["ci_low"] > 0, wait  # +2.7 ± 0.8 measured
    headline = {pick["kpi"]: pick for pick in data["headline"]["green_channel"]}
    assert headline["classes.ordinary_cargo_flights.wait_mean"]["why"] == ALSO
    row = green_channel["csv"][("green_channel", "classes", "ordinary_cargo_flights",
                                "wait_mean")]
    assert (row["verdict"], row["headline"]) == (WORSE, ALSO)
    said = "who pays: ordinary_cargo_flights (mean wait +"
    assert said in green_channel["terminal"]
    first_screen = green_channel["html"].split("<details>")[0]
    assert said in first_screen and "nobody is clearly worse off" not in first_screen


def test_the_green_channel_s_purpose_is_the_border_s_part(green_channel) -> None:
    data = green_channel["json"]
    purpose = data["headline"]["green_channel"][0]
    kpi = "until_border_cleared_mean"
    assert purpose == {"kpi": f"classes.key_cargo_flights.{kpi}", "why": PURPOSE,
                       "words": "time until border cleared"}
    delay = data["differences"]["green_channel"]["classes"]["key_cargo_flights"][kpi]
    assert -25 < delay["mean"] < -12 and delay["ci_high"] < 0, delay  # -18.8 ± 3.4 measured
    assert "green_channel buys for key_cargo_flights: time until border cleared -" in \
        green_channel["terminal"]
    row = green_channel["csv"][("green_channel", "classes", "key_cargo_flights", kpi)]
    assert (row["verdict"], row["headline"]) == (BETTER, PURPOSE)
    # and at what cost: the same officers and teams, said so in the sentence
    assert "at what cost: no change in resource use" in green_channel["terminal"]


@pytest.fixture(scope="module")
def bilingual() -> Comparison:
    return once("hotline_12367 more_bilingual", lambda: compare(
        portsim.load_scenario(SCENARIOS / "services" / "hotline_12367.yaml"),
        variants=["more_bilingual"], workers=2))


def test_the_english_callers_gain_and_the_chinese_callers_pay(bilingual: Comparison) -> None:
    rows = {(row.name, row.kpi): row for row in headline_rows(bilingual)["more_bilingual"]}
    answered = rows[("english_callers", "wait_sla_share")]
    assert answered.verdict == BETTER and answered.difference.mean > 0.05, answered
    assert rows[("chinese_callers", "wait_sla_share")].verdict == WORSE
    said = sentence("more_bilingual", list(rows.values()), bilingual.sla,
                    cost_clause(bilingual, "more_bilingual"))
    assert "english_callers: " in said and "share with wait ≤ 20 s +" in said
    assert "who pays: chinese_callers (" in said
    assert said.endswith("at what cost: no change in resource use (95% paired intervals).")
