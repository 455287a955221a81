"""The holiday-peak scenarios break the 30-minute pledge at their baseline, and a shipped policy
variant keeps it: the verdicts of the pledge table of ``portsim compare``, from the files as
shipped (their replications, seed and horizon)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from portsim.experiment.comparison import compare
from portsim.experiment.pledge import BROKEN, MET, verdict

SCENARIOS = Path(__file__).parents[2] / "scenarios"

# file, the classes whose pledge the baseline breaks, a variant that keeps it for them (more
# e-gates; the reactive desks no longer do: every desk of these halls is staffed at the peak,
# and the reserve opens only desks that exist)
PEAKS = [
    ("airport/airport_peak.yaml", ["mainland", "hkmotw"], ["more_egates"]),
    ("land_port/land_port_peak.yaml", ["walk_in", "bus_passengers"], ["more_egates"]),
    ("railway_port/railway_port_peak.yaml", ["mainland", "hkmotw", "foreigners"],
     ["more_egates"]),
]


# the airport's comparison also runs the outage of its e-gates, read by the test of that
# outage, and the land port's its tidal lanes: one baseline for both
VARIANTS_RUN = {"airport/airport_peak.yaml": ["more_egates", "egates_outage"],
                "land_port/land_port_peak.yaml": ["more_egates", "reactive_staffing"]}


@functools.cache
def _compare(file: str, variants: tuple[str, ...]):
    """One comparison per file and variants in the session (the land port's and the airport's
    are read twice)."""
    return compare(SCENARIOS / file, variants=list(variants), workers=2)


@pytest.mark.slow
@pytest.mark.parametrize(("file", "classes", "fixes"), PEAKS,
                         ids=[Path(file).stem for file, _, _ in PEAKS])
def test_peak_breaks_the_pledge_and_a_policy_keeps_it(file: str, classes: list[str],
                                                      fixes: list[str]) -> None:
    comparison = _compare(file, tuple(VARIANTS_RUN.get(file, fixes)))
    for name in classes:
        broken = verdict(comparison.baseline, "classes", name)
        assert broken.status == BROKEN, (name, broken.text())
        for variant in fixes:
            kept = verdict(comparison.variants[variant], "classes", name)
            assert kept.status == MET, (name, variant, kept.text())
            # and the share waiting longer than the pledge falls, by the paired interval
            change = comparison.difference(variant, "classes", name, "wait_sla_share")
            assert change.low > 0, (name, variant, change)


@pytest.mark.slow
def test_egate_outage_at_the_morning_peak() -> None:
    """The what-if of the e-gate bank down 08:00-09:30 on the measured day: gate users go to
    the desks, which were already at their limit, and the citizens' share within the pledge
    falls for the whole day, by the paired interval."""
    comparison = _compare("airport/airport_peak.yaml", ("more_egates", "egates_outage"))
    outage = comparison.variants["egates_outage"]
    down = outage.summary("stations", "egates", "out_of_order_share")
    assert down.mean == pytest.approx(90 / 1440) and down.half_width == pytest.approx(0.0)
    assert outage.summary("stations", "egates", "broken_mean").mean == pytest.approx(
        30 * 90 / 1440)  # 30 gates, all down for 90 minutes of the measured day
    assert outage.summary("stations", "egates", "diverted").low > 1000
    for name in ("mainland", "hkmotw"):
        change = comparison.difference("egates_outage", "classes", name, "wait_sla_share")
        assert change.high < 0, (name, change)
    # Those who never use the gates are not touched: foreigners see the same waits.
    foreigners = comparison.difference("egates_outage", "classes", "foreigners", "wait_mean")
    assert foreigners.contains(0.0), foreigners


@pytest.mark.slow
def test_land_port_cars_spill_back_and_tidal_lanes_take_them():
    """At the land port's inbound peak the cars' approach road fills: cars are diverted at
    10:00-12:00 (the balked share's interval lies above 0), none at night; the reactive variant,
    which opens outbound lanes to inbound cars, diverts significantly fewer (paired interval)."""
    comparison = _compare("land_port/land_port_peak.yaml",
                          tuple(VARIANTS_RUN["land_port/land_port_peak.yaml"]))
    for hour in ("h1000", "h1100"):
        spill = comparison.baseline.summary("stations", "car_lanes", f"balked_{hour}_share")
        assert spill.low > 0.02, (hour, spill)
    night = comparison.baseline.summary("stations", "car_lanes", "balked_h0300_share")
    assert night.mean == 0.0
    change = comparison.difference("reactive_staffing", "stations", "car_lanes", "balked_share")
    assert change.high < 0, change
    before = comparison.baseline.summary("stations", "car_lanes", "balked_share")
    after = comparison.variants["reactive_staffing"].summary("stations", "car_lanes",
                                                             "balked_share")
    assert after.mean < before.mean / 4, (before, after)
    # the comparison's headline says it: the lanes that turn cars away, how many they do
    assert ("stations", "car_lanes", "balked_share") in [
        pick.item for pick in comparison.headline["reactive_staffing"]]
