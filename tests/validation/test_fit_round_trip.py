"""The round trip of ``portsim fit`` (issue 25.2): simulate a scenario with ``--trace``, fit the
trace, recover every parameter within its 95 % interval (arrival rates, service means, step
shares, the patience; the service family where the sample is large), then run the fitted
scenario and find its KPIs where the original's are.

The KPIs are compared with the original's 95 % prediction interval for one replication
(mean ± t·sd·√(1 + 1/n), widened by the fitted run's own half-width): the fitted figures come
from one replication's trace and carry its sampling error, so the fitted scenario's KPI scatters
about the original's as one replication's does, not within the original's interval of the mean
over ten (the counters' utilisation: 0.720 fitted, 0.700-0.712 the original's mean over ten
replications, from a service mean fitted 0.9 % high and arrival rates 1 % high, each within its
own interval).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from scipy import stats
from typer.testing import CliRunner

from portsim.cli.main import app

SCENARIO = Path(__file__).parent / "data" / "fit_round_trip.yaml"
#: The scenario's parameters, as the fit reads them (minutes, per minute).
SERVICES = {("counters", None): ("lognormal", 2.0), ("egates", None): ("gamma", 40 / 60),
            ("secondary", None): ("exponential", 6.0)}
#: Samples at least this large must name the family too.
LARGE = 2000
STEPS = {("residents", "arrival", "egates"): 0.8, ("residents", "arrival", "counters"): 0.2,
         ("residents", "egates", "secondary"): 0.05,
         ("residents", "counters", "secondary"): 0.05,
         ("visitors", "counters", "secondary"): 0.1}
VISITOR_RATES = [30 / 60] * 6 + [90 / 60] * 6 + [60 / 60] * 6 + [40 / 60] * 6
KPIS = ("throughput_per_hour", "wait_mean", "wait_sla_share", "utilisation",
        "abandoned_share")


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("trip")
    runner = CliRunner()
    trace = folder / "trace.csv"
    done = runner.invoke(app, ["run", str(SCENARIO), "--workers", "1", "--out",
                               str(folder / "original"), "--trace", str(trace)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["fit", str(trace), "--out", str(folder / "fitted.yaml")])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["run", str(folder / "fitted.yaml"), "--workers", "1", "--out",
                               str(folder / "fitted")])
    assert done.exit_code == 0, done.output
    from portsim.fitting.fit import fit_log

    return {"folder": folder, "fit": fit_log(trace)}


@pytest.mark.slow
def test_arrival_rates_are_recovered_within_their_intervals(trip: dict) -> None:
    residents = trip["fit"].arrivals["residents"]
    assert residents.form == "poisson"  # one rate for every slot is not rejected
    assert residents.low <= 150 / 60 <= residents.high
    visitors = trip["fit"].arrivals["visitors"]
    assert visitors.form == "profile" and visitors.width == 60
    # 24 intervals of 95 %: about one misses by chance (4 or more: 3 %); none may miss the
    # interval corrected for the 24 (Bonferroni, 99.8 %).
    missed = [(s, rate) for s, rate in zip(visitors.slots, VISITOR_RATES, strict=True)
              if not s.low <= rate <= s.high]
    assert len(missed) <= 3
    level = 0.05 / len(visitors.slots)
    for slot, rate in missed:
        low = stats.gamma.ppf(level / 2, slot.count) / slot.exposure
        high = stats.gamma.ppf(1 - level / 2, slot.count + 1) / slot.exposure
        assert low <= rate <= high, (slot.start, slot.count)


@pytest.mark.slow
def test_service_means_and_large_samples_families_are_recovered(trip: dict) -> None:
    for (station, _), (family, mean) in SERVICES.items():
        fitted = trip["fit"].stations[station]
        for kind, service in fitted.services.items():
            assert service.mean_low <= mean <= service.mean_high, (station, kind)
            written = service.spec
            written_mean = written.get("mean", written.get("value"))
            assert written_mean is not None
            assert service.mean_low <= written_mean <= service.mean_high, (station, kind)
            if service.count >= LARGE:
                assert (service.chosen.family, service.decided) == (family, True), \
                    (station, kind)


@pytest.mark.slow
def test_step_shares_and_patience_are_recovered(trip: dict) -> None:
    for (kind, here, there), truth in STEPS.items():
        found = {(a, b): s for a, b, s in trip["fit"].routes[kind].steps}
        assert found[here, there].low <= truth <= found[here, there].high, (kind, here, there)
    giving_up = trip["fit"].stations["secondary"].giving_up
    assert set(giving_up) == {"visitors"}
    low, high = giving_up["visitors"].patience_interval
    assert low <= 20.0 <= high


@pytest.mark.slow
def test_the_fitted_scenarios_kpis_are_where_the_originals_are(trip: dict) -> None:
    original = _summary(trip["folder"] / "original")
    fitted = _summary(trip["folder"] / "fitted")
    compared, apart = 0, []
    for key, (mean, sd, n) in original.items():
        if key[2] not in KPIS or key not in fitted:
            continue
        compared += 1
        other, other_sd, other_n = fitted[key]
        reach = (stats.t.ppf(0.975, n - 1) * sd * (1 + 1 / n) ** 0.5
                 + stats.t.ppf(0.975, other_n - 1) * other_sd / other_n ** 0.5)
        if abs(other - mean) > reach:
            apart.append((key, mean, other, reach))
    assert compared >= 20  # every class and station
    assert apart == []


def _summary(folder: Path) -> dict:
    """(mean, standard deviation of one replication, replications) by (scope, name, KPI)."""
    found = {}
    with (folder / "summary.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            n = int(row["n"])
            if row["variant"] != "baseline" or n < 2 or not row["half_width"]:
                continue
            sd = float(row["half_width"]) / stats.t.ppf(0.975, n - 1) * n ** 0.5
            found[row["scope"], row["name"], row["kpi"]] = (float(row["mean"]), sd, n)
    return found
