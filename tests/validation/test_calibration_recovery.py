"""Calibration recovers a known parameter, and the shipped worked example prints what the docs
say.

An M/M/3 station whose mean service time is free (0.6 to 1.3 min; the truth is 1 min): targets
made from the Erlang C formulas at the truth (P(wait), the mean wait) must bring the fit back to
1 min within its interval, and a figure held out of the fit (the share waiting at most 1 min)
must come out within its uncertainty.

And the distance does not reward noise: an M/M/1 whose load nears 1 at long service times,
fitted to a mean wait that a short service time gives exactly and to a busy share that pulls
the other way, must stay where the wait is hit, not drift to a saturated desk whose wait is so
noisy that a miss of twenty-odd minutes would be cheap when divided by the model's spread.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portsim.calibration.calibrate import Calibration, calibrate
from portsim.calibration.objective import Objective
from portsim.calibration.targets import load_targets
from portsim.cli.main import app
from portsim.experiment.options import RunOptions
from portsim.scenario import load_scenario
from portsim.theory.erlang import mm1, mmc, mmc_wait_tail

ROOT = Path(__file__).resolve().parents[2]
RATE, TRUE_MEAN, SERVERS = 2.4, 1.0, 3



def _one_station(name: str, *, servers: int, written_mean: float, rate: float, horizon: str,
                 warmup: str, seed: int, free: tuple[float, float]) -> str:
    """A station with Poisson arrivals and exponential services whose mean is free."""
    return f"""\
name: {name}
time: {{horizon: {horizon}, warmup: {warmup}}}
replications: 5
seed: {seed}
sla: 1min
stations:
  server:
    servers: {servers}
    service: {{dist: exponential, mean: {written_mean}min}}
classes:
  customer:
    arrivals: {{kind: poisson, rate: {rate}/min}}
    route: [server]
calibrate:
  service_mean:
    path: stations.server.service.mean
    range: [{free[0]}min, {free[1]}min]
"""


# Written wrong on purpose (0.8 min): the fit must move it.
SCENARIO = _one_station("M/M/3 with a free service time", servers=SERVERS, written_mean=0.8,
                        rate=RATE, horizon="3d", warmup="2h", seed=7, free=(0.6, 1.3))


def _calibrated(folder: Path, scenario: str, targets: str) -> Calibration:
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    (folder / "targets.yaml").write_text(targets, encoding="utf-8")
    return calibrate(load_scenario(folder / "scenario.yaml"),
                     load_targets(folder / "targets.yaml"), replications=5)


def _targets(se_factor: float = 1.0) -> str:
    theory = mmc(RATE, TRUE_MEAN, SERVERS)
    within = 1 - mmc_wait_tail(RATE, TRUE_MEAN, SERVERS, 1.0)
    # The theory is exact: the uncertainty given is small, so the model's own standard error
    # decides how closely the parameter is pinned.
    share_se, wait_se = 0.002 * se_factor, 0.005 * se_factor
    return f"""\
targets:
  waiting_share:
    kpi: prob_wait
    class: customer
    observed: {theory.prob_wait!r}
    se: {share_se!r}
    use: fit
    source: Erlang C
  mean_wait:
    kpi: wait_mean
    class: customer
    observed: {theory.wait_mean!r}
    se: {wait_se!r}
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
    result = _calibrated(tmp_path, SCENARIO, _targets())
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


@pytest.mark.slow
def test_a_tiny_observed_error_does_not_narrow_the_interval(tmp_path: Path) -> None:
    # Observed to a thousandth of the errors above, the targets weigh alone in the fit, but the
    # fitted value still misses the truth by the model's sampling error on these seeds: the
    # interval must hold that error (the spreads at the fit), not only the observations'.
    result = _calibrated(tmp_path, SCENARIO, _targets(se_factor=1e-3))
    [fit] = result.search.parameters
    assert fit.low < TRUE_MEAN < fit.high
    assert fit.high - fit.low > 0.005


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


SHORT_SERVICE = 0.6
SATURATING = _one_station("M/M/1 whose load nears 1 at long service times", servers=1,
                          written_mean=0.7, rate=1, horizon="1d", warmup="1h", seed=11,
                          free=(0.5, 0.98))


def _saturating_targets() -> str:
    wait = mm1(1.0, SHORT_SERVICE).wait_mean  # 0.9 min
    return f"""\
targets:
  mean_wait:
    kpi: wait_mean
    class: customer
    observed: {wait!r}
    se: 0.05
    use: fit
    source: M/M/1 at a 0.6-min service
  busy_share:
    kpi: utilisation
    station: server
    observed: 0.9
    se: 0.05
    use: fit
    source: designed to pull towards a saturated desk
"""


@pytest.mark.slow
def test_a_noisy_saturated_candidate_does_not_win(tmp_path: Path) -> None:
    result = _calibrated(tmp_path, SATURATING, _saturating_targets())
    [fit] = result.search.parameters
    # The wait (known within ±0.05 min) outweighs the busy share: the fit stays near the
    # short service that gives it (the pull of the busy share moves it by about 0.01 min).
    assert abs(fit.value - SHORT_SERVICE) < 0.03, fit
    assert fit.low < SHORT_SERVICE < fit.high
    assert not fit.high_at_bound
    by_name = {c.name: c for c in result.fitted()}
    assert by_name["mean_wait"].within
    # The case is designed so that the old distance, z² with the model's spread in the
    # divisor, prefers the saturated end of the range (it fitted 0.92 min: a 16-min wait,
    # judged within at z = +1.89 because its standard error was 8 min).
    objective = _objective_of(result)
    saturated = objective((0.98,))
    old = {name: sum(c.z ** 2 for c in evaluation.used("fit"))
           for name, evaluation in (("fit", result.best), ("saturated", saturated))}
    assert old["saturated"] < old["fit"]
    assert saturated.distance > 100 * result.best.distance


def _objective_of(result: Calibration) -> Objective:
    options = RunOptions(replications=result.replications, seed=result.seed, workers=1)
    return Objective(result.scenario, result.targets, result.free, options, result.documents)
