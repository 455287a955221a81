"""Calibration recovers a known parameter, and the shipped worked example prints what the docs
say.

An M/M/3 station whose mean service time is free (0.6 to 1.3 min; the truth is 1 min): targets
made from the Erlang C formulas at the truth (P(wait), the mean wait) must bring the fit back to
1 min within its interval, and a figure held out of the fit (the share waiting at most 1 min)
must come out within its uncertainty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.calibration.calibrate import calibrate
from portsim.calibration.targets import load_targets
from portsim.cli.main import app
from portsim.scenario import load_scenario
from portsim.theory.erlang import mmc, mmc_wait_tail

ROOT = Path(__file__).resolve().parents[2]
RATE, TRUE_MEAN, SERVERS = 2.4, 1.0, 3

SCENARIO = f"""\
name: M/M/3 with a free service time
time: {{horizon: 3d, warmup: 2h}}
replications: 5
seed: 7
sla: 1min
stations:
  server:
    servers: {SERVERS}
    service: {{dist: exponential, mean: 0.8min}}   # wrong on purpose: the fit must move it
classes:
  customer:
    arrivals: {{kind: poisson, rate: {RATE}/min}}
    route: [server]
calibrate:
  service_mean:
    path: stations.server.service.mean
    range: [0.6min, 1.3min]
"""


def _targets() -> str:
    theory = mmc(RATE, TRUE_MEAN, SERVERS)
    within = 1 - mmc_wait_tail(RATE, TRUE_MEAN, SERVERS, 1.0)
    # The theory is exact: the uncertainty given is small, so the model's own standard error
    # decides how closely the parameter is pinned.
    return f"""\
targets:
  waiting_share:
    kpi: prob_wait
    class: customer
    observed: {theory.prob_wait!r}
    se: 0.002
    use: fit
    source: Erlang C
  mean_wait:
    kpi: wait_mean
    class: customer
    observed: {theory.wait_mean!r}
    se: 0.005
    use: fit
    source: Erlang C
  within_a_minute:
    kpi: wait_sla_share
    class: customer
    observed: {within!r}
    se: 0.002
    use: hold-out
    source: Erlang C, P(Wq > t)
"""


@pytest.mark.slow
def test_calibration_recovers_the_mean_service_time(tmp_path: Path) -> None:
    (tmp_path / "mmc.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "targets.yaml").write_text(_targets(), encoding="utf-8")
    result = calibrate(load_scenario(tmp_path / "mmc.yaml"),
                       load_targets(tmp_path / "targets.yaml"), replications=5)
    [fit] = result.search.parameters
    assert fit.low < TRUE_MEAN < fit.high
    assert not (fit.low_at_bound or fit.high_at_bound)
    assert fit.high - fit.low < 0.1  # pinned to within ±5 %, not merely inside the range
    assert abs(fit.value - TRUE_MEAN) < 0.03
    assert all(compared.within for compared in result.fitted())
    [held] = result.held_out()
    assert held.within, held
    # The scenario as written (0.8 min) is far from the targets: the fit moved it.
    assert result.search.written is not None
    assert result.search.written.distance > 100 * max(result.best.distance, 1.0)


DOC = ROOT / "docs" / "calibration.md"
MOHAN = ROOT / "scenarios" / "railway_port" / "mohan_onboard.yaml"
TARGETS = ROOT / "scenarios" / "targets" / "mohan.yaml"


@pytest.mark.slow
def test_the_worked_example_prints_what_the_docs_show(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/calibration.md copies the command's output; the held-out error printed there must
    # be what the command prints now.
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, [
        "calibrate", str(MOHAN.relative_to(ROOT)), "--targets", str(TARGETS.relative_to(ROOT)),
        "--out", str(tmp_path / "out")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    printed = result.stdout
    shown = DOC.read_text(encoding="utf-8")
    headline = printed.splitlines()[:6]  # the fit, then the held-out error
    assert any("error" in line for line in headline)
    for line in headline:
        assert line in shown, line
