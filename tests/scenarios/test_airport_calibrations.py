"""The shipped airports calibrated to published figures stay honest: the UK family shares its
free parameters across airports, the airports held out of its fit are computed and judged at
the fitted values, a deliberately wrong parameter is caught, and the worked examples print what
docs/calibration.md shows.

Timings on the project's 2-core machine under load (load average ~15): the family's structure
0.1 s; the held-out airports at the fit and the wrong check time ~4 s each; the two worked
examples, a full search each, ~140 s (UK: 84 candidates of 2 airports x 5 replications; about
35 s of processor time) and ~45 s (Hong Kong). All but the first are marked slow.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from portsim.calibration.free import free_parameters, with_values
from portsim.calibration.objective import Evaluation, Objective
from portsim.calibration.targets import Z95, load_targets
from portsim.cli.main import app
from portsim.experiment.options import RunOptions
from portsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "calibration.md"
UK = ROOT / "scenarios" / "airport" / "uk_airports_2008.yaml"
UK_TARGETS = ROOT / "scenarios" / "targets" / "uk_airports_2008.yaml"
HONG_KONG = ROOT / "scenarios" / "airport" / "hong_kong_airport.yaml"
HONG_KONG_TARGETS = ROOT / "scenarios" / "targets" / "hong_kong_airport.yaml"
AIRPORTS = ("heathrow", "gatwick", "stansted", "london_city")
#: The fits of the worked examples as calibration.json records them (docs/calibration.md prints
#: x1.22, x1.17 and x0.776); the slow test below checks the search still lands there.
UK_FIT = (1.217560174279107, 1.1699064630678433)
HONG_KONG_FIT = (0.7756552942885769,)


def _objective(scenario_path: Path, targets_path: Path) -> Objective:
    scenario = load_scenario(scenario_path)
    targets = load_targets(targets_path)
    documents = {target.variant: scenario.resolved(target.variant)
                 for _, target in targets.items()}
    free = tuple(free_parameters(scenario, documents))
    options = RunOptions(replications=5, seed=scenario.seed, workers=1)
    return Objective(scenario, targets, free, options, documents)


def _by_name(evaluation: Evaluation) -> dict[str, Any]:
    return {compared.name: compared for compared in evaluation.compared}


def test_the_family_is_one_base_and_an_airport_per_variant() -> None:
    scenario = load_scenario(UK)
    assert set(AIRPORTS) <= set(scenario.variant_names)
    documents = {airport: scenario.resolved(airport) for airport in AIRPORTS}
    free = tuple(free_parameters(scenario, documents))
    assert [f.name for f in free] == ["non_eea_check", "eea_check"]
    # One fitted value moves every airport's desks alike: the parameters are the family's.
    for airport, document in documents.items():
        moved = with_values(document, free, (1.5, 0.5))
        for desks, factor in (("non_eea_desks", 1.5), ("eea_desks", 0.5)):
            written = document["stations"][desks]["service"]["mean"]
            assert moved["stations"][desks]["service"]["mean"] == pytest.approx(
                written * factor), airport
    # The airports differ in demand and desks only: the check times are written once.
    times = {(d["stations"]["non_eea_desks"]["service"]["mean"],
              d["stations"]["eea_desks"]["service"]["mean"]) for d in documents.values()}
    assert len(times) == 1
    desks = {airport: (d["stations"]["non_eea_desks"]["servers"],
                       d["stations"]["eea_desks"]["servers"])
             for airport, d in documents.items()}
    assert len(set(desks.values())) == len(AIRPORTS)
    # Fitted on two airports, the other two held out.
    uses = {target.variant: target.use for _, target in load_targets(UK_TARGETS).items()}
    assert uses == {"heathrow": "fit", "gatwick": "fit", "stansted": "hold-out",
                    "london_city": "hold-out"}


@pytest.mark.slow
def test_the_held_out_airports_at_the_fit_are_computed_and_judged() -> None:
    objective = _objective(UK, UK_TARGETS)
    at_fit = _by_name(objective(UK_FIT))
    as_written = objective((1.0, 1.0))
    held = [c for c in at_fit.values() if c.target.use == "hold-out"]
    assert {c.target.variant for c in held} == {"stansted", "london_city"}
    for compared in held:
        # The verdict is the stated one: z from the model's mean and standard error over the
        # replications and the observed figure's standard error, within when |z| <= 1.96.
        spread = math.hypot(compared.target.standard_error, compared.model_se)
        assert compared.z == pytest.approx((compared.model.mean - compared.target.value)
                                           / spread)
        assert compared.within == (abs(compared.z) <= Z95)
        assert math.isfinite(compared.model_se) and compared.model_se > 0
    # The fit is closer to the fitted airports than the scenario as written.
    assert objective(UK_FIT).distance < as_written.distance
    # What docs/calibration.md reports of the held-out airports, verdict by verdict.
    shown = DOC.read_text(encoding="utf-8")
    for compared in held:
        verdict = "within" if compared.within else "outside"
        assert f"{compared.name}: model" in shown
        assert f"(z {compared.z:+.2f}): {verdict} its uncertainty" in shown, compared.name


@pytest.mark.slow
def test_a_wrong_check_time_is_caught() -> None:
    # The check can fail: Hong Kong's visitors at 1.4 times the fitted desk time miss 2008's
    # 98.8 % by far, where the fitted one is within; a wrong UK family (every check 1.6 times
    # as written) is far outside at Heathrow.
    hong_kong = _objective(HONG_KONG, HONG_KONG_TARGETS)
    [fitted] = hong_kong(HONG_KONG_FIT).used("fit")
    [wrong] = hong_kong((HONG_KONG_FIT[0] * 1.4,)).used("fit")
    assert fitted.within
    assert not wrong.within and wrong.z < -Z95
    uk = _by_name(_objective(UK, UK_TARGETS)((1.6, 1.6)))
    assert not uk["heathrow_non_eea_wait"].within
    assert uk["heathrow_non_eea_wait"].z > Z95


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "targets"), [(UK, UK_TARGETS),
                                                   (HONG_KONG, HONG_KONG_TARGETS)],
                         ids=["uk_family", "hong_kong"])
def test_the_worked_examples_print_what_the_docs_show(
        scenario: Path, targets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, [
        "calibrate", str(scenario.relative_to(ROOT)), "--targets",
        str(targets.relative_to(ROOT)), "--out", str(tmp_path / "out")],
        env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    # The docs copy a terminal 80 columns wide, which wraps a long line where the test's
    # output does not: lines are compared with their spacing and line breaks folded.
    shown = " ".join(DOC.read_text(encoding="utf-8").split())
    # The headline: the fitted values, the fit's and the held-out verdicts, each held-out error.
    headline = printed[:printed.index(next(line for line in printed
                                           if line.startswith("targets at the fit")))]
    assert any("held out:" in line for line in headline)
    for line in headline:
        assert " ".join(line.split()) in shown, line
