"""The administration's other queues on the same engine: each shipped service scenario runs,
and its policy variant makes a difference the paired 95 % interval shows."""

from __future__ import annotations

from pathlib import Path

import pytest

import portsim
from portsim.experiment.comparison import compare

SERVICES = Path(__file__).parents[2] / "scenarios" / "services"
FILES = sorted(SERVICES.glob("*.yaml"))


def test_the_four_families_are_shipped() -> None:
    assert {path.stem for path in FILES} >= {
        "hotline_12367", "document_hall", "nationwide_application"}
    online = [variant for path in FILES
              for variant in portsim.load_scenario(path).variant_names if "online" in variant]
    assert len(online) >= 2, "the online platform shows in the hotline and the hall"


def improvement(path: str, variant: str, scope: str, name: str, kpi: str,
                replications: int) -> tuple[float, float]:
    """The paired 95 % interval of variant - baseline."""
    comparison = compare(portsim.load_scenario(SERVICES / path), variants=[variant],
                         replications=replications, workers=2)
    interval = comparison.difference(variant, scope, name, kpi)
    return interval.low, interval.high


@pytest.mark.parametrize(("path", "variant", "scope", "name", "kpi", "sign", "replications"), [
    # Applying where they live spares migrants the trip home before their application is lodged,
    ("nationwide_application.yaml", "nationwide_application", "classes", "migrants",
     "until_lodged_mean", -1, 6),
    # ... and the home city's residents share their office with nobody from away,
    ("nationwide_application.yaml", "nationwide_application", "classes", "home_residents",
     "wait_mean", -1, 6),
    # ... while the receiving city's residents pay: the migrants join their queue (the sign
    # here is the cost's, an increase).
    ("nationwide_application.yaml", "nationwide_application", "classes", "receiving_residents",
     "wait_mean", +1, 6),
    # Half the walk-ins booking instead (the same demand) lengthens the waits of the walk-ins
    # left: bookings are served first (the sign here is the cost's, an increase).
    ("document_hall.yaml", "more_slots", "classes", "walk_in_applicants", "wait_mean", +1, 6),
    # Renewals online take load off the kiosks and counters.
    ("document_hall.yaml", "online_30", "classes", "renewals", "wait_mean", -1, 6),
    # An automated answer for a fifth of the calls lifts the 20-second service level.
    ("hotline_12367.yaml", "automated_answer", "system", "all", "wait_sla_share", +1, 2),
    # Bilingual agents in the day shift: fewer English callers hang up.
    ("hotline_12367.yaml", "more_bilingual", "classes", "english_callers", "abandoned_share",
     -1, 4),
])
@pytest.mark.slow
def test_the_policy_variant_makes_a_significant_difference(
        path: str, variant: str, scope: str, name: str, kpi: str, sign: int,
        replications: int) -> None:
    low, high = improvement(path, variant, scope, name, kpi, replications)
    assert (low > 0) if sign > 0 else (high < 0), (low, high)



def test_more_online_means_shorter_waits_in_the_hall() -> None:
    """A variant per online share: the renewals' mean wait falls as the share grows."""
    comparison = compare(portsim.load_scenario(SERVICES / "document_hall.yaml"),
                         variants=["online_15", "online_30", "online_60"], replications=4,
                         workers=2)
    means = [comparison.summary(label, "classes", "renewals", "wait_mean").mean
             for label in ("baseline", "online_15", "online_30", "online_60")]
    assert means == sorted(means, reverse=True), means
    assert comparison.difference("online_60", "classes", "renewals", "wait_mean").high < 0


def test_the_receiving_city_pays_in_proportion_to_the_migrants_it_takes() -> None:
    """The more migrants apply where they live, the longer the receiving city's residents wait;
    the counters stay as they are, and only those who travel home spend the trip."""
    comparison = compare(portsim.load_scenario(SERVICES / "nationwide_application.yaml"),
                         variants=["partly_nationwide", "nationwide_application"],
                         replications=4, workers=2)
    waits = [comparison.summary(label, "classes", "receiving_residents", "wait_mean").mean
             for label in ("baseline", "partly_nationwide", "nationwide_application")]
    assert waits == sorted(waits), waits
    for variant in ("partly_nationwide", "nationwide_application"):
        counter_hours = comparison.difference(variant, "system", "all", "officer_hours")
        assert counter_hours.low == counter_hours.high == 0.0, (variant, counter_hours)
    three_hours = 180.0
    for label, travellers in (("baseline", "migrants"), ("partly_nationwide", "migrants"),
                              ("partly_nationwide", "migrants_applying_locally")):
        until_lodged = comparison.summary(label, "classes", travellers, "until_lodged_mean").mean
        travels_home = travellers == "migrants"
        assert (until_lodged > three_hours) == travels_home, (label, travellers, until_lodged)
